package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAxpyKEqualsGoLoop compares AxpyK (vector kernels where the CPU has
// them: AVX-512 and AVX2; and with them off: column by column) with its Go
// loop, bit for bit, over lengths that exercise the 32-column groups (full
// and masked), the 4-column groups and the rest, coefficient lists with zeros (skipped),
// negative zeros and a NaN, and a row stride wider than the row.
func TestAxpyKEqualsGoLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	for _, n := range []int{1, 3, 4, 5, 8, 9, 10, 15, 16, 17, 20, 24, 31, 32, 33, 40, 50, 63, 64, 65, 2500} {
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
			for _, mode := range []string{"all", "no AVX-512", "none"} {
				was := SetVectorKernels(mode != "none")
				if mode == "no AVX-512" {
					setAVX512(false)
				}
				got := append([]float64(nil), c0...)
				AxpyK(got, b, ldb, tt)
				SetVectorKernels(was)
				for i := range got {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("kernels %s, n %d k %d: c[%d] = %v, Go loop %v", mode, n, k, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// BenchmarkAxpyK times AxpyK at the shapes of the olfaction ANN's products
// (columns × terms), with the AVX-512 kernel and with the AVX2 one.
func BenchmarkAxpyK(b *testing.B) {
	for _, sh := range [][2]int{{10, 2500}, {50, 500}, {2500, 50}} {
		n, k := sh[0], sh[1]
		rng := rand.New(rand.NewPCG(5, 6))
		bm := make([]float64, n*k)
		for i := range bm {
			bm[i] = rng.NormFloat64()
		}
		tt := make([]float64, k)
		for l := range tt {
			if rng.IntN(2) == 0 {
				tt[l] = rng.NormFloat64()
			}
		}
		c := make([]float64, n)
		for _, avx512 := range []bool{true, false} {
			b.Run(fmt.Sprintf("%dx%d/avx512=%v", n, k, avx512), func(b *testing.B) {
				setAVX512(avx512)
				defer setAVX512(true)
				for b.Loop() {
					AxpyK(c, bm, n, tt)
				}
			})
		}
	}
}

// TestAxpyKRowsEqualsAxpyK compares AxpyKRows with AxpyK row by row, bit
// for bit, with the vector kernels on (AVX-512, AVX2) and off, on widths
// around the column block and rows with no, some and only zero
// coefficients.
func TestAxpyKRowsEqualsAxpyK(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 7))
	for _, n := range []int{1, 33, 64, 65, 100, 129, 2500} {
		for _, sh := range [][2]int{{1, 5}, {2, 1}, {5, 7}, {32, 50}} {
			m, k := sh[0], sh[1]
			ldb, ldc := n+rng.IntN(3), n+rng.IntN(3)
			b := make([]float64, (k-1)*ldb+n)
			for i := range b {
				b[i] = rng.NormFloat64()
			}
			tt := make([]float64, m*k)
			for i := range tt {
				if rng.IntN(3) > 0 && i/k != 1 { // row 1: zeros only
					tt[i] = rng.NormFloat64()
				}
			}
			c0 := make([]float64, (m-1)*ldc+n)
			for i := range c0 {
				c0[i] = rng.NormFloat64()
			}
			want := append([]float64(nil), c0...)
			for i := range m {
				axpyKGo(want[i*ldc:i*ldc+n], b, ldb, tt[i*k:(i+1)*k])
			}
			for _, mode := range []string{"all", "no AVX-512", "none"} {
				was := SetVectorKernels(mode != "none")
				if mode == "no AVX-512" {
					setAVX512(false)
				}
				got := append([]float64(nil), c0...)
				AxpyKRows(got, ldc, n, b, ldb, tt, k)
				SetVectorKernels(was)
				for i := range got {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("kernels %s, n %d m %d k %d: c[%d] = %v, AxpyK %v", mode, n, m, k, i, got[i], want[i])
					}
				}
			}
		}
	}
}
