package vec

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// MatVec and MatVecs give floats.Dot's bits for every row and vector, with
// the vector kernels and without, for row counts around the groups of four
// and lengths around the column groups and MatVecs's column blocks.
func TestMatVecsEqualsDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	for _, m := range []int{1, 3, 4, 5, 8, 50} {
		for _, n := range []int{1, 3, 4, 5, 10, 1023, 1024, 1029, 2500} {
			a := make([]float64, m*n)
			for i := range a {
				a[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(8)-4))
			}
			const nv = 3
			xs := make([]float64, nv*n)
			for i := range xs {
				xs[i] = rng.NormFloat64()
			}
			xs[0] = math.Copysign(0, -1)
			for _, on := range []bool{true, false} {
				was := SetVectorKernels(on)
				got := make([]float64, nv*m)
				MatVecs(got, a, xs, m, n)
				one := make([]float64, m)
				for v := range nv {
					x := xs[v*n : (v+1)*n]
					MatVec(one, a, x)
					for i := range m {
						want := floats.Dot(a[i*n:(i+1)*n], x)
						if math.Float64bits(got[v*m+i]) != math.Float64bits(want) || math.Float64bits(one[i]) != math.Float64bits(want) {
							t.Fatalf("kernels %v, m %d n %d, vector %d row %d: MatVecs %v, MatVec %v, floats.Dot %v", on, m, n, v, i, got[v*m+i], one[i], want)
						}
					}
				}
				SetVectorKernels(was)
			}
		}
	}
}

// BenchmarkMatVecs times the olfaction ANN's dKC·|W2|ᵀ (32 vectors, 50 rows
// of 2500) through MatVecs and through MatVec per vector.
func BenchmarkMatVecs(b *testing.B) {
	const nv, m, n = 32, 50, 2500
	rng := rand.New(rand.NewPCG(1, 2))
	a, xs, dst := make([]float64, m*n), make([]float64, nv*n), make([]float64, nv*m)
	for i := range a {
		a[i] = rng.Float64()
	}
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	b.Run("MatVecs", func(b *testing.B) {
		for b.Loop() {
			MatVecs(dst, a, xs, m, n)
		}
	})
	b.Run("MatVec", func(b *testing.B) {
		for b.Loop() {
			for v := range nv {
				MatVec(dst[v*m:(v+1)*m], a, xs[v*n:(v+1)*n])
			}
		}
	})
}
