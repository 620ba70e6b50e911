package neuron

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpAgainstMathExp checks the documented accuracy of Exp: relative
// error below 6e-16 against math.Exp, densely over the AdEx range (the
// exponent (V − V_T)/Δ_T of an AdEx neuron lies in about [−25, 40]) and
// at random points over the whole clamped range.
func TestExpAgainstMathExp(t *testing.T) {
	worst, at := 0.0, 0.0
	check := func(x float64) {
		want := math.Exp(x)
		if e := math.Abs(Exp(x)-want) / want; e > worst {
			worst, at = e, x
		}
	}
	for x := -40.0; x <= 40; x += 1.0 / 1024 {
		check(x)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 200000; k++ {
		check(-708 + 1417*rng.Float64())
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -1, 0.5 * math.Ln2, -0.5 * math.Ln2, 708, -708, 709} {
		check(x)
	}
	if worst > 6e-16 {
		t.Fatalf("max relative error %.3g at x = %g, want < 6e-16", worst, at)
	}
	t.Logf("max relative error %.3g at x = %g", worst, at)
	if Exp(0) != 1 {
		t.Fatalf("Exp(0) = %g", Exp(0))
	}
	if got := Exp(1000); got != Exp(709) || math.IsInf(got, 0) {
		t.Fatalf("Exp(1000) = %g, want the saturated Exp(709)", got)
	}
	if got := Exp(-1000); got != Exp(-708) || !(got > 0) {
		t.Fatalf("Exp(-1000) = %g, want the saturated Exp(-708)", got)
	}
	if !math.IsNaN(Exp(math.NaN())) {
		t.Fatalf("Exp(NaN) not NaN")
	}
}
