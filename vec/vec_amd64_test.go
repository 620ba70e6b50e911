//go:build amd64 && !purego

package vec

import (
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestExpAVX2StopsAtTheSpecialGroup calls the AVX2 exp kernel directly on
// vectors with one argument that needs a special case at every place: it
// must return the index of that group of four (n without one) and have
// set every entry before it to math.Exp's value, bit for bit.
func TestExpAVX2StopsAtTheSpecialGroup(t *testing.T) {
	if !(vexpOK && cpu.X86.HasAVX2 && cpu.X86.HasFMA) {
		t.Skip("no AVX2 with FMA on this CPU")
	}
	rng := rand.New(rand.NewPCG(17, 18))
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 709.79, 709.5, -740, -800, 1e300, -1e300}
	for _, n := range []int{4, 8, 12, 32} {
		x := make([]float64, n)
		for i := range x {
			x[i] = (rng.Float64() - 0.5) * 80
		}
		for p := -1; p < n; p++ {
			y := append([]float64(nil), x...)
			want := n
			if p >= 0 {
				y[p] = specials[(n+p)%len(specials)]
				want = p &^ 3
			}
			dst := make([]float64, n)
			if got := expAVX2(&dst[0], &y[0], n); got != want {
				t.Fatalf("n %d, special at %d: stopped at %d, want %d", n, p, got, want)
			}
			for i := range want {
				if math.Float64bits(dst[i]) != math.Float64bits(math.Exp(y[i])) {
					t.Fatalf("n %d: exp(%v) = %v, math.Exp %v", n, y[i], dst[i], math.Exp(y[i]))
				}
			}
		}
	}
}
