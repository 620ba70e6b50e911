package learn

import "math"

// IEEE 754 binary16 ("half") storage of the RLS matrix P (PFloat16), with
// float64 arithmetic: the Go loops here are the twins of the assembly
// kernels (same operations, same order, same roundings: every
// multiply-add fused as math.FMA, where the assembly uses FMA
// instructions), so both give the same bits.

// halfTo64 returns the binary16 value h as a float64 (exact; a NaN keeps
// its sign and payload and is quiet, as VCVTPH2PS then VCVTPS2PD give).
func halfTo64(h uint16) float64 {
	sign := uint64(h>>15) << 63
	e, m := uint64(h>>10)&0x1f, uint64(h&0x3ff)
	switch e {
	case 0: // zero or subnormal: m·2⁻²⁴
		v := float64(m) * 0x1p-24
		return math.Float64frombits(math.Float64bits(v) | sign)
	case 0x1f: // infinity or NaN
		if m != 0 {
			m |= 0x200
		}
		return math.Float64frombits(sign | 0x7ff<<52 | m<<42)
	}
	return math.Float64frombits(sign | (e+1023-15)<<52 | m<<42)
}

// halfFrom64 rounds v to the nearest binary16, ties to even (directly
// from float64: one rounding); beyond the largest half (65504) it
// rounds to ±Inf; a NaN stays a quiet NaN with the top bits of its
// payload.
func halfFrom64(v float64) uint16 {
	b := math.Float64bits(v)
	sign := uint16(b>>48) & 0x8000
	e64 := int(b>>52) & 0x7ff
	m := b & (1<<52 - 1)
	if e64 == 0x7ff {
		if m != 0 {
			return sign | 0x7e00 | uint16(m>>42)
		}
		return sign | 0x7c00
	}
	e := e64 - 1023 + 15 // biased binary16 exponent
	var h, rest, half uint64
	if e >= 1 {
		h, rest, half = uint64(e)<<10|m>>42, m&(1<<42-1), 1<<41
	} else {
		// Subnormal: the value in units of 2⁻²⁴ is (2⁵² + m)·2^(e−43).
		s := uint(43 - e)
		if e64 == 0 || s > 53 {
			return sign // below 2⁻²⁵: rounds to zero
		}
		full := m | 1<<52
		h, rest, half = full>>s, full&(1<<s-1), 1<<(s-1)
	}
	if rest > half || rest == half && h&1 == 1 {
		h++ // a carry out of the mantissa raises the exponent, as it should
	}
	if h >= 0x7c00 {
		return sign | 0x7c00
	}
	return sign | uint16(h)
}

// halfScaleExp returns the exponent e of the power of two 2^e by which
// PFloat16 storage divides P: α/2^e lies in [2^14, 2^15), so that P's
// entries (|P_ij| ≤ α while P stays positive definite) use the upper end
// of the binary16 range (largest 65504) and keep 11 significant bits down
// to |P_ij| ≈ 2⁻²⁹·α (the smallest normal half, 2⁻¹⁴).
func halfScaleExp(alpha float64) int { return math.Ilogb(alpha) - 14 }

// dotAxpy16x4Go does, for the four half rows p[r·stride:], r < 4, and
// columns j < len(x), with every element widened exactly to float64:
// dots[r] = Σ_j p_r[j]·x[j] and y[j] += Σ_r a[r]·p_r[j], with the sums of
// dotAxpy16x4AVX512: per row sixteen partial sums, one per column mod 16
// (dotAxpyX4Lanes).
func dotAxpy16x4Go(p []uint16, stride int, x, y []float64, a, dots *[4]float64) {
	dotAxpyX4Lanes(p, halfTo64, stride, x, y, a, dots, 16)
}

// dotAxpy16Go is the one-row dotAxpy16x4Go (columns in order): it returns
// Σ_j row[j]·x[j] and adds a·row[j] to y[j], for j < len(row).
func dotAxpy16Go(row []uint16, x, y []float64, a float64) float64 {
	x, y = x[:len(row)], y[:len(row)]
	s := 0.0
	for j, h := range row {
		v := halfTo64(h)
		s = math.FMA(v, x[j], s)
		y[j] = math.FMA(a, v, y[j])
	}
	return s
}

// rank16Go subtracts a rank-m product from rows half rows p[r·pstride:],
// r < rows, at columns j < cols: p_r[j] ← half(p_r[j] −
// Σ_{q<m} a[q·vstride+r]·v[q·vstride+j]) (rankGo). It is the twin of
// rank16x4AVX512 (rows = 4).
func rank16Go(p []uint16, pstride, rows, cols int, v, a []float64, vstride, m int) {
	rankGo(p, halfTo64, halfFrom64, pstride, rows, cols, v, a, vstride, m)
}
