// The printed figures come from a chaotic network: on amd64 they are the
// same with and without the vector kernels (purego); other architectures
// may fuse multiply-adds and print others, so the example runs on amd64.

//go:build amd64

package maes_test

import (
	"context"
	"fmt"
	"log"

	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/systems/maes"
)

// A small sequence clock: 240 excitatory neurons in 6 clusters wired by
// construction (strong within, stronger forward than backward), 60
// inhibitory neurons, 1 s of spontaneous activity. The replay analysis
// reports the share of cluster-to-cluster transitions that go forward.
func ExampleNewNetwork() {
	net, err := maes.NewNetwork(maes.NetworkOptions{NE: 240, NI: 60, Clusters: 6, Seed: 1, Threads: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer net.Close()
	mon := sim.NewSpikeMonitor(net.N, 0) // network-wide indices, E first
	if err := net.WatchSpikes(mon); err != nil {
		log.Fatal(err)
	}
	if err := net.Run(context.Background(), 1000); err != nil {
		log.Fatal(err)
	}
	st := maes.AnalyseReplay(mon.Times, mon.Index, net.K, net.NE/net.K, 100, 1000, maes.DefaultReplayParams())
	fmt.Printf("%d transitions, %.0f%% forward\n", st.Transitions, 100*st.ForwardFraction())
	// Output:
	// 12 transitions, 42% forward
}
