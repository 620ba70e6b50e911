//go:build amd64 && !purego

package learn

import (
	"fmt"
	"math"
	"slices"

	"golang.org/x/sys/cpu"
)

// useAVX is set when the CPU has AVX2 and FMA.
var useAVX = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// useAVX512 is set when the CPU also has AVX-512 F and VL (512-bit
// vectors and the EVEX forms of the 256-bit instructions).
var useAVX512 = useAVX && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL

//go:noescape
func dotAxpyAVX(row, x, y *float64, n int, a float64) float64

//go:noescape
func axpy4AVX(row *float64, n int, a *[4]float64, v0, v1, v2, v3 *float64)

func dotAxpy(row, x, y []float64, a float64) float64 {
	if !useAVX || len(row) == 0 {
		return dotAxpyGo(row, x, y, a)
	}
	_, _ = x[len(row)-1], y[len(row)-1]
	return dotAxpyAVX(&row[0], &x[0], &y[0], len(row), a)
}

func axpy4(row []float64, a *[4]float64, v0, v1, v2, v3 []float64) {
	if !useAVX || len(row) == 0 {
		axpy4Go(row, a, v0, v1, v2, v3)
		return
	}
	n := len(row)
	_, _, _, _ = v0[n-1], v1[n-1], v2[n-1], v3[n-1]
	axpy4AVX(&row[0], n, a, &v0[0], &v1[0], &v2[0], &v3[0])
}

//go:noescape
func dotAxpy32AVX(row *float32, x, y *float64, n int, a float64) float64

//go:noescape
func widenAVX(dst *float64, src *float32, n int)

//go:noescape
func narrowAVX(dst *float32, src *float64, n int)

//go:noescape
func dotAxpy32x4AVX(p *float32, stride int, x, y *float64, n int, a, dots *[4]float64)

//go:noescape
func dotAxpy32x4AVX512(p *float32, stride int, x, y *float64, n int, a, dots *[4]float64)

// dotAxpy32x4 does dotAxpy32x4Go's work; columns beyond the last multiple
// of 8 are done by the Go loop.
func dotAxpy32x4(p []float32, stride int, x, y []float64, a, dots *[4]float64) {
	n := len(x)
	n8 := n &^ 7
	if !useAVX || n8 == 0 {
		dotAxpy32x4Go(p, stride, x, y, a, dots)
		return
	}
	_, _ = p[3*stride+n-1], y[n-1]
	if n16 := n &^ 15; useAVX512 && n16 > 0 {
		dotAxpy32x4AVX512(&p[0], stride, &x[0], &y[0], n16, a, dots)
		if n16 < n8 {
			var t [4]float64
			dotAxpy32x4AVX(&p[n16], stride, &x[n16], &y[n16], n8-n16, a, &t)
			for r := range dots {
				dots[r] += t[r]
			}
		}
	} else {
		dotAxpy32x4AVX(&p[0], stride, &x[0], &y[0], n8, a, dots)
	}
	if n8 < n {
		var t [4]float64
		dotAxpy32x4Go(p[n8:], stride, x[n8:], y[n8:], a, &t)
		for r := range dots {
			dots[r] += t[r]
		}
	}
}

//go:noescape
func rank32x4AVX(p *float32, pstride, chunks int, v, a *float64, vstride, m int)

// rank32x4 does rank32x4Go's work.
func rank32x4(p []float32, pstride, cols int, v, a []float64, vstride, m int) {
	if m == 0 || cols == 0 {
		return
	}
	if !useAVX || cols%8 != 0 {
		rank32x4Go(p, pstride, cols, v, a, vstride, m)
		return
	}
	_, _, _ = p[3*pstride+cols-1], v[(m-1)*vstride+cols-1], a[(m-1)*vstride+3]
	rank32x4AVX(&p[0], pstride, cols/8, &v[0], &a[0], vstride, m)
}

func dotAxpy32(row []float32, x, y []float64, a float64) float64 {
	if !useAVX || len(row) == 0 {
		return dotAxpy32Go(row, x, y, a)
	}
	_, _ = x[len(row)-1], y[len(row)-1]
	return dotAxpy32AVX(&row[0], &x[0], &y[0], len(row), a)
}

func widen(dst []float64, src []float32) {
	if !useAVX || len(src) == 0 {
		widenGo(dst, src)
		return
	}
	_ = dst[len(src)-1]
	widenAVX(&dst[0], &src[0], len(src))
}

func narrow(dst []float32, src []float64) {
	if !useAVX || len(dst) == 0 {
		narrowGo(dst, src)
		return
	}
	_ = src[len(dst)-1]
	narrowAVX(&dst[0], &src[0], len(dst))
}

// adamOuterAVX does the Adam update of n parameters (n a multiple of 4)
// with the gradient s·col, the same operations and roundings as
// Adam.applyOuter's loop.
//
//go:noescape
func adamOuterAVX(par, col, mom, vel *float64, n int, k *adamConsts, s float64)

// adamOuterDotAVX512 does adamOuterAVX's update of n parameters (n a
// multiple of 4) and adds the updated par[j]·x[j] to lanes[j mod 4] in
// increasing j, the partial sums of floats.Dot; in the 8- or 4-chunk
// starting at dstart only the lanes set in dmask count (dstart −1: none).
//
//go:noescape
func adamOuterDotAVX512(par, col, mom, vel *float64, n int, k *adamConsts, s float64, x *float64, lanes *[4]float64, dstart int, dmask uint64)

// dot4RowsAVX writes, for the four rows a_r at a + r·stride (r = 0..3) and
// n a multiple of 4, lanes[4r+l] = Σ a_r[j]·x[j] over j < n, j ≡ l (mod 4),
// in increasing j with separate multiply and add: floats.Dot's partial sums.
//
//go:noescape
func dot4RowsAVX(a *float64, stride int, x *float64, n int, lanes *[16]float64)

// useAVX2 is set when the CPU has AVX2 (kernels without FMA).
var useAVX2 = cpu.X86.HasAVX2

// filtersAVX does the ū and v̄ updates of VoltageSTDP.FiltersRange for n
// neurons (n a multiple of 4).
//
//go:noescape
func filtersAVX(u, vb, v *float64, n int, ku, kv float64)

//go:noescape
func shiftScanAVX(w, s, a, best, kr, sk *float64, n int, z, r float64)

//go:noescape
func shiftGradAVX(gw, e, y, kr *float64, n int, z, r float64)

//go:noescape
func shiftScanAVX512(w, s, a, best, kr, sk *float64, n int, z, r float64)

//go:noescape
func shiftGradAVX512(gw, e, y, kr *float64, n int, z, r float64)

func shiftScan(w, s, a, best, kr, sk []float64, z, r float64) {
	n := len(w)
	v := 0
	if useAVX512 && n >= 8 {
		v = n &^ 7
		_, _, _, _, _ = s[v-1], a[v-1], best[v-1], kr[v-1], sk[v-1]
		shiftScanAVX512(&w[0], &s[0], &a[0], &best[0], &kr[0], &sk[0], v, z, r)
	} else if useAVX && n >= 4 {
		v = n &^ 3
		_, _, _, _, _ = s[v-1], a[v-1], best[v-1], kr[v-1], sk[v-1]
		shiftScanAVX(&w[0], &s[0], &a[0], &best[0], &kr[0], &sk[0], v, z, r)
	}
	if v < n {
		shiftScanGo(w[v:], s[v:n], a[v:n], best[v:n], kr[v:n], sk[v:n], z, r)
	}
}

func shiftGrad(gw, e, y, kr []float64, z, r float64) {
	n := len(gw)
	v := 0
	if useAVX512 && n >= 8 {
		v = n &^ 7
		_, _, _ = e[v-1], y[v-1], kr[v-1]
		shiftGradAVX512(&gw[0], &e[0], &y[0], &kr[0], v, z, r)
	} else if useAVX && n >= 4 {
		v = n &^ 3
		_, _, _ = e[v-1], y[v-1], kr[v-1]
		shiftGradAVX(&gw[0], &e[0], &y[0], &kr[0], v, z, r)
	}
	if v < n {
		shiftGradGo(gw[v:], e[v:n], y[v:n], kr[v:n], z, r)
	}
}

//go:noescape
func shiftGradRowsAVX512(gw, e, y, kr *float64, n, stride int, zs, rs *float64, nb int)

func shiftGradRows(gw, e, y, kr []float64, stride int, zs, rs []float64) {
	n, nb := len(gw), len(zs)
	if !useAVX512 || n&7 != 0 || n == 0 || nb == 0 {
		shiftGradRowsGo(gw, e, y, kr, stride, zs, rs)
		return
	}
	end := (nb-1)*stride + n
	_, _, _, _ = e[end-1], y[end-1], kr[end-1], rs[nb-1]
	shiftGradRowsAVX512(&gw[0], &e[0], &y[0], &kr[0], n, stride, &zs[0], &rs[0], nb)
}

// addRowsAVX512 adds to dst[i] (i < n) the values w[rows[r]·stride + i]
// for r < k, in the order of rows; it returns false at once on a row
// index outside [0, maxRow].
//
//go:noescape
func addRowsAVX512(dst *float64, n int, w *float64, stride int, rows *int32, k, maxRow int) bool

// addRows adds to dst the rows w[j·stride : j·stride+len(dst)] for j in
// rows, one after another in the order of rows.
func addRows(dst, w []float64, stride int, rows []int32) {
	if len(rows) == 0 || len(dst) == 0 {
		return
	}
	if useAVX512 && len(w) >= len(dst) && stride > 0 {
		maxRow := (len(w) - len(dst)) / stride // rows j ≤ maxRow lie inside w
		if !addRowsAVX512(&dst[0], len(dst), &w[0], stride, &rows[0], len(rows), maxRow) {
			panic(fmt.Sprintf("learn: addRows: a row index in %v is outside the %d rows", rows, maxRow+1))
		}
		return
	}
	addRowsGo(dst, w, stride, rows)
}

// expAVX512 sets dst[i] = math.Exp(x[i]) for i < n (n a multiple of 8) in
// groups of eight, bit for bit as math.Exp computes it with FMA, up to the
// first group with an argument that needs math.Exp's special cases; it
// returns where it stopped (n when done).
//
//go:noescape
func expAVX512(dst, x *float64, n int) int

// vexpOK says whether expAVX512 reproduces math.Exp here: math.Exp takes
// its FMA path where the CPU has AVX and FMA.
var vexpOK = useAVX512 && cpu.X86.HasAVX && cpu.X86.HasFMA

// expInto sets dst[i] = math.Exp(x[i]) for all i, bit for bit.
func expInto(dst, x []float64) {
	dst = dst[:len(x)]
	i := 0
	if vexpOK {
		n8 := len(x) &^ 7
		for i < n8 {
			i += expAVX512(&dst[i], &x[i], n8-i)
			if i < n8 { // a group with a special case: math.Exp does it
				for j := i; j < i+8; j++ {
					dst[j] = math.Exp(x[j])
				}
				i += 8
			}
		}
	}
	for ; i < len(x); i++ {
		dst[i] = math.Exp(x[i])
	}
}

// nonzeroAVX512 writes the indices i < n (n a multiple of 8) with x[i] ≠ 0
// to dst in order and returns their number.
//
//go:noescape
func nonzeroAVX512(dst *int32, x *float64, n int) int

// appendNonzero appends to list, in order, the indices of the nonzero
// entries of x (spikes given as 0 and 1).
func appendNonzero(list []int32, x []float64) []int32 {
	i := 0
	if n8 := len(x) &^ 7; useAVX512 && n8 > 0 {
		k := len(list)
		list = slices.Grow(list, len(x))
		// The kernel stores whole groups of eight indices: room for them.
		k += nonzeroAVX512(&list[k : k+len(x)][0], &x[0], n8)
		list = list[:k]
		i = n8
	}
	for ; i < len(x); i++ {
		if x[i] != 0 {
			list = append(list, int32(i))
		}
	}
	return list
}

// useAVX512F is set when the CPU has AVX-512 F and DQ (the LTP selection
// kernels use 512-bit vectors only).
var useAVX512F = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasPOPCNT

// ltpPostsAVX512 sets bit q of flags[g] when v[8g+q] > thP and vb[8g+q] >
// thD (n a multiple of 8).
//
//go:noescape
func ltpPostsAVX512(v, vb *float64, n int, thP, thD float64, flags *uint8)

// ltpSelectAVX512 appends, in order, idx[k] and x[pre[k]] for every k in
// [0, n) with !(x[pre[k]] < cut) to oIdx and oX and returns their number
// (n a multiple of 16).
//
//go:noescape
func ltpSelectAVX512(pre, idx *int32, n int, x *float64, cut float64, oIdx *int32, oX *float64) int

// useNormAsm selects the assembly loop of Normalizer.ShiftSumRange (plain
// SSE2, any amd64 CPU); a variable so that tests can compare both paths.
var useNormAsm = true

// normShiftSumAsm does Normalizer.ShiftSumRange's work for one
// presynaptic row: w[k] = min(hi, max(lo, w[k] − d[post[k]])),
// dst[post[k]] += w[k], without bounds checks and with single MAXSD/MINSD
// instructions (Go's min and max also order signed zeros, which a bound
// w_min > 0 makes irrelevant).
//
//go:noescape
func normShiftSumAsm(w *float64, post *int32, n int, d, dst *float64, lo, hi float64)

// scaleAVX does x[i] *= k for n a multiple of 4.
//
//go:noescape
func scaleAVX(x *float64, n int, k float64)

// normShiftSum16Asm is normShiftSumAsm with 16-bit post indices.
//
//go:noescape
func normShiftSum16Asm(w *float64, post *uint16, n int, d, dst *float64, lo, hi float64)
