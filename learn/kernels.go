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
