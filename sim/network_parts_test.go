package sim_test

import (
	"context"
	"testing"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/synapse"
)

// TestNetworkOfTheModulesPartsDoesNotAllocate runs a small network of
// the module's parts (CUBA, AdEx and ALIF groups, delayed and undelayed
// projections, Poisson input, trace STDP, spike and state monitors) and
// wants no allocation in Run.
func TestNetworkOfTheModulesPartsDoesNotAllocate(t *testing.T) {
	defer sim.AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
	net, err := sim.NewNetwork(sim.NetworkOptions{DtMS: 0.1, Threads: 2, Seed: 3, CheckEvery: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	env, rng := net.Env(), sim.Stream(3, "weights")
	groups := map[string]sim.Group{}
	for _, name := range []string{"lifexp", "adex", "alif"} {
		ctor, err := neuron.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if groups[name], err = ctor(env, 40, nil); err != nil {
			t.Fatal(err)
		}
		if err := net.AddGroup(name, groups[name]); err != nil {
			t.Fatal(err)
		}
	}
	var ee *connect.Sparse
	for k, pq := range [][2]string{{"lifexp", "lifexp"}, {"lifexp", "adex"}, {"adex", "alif"}, {"alif", "lifexp"}} {
		pre, post := groups[pq[0]], groups[pq[1]]
		syn, err := connect.Bernoulli(rng, post.Len(), 0, pre.Len(), 0.3, 2)
		if err != nil {
			t.Fatal(err)
		}
		m, err := connect.NewSparse(post.Len(), pre.Len(), syn)
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			ee = m
		}
		p, err := connect.NewProjection(connect.ProjectionOptions{Pre: pre, Post: post, Input: "exc", Weights: &m.CSR, DelaySteps: k})
		if err != nil {
			t.Fatal(err)
		}
		if err := net.AddProjection(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"lifexp", "adex", "alif"} {
		w := map[string]float64{"lifexp": 1, "adex": 10, "alif": 50}[name]
		in, err := synapse.NewPoissonInput(env, synapse.PoissonInputOptions{Target: groups[name], Input: "exc", RateHz: 3000, Weight: w, Stream: name})
		if err != nil {
			t.Fatal(err)
		}
		net.AddInput(in)
	}
	stdp, err := learn.NewTraceSTDP(env, groups["lifexp"], groups["lifexp"], ee, learn.TraceSTDPParams{APlus: 0.01, AMinus: 0.01, TauPlusMS: 20, TauMinusMS: 20, WMax: 5})
	if err != nil {
		t.Fatal(err)
	}
	net.AddRule(stdp)
	var mons []*sim.GroupSpikes
	for _, g := range groups {
		mons = append(mons, sim.WatchSpikes(g, sim.NewSpikeMonitor(0, 0)))
		net.AddMonitor(mons[len(mons)-1])
	}
	st, _ := sim.NewStateMonitor(groups["alif"], sim.StateMonitorOptions{Every: 10, Steps: 11 * 1000})
	net.AddMonitor(st)
	allocs := testing.AllocsPerRun(10, func() {
		if err := net.Run(context.Background(), 100, sim.RunOptions{Every: 250, Progress: func(int64, int64) {}}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%g allocations per run", allocs)
	}
	for _, m := range mons {
		if m.Count == 0 {
			t.Errorf("a group of %d neurons never spiked", m.Group.Len())
		}
	}
}
