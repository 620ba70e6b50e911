package learn

import (
	"math"
	"testing"
)

// RateError and ScaleInputs by hand.
func TestRateErrorAndScaleInputs(t *testing.T) {
	e := make([]float64, 3)
	s := []float64{1, 0, 1, 1, 0, 0} // 2 samples × 3 neurons
	mean := RateError(e, s, 2, 3, 0.25)
	want := []float64{0.75, -0.25, 0.25}
	for j := range e {
		if e[j] != want[j] {
			t.Fatalf("e = %v, want %v", e, want)
		}
	}
	if math.Abs(mean-0.25) > 1e-15 {
		t.Errorf("mean error %g, want 0.25", mean)
	}
	W := []float64{1, 1, 1, 2, 2, 2}
	ScaleInputs(W, e, 0.1)
	for k, w := range []float64{0.925, 1.025, 0.975, 1.925, 2.025, 1.975} {
		if math.Abs(W[k]-w) > 1e-15 {
			t.Fatalf("W = %v", W)
		}
	}
}

// The homeostat's fixed point: a neuron whose rate falls linearly with
// its threshold, r(θ) = r₀ − k·θ, under θ ← θ + γ·(r − ρ) follows
// θ_n = θ* + (θ₀ − θ*)·(1 − γk)ⁿ with θ* = (r₀ − ρ)/k, so r → ρ; with
// scaling (all n_in inputs of weight w, r = r₀ + k·n_in·w) the weights
// converge to the same target rate.
func TestHomeostatFixedPoint(t *testing.T) {
	r0, k, rho, gamma := 0.5, 0.2, 0.1, 0.3
	theta := 0.0
	e := []float64{0}
	for n := 1; n <= 300; n++ {
		RateError(e, []float64{r0 - k*theta}, 1, 1, rho)
		theta += gamma * e[0]
		star := (r0 - rho) / k
		if want := star - star*math.Pow(1-gamma*k, float64(n)); math.Abs(theta-want) > 1e-12 {
			t.Fatalf("step %d: θ = %.15g, want %.15g", n, theta, want)
		}
	}
	if r := r0 - k*theta; math.Abs(r-rho) > 1e-3 {
		t.Errorf("rate %g after 300 steps, want → %g", r, rho)
	}
	W := []float64{0, 0, 0, 0} // 4 inputs × 1 neuron
	for n := 0; n < 200; n++ {
		sum := 0.0
		for _, w := range W {
			sum += w
		}
		RateError(e, []float64{0.02 + k*sum}, 1, 1, rho)
		ScaleInputs(W, e, 0.2)
	}
	if sum := W[0] * 4; math.Abs(0.02+k*sum-rho) > 1e-9 {
		t.Errorf("scaled rate %g, want %g", 0.02+k*sum, rho)
	}
}
