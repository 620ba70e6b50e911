package learn

import (
	"math"
	"testing"

	"github.com/spikelab/spikelab/sim"
)

// runPairing drives the pairing machine with hand-made spike trains
// (step → indices) of one sample, plus silent extra samples, and returns W.
func runPairing(t *testing.T, p STDPPairingParams, batch, steps int, pre, post map[int][]int) ([]float64, int64) {
	t.Cleanup(sim.AtLeastProcs(3)) // the worker counts asked for, also under GOMAXPROCS=1; restored after the team is closed
	t.Helper()
	team := sim.NewTeam(2)
	defer team.Close()
	s, err := NewSTDPPairing(p, 2, 2, batch)
	if err != nil {
		t.Fatal(err)
	}
	s.Reset()
	W := make([]float64, 4)
	var pairs int64
	for k := 0; k < steps; k++ {
		a, b := make([]float64, 2*batch), make([]float64, 2*batch)
		for _, i := range pre[k] {
			a[i] = 1
		}
		for _, j := range post[k] {
			b[j] = 1
		}
		pairs += s.Step(a, b, batch, W, team)
	}
	return W, pairs
}

func TestSTDPPairingHandMadeTrains(t *testing.T) {
	// pre0 fires at 1, 6; pre1 at 0, 3, 7, 8; post0 at 1, 4; post1 at 3, 5.
	// Counters (i,j), worked by hand with τ+ = 2, τ− = 5 (τ_c = 1), η = 1:
	//  t1: (0,0) 0→2, Δt = 1−1 = 0 → +1 ; (1,0) 1→2, Δt = 1−0 = 1 → +e^(−1/2)
	//  t3: (1,1) 1→3 frozen ; (0,1) 1→2, Δt = 3−1 = 2 → +e^(−1)
	//  t4: (1,0) 1→2, Δt = 4−3 = 1 → +e^(−1/2)
	//  t6: (0,0) 1→2, Δt = 4−6 → −e^(−2/5) ; (0,1) 1→2, Δt = 5−6 → −e^(−1/5)
	//  t8: (1,0) 1→2 by two pre spikes, Δt = 4−8 (stale post) → −e^(−4/5)
	pre := map[int][]int{0: {1}, 1: {0}, 3: {1}, 6: {0}, 7: {1}, 8: {1}}
	post := map[int][]int{1: {0}, 3: {1}, 4: {0}, 5: {1}}
	e := math.Exp
	want := []float64{ // input-major: W[i*2+j]
		1 - e(-0.4), e(-1) - e(-0.2),
		2*e(-0.5) - e(-0.8), 0,
	}
	p := STDPPairingParams{Eta: 1, TauC: 1, Window: STDPWindowStandard}
	check := func(name string, got, want []float64, pairs, wantPairs int64) {
		t.Helper()
		for k := range want {
			if math.Abs(got[k]-want[k]) > 1e-12 {
				t.Errorf("%s: W[%d] = %.12g, want %.12g", name, k, got[k], want[k])
			}
		}
		if pairs != wantPairs {
			t.Errorf("%s: %d pairs, want %d", name, pairs, wantPairs)
		}
	}
	W, n := runPairing(t, p, 1, 9, pre, post)
	check("standard", W, want, n, 7)

	p.IgnoreZeros = true
	W, n = runPairing(t, p, 1, 9, pre, post)
	wz := append([]float64(nil), want...)
	wz[0] = -e(-0.4)
	check("ignore_zeros", W, wz, n, 6)

	// A batch of 4 whose other samples are silent: the mean over the batch.
	W, n = runPairing(t, p, 4, 9, pre, post)
	for k := range wz {
		wz[k] /= 4
	}
	check("batch mean", W, wz, n, 6)

	// Clipped into [−0.1, 0.5]: W[0,0] takes −e^(−2/5) → −0.1; W[0,1]
	// +e^(−1), then −e^(−1/5) → −0.1; W[1,0] +e^(−1/2) → 0.5, +e^(−1/2)
	// → 0.5, then −e^(−4/5) → 0.5 − e^(−4/5) (each pair's update clipped as
	// applied).
	p = STDPPairingParams{Eta: 1, TauC: 1, Window: STDPWindowStandard, IgnoreZeros: true, Clip: true, WMin: -0.1, WMax: 0.5}
	W, n = runPairing(t, p, 1, 9, pre, post)
	check("clip", W, []float64{-0.1, -0.1, 0.5 - e(-0.8), 0}, n, 6)
	p.WMax = p.WMin
	if p.Validate() == nil {
		t.Error("Validate accepts w_min == w_max with clip")
	}
}

func TestSTDPWindows(t *testing.T) {
	std := STDPPairingParams{Eta: 0.5, TauC: 2, Window: STDPWindowStandard}
	lit := STDPPairingParams{Eta: 0.5, TauC: 2, Window: STDPWindowLiteral}
	neg := STDPPairingParams{Eta: 0.5, TauC: -2, Window: STDPWindowLiteral}
	for _, c := range []struct {
		p    STDPPairingParams
		dt   int
		want float64
	}{
		{std, 0, 0.5}, {std, 4, 0.5 * math.Exp(-1)}, {std, -10, -0.5 * math.Exp(-1)},
		{lit, 0, 0.5}, {lit, 4, 0.5 * math.Exp(1)}, {lit, -10, -0.5 * math.Exp(1)},
		{neg, 4, 0.5 * math.Exp(-1)}, {neg, -10, -0.5 * math.Exp(-1)},
	} {
		if got := c.p.Dw(c.dt); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%s τc=%g Δt=%d: Δw = %g, want %g", c.p.Window, c.p.TauC, c.dt, got, c.want)
		}
	}
	if !lit.Grows() || std.Grows() || neg.Grows() {
		t.Error("Grows: want true only for the literal window with τ_c > 0")
	}
	if err := (STDPPairingParams{Eta: 1, TauC: 1, Window: "box"}).Validate(); err == nil {
		t.Error("unknown window accepted")
	}
}
