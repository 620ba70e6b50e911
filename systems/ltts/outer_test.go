package ltts

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// TestOuterAccEqualsStepByStep checks the blocked outer-product sum of
// LikelihoodGradient against the step-by-step loop it replaces, bit for
// bit, with zero errors and step counts around the block size.
func TestOuterAccEqualsStepByStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 3, 17, 40} {
		for _, steps := range []int{0, 1, outerBlock - 1, outerBlock, 2*outerBlock + 5} {
			want := make([]float64, n*n)
			for i := range want {
				want[i] = rng.NormFloat64()
			}
			got := append([]float64(nil), want...)
			acc := newOuterAcc(got, n)
			err, e := make([]float64, n), make([]float64, n)
			for range steps {
				for i := range err {
					err[i], e[i] = 0, rng.Float64()*math.Pow(10, float64(rng.IntN(6)-3))
					if rng.IntN(3) > 0 {
						err[i] = rng.NormFloat64()
					}
				}
				for i, ei := range err {
					if ei == 0 {
						continue
					}
					row := want[i*n : (i+1)*n]
					floats.AddScaled(row, ei, e)
					row[i] -= ei * e[i]
				}
				acc.add(err, e)
			}
			acc.flush()
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("n=%d steps=%d: G[%d] = %v, want %v", n, steps, i, got[i], want[i])
				}
			}
		}
	}
}
