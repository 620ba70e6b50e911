package connect

import (
	"math/rand/v2"
	"testing"
)

var benchSink float64

// benchmarkPropagate measures FORCE-sized spike propagation (2000 neurons,
// p = 0.1, 0–4 spikes per step) with 128 kB of other memory traffic per
// step, the rows prefetched before that traffic if prefetch is set.
func benchmarkPropagate(b *testing.B, prefetch bool) {
	rng := rand.New(rand.NewPCG(1, 2))
	syn, _ := BernoulliGaussian(rng, 2000, 2000, 0.1, 0.01)
	c, _ := FromSynapses(2000, 2000, syn)
	steps := 100000
	spikes := make([][]int32, steps)
	for s := range spikes {
		for range rng.IntN(5) {
			spikes[s] = append(spikes[s], int32(rng.IntN(2000)))
		}
	}
	h := make([]float64, 2000)
	junk := make([]float64, 16000)
	b.ResetTimer()
	ev := 0
	for i := 0; i < b.N; i++ {
		sp := spikes[i%steps]
		if prefetch {
			c.Prefetch(sp)
		}
		for k := 0; k < len(junk); k += 8 {
			junk[k]++
		}
		c.Propagate(sp, h, 0.5)
		for _, j := range sp {
			ev += int(c.Start[j+1] - c.Start[j])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(ev, 1)), "ns/event")
	benchSink = h[0] + junk[0]
}

// BenchmarkPropagate: rows loaded when the propagation needs them.
func BenchmarkPropagate(b *testing.B) { benchmarkPropagate(b, false) }

// BenchmarkPropagatePrefetched: rows prefetched before the other traffic.
func BenchmarkPropagatePrefetched(b *testing.B) { benchmarkPropagate(b, true) }

func TestPrefetchAnyRows(t *testing.T) {
	c, err := FromSynapses(3, 4, []Synapse{{Post: 0, Pre: 1, W: 1}, {Post: 2, Pre: 3, W: 2}})
	if err != nil {
		t.Fatal(err)
	}
	c.Prefetch([]int32{0, 1, 2, 3}) // rows with and without targets
	c.Prefetch(nil)
	h := make([]float64, 3)
	c.Propagate([]int32{1, 3}, h, 1)
	if h[0] != 1 || h[1] != 0 || h[2] != 2 {
		t.Fatalf("propagated %v", h)
	}
}
