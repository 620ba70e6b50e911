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

// SetRateHz converts Hz to the kHz Poisson keeps and refuses indices
// outside the group (0 and n−1 accepted, −1 and n refused).
func TestPoissonInputSetRateHz(t *testing.T) {
	net, _ := sim.NewNetwork(sim.NetworkOptions{DtMS: 0.1, Seed: 3})
	defer net.Close()
	g := &sink{v: make([]float64, 4), in: make([]float64, 4)}
	in, err := NewPoissonInput(net.Env(), PoissonInputOptions{Target: g, Input: "exc", RateHz: 20, Weight: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 3} {
		if err := in.SetRateHz(i, 2500); err != nil {
			t.Fatalf("SetRateHz(%d): %v", i, err)
		}
		if in.Poisson.Rate[i] != 2.5 {
			t.Errorf("rate %d = %g kHz, want 2.5", i, in.Poisson.Rate[i])
		}
	}
	if in.Poisson.Rate[1] != 0.02 {
		t.Errorf("rate 1 = %g kHz, want 0.02 (unchanged)", in.Poisson.Rate[1])
	}
	for _, i := range []int{-1, 4} {
		if err := in.SetRateHz(i, 1); err == nil {
			t.Errorf("SetRateHz(%d) accepted for 4 neurons", i)
		}
	}
}
