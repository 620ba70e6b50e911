package learn

// The two inner loops of the RLS products, with a portable Go version
// here and, on amd64 CPUs with AVX2 and FMA, an assembly version.

// dotAxpyGo returns Σ row[j]·x[j] and adds a·row[j] to y[j], for j < len(row).
func dotAxpyGo(row, x, y []float64, a float64) float64 {
	x = x[:len(row)]
	y = y[:len(row)]
	s0, s1 := 0.0, 0.0
	j := 0
	for ; j+1 < len(row); j += 2 {
		r0, r1 := row[j], row[j+1]
		s0 += r0 * x[j]
		s1 += r1 * x[j+1]
		y[j] += a * r0
		y[j+1] += a * r1
	}
	if j < len(row) {
		s0 += row[j] * x[j]
		y[j] += a * row[j]
	}
	return s0 + s1
}

// axpy4Go adds a[0]·v0 + a[1]·v1 + a[2]·v2 + a[3]·v3 to row.
func axpy4Go(row []float64, a *[4]float64, v0, v1, v2, v3 []float64) {
	n := len(row)
	v0, v1, v2, v3 = v0[:n], v1[:n], v2[:n], v3[:n]
	for j := range row {
		row[j] += a[0]*v0[j] + a[1]*v1[j] + a[2]*v2[j] + a[3]*v3[j]
	}
}

// dotAxpy32Go is dotAxpyGo for a float32 row, with float64 arithmetic.
func dotAxpy32Go(row []float32, x, y []float64, a float64) float64 {
	x = x[:len(row)]
	y = y[:len(row)]
	s0, s1 := 0.0, 0.0
	j := 0
	for ; j+1 < len(row); j += 2 {
		r0, r1 := float64(row[j]), float64(row[j+1])
		s0 += r0 * x[j]
		s1 += r1 * x[j+1]
		y[j] += a * r0
		y[j+1] += a * r1
	}
	if j < len(row) {
		r := float64(row[j])
		s0 += r * x[j]
		y[j] += a * r
	}
	return s0 + s1
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
// in float64 arithmetic.
func dotAxpy32x4Go(p []float32, stride int, x, y []float64, a, dots *[4]float64) {
	n := len(x)
	y = y[:n]
	r0, r1, r2, r3 := p[:n], p[stride:stride+n], p[2*stride:2*stride+n], p[3*stride:3*stride+n]
	var d0, d1, d2, d3 float64
	for j, xj := range x {
		p0, p1, p2, p3 := float64(r0[j]), float64(r1[j]), float64(r2[j]), float64(r3[j])
		d0 += p0 * xj
		d1 += p1 * xj
		d2 += p2 * xj
		d3 += p3 * xj
		y[j] += a[0]*p0 + a[1]*p1 + a[2]*p2 + a[3]*p3
	}
	*dots = [4]float64{d0, d1, d2, d3}
}

// rank32x4Go subtracts a rank-m product from four float32 rows
// p[r·pstride:], r < 4, at columns j < cols:
// p_r[j] ← float32(p_r[j] − Σ_{q<m} a[q·vstride+r]·v[q·vstride+j]), the sum
// accumulated in float64 in q order and rounded once.
func rank32x4Go(p []float32, pstride, cols int, v, a []float64, vstride, m int) {
	for r := 0; r < 4; r++ {
		row := p[r*pstride : r*pstride+cols]
		for j := range row {
			s := float64(row[j])
			for q := 0; q < m; q++ {
				s -= a[q*vstride+r] * v[q*vstride+j]
			}
			row[j] = float32(s)
		}
	}
}
