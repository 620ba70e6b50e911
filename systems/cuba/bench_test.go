package cuba

import (
	"context"
	"fmt"
	"testing"

	"github.com/spikelab/spikelab/sim"
)

// BenchmarkCUBAStep times the simulation loop per step (ns/op is one
// step) at 4000 to 16 000 neurons with 80 inputs per neuron, on one and
// two threads, fused (sim.Network.Fuse, forced) and plain:
//
//	go test ./systems/cuba -run '^$' -bench CUBAStep -benchtime 20000x
func BenchmarkCUBAStep(b *testing.B) {
	for _, n := range []int{4000, 8000, 16000} {
		for _, threads := range []int{1, 2} {
			for _, fused := range []bool{false, true} {
				if threads == 1 && fused {
					continue
				}
				b.Run(fmt.Sprintf("n=%d/threads=%d/fused=%v", n, threads, fused), func(b *testing.B) {
					c := CUBA()
					c.NExc, c.NInh, c.P = n*4/5, n/5, 80/float64(n)
					c.Record.Spikes = false
					fo := sim.FuseOptions{MinNeurons: 1 << 30}
					if fused {
						fo.MinNeurons = 1
					}
					net, err := c.build(threads, fo)
					if err != nil {
						b.Fatal(err)
					}
					defer net.net.Close()
					// 100 ms first: past the initial burst.
					if err := net.net.Run(context.Background(), 100, sim.RunOptions{}); err != nil {
						b.Fatal(err)
					}
					b.ResetTimer()
					if err := net.net.Run(context.Background(), float64(b.N)*c.DtMS, sim.RunOptions{}); err != nil {
						b.Fatal(err)
					}
				})
			}
		}
	}
}
