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

// benchmarkProjectionRows measures CUBA-sized propagation: 64 000
// neurons, 80 targets per row, one weight, 37 random spikes per step (the
// 64 000-neuron network at 5.7 Hz), through Projection.deliver (rows
// prefetched) or the bare loop (rows loaded as it reaches them).
func benchmarkProjectionRows(b *testing.B, deliver bool) {
	const n = 64000
	rng := rand.New(rand.NewPCG(1, 2))
	c, err := BernoulliCSR(rng, n, n, 0, n, 80.0/n, 1.62)
	if err != nil {
		b.Fatal(err)
	}
	g := &pulseGroup{v: make([]float64, n), in: make([]float64, n)}
	p, err := NewProjection(ProjectionOptions{Pre: g, Post: g, Input: "exc", Weights: c, FixedWeights: true})
	if err != nil {
		b.Fatal(err)
	}
	steps := make([][]int32, 1000)
	ev := 0
	for s := range steps {
		for range 37 {
			j := int32(rng.IntN(n))
			steps[s] = append(steps[s], j)
			ev += int(c.Start[j+1] - c.Start[j])
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if sp := steps[i%len(steps)]; deliver {
			p.deliver(sp)
		} else {
			c.propagateUniform(nil, 0, sp, g.in, c.W[0])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*float64(ev)/float64(len(steps))), "ns/event")
	benchSink = g.in[0]
}

// BenchmarkProjectionRows: rows prefetched by Projection.deliver.
func BenchmarkProjectionRows(b *testing.B) { benchmarkProjectionRows(b, true) }

// BenchmarkProjectionRowsUnprefetched: the bare loop.
func BenchmarkProjectionRowsUnprefetched(b *testing.B) { benchmarkProjectionRows(b, false) }
