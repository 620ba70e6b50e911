package shifting

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// A hand-computed potential readout: inputs at t = 1 and 3 s, readout at
// t_r = 2 s, so only the first input has arrived, with weight
// 1 − e^−(2−1) of its full effect.
func TestPotentialsAndBackwardHandComputed(t *testing.T) {
	l := &ShiftingLayer{In: 2, Out: 2, W: []float64{0.5, 0.2, 0.3, -0.1}, Etp: []float64{1, 1}}
	zin, zr := []float64{math.E, math.Exp(3)}, math.Exp(2)
	v := make([]float64, 2)
	l.Potentials(zin, zr, v)
	a := 1 - math.Exp(-1)
	if math.Abs(v[0]-0.5*a) > 1e-15 || math.Abs(v[1]-0.2*a) > 1e-15 {
		t.Fatalf("potentials %v, want [%g %g]", v, 0.5*a, 0.2*a)
	}
	g, dIn := l.NewShiftingGrad(), make([]float64, 2)
	l.PotentialBackward(zin, zr, []float64{0.1, -0.1}, g, dIn)
	want := []float64{0.1 * a, -0.1 * a, 0, 0}
	for i, w := range want {
		if math.Abs(g.W[i]-w) > 1e-15 {
			t.Fatalf("gradient %v, want %v", g.W, want)
		}
	}
	// dL/dz_0 = −(0.1·0.5 − 0.1·0.2)/e^2; the input after t_r gets none.
	if math.Abs(dIn[0]+0.03/zr) > 1e-15 || dIn[1] != 0 {
		t.Fatalf("input error %v, want [%g 0]", dIn, -0.03/zr)
	}
	// Cross-entropy error of potentials (0, ln 3): softmax (1/4, 3/4).
	dV := make([]float64, 2)
	PotentialError([]float64{0, math.Log(3)}, 0, dV)
	if math.Abs(dV[0]+0.75) > 1e-15 || math.Abs(dV[1]-0.75) > 1e-15 {
		t.Fatalf("error %v, want [-0.75 0.75]", dV)
	}
	if Largest([]float64{0.1, 0.3, 0.3}) != 1 {
		t.Fatal("Largest must take the lowest index on ties")
	}
}

// The potential readout's gradients are the exact derivatives of the
// cross-entropy of softmax(V): finite differences over the output weights
// and the hidden times.
func TestPotentialGradientMatchesFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	l := &ShiftingLayer{In: 5, Out: 3, W: make([]float64, 15), Etp: make([]float64, 3)}
	for i := range l.W {
		l.W[i] = rng.NormFloat64()
	}
	zin := []float64{1.5, 3, 7, 20, 40} // the last ones after the readout
	zr := 10.0
	loss := func() float64 {
		v := make([]float64, 3)
		l.Potentials(zin, zr, v)
		p := make([]float64, 3)
		softmax(v, p)
		return -math.Log(p[2])
	}
	v, dV := make([]float64, 3), make([]float64, 3)
	l.Potentials(zin, zr, v)
	PotentialError(v, 2, dV)
	g, dIn := l.NewShiftingGrad(), make([]float64, 5)
	l.PotentialBackward(zin, zr, dV, g, dIn)
	for i := range l.W {
		if fd := centralDiff(&l.W[i], loss); math.Abs(fd-g.W[i]) > 1e-7 {
			t.Fatalf("dL/dw[%d] = %g, finite difference %g", i, g.W[i], fd)
		}
	}
	for k := range zin {
		if fd := centralDiff(&zin[k], loss); math.Abs(fd-dIn[k]) > 1e-7 {
			t.Fatalf("dL/dz[%d] = %g, finite difference %g", k, dIn[k], fd)
		}
	}
}

// centralDiff returns the central difference (f(x+h) − f(x−h))/2h of f
// in the variable *x (h = 1e-6), leaving *x as it was.
func centralDiff(x *float64, f func() float64) float64 {
	const h = 1e-6
	v := *x
	*x = v + h
	up := f()
	*x = v - h
	down := f()
	*x = v
	return (up - down) / (2 * h)
}

// With target_time t0 the first-spike error is the reference's error one
// t0 later: outputs at exactly t0 + 0.01 (label) and t0 + 0.99 (others)
// have no error, and the same outputs read without the shift have.
func TestTargetTimeShiftsTheReferenceError(t *testing.T) {
	n := &ShiftingNet{TargetTime: 9}
	y := []float64{math.Exp(9.99), math.Exp(9.01), math.Exp(9.99)}
	d := make([]float64, 3)
	n.spikeError(y, 1, d)
	for j, v := range d {
		if math.Abs(v) > 1e-12 {
			t.Fatalf("error %v at the target times, want 0 (output %d)", d, j)
		}
	}
	n.TargetTime = 0
	n.spikeError(y, 1, d)
	if math.Abs(d[1]) < 0.001 {
		t.Fatalf("unshifted error %v: want the reference's (non-zero) error", d)
	}
}

// Bad readout keys are refused with an error naming the key.
func TestShiftingReadoutRejects(t *testing.T) {
	for key, f := range map[string]func(*ShiftingConfig){
		"readout":         func(c *ShiftingConfig) { c.Readout = "vote" },
		"readout_time":    func(c *ShiftingConfig) { c.Readout, c.ReadoutTime = ReadoutPotential, math.NaN() },
		"target_time":     func(c *ShiftingConfig) { c.TargetTime = -1 },
		"hidden_init_low": func(c *ShiftingConfig) { c.HiddenInitLow, c.HiddenInitHigh = 2, 1 },
	} {
		c := genTCA(20, 20, 1, 1e-3)
		f(c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: error %v, want one naming it", key, err)
		}
	}
	c := imageConfig("mnist")
	c.Readout = ReadoutPotential
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "readout") {
		t.Errorf("readout on mnist: error %v, want one naming readout", err)
	}
}

// potentialTCA is genTCA with the potential readout and the mixed
// initial hidden weights of shifting-tca.
func potentialTCA(hidden, train, epochs int, lr float64) *ShiftingConfig {
	c := genTCA(hidden, train, epochs, lr)
	c.Readout, c.ReadoutTime = ReadoutPotential, 10
	c.HiddenInitLow, c.HiddenInitHigh, c.LrHiddenFactor = -5, 5.25, 0.1
	return c
}

// Generated TCA data (fresh templates, 500-200-22 network, 40 training
// trials, lr 1e-4, 20 epochs): with the potential readout the network fits
// its training trials (0.35 measured, seed 2) where the untrained one
// (lr 1e-12, 1 epoch) gets 0.075; want ≥ untrained + 0.2. Every decision
// is taken at the readout time, after the last feature.
func TestShiftingTCAPotentialFitsAgainstUntrained(t *testing.T) {
	m := runShifting(t, potentialTCA(200, 40, 20, 1e-4))
	u := runShifting(t, potentialTCA(200, 40, 1, 1e-12))
	t.Logf("train accuracy %.3f, untrained %.3f", m["train_accuracy"], u["train_accuracy"])
	if acc := m["train_accuracy"]; acc < u["train_accuracy"]+0.2 {
		t.Errorf("potential readout: train accuracy %.3f (untrained %.3f), want ≥ untrained + 0.2", acc, u["train_accuracy"])
	}
	if m["decision_time_mean"] != 10 || m["decided_after_features"] != 1 {
		t.Errorf("decision at %v s, %v after the features: want 10 s and 1", m["decision_time_mean"], m["decided_after_features"])
	}
}
