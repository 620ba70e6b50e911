//go:build amd64 && !purego

package learn

import (
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
		dotAxpy32x4Tail(p[n8:], stride, x[n8:], y[n8:], a, &t)
		for r := range dots {
			dots[r] += t[r]
		}
	}
}

//go:noescape
func rank32x4AVX(p *float32, pstride, chunks int, v, a *float64, vstride, m int)

//go:noescape
func rank32x4AVX512(p *float32, pstride, chunks int, v, a *float64, vstride, m int)

// rank32x4 does rank32x4Go's work (AVX-512 on the columns up to the
// last multiple of 16, bitwise equal to the AVX2 kernel).
func rank32x4(p []float32, pstride, cols int, v, a []float64, vstride, m int) {
	if m == 0 || cols == 0 {
		return
	}
	if !useAVX || cols%8 != 0 {
		rank32x4Go(p, pstride, cols, v, a, vstride, m)
		return
	}
	_, _, _ = p[3*pstride+cols-1], v[(m-1)*vstride+cols-1], a[(m-1)*vstride+3]
	c16 := 0
	if useAVX512 {
		c16 = cols &^ 15
		if c16 > 0 {
			rank32x4AVX512(&p[0], pstride, c16/16, &v[0], &a[0], vstride, m)
		}
	}
	if c16 < cols {
		rank32x4AVX(&p[c16], pstride, (cols-c16)/8, &v[c16], &a[0], vstride, m)
	}
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
func adamOuterAVX(par, col, mom, vel *float64, n int, k *AdamStep, s float64)

// adamOuterDotAVX512 does adamOuterAVX's update of n parameters (n a
// multiple of 4) and adds the updated par[j]·x[j] to lanes[j mod 4] in
// increasing j, the partial sums of floats.Dot; in the 8- or 4-chunk
// starting at dstart only the lanes set in dmask count (dstart −1: none).
//
//go:noescape
func adamOuterDotAVX512(par, col, mom, vel *float64, n int, k *AdamStep, s float64, x *float64, lanes *[4]float64, dstart int, dmask uint64)

// adamOuterDotAVX is adamOuterDotAVX512 with 256-bit vectors (AVX2): the
// same update and the same partial sums lanes[j mod 4], bit for bit; in the
// 4-chunk starting at dstart (−1: none) each product is ANDed with
// dmask[l] (all ones: kept; zero: the lane adds +0).
//
//go:noescape
func adamOuterDotAVX(par, col, mom, vel *float64, n int, k *AdamStep, s float64, x *float64, lanes *[4]float64, dstart int, dmask *[4]uint64)

// useAVX2 is set when the CPU has AVX2 (kernels without FMA).
var useAVX2 = cpu.X86.HasAVX2

// filtersAVX does the ū and v̄ updates of VoltageSTDP.FiltersRange for n
// neurons (n a multiple of 4).
//
//go:noescape
func filtersAVX(u, vb, v *float64, n int, ku, kv float64)

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

// useLTPAVX is set when the CPU has AVX2 and POPCNT: the 256-bit LTP
// selection kernels (used where the AVX-512 ones are not).
var useLTPAVX = cpu.X86.HasAVX2 && cpu.X86.HasPOPCNT

// ltpPostsAVX is ltpPostsAVX512 with 256-bit vectors: bit q of flags[g]
// is set when v[8g+q] > thP and vb[8g+q] > thD (n a multiple of 8).
//
//go:noescape
func ltpPostsAVX(v, vb *float64, n int, thP, thD float64, flags *uint8)

// ltpSelectAVX is ltpSelectAVX512 with AVX2 (n a multiple of 8): it
// appends, in order, idx[k] and x[pre[k]] for every k in [0, n) with
// !(x[pre[k]] < cut) to oIdx and oX and returns their number; oIdx and oX
// must hold n elements (it writes up to three past the last appended).
//
//go:noescape
func ltpSelectAVX(pre, idx *int32, n int, x *float64, cut float64, oIdx *int32, oX *float64) int

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

// normShiftSum16Asm is normShiftSumAsm with 16-bit post indices.
//
//go:noescape
func normShiftSum16Asm(w *float64, post *uint16, n int, d, dst *float64, lo, hi float64)

func setAdamKernels(on bool) bool {
	was := useAVX
	useAVX = on && cpu.X86.HasAVX2 && cpu.X86.HasFMA
	useAVX512 = useAVX && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL
	return was
}

// useHalf is set when the CPU has AVX-512 (F, VL, BW) and F16C: the
// 512-bit float16 P kernels.
var useHalf = useAVX512 && cpu.X86.HasAVX512BW && cpu.X86.HasF16C

// useHalfAVX is set when the CPU has AVX2, FMA and F16C: the 256-bit
// float16 P kernels, used where useHalf is not (AMD Zen 2/3, Intel client
// cores).
var useHalfAVX = useAVX && cpu.X86.HasF16C

//go:noescape
func dotAxpy16x4AVX512(p *uint16, stride int, x, y *float64, n int, a, dots *[4]float64)

//go:noescape
func rank16x4AVX512(p *uint16, pstride, cols int, v, a *float64, vstride, m int)

//go:noescape
func narrow16AVX512(dst *uint16, src *float64, n int)

//go:noescape
func dotAxpy16x4AVX(p *uint16, stride int, x, y *float64, n int, a *[4]float64, acc *[4][16]float64)

//go:noescape
func rank16x4AVX(p *uint16, pstride, chunks int, v, a *float64, vstride, m int)

//go:noescape
func narrow16AVX(dst *uint16, src *float64, n int)

// halfLanes is the number of partial sums per row of dotAxpy16x4: 16
// (dotAxpy16x4Go, the twin of the AVX-512 kernel, also where there is no
// kernel) or 8 with the AVX2 kernel.
func halfLanes() int {
	if !useHalf && useHalfAVX {
		return 8
	}
	return 16
}

// dotAxpy16x4 does dotAxpyX4Lanes's work on half rows with halfLanes()
// partial sums per row (in assembly where the CPU has it).
func dotAxpy16x4(p []uint16, stride int, x, y []float64, a, dots *[4]float64) {
	n := len(x)
	switch {
	case n == 0 || !useHalf && !useHalfAVX:
		dotAxpy16x4Go(p, stride, x, y, a, dots)
	case useHalf:
		_, _ = p[3*stride+n-1], y[n-1]
		dotAxpy16x4AVX512(&p[0], stride, &x[0], &y[0], n, a, dots)
	default:
		_, _ = p[3*stride+n-1], y[n-1]
		var acc [4][16]float64
		n8 := n &^ 7
		if n8 > 0 {
			dotAxpy16x4AVX(&p[0], stride, &x[0], &y[0], n8, a, &acc)
		}
		// The last n mod 8 columns continue the kernel's partial sums.
		dotAxpyX4From(p, halfTo64, stride, x, y, a, &acc, 8, n8)
		for r := range 4 {
			dots[r] = reduceLanes(acc[r][:8])
		}
	}
}

// rank16x4 does rank16Go's work on four rows (in assembly where the CPU
// has it; the AVX2 kernel on the columns up to the last multiple of 8,
// the Go loop on the rest: the same operations on every element).
func rank16x4(p []uint16, pstride, cols int, v, a []float64, vstride, m int) {
	if m == 0 || cols == 0 {
		return
	}
	switch {
	case useHalf:
		_, _, _ = p[3*pstride+cols-1], v[(m-1)*vstride+cols-1], a[(m-1)*vstride+3]
		rank16x4AVX512(&p[0], pstride, cols, &v[0], &a[0], vstride, m)
		return
	case useHalfAVX:
		_, _, _ = p[3*pstride+cols-1], v[(m-1)*vstride+cols-1], a[(m-1)*vstride+3]
		c8 := cols &^ 7
		if c8 > 0 {
			rank16x4AVX(&p[0], pstride, c8/8, &v[0], &a[0], vstride, m)
		}
		if c8 < cols {
			rank16Go(p[c8:], pstride, 4, cols-c8, v[c8:], a, vstride, m)
		}
		return
	}
	rank16Go(p, pstride, 4, cols, v, a, vstride, m)
}

// narrow16 rounds src into dst (len(src) ≥ len(dst)) as halfFrom64 does.
func narrow16(dst []uint16, src []float64) {
	nv := 0
	switch {
	case useHalf:
		if nv = len(dst) &^ 7; nv > 0 {
			_ = src[nv-1]
			narrow16AVX512(&dst[0], &src[0], nv)
		}
	case useHalfAVX:
		if nv = len(dst) &^ 3; nv > 0 {
			_ = src[nv-1]
			narrow16AVX(&dst[0], &src[0], nv)
		}
	}
	for j := nv; j < len(dst); j++ {
		dst[j] = halfFrom64(src[j])
	}
}
