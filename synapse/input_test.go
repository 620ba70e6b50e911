package synapse

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/spikelab/spikelab/sim"
)

type sink struct{ v, in []float64 }

func (g *sink) Len() int                                    { return len(g.v) }
func (g *sink) Step(_ *sim.StepContext, sp []int32) []int32 { clear(g.in); return sp }
func (g *sink) Reset([]int32)                               {}
func (g *sink) Potential() []float64                        { return g.v }
func (g *sink) Input(name string) ([]float64, error) {
	if name != "exc" {
		return nil, fmt.Errorf("no %q", name)
	}
	return g.in, nil
}

func TestPoissonInputRateInHz(t *testing.T) {
	net, _ := sim.NewNetwork(sim.NetworkOptions{DtMS: 0.1, Seed: 3})
	defer net.Close()
	g := &sink{v: make([]float64, 1000), in: make([]float64, 1000)}
	in, err := NewPoissonInput(net.Env(), PoissonInputOptions{Target: g, Input: "exc", RateHz: 20, Weight: 1})
	if err != nil {
		t.Fatal(err)
	}
	net.AddGroup("g", g)
	net.AddInput(in)
	if err := net.Run(context.Background(), 1000, sim.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	// 1000 neurons × 1 s × 20 Hz = 20000 events, standard deviation ≈ 141.
	if math.Abs(float64(in.Events)-20000) > 5*141 {
		t.Errorf("%d events, want ≈ 20000", in.Events)
	}
	if _, err := NewPoissonInput(net.Env(), PoissonInputOptions{Target: g, Input: "inh", RateHz: 1}); err == nil {
		t.Error("unknown input accepted")
	}
	if _, err := NewPoissonInput(net.Env(), PoissonInputOptions{Target: g, Input: "exc", RateHz: -1}); err == nil {
		t.Error("negative rate accepted")
	}
}
