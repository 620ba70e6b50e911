package learn

import (
	"math"
	"testing"

	"github.com/spikelab/spikelab/sim"
)

// With one repeated input and K = 1 the winner's column converges to
// R·x/|x| (the rule's fixed point) and the other columns do not move.
func TestCompetitiveHebbFixedPoint(t *testing.T) {
	p := CompetitiveHebbParams{Eta: 0.05, K: 1, Norm: 2}
	s, err := NewCompetitiveHebb(p, 3, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	team := sim.NewTeam(1)
	defer team.Close()
	W := []float64{0.3, 0.1, 0.2, -0.1, 0.1, 0.05} // input-major: column 0 = (0.3, 0.2, 0.1) wins
	x := []float64{1, 2, 0}
	for k := 0; k < 2000; k++ {
		s.Step(x, 1, W, team)
	}
	nx := math.Sqrt(5)
	for i, want := range []float64{2 / nx, 4 / nx, 0} {
		if math.Abs(W[i*2]-want) > 1e-9 {
			t.Errorf("W[%d][0] = %g, want %g", i, W[i*2], want)
		}
	}
	for i, want := range []float64{0.1, -0.1, 0.05} {
		if W[i*2+1] != want {
			t.Errorf("loser W[%d][1] = %g, want unchanged %g", i, W[i*2+1], want)
		}
	}
}

// One step by hand: K = 1, anti 0.5 on rank 2, centred inputs.
func TestCompetitiveHebbOneStep(t *testing.T) {
	p := CompetitiveHebbParams{Eta: 0.1, K: 1, Anti: 0.5, Norm: 1, Center: true}
	s, err := NewCompetitiveHebb(p, 2, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	team := sim.NewTeam(2)
	defer team.Close()
	W := []float64{1, 0, 0.5, 0, 1, 0.2} // W[i*3+j]
	x := []float64{1, 0, 0, 1}           // sample 0: input 0; sample 1: input 1; mean (0.5, 0.5)
	want := append([]float64(nil), W...)
	// Sample 0: x_c = (0.5, −0.5), h = (0.5, −0.5, 0.15): winner 0, rank 2 unit 2.
	// Sample 1: x_c = (−0.5, 0.5), h = (−0.5, 0.5, −0.15): winner 1, rank 2 unit 2.
	add := func(xc []float64, h float64, j int, g float64) {
		for i := range xc {
			want[i*3+j] += g * (xc[i] - h*W[i*3+j])
		}
	}
	add([]float64{0.5, -0.5}, 0.5, 0, 0.05)
	add([]float64{0.5, -0.5}, 0.15, 2, -0.025)
	add([]float64{-0.5, 0.5}, 0.5, 1, 0.05)
	add([]float64{-0.5, 0.5}, -0.15, 2, -0.025)
	s.Step(x, 2, W, team)
	for k := range W {
		if math.Abs(W[k]-want[k]) > 1e-15 {
			t.Fatalf("W = %v, want %v", W, want)
		}
	}
	if _, err := NewCompetitiveHebb(CompetitiveHebbParams{Eta: 1, K: 4, Norm: 1}, 2, 3, 1); err == nil {
		t.Error("K above the units accepted")
	}
}
