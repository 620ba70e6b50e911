package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAxpyKEqualsGoLoop compares AxpyK (vector kernels where the CPU has
// them, and with them off: column by column) with its Go loop, bit for bit, over lengths that exercise the
// 16- and 4-column groups and the rest, coefficient lists with zeros (skipped),
// negative zeros and a NaN, and a row stride wider than the row.
func TestAxpyKEqualsGoLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	for _, n := range []int{1, 3, 4, 5, 15, 16, 17, 20, 33, 50, 2500} {
		for _, k := range []int{1, 2, 7, 32} {
			ldb := n + rng.IntN(3)
			b := make([]float64, (k-1)*ldb+n)
			for i := range b {
				b[i] = rng.NormFloat64()
			}
			tt := make([]float64, k)
			for l := range tt {
				switch rng.IntN(4) {
				case 0:
					tt[l] = 0
				case 1:
					tt[l] = math.Copysign(0, -1)
				default:
					tt[l] = rng.NormFloat64()
				}
			}
			if k == 7 {
				tt[3] = math.NaN()
			}
			c0 := make([]float64, n)
			for i := range c0 {
				c0[i] = rng.NormFloat64()
			}
			want := append([]float64(nil), c0...)
			axpyKGo(want, b, ldb, tt)
			for _, on := range []bool{true, false} {
				was := SetVectorKernels(on)
				got := append([]float64(nil), c0...)
				AxpyK(got, b, ldb, tt)
				SetVectorKernels(was)
				for i := range got {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("kernels %v, n %d k %d: c[%d] = %v, Go loop %v", on, n, k, i, got[i], want[i])
					}
				}
			}
		}
	}
}
