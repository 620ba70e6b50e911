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
