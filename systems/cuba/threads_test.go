package cuba

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/sim"
)

// TestCUBAThreadsAreBitIdentical runs a network on 1 to 4 threads, fused
// (sim.Network.Fuse: one job per step, each thread delivering into and
// updating its own range) and not (the neuron update in two blocks of
// ≥ 4096 neurons, the propagation of steps above connect.ParallelEvents
// split apart), and checks that every spike and the final state are
// bitwise the same.
func TestCUBAThreadsAreBitIdentical(t *testing.T) {
	defer sim.AtLeastProcs(4)() // the worker counts asked for, also under GOMAXPROCS=1
	c := CUBA()
	c.NExc, c.NInh, c.P, c.DurationS = 6560, 1640, 0.05, 0.05
	c.WiMV = -4 // weaker inhibition: a busy network, most steps above the threshold
	type result struct {
		steps, index []int32
		v, ge, gi    []float64
		events       int64
	}
	run := func(threads int, fused bool) result {
		fo := sim.FuseOptions{MinNeurons: 1 << 30} // never
		if fused {
			fo.MinNeurons = 1 // 8200 neurons is below the default
		}
		b, err := c.build(threads, fo)
		if err != nil {
			t.Fatal(err)
		}
		defer b.net.Close()
		// Two Runs: the second starts after the first delivered what it left pending.
		for _, ms := range []float64{c.DurationS * 500, c.DurationS * 500} {
			if err := b.net.Run(context.Background(), ms, sim.RunOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		if got := b.net.Fused(b.pop); got != (fused && threads > 1) {
			t.Fatalf("%d threads, fusion asked %v: fused %v", threads, fused, got)
		}
		m := b.pop.Model
		return result{b.mon.Steps, b.mon.Index, m.V, m.GE, m.GI, b.events.n}
	}
	want := run(1, true)
	steps := int(math.Round(c.DurationS * 1000 / c.DtMS))
	if per := want.events / int64(steps); per < 2*connect.ParallelEvents {
		t.Fatalf("%d synaptic events per step: too few to split the propagation", per)
	}
	same := func(a, b []float64) bool {
		return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
	}
	for threads := 2; threads <= 4; threads++ {
		for _, fused := range []bool{true, false} {
			got := run(threads, fused)
			if !slices.Equal(got.steps, want.steps) || !slices.Equal(got.index, want.index) {
				t.Errorf("%d threads, fused %v: %d spikes, 1 thread %d, or different ones", threads, fused, len(got.index), len(want.index))
			}
			if !same(got.v, want.v) || !same(got.ge, want.ge) || !same(got.gi, want.gi) {
				t.Errorf("%d threads, fused %v: the final state differs from 1 thread's", threads, fused)
			}
		}
	}
	t.Logf("%d spikes, %d events per step, identical on 1–4 threads, fused or not", len(want.index), want.events/int64(steps))
}

// TestCUBASizesAreChecked: sizes beyond the int32 indices and bad
// probabilities are refused with the key named; a 64 000-neuron network at
// p = 0.02 passes and its estimate counts its 82 M synapses.
func TestCUBASizesAreChecked(t *testing.T) {
	for _, c := range []struct {
		set  func(*CUBAConfig)
		want string
	}{
		{func(c *CUBAConfig) { c.NExc = 1 << 31 }, "n_exc"},
		{func(c *CUBAConfig) { c.NInh = -1 }, "n_inh"},
		{func(c *CUBAConfig) { c.P = 0 }, "p must"},
		{func(c *CUBAConfig) { c.P = 1.5 }, "p must"},
	} {
		cfg := CUBA()
		c.set(cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one naming %q", err, c.want)
		}
	}
	big := CUBA()
	big.NExc, big.NInh = 51200, 12800
	if err := big.Validate(); err != nil {
		t.Fatal(err)
	}
	e, err := big.Estimate()
	if err != nil {
		t.Fatal(err)
	}
	// 64000² · 0.02 = 81.92 M synapses at 4.2 bytes each (a 4-byte
	// target with 5 % room; one weight per projection).
	if e.Bytes() < 4.2*81.92e6 || e.Bytes() > 5*81.92e6 {
		t.Errorf("estimate %.3g bytes for 82 M synapses", e.Bytes())
	}
}
