package sim_test

import (
	"context"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/synapse"
)

// fusedNet is a recurrent CUBA population of 1003 neurons (excitatory and
// inhibitory projections onto itself) driven by a second, smaller
// population through a third projection, as built by buildFused.
type fusedNet struct {
	net       *sim.Network
	pop, src  *neuron.LIFExpGroup
	mon       *sim.GroupSpikes
	snapshots [][]float64 // GE at each checkpoint
}

type fuseCase struct {
	threads  int
	min      int  // FuseOptions.MinNeurons
	delay    int  // delay of the drive projection
	input    bool // a Poisson input into the source population
	withFuse bool // call Fuse at all
}

func buildFused(t *testing.T, c fuseCase) *fusedNet {
	t.Helper()
	net, err := sim.NewNetwork(sim.NetworkOptions{DtMS: 0.1, Threads: c.threads, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	p := neuron.DefaultLIFExp()
	p.EL = -49 // fires without input
	const n, ns = 1003, 200
	pop, err := neuron.NewLIFExpGroup(net.Env(), n, p)
	if err != nil {
		t.Fatal(err)
	}
	src, err := neuron.NewLIFExpGroup(net.Env(), ns, p)
	if err != nil {
		t.Fatal(err)
	}
	pop.Init(sim.Stream(5, "init"))
	src.Init(sim.Stream(5, "src"))
	rng := sim.Stream(5, "weights")
	exc, err := connect.BernoulliCSR(rng, n, n, 0, 800, 0.08, 2.5)
	if err != nil {
		t.Fatal(err)
	}
	inh, err := connect.BernoulliCSR(rng, n, n, 800, n, 0.08, -9)
	if err != nil {
		t.Fatal(err)
	}
	drive, err := connect.BernoulliCSR(rng, n, ns, 0, ns, 0.1, 0.7)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{net.AddGroup("src", src), net.AddGroup("pop", pop)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []connect.ProjectionOptions{
		{Pre: pop, Post: pop, Input: "exc", Weights: exc, Team: net.Team(), FixedWeights: true},
		{Pre: src, Post: pop, Input: "exc", Weights: drive, DelaySteps: c.delay, Team: net.Team()},
		{Pre: pop, Post: pop, Input: "inh", Weights: inh, Team: net.Team()},
	} {
		pr, err := connect.NewProjection(o)
		if err != nil {
			t.Fatal(err)
		}
		if err := net.AddProjection(pr); err != nil {
			t.Fatal(err)
		}
	}
	if c.input {
		in, err := synapse.NewPoissonInput(net.Env(), synapse.PoissonInputOptions{Target: src, Input: "exc", RateHz: 100, Weight: 1, Stream: "in"})
		if err != nil {
			t.Fatal(err)
		}
		if err := net.AddInput(in); err != nil {
			t.Fatal(err)
		}
	}
	mon := sim.WatchSpikes(pop, sim.NewSpikeMonitor(n, 100000))
	if err := net.AddMonitor(mon); err != nil {
		t.Fatal(err)
	}
	if c.withFuse {
		if err := net.Fuse(pop, sim.FuseOptions{MinNeurons: c.min}); err != nil {
			t.Fatal(err)
		}
	}
	return &fusedNet{net: net, pop: pop, src: src, mon: mon}
}

// TestFusedStepIsBitIdentical runs a network whose main population is
// fused (sim.Network.Fuse) on 2 and 3 workers in several Runs with
// checkpoints, and checks that every spike, the state after each Run and
// the state each checkpoint sees are bitwise those of the plain schedule
// on one worker, without allocating; and that fusion is declined where
// it would change the schedule (one worker, a small group, a delayed
// projection into the group, an Input in the network).
func TestFusedStepIsBitIdentical(t *testing.T) {
	defer sim.AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
	run := func(c fuseCase) *fusedNet {
		f := buildFused(t, c)
		defer f.net.Close()
		for range 3 {
			err := f.net.Run(context.Background(), 50, sim.RunOptions{Every: 170, Checkpoint: func(int) error {
				f.snapshots = append(f.snapshots, slices.Clone(f.pop.Model.GE))
				return nil
			}})
			if err != nil {
				t.Fatal(err)
			}
		}
		return f
	}
	same := func(a, b []float64) bool {
		return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
	}
	want := run(fuseCase{threads: 1})
	if want.mon.Count < 1000 {
		t.Fatalf("%d spikes: too few to test", want.mon.Count)
	}
	for _, threads := range []int{2, 3} {
		c := fuseCase{threads: threads, min: 1, withFuse: true}
		got := run(c)
		if !got.net.Fused(got.pop) {
			t.Fatalf("%d workers: not fused", threads)
		}
		if !slices.Equal(got.mon.Index, want.mon.Index) || !slices.Equal(got.mon.Times, want.mon.Times) {
			t.Errorf("%d workers: %d spikes, plain %d, or different ones", threads, got.mon.Count, want.mon.Count)
		}
		m, w := got.pop.Model, want.pop.Model
		if !same(m.V, w.V) || !same(m.GE, w.GE) || !same(m.GI, w.GI) {
			t.Errorf("%d workers: final state differs", threads)
		}
		if len(got.snapshots) != len(want.snapshots) {
			t.Fatalf("%d checkpoints, want %d", len(got.snapshots), len(want.snapshots))
		}
		for k := range got.snapshots {
			if !same(got.snapshots[k], want.snapshots[k]) {
				t.Errorf("%d workers: checkpoint %d sees another state", threads, k)
			}
		}
		// testing.AllocsPerRun would set GOMAXPROCS to 1, under which the
		// team's workers only take turns: count the mallocs of whole Runs
		// of 1000 steps. The runtime itself may allocate a few while a
		// worker parks (sync.Cond), so the bound is far below one per step.
		f := buildFused(t, c)
		var before, after runtime.MemStats
		for k := range 3 {
			runtime.ReadMemStats(&before)
			if err := f.net.Run(context.Background(), 100, sim.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&after)
			if allocs := after.Mallocs - before.Mallocs; k > 0 && allocs >= 50 {
				t.Errorf("%d workers: %d allocations in a fused Run of 1000 steps", threads, allocs)
			}
		}
		f.net.Close()
	}
	for _, c := range []fuseCase{
		{threads: 1, min: 1, withFuse: true},
		{threads: 2, min: 2000, withFuse: true},
		{threads: 2, min: 1, delay: 2, withFuse: true},
		{threads: 2, min: 1, input: true, withFuse: true},
	} {
		f := buildFused(t, c)
		if f.net.Fused(f.pop) {
			t.Errorf("%+v: fused", c)
		}
		f.net.Close()
	}
}
