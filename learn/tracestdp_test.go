package learn

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/sim"
)

// scripted is a group of one neuron that spikes at the given steps.
type scripted struct {
	v  []float64
	at int
}

func (g *scripted) Len() int { return 1 }
func (g *scripted) Step(sc *sim.StepContext, sp []int32) []int32 {
	if sc.Step == g.at {
		sp = append(sp, 0)
	}
	return sp
}
func (g *scripted) Reset([]int32)                   {}
func (g *scripted) Potential() []float64            { return g.v }
func (g *scripted) Input(string) ([]float64, error) { return nil, fmt.Errorf("no inputs") }

// pairDw returns the weight change of one synapse after a presynaptic
// spike at step tPre and a postsynaptic one at step tPost.
func pairDw(t *testing.T, p TraceSTDPParams, dt float64, tPre, tPost int) float64 {
	net, _ := sim.NewNetwork(sim.NetworkOptions{DtMS: dt})
	defer net.Close()
	pre, post := &scripted{v: []float64{0}, at: tPre}, &scripted{v: []float64{0}, at: tPost}
	const w0 = 0.5
	m, err := connect.NewSparse(1, 1, []connect.Synapse{{W: w0}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewTraceSTDP(net.Env(), pre, post, m, p)
	if err != nil {
		t.Fatal(err)
	}
	net.AddGroup("pre", pre)
	net.AddGroup("post", post)
	net.AddRule(r)
	if err := net.Run(context.Background(), float64(max(tPre, tPost)+5)*dt, sim.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	return m.W[0] - w0
}

func TestTraceSTDPPairMatchesTheExponentialWindow(t *testing.T) {
	p := TraceSTDPParams{APlus: 0.01, AMinus: 0.012, TauPlusMS: 16.8, TauMinusMS: 33.7, WMin: 0, WMax: 1}
	dt := 0.1
	for _, k := range []int{0, 1, 37, 200} {
		d := float64(k) * dt
		if got, want := pairDw(t, p, dt, 10, 10+k), p.APlus*math.Exp(-d/p.TauPlusMS); math.Abs(got-want) > 1e-12*p.APlus {
			t.Errorf("post %g ms after pre: Δw = %.15g, closed form A₊·e^(−Δt/τ₊) = %.15g", d, got, want)
		}
		if k == 0 {
			continue
		}
		if got, want := pairDw(t, p, dt, 10+k, 10), -p.AMinus*math.Exp(-d/p.TauMinusMS); math.Abs(got-want) > 1e-12*p.AMinus {
			t.Errorf("pre %g ms after post: Δw = %.15g, closed form −A₋·e^(−Δt/τ₋) = %.15g", d, got, want)
		}
	}
	// The bounds hold.
	if dw := pairDw(t, TraceSTDPParams{APlus: 10, TauPlusMS: 10, TauMinusMS: 10, WMax: 1}, dt, 10, 11); math.Abs(0.5+dw-1) > 0 {
		t.Errorf("w = %g past w_max = 1", 0.5+dw)
	}
	if _, err := NewTraceSTDP(sim.Env{DtMS: 0.1}, &scripted{}, &scripted{}, nil, TraceSTDPParams{TauPlusMS: -1}); err == nil {
		t.Error("negative τ₊ accepted")
	}
}
