//go:build amd64 && !purego

package learn

import "golang.org/x/sys/cpu"

// useAVX is set when the CPU has AVX2 and FMA.
var useAVX = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// useAVX512 is set when the CPU also has AVX-512 F (the 512-bit P·r kernel).
var useAVX512 = useAVX && cpu.X86.HasAVX512F

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
