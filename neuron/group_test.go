package neuron

import (
	"context"
	"reflect"
	"testing"

	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/synapse"
)

// TestAdExGroupMatchesTheHandWrittenLoop drives AdEx neurons with Poisson
// input through their excitatory conductance on the frame and by hand
// (external events, conductance step, neuron step) and wants identical
// potentials and spikes.
func TestAdExGroupMatchesTheHandWrittenLoop(t *testing.T) {
	const n, dt, steps, seed = 50, 0.1, 2000, 7
	p := AdExGroupParams{Neuron: excAdEx(), TauRiseEMS: 1, TauDecayEMS: 6, TauRiseIMS: 0.5, TauDecayIMS: 2}
	// By hand.
	m := NewAdEx(n, dt, p.Neuron)
	m.Init(sim.Stream(seed, "init"))
	ge, _ := synapse.NewCondDiffExp(n, p.TauRiseEMS, p.TauDecayEMS, dt)
	gi, _ := synapse.NewCondDiffExp(n, p.TauRiseIMS, p.TauDecayIMS, dt)
	m.GE, m.GI = ge.G, gi.G
	ext, _ := synapse.NewPoisson(n, dt, 4.5, 1.78)
	src := sim.Source(seed, "ext")
	in, zero := make([]float64, n), make([]float64, n)
	var hand []int32
	var sp []int32
	for s := 1; s <= steps; s++ {
		ext.Add(src, 0, n, in)
		ge.Step(in)
		gi.Step(zero)
		clear(in)
		sp = m.Step(float64(s)*dt, nil, sp[:0])
		hand = append(hand, sp...)
	}
	// On the frame.
	net, err := sim.NewNetwork(sim.NetworkOptions{DtMS: dt, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	g, err := NewAdExGroup(net.Env(), n, p)
	if err != nil {
		t.Fatal(err)
	}
	g.Init(sim.Stream(seed, "init"))
	drive, err := synapse.NewPoissonInput(net.Env(), synapse.PoissonInputOptions{Target: g, Input: "exc", RateHz: 4500, Weight: 1.78, Stream: "ext"})
	if err != nil {
		t.Fatal(err)
	}
	mon := sim.WatchSpikes(g, sim.NewSpikeMonitor(n, 0))
	for _, err := range []error{net.AddGroup("adex", g), net.AddInput(drive), net.AddMonitor(mon)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := net.Run(context.Background(), steps*dt, sim.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(hand) == 0 || !reflect.DeepEqual(mon.Index, hand) || !reflect.DeepEqual(g.Model.V, m.V) {
		t.Errorf("frame: %d spikes, hand-written loop: %d; potentials equal: %v", len(mon.Index), len(hand), reflect.DeepEqual(g.Model.V, m.V))
	}
}
