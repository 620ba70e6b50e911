package learn

import "math"

// The inner loops of the RLS products, with a portable Go version here
// and, on amd64 CPUs with AVX2 and FMA, an assembly version. Each Go loop
// is its kernel's twin: the same operations in the same order, every
// multiply-add fused (math.FMA) where the kernel uses an FMA instruction,
// and the kernel's partial sums (one per vector lane) reduced as the
// kernel reduces them, so that both give the same bits.

// reduceLanes returns the sum of the partial sums s (len a power of two,
// at least 2) in the kernels' order: the upper half added to the lower,
// down to two, then s[0] + s[1]. It overwrites s.
func reduceLanes(s []float64) float64 {
	for w := len(s) / 2; w >= 2; w /= 2 {
		for l := 0; l < w; l++ {
			s[l] += s[l+w]
		}
	}
	return s[0] + s[1]
}

// dotAxpyGo returns Σ row[j]·x[j] and adds a·row[j] to y[j], for j < len(row):
// the columns up to the last multiple of 8 summed in 8 partial sums (one
// per column mod 8), then the rest in order onto their total.
func dotAxpyGo(row, x, y []float64, a float64) float64 {
	x = x[:len(row)]
	y = y[:len(row)]
	n8 := len(row) &^ 7
	var acc [8]float64
	for j := 0; j < n8; j++ {
		acc[j&7] = math.FMA(row[j], x[j], acc[j&7])
		y[j] = math.FMA(a, row[j], y[j])
	}
	s := reduceLanes(acc[:])
	for j := n8; j < len(row); j++ {
		s = math.FMA(row[j], x[j], s)
		y[j] = math.FMA(a, row[j], y[j])
	}
	return s
}

// axpy4Go adds a[0]·v0 + a[1]·v1 + a[2]·v2 + a[3]·v3 to row, one fused
// multiply-add after the other.
func axpy4Go(row []float64, a *[4]float64, v0, v1, v2, v3 []float64) {
	n := len(row)
	v0, v1, v2, v3 = v0[:n], v1[:n], v2[:n], v3[:n]
	for j := range row {
		r := math.FMA(a[0], v0[j], row[j])
		r = math.FMA(a[1], v1[j], r)
		r = math.FMA(a[2], v2[j], r)
		row[j] = math.FMA(a[3], v3[j], r)
	}
}

// dotAxpy32Go is dotAxpyGo for a float32 row, with float64 arithmetic.
func dotAxpy32Go(row []float32, x, y []float64, a float64) float64 {
	x = x[:len(row)]
	y = y[:len(row)]
	n8 := len(row) &^ 7
	var acc [8]float64
	for j := 0; j < n8; j++ {
		r := float64(row[j])
		acc[j&7] = math.FMA(r, x[j], acc[j&7])
		y[j] = math.FMA(a, r, y[j])
	}
	s := reduceLanes(acc[:])
	for j := n8; j < len(row); j++ {
		r := float64(row[j])
		s = math.FMA(r, x[j], s)
		y[j] = math.FMA(a, r, y[j])
	}
	return s
}

// widenGo copies src into dst (len(dst) ≥ len(src)), float32 to float64.
func widenGo(dst []float64, src []float32) {
	dst = dst[:len(src)]
	for j, v := range src {
		dst[j] = float64(v)
	}
}

// narrowGo rounds src into dst (len(src) ≥ len(dst)) to the nearest float32.
func narrowGo(dst []float32, src []float64) {
	src = src[:len(dst)]
	for j, v := range src {
		dst[j] = float32(v)
	}
}

// dotAxpy32x4Go does, for the four float32 rows p[r·stride:], r < 4, and
// columns j < len(x): dots[r] = Σ_j p_r[j]·x[j] and y[j] += Σ_r a[r]·p_r[j],
// in float64 arithmetic, as dotAxpy32x4 does on a CPU with AVX-512: the
// columns up to the last multiple of 16 as dotAxpy32x4AVX512 (16 partial
// sums per row), up to the last multiple of 8 as dotAxpy32x4AVX (8), the
// rest as dotAxpy32x4Tail, the three sums added in that order.
func dotAxpy32x4Go(p []float32, stride int, x, y []float64, a, dots *[4]float64) {
	n := len(x)
	n8, n16 := n&^7, n&^15
	if n8 == 0 {
		dotAxpy32x4Tail(p, stride, x, y, a, dots)
		return
	}
	if n16 > 0 {
		dotAxpy32x4Lanes(p, stride, x[:n16], y, a, dots, 16)
		if n16 < n8 {
			var t [4]float64
			dotAxpy32x4Lanes(p[n16:], stride, x[n16:n8], y[n16:], a, &t, 8)
			for r := range dots {
				dots[r] += t[r]
			}
		}
	} else {
		dotAxpy32x4Lanes(p, stride, x[:n8], y, a, dots, 8)
	}
	if n8 < n {
		var t [4]float64
		dotAxpy32x4Tail(p[n8:], stride, x[n8:], y[n8:], a, &t)
		for r := range dots {
			dots[r] += t[r]
		}
	}
}

// dotAxpy32x4Lanes is the twin of dotAxpy32x4AVX512 (lanes 16) and
// dotAxpy32x4AVX (lanes 8) on columns j < len(x), a multiple of lanes.
func dotAxpy32x4Lanes(p []float32, stride int, x, y []float64, a, dots *[4]float64, lanes int) {
	dotAxpyX4Lanes(p, widen32, stride, x, y, a, dots, lanes)
}

// widen32 returns v as a float64 (exact).
func widen32(v float32) float64 { return float64(v) }

// dotAxpyX4Lanes does, for the four rows p[r·stride:] (elements widened
// exactly to float64 by widen) and columns j < len(x): per row, lanes
// partial sums (one per column mod lanes) of p_r[j]·x[j], each product
// fused with its sum, reduced by reduceLanes into dots[r]; y[j] takes the
// rows' terms a[r]·p_r[j] one fused multiply-add after the other. It is
// the Go loop of the four-row P·r kernels.
func dotAxpyX4Lanes[T uint16 | float32](p []T, widen func(T) float64, stride int, x, y []float64, a, dots *[4]float64, lanes int) {
	var acc [4][16]float64
	dotAxpyX4From(p, widen, stride, x, y, a, &acc, lanes, 0)
	for r := range 4 {
		dots[r] = reduceLanes(acc[r][:lanes])
	}
}

// dotAxpyX4From is dotAxpyX4Lanes's loop on columns j0 ≤ j < len(x),
// adding to the partial sums acc (unreduced), so that a kernel can leave
// the last columns to it.
func dotAxpyX4From[T uint16 | float32](p []T, widen func(T) float64, stride int, x, y []float64, a *[4]float64, acc *[4][16]float64, lanes, j0 int) {
	for j := j0; j < len(x); j++ {
		xj, l := x[j], j%lanes
		yj := y[j]
		for r := range 4 {
			v := widen(p[r*stride+j])
			acc[r][l] = math.FMA(v, xj, acc[r][l])
			yj = math.FMA(a[r], v, yj)
		}
		y[j] = yj
	}
}

// dotAxpy32x4Tail is dotAxpy32x4Go's work column after column, each
// product rounded before it is added (the explicit conversions keep a
// compiler from fusing them), for the columns the kernels leave.
func dotAxpy32x4Tail(p []float32, stride int, x, y []float64, a, dots *[4]float64) {
	n := len(x)
	y = y[:n]
	r0, r1, r2, r3 := p[:n], p[stride:stride+n], p[2*stride:2*stride+n], p[3*stride:3*stride+n]
	var d0, d1, d2, d3 float64
	for j, xj := range x {
		p0, p1, p2, p3 := float64(r0[j]), float64(r1[j]), float64(r2[j]), float64(r3[j])
		d0 += float64(p0 * xj)
		d1 += float64(p1 * xj)
		d2 += float64(p2 * xj)
		d3 += float64(p3 * xj)
		y[j] += float64(a[0]*p0) + float64(a[1]*p1) + float64(a[2]*p2) + float64(a[3]*p3)
	}
	*dots = [4]float64{d0, d1, d2, d3}
}

// rank32x4Go subtracts a rank-m product from four float32 rows
// p[r·pstride:], r < 4, at columns j < cols:
// p_r[j] ← float32(p_r[j] − Σ_{q<m} a[q·vstride+r]·v[q·vstride+j]), each
// product subtracted in float64 in q order by a fused multiply-add, as
// rank32x4AVX does, and the result rounded once.
func rank32x4Go(p []float32, pstride, cols int, v, a []float64, vstride, m int) {
	rankGo(p, widen32, narrow32, pstride, 4, cols, v, a, vstride, m)
}

// narrow32 rounds v to the nearest float32.
func narrow32(v float64) float32 { return float32(v) }

// rankGo subtracts a rank-m product from rows rows p[r·pstride:] at
// columns j < cols: p_r[j] ← narrow(widen(p_r[j]) −
// Σ_{q<m} a[q·vstride+r]·v[q·vstride+j]), each product subtracted in q
// order by a fused multiply-add in float64, the result rounded once. It
// is the Go loop of the rank kernels.
func rankGo[T uint16 | float32](p []T, widen func(T) float64, narrow func(float64) T, pstride, rows, cols int, v, a []float64, vstride, m int) {
	for r := 0; r < rows; r++ {
		row := p[r*pstride : r*pstride+cols]
		for j := range row {
			s := widen(row[j])
			for q := 0; q < m; q++ {
				s = math.FMA(-a[q*vstride+r], v[q*vstride+j], s)
			}
			row[j] = narrow(s)
		}
	}
}
