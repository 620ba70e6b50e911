package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpIntoEqualsMathExp checks the vector exp against math.Exp bit for
// bit over arguments of every size, special cases among them.
func TestExpIntoEqualsMathExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	x := make([]float64, 100003)
	for i := range x {
		switch rng.IntN(6) {
		case 0:
			x[i] = rng.NormFloat64()
		case 1:
			x[i] = (rng.Float64() - 0.5) * 1500 // past both ends of the normal range
		case 2:
			x[i] = -rng.Float64() * 40
		case 3:
			x[i] = (rng.Float64() - 0.5) * 1e-6
		default:
			x[i] = (rng.Float64() - 0.5) * 60
		}
	}
	special := []float64{0, math.Copysign(0, -1), 1, -1, 709.78, 709.79, -708.39, -708.4, -745.13, -745.2, -1e300, 1e300,
		math.Inf(1), math.Inf(-1), math.NaN(), 5e-324, -5e-324, math.Ln2 * 1023, math.Ln2 * -1022, math.Ln2 * 1023.5, math.Ln2 * -1022.5}
	copy(x[50:], special)
	twin := make([]float64, len(x))
	expGo(twin, x) // the pure-Go twin the purego build uses
	for i, v := range x {
		want := math.Exp(v)
		if math.Float64bits(twin[i]) != math.Float64bits(want) && !(math.IsNaN(want) && math.IsNaN(twin[i])) {
			t.Fatalf("expGo(%v) = %v, math.Exp %v", v, twin[i], want)
		}
	}
	for _, mode := range kernelModes {
		dst := make([]float64, len(x))
		withKernels(mode, func() { Exp(dst, x) })
		for i := range x {
			if math.Float64bits(dst[i]) != math.Float64bits(twin[i]) {
				t.Fatalf("kernels %s: exp(%v) = %v, math.Exp %v", mode, x[i], dst[i], twin[i])
			}
		}
	}
}

// TestExpSpecialInEveryPlace puts one argument that needs a special case
// (NaN, ±Inf, past the overflow bound, a subnormal result, an exact 0) at
// every place of short vectors, so that the kernels stop at every group
// and tail position, and compares Exp under every kernel set with
// math.Exp bit for bit (TestExpAVX2StopsAtTheSpecialGroup checks where
// the AVX2 kernel stops).
func TestExpSpecialInEveryPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 709.79, 709.5, -740, -800, 1e300, -1e300}
	for n := 0; n <= 37; n++ {
		x := make([]float64, n)
		for i := range x {
			x[i] = (rng.Float64() - 0.5) * 20
		}
		for p := -1; p < n; p++ {
			y := append([]float64(nil), x...)
			if p >= 0 {
				y[p] = specials[(n+p)%len(specials)]
			}
			for _, mode := range kernelModes {
				dst := make([]float64, n)
				withKernels(mode, func() { Exp(dst, y) })
				for i, v := range y {
					want := math.Exp(v)
					if math.Float64bits(dst[i]) != math.Float64bits(want) {
						t.Fatalf("kernels %s, n %d, special at %d: exp(%v) = %v, math.Exp %v", mode, n, p, v, dst[i], want)
					}
				}
			}
		}
	}
}

// BenchmarkExpInto times Exp of 1000 arguments in [−3.3, 0] with the Go
// loop (math.Exp) and with each vector kernel this CPU has.
func BenchmarkExpInto(b *testing.B) {
	x := make([]float64, 1000)
	for i := range x {
		x[i] = -float64(i) / 300
	}
	dst := make([]float64, len(x))
	benchKernels(b, func(b *testing.B) {
		for b.Loop() {
			Exp(dst, x)
		}
	})
}

func BenchmarkMathExp(b *testing.B) {
	x := make([]float64, 1000)
	for i := range x {
		x[i] = -float64(i) / 300
	}
	dst := make([]float64, len(x))
	for b.Loop() {
		for i, v := range x {
			dst[i] = math.Exp(v)
		}
	}
}
