//go:build amd64 && !purego

package learn

import (
	"math/rand/v2"
	"testing"
)

// TestRank32x4AVX512EqualsAVX2 checks the 512-bit rank update against the
// 256-bit kernel bit for bit (same operations in the same order per
// element), including the 8-column tail the AVX2 kernel finishes.
func TestRank32x4AVX512EqualsAVX2(t *testing.T) {
	if !useAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(31, 32))
	for _, cols := range []int{16, 24, 48, 2000, 2008} {
		for _, m := range []int{1, 3, 16, 17} {
			const pstride, vstride = 2027, 2011
			p1 := make([]float32, 3*pstride+cols)
			for i := range p1 {
				p1[i] = float32(rng.NormFloat64())
			}
			v := make([]float64, m*vstride)
			for i := range v {
				v[i] = rng.NormFloat64()
			}
			p2 := append([]float32(nil), p1...)
			a := v[cols-4:]
			rank32x4(p1, pstride, cols, v, a, vstride, m)
			useAVX512 = false
			rank32x4(p2, pstride, cols, v, a, vstride, m)
			useAVX512 = true
			for j := range p1 {
				if p1[j] != p2[j] {
					t.Fatalf("cols %d m %d: p[%d] AVX-512 %v, AVX2 %v", cols, m, j, p1[j], p2[j])
				}
			}
		}
	}
}

// The two four-row float32 P·r kernels each give the bits of their Go
// loop (dotAxpy32x4Lanes with 8 and 16 partial sums per row).
func TestDotAxpy32x4KernelsEqualGoLoops(t *testing.T) {
	if !useAVX {
		t.Skip("no AVX2/FMA on this CPU")
	}
	rng := rand.New(rand.NewPCG(33, 34))
	for _, n := range []int{16, 32, 48, 1024, 2000} {
		stride := n + 9
		p := make([]float32, 3*stride+n)
		x, y := make([]float64, n), make([]float64, n)
		for i := range p {
			p[i] = float32(rng.NormFloat64())
		}
		for i := range x {
			x[i], y[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		a := [4]float64{0.5, -1.5, 2, -0.25}
		for _, lanes := range []int{8, 16} {
			if lanes == 16 && !useAVX512 {
				continue
			}
			y1, y2 := append([]float64(nil), y...), append([]float64(nil), y...)
			var d1, d2 [4]float64
			if lanes == 16 {
				dotAxpy32x4AVX512(&p[0], stride, &x[0], &y1[0], n, &a, &d1)
			} else {
				dotAxpy32x4AVX(&p[0], stride, &x[0], &y1[0], n, &a, &d1)
			}
			dotAxpy32x4Lanes(p, stride, x, y2, &a, &d2, lanes)
			if d1 != d2 {
				t.Fatalf("n=%d lanes %d: dots %v, Go %v", n, lanes, d1, d2)
			}
			for j := range y1 {
				if y1[j] != y2[j] {
					t.Fatalf("n=%d lanes %d: y[%d] %v, Go %v", n, lanes, j, y1[j], y2[j])
				}
			}
		}
	}
}
