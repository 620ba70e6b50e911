package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// specials are the float64 values whose sign and zero handling Abs and
// SignMul must get right.
var specials = []float64{0, math.Copysign(0, -1), 1, -1, 5e-324, -5e-324, math.Inf(1), math.Inf(-1),
	math.NaN(), math.Copysign(math.NaN(), -1), math.MaxFloat64, -math.MaxFloat64, 2.5e-310, -2.5e-310}

// randomSpecial returns n values, a third of them drawn from specials.
func randomSpecial(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		if rng.IntN(3) == 0 {
			x[i] = specials[rng.IntN(len(specials))]
		} else {
			x[i] = rng.NormFloat64()
		}
	}
	return x
}

// Abs and SignMul give the bits of math.Abs and of the sign rule with
// every kernel set, on every length up to 37 (the vector part and the
// tail) and on special values.
func TestAbsAndSignMulKernelsBitwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 19))
	for _, mode := range kernelModes {
		withKernels(mode, func() {
			for n := 0; n <= 37; n++ {
				src, g := randomSpecial(rng, n), randomSpecial(rng, n)
				dst := make([]float64, n)
				Abs(dst, src)
				got := append([]float64(nil), g...)
				SignMul(got, src)
				for i := range n {
					if math.Float64bits(dst[i]) != math.Float64bits(math.Abs(src[i])) {
						t.Fatalf("%s, n %d: Abs(%v) = %v", mode, n, src[i], dst[i])
					}
					want := g[i]
					switch {
					case src[i] == 0:
						want = 0
					case math.Signbit(src[i]):
						want = math.Float64frombits(math.Float64bits(g[i]) ^ 1<<63)
					}
					if math.Float64bits(got[i]) != math.Float64bits(want) {
						t.Fatalf("%s, n %d: g %v · sign(%v) = %v (bits %x), want %v (bits %x)", mode, n, g[i], src[i], got[i],
							math.Float64bits(got[i]), want, math.Float64bits(want))
					}
				}
			}
		})
	}
}

func BenchmarkSignMul(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	g, w := randomSpecial(rng, 125000), randomSpecial(rng, 125000)
	benchKernels(b, func(b *testing.B) {
		for b.Loop() {
			SignMul(g, w)
		}
	})
}

// AxpyRows equals the Go loop bit for bit with every kernel set, for
// widths around the kernels' column groups, repeated and unordered rows,
// and zero coefficients.
func TestAxpyRowsKernelsBitwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	const nb, ldb = 40, 80
	b := make([]float64, nb*ldb)
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	for _, mode := range kernelModes {
		withKernels(mode, func() {
			for n := 1; n <= ldb; n++ {
				for _, k := range []int{1, 2, 7, 25} {
					rows, tt := make([]int32, k), make([]float64, k)
					for p := range rows {
						rows[p], tt[p] = int32(rng.IntN(nb)), rng.NormFloat64()
						if p%3 == 1 {
							tt[p] = 0
						}
					}
					c0 := make([]float64, n)
					for j := range c0 {
						c0[j] = rng.NormFloat64()
					}
					got, want := append([]float64(nil), c0...), append([]float64(nil), c0...)
					AxpyRows(got, b, ldb, tt, rows)
					axpyRowsGo(want, b, ldb, tt, rows)
					for j := range got {
						if math.Float64bits(got[j]) != math.Float64bits(want[j]) {
							t.Fatalf("%s, n %d, k %d: c[%d] = %v, Go loop %v", mode, n, k, j, got[j], want[j])
						}
					}
				}
			}
		})
	}
}

// MulRows equals its Go loop bit for bit with every kernel set (NaN and
// infinite coefficients included), and equals cleared rows plus
// AxpyKRows for finite B (zero coefficients, −0 among them, are skipped
// there and multiplied here).
func TestMulRowsKernelsBitwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	for _, mode := range kernelModes {
		withKernels(mode, func() {
			for _, sh := range [][3]int{{1, 1, 1}, {4, 8, 3}, {5, 13, 7}, {8, 50, 500}, {32, 50, 50}, {7, 3, 2}, {12, 70, 9}, {4, 1, 5}, {9, 2, 4}, {4, 11, 1}, {6, 37, 0}} {
				m, n, k := sh[0], sh[1], sh[2]
				lda, ldb, ldc := k+2, n+3, n+1
				a, b := make([]float64, m*lda), make([]float64, max(k, 1)*ldb)
				for i := range a {
					switch rng.IntN(4) {
					case 0:
						a[i] = 0
					case 1:
						a[i] = math.Copysign(0, -1)
					default:
						a[i] = rng.NormFloat64()
					}
				}
				for i := range b {
					b[i] = rng.NormFloat64()
					if rng.IntN(5) == 0 {
						b[i] = 0
					}
				}
				got := make([]float64, m*ldc)
				for i := range got {
					got[i] = 99 // the gaps between rows stay
				}
				want, ref := append([]float64(nil), got...), append([]float64(nil), got...)
				MulRows(got, ldc, a, lda, b, ldb, m, n, k)
				mulRowsGo(want, ldc, a, lda, b, ldb, m, n, k)
				for i := range m {
					clear(ref[i*ldc : i*ldc+n])
				}
				if k > 0 {
					tt := make([]float64, m*k)
					for i := range m {
						copy(tt[i*k:(i+1)*k], a[i*lda:i*lda+k])
					}
					AxpyKRows(ref, ldc, n, b, ldb, tt, k)
				}
				for i := range got {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) || math.Float64bits(got[i]) != math.Float64bits(ref[i]) {
						t.Fatalf("%s, %v: C[%d] = %v, Go loop %v, AxpyKRows %v", mode, sh, i, got[i], want[i], ref[i])
					}
				}
				if m >= 4 && k > 0 {
					a[1], a[lda] = math.NaN(), math.Inf(-1)
					MulRows(got, ldc, a, lda, b, ldb, m, n, k)
					mulRowsGo(want, ldc, a, lda, b, ldb, m, n, k)
					for i := range got {
						if g, w := got[i], want[i]; math.Float64bits(g) != math.Float64bits(w) && !(math.IsNaN(g) && math.IsNaN(w)) {
							t.Fatalf("%s, %v, NaN and −Inf in A: C[%d] = %v, Go loop %v", mode, sh, i, g, w)
						}
					}
				}
			}
		})
	}
}

// Transpose and ScatterAxpy equal their Go loops bit for bit with every
// kernel set, on sizes around the kernels' blocks, strides wider than the
// rows, and repeated rows.
func TestTransposeAndScatterAxpyKernelsBitwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 23))
	for _, mode := range kernelModes {
		withKernels(mode, func() {
			for _, sh := range [][2]int{{1, 1}, {4, 4}, {3, 9}, {8, 4}, {50, 2500}, {13, 22}, {4, 5}, {7, 4}, {16, 33}} {
				r, c := sh[0], sh[1]
				lds, ldd := c+1, r+3
				src := randomSpecial(rng, r*lds)
				got, want := make([]float64, c*ldd), make([]float64, c*ldd)
				Transpose(got, ldd, src, lds, r, c)
				transposeGo(want, ldd, src, lds, r, c)
				for i := range got {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("%s, %d × %d: transpose[%d] = %v, Go loop %v", mode, r, c, i, got[i], want[i])
					}
				}
			}
			for _, n := range []int{1, 2, 3, 4, 5, 15, 16, 17, 20, 33, 50} {
				const nrows = 9
				ldc := n + 2
				c0 := make([]float64, nrows*ldc)
				for i := range c0 {
					c0[i] = rng.NormFloat64()
				}
				x := make([]float64, n)
				for i := range x {
					x[i] = rng.NormFloat64()
				}
				rows := []int32{3, 0, 8, 3, 5, 3}
				tt := []float64{0.5, -1.25, 0, 3, math.Copysign(0, -1), 1e-3}
				got, want := append([]float64(nil), c0...), append([]float64(nil), c0...)
				ScatterAxpy(got, ldc, rows, tt, x)
				scatterAxpyGo(want, ldc, rows, tt, x)
				for i := range got {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("%s, n %d: c[%d] = %v, Go loop %v", mode, n, i, got[i], want[i])
					}
				}
			}
		})
	}
}

// ReLUBias gives Go's max(x + b, 0) with every kernel set: the same bits
// for numbers (+0 for −0 sums), a NaN for a NaN.
func TestReLUBiasKernelsBitwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 31))
	for _, mode := range kernelModes {
		withKernels(mode, func() {
			for n := 0; n <= 37; n++ {
				x, b := randomSpecial(rng, n), randomSpecial(rng, n)
				if n > 2 {
					x[1], b[1] = math.Copysign(0, -1), math.Copysign(0, -1)
				}
				got, y := append([]float64(nil), x...), make([]float64, n)
				ReLUBias(got, y, b)
				for i := range n {
					want := max(x[i]+b[i], 0)
					if math.IsNaN(want) {
						if !math.IsNaN(got[i]) || !math.IsNaN(y[i]) {
							t.Fatalf("%s: max(%v + %v, 0) = %v / %v, want NaN", mode, x[i], b[i], got[i], y[i])
						}
						continue
					}
					if math.Float64bits(got[i]) != math.Float64bits(want) || math.Float64bits(y[i]) != math.Float64bits(want) {
						t.Fatalf("%s: max(%v + %v, 0) = %v / %v, want %v", mode, x[i], b[i], got[i], y[i], want)
					}
				}
			}
		})
	}
}

// TransposeSignMul equals Transpose followed by SignMul bit for bit with
// every kernel set, and with clearSrc leaves the source block +0 and the
// rest of the source untouched.
func TestTransposeSignMulKernelsBitwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 41))
	for _, mode := range kernelModes {
		withKernels(mode, func() {
			for _, sh := range [][2]int{{1, 1}, {4, 4}, {2500, 50}, {9, 7}, {8, 12}, {5, 3}, {12, 5}} {
				r, c := sh[0], sh[1]
				lds, ldd, ldw := c+1, r+2, r+3
				src := randomSpecial(rng, r*lds)
				w := randomSpecial(rng, c*ldw)
				for _, clr := range []bool{false, true} {
					s := append([]float64(nil), src...)
					got, want := make([]float64, c*ldd), make([]float64, c*ldd)
					TransposeSignMul(got, ldd, s, lds, r, c, w, ldw, clr)
					Transpose(want, ldd, src, lds, r, c)
					for j := range c {
						SignMul(want[j*ldd:j*ldd+r], w[j*ldw:j*ldw+r])
					}
					for i := range got {
						if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
							t.Fatalf("%s, %v, clear %v: dst[%d] = %v, Transpose and SignMul %v", mode, sh, clr, i, got[i], want[i])
						}
					}
					for i := range s {
						wantS := src[i]
						if clr && i%lds < c {
							wantS = 0
						}
						if math.Float64bits(s[i]) != math.Float64bits(wantS) {
							t.Fatalf("%s, %v, clear %v: src[%d] = %v, want %v", mode, sh, clr, i, s[i], wantS)
						}
					}
				}
			}
		})
	}
}
