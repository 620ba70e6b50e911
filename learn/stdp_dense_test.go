package learn

import (
	"math"
	"testing"

	"github.com/spikelab/spikelab/sim"
)

// runDense drives a 1×1 block (batch 1) with pre and post spikes at the
// given steps and returns the weight change.
func runDense(t *testing.T, p DenseTraceSTDPParams, steps int, pre, post []int) float64 {
	t.Helper()
	s, err := NewDenseTraceSTDP(p, 1, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	team := sim.NewTeam(1)
	defer team.Close()
	W := []float64{0}
	in := func(list []int, k int) []float64 {
		for _, v := range list {
			if v == k {
				return []float64{1}
			}
		}
		return []float64{0}
	}
	for k := 0; k < steps; k++ {
		s.Step(in(pre, k), in(post, k), 1, W, team)
	}
	return W[0]
}

// One isolated pair changes w by the window: A₊·e^(−Δt/τ₊) for a post
// spike Δt ≥ 0 steps after the pre spike (simultaneous spikes
// potentiate), −A₋A₊·e^(Δt/τ₋) before it; two pre spikes without a post
// spike, or two post spikes without a pre spike, change nothing.
func TestDenseTraceSTDPWindow(t *testing.T) {
	p := DenseTraceSTDPParams{Eta: 0.01, AMinus: 0.4, TauPlus: 4, TauMinus: 10, WMin: -1, WMax: 1}
	for _, c := range []struct {
		pre, post int
	}{{2, 5}, {5, 2}, {3, 3}, {0, 9}, {9, 0}} {
		got := runDense(t, p, 12, []int{c.pre}, []int{c.post})
		want := p.Dw(c.post - c.pre)
		if math.Abs(got-want) > 1e-15 {
			t.Errorf("pre %d post %d: Δw %g, want %g", c.pre, c.post, got, want)
		}
	}
	if got, want := p.Dw(3), 0.01*math.Exp(-3.0/4); got != want {
		t.Errorf("Dw(3) = %g, want %g", got, want)
	}
	if got, want := p.Dw(-3), -0.004*math.Exp(-3.0/10); math.Abs(got-want) > 1e-18 {
		t.Errorf("Dw(-3) = %g, want %g", got, want)
	}
	if got := runDense(t, p, 10, []int{1, 4, 7}, nil); got != 0 {
		t.Errorf("pre spikes alone changed w by %g", got)
	}
	if got := runDense(t, p, 10, nil, []int{1, 4, 7}); got != 0 {
		t.Errorf("post spikes alone changed w by %g", got)
	}
	// All-to-all: pre at 0 and 2, post at 5 = the sum of both pairs.
	got := runDense(t, p, 8, []int{0, 2}, []int{5})
	if want := p.Dw(5) + p.Dw(3); math.Abs(got-want) > 1e-15 {
		t.Errorf("two pre, one post: Δw %g, want %g", got, want)
	}
	// Bounds.
	p.Eta, p.WMax = 1, 0.3
	if got := runDense(t, p, 3, []int{0}, []int{0}); got != 0.3 {
		t.Errorf("bounded w %g, want 0.3", got)
	}
	if err := (DenseTraceSTDPParams{Eta: 1, AMinus: 0.4, TauPlus: 0, TauMinus: 1}).Validate(); err == nil {
		t.Error("tau_plus 0 accepted")
	}
}

// The update of a batch is the mean of its samples' updates.
func TestDenseTraceSTDPBatchMean(t *testing.T) {
	p := DenseTraceSTDPParams{Eta: 0.01, AMinus: 0.5, TauPlus: 3, TauMinus: 6, WMin: -1, WMax: 1}
	s, err := NewDenseTraceSTDP(p, 2, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	team := sim.NewTeam(2)
	defer team.Close()
	W := make([]float64, 6)
	// Sample 0: pre 0 at step 0, post 2 at step 1. Sample 1: post 1 at step 0, pre 1 at step 1.
	s.Step([]float64{1, 0, 0, 0}, []float64{0, 0, 0, 0, 1, 0}, 2, W, team)
	s.Step([]float64{0, 0, 0, 1}, []float64{0, 0, 1, 0, 0, 0}, 2, W, team)
	want := make([]float64, 6)
	want[0*3+2] = p.Dw(1) / 2
	want[1*3+1] = p.Dw(-1) / 2
	for k := range W {
		if math.Abs(W[k]-want[k]) > 1e-15 {
			t.Fatalf("W = %v, want %v", W, want)
		}
	}
}

// With Conserve every post neuron's summed input weight stays where it
// was (bounds not reached), while the weights themselves move as without
// it less the column mean of the update.
func TestDenseTraceSTDPConserve(t *testing.T) {
	p := DenseTraceSTDPParams{Eta: 0.01, AMinus: 0.4, TauPlus: 3, TauMinus: 7.5, WMin: -1, WMax: 1}
	team := sim.NewTeam(2)
	defer team.Close()
	const nPre, nPost, batch = 5, 3, 2
	run := func(conserve bool) []float64 {
		p.Conserve = conserve
		s, err := NewDenseTraceSTDP(p, nPre, nPost, batch)
		if err != nil {
			t.Fatal(err)
		}
		W := make([]float64, nPre*nPost)
		for k := range W {
			W[k] = 0.01 * float64(k%7)
		}
		pre := make([]float64, batch*nPre)
		post := make([]float64, batch*nPost)
		for step := 0; step < 12; step++ {
			for k := range pre {
				pre[k] = float64((k*3 + step) % 4 / 3)
			}
			for k := range post {
				post[k] = float64((k*5 + step*2) % 5 / 4)
			}
			s.Step(pre, post, batch, W, team)
		}
		return W
	}
	free, kept := run(false), run(true)
	for j := 0; j < nPost; j++ {
		s0, s1, sf := 0.0, 0.0, 0.0
		for i := 0; i < nPre; i++ {
			s0 += 0.01 * float64((i*nPost+j)%7)
			s1 += kept[i*nPost+j]
			sf += free[i*nPost+j]
		}
		if math.Abs(s1-s0) > 1e-12 {
			t.Errorf("column %d: sum %.15g, started at %.15g", j, s1, s0)
		}
		if math.Abs(sf-s0) < 1e-6 {
			t.Errorf("column %d: the free rule did not change the sum (%g): the test drives nothing", j, sf)
		}
		for i := 0; i < nPre; i++ {
			if d := (free[i*nPost+j] - kept[i*nPost+j]) - (sf-s1)/nPre; math.Abs(d) > 1e-12 {
				t.Errorf("W[%d][%d]: free − kept %g, want the column mean shift %g", i, j, free[i*nPost+j]-kept[i*nPost+j], (sf-s1)/nPre)
			}
		}
	}
}
