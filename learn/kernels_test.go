package learn

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestKernelsMatchPortableGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	vec := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	for _, n := range []int{1, 3, 7, 8, 9, 16, 31, 100, 2000} {
		row, x, y := vec(n), vec(n), vec(n)
		y2 := append([]float64(nil), y...)
		d := dotAxpy(row, x, y, 0.37)
		d2 := dotAxpyGo(row, x, y2, 0.37)
		if math.Abs(d-d2) > 1e-12*float64(n) {
			t.Fatalf("n=%d: dot %v vs %v", n, d, d2)
		}
		for j := range y {
			if math.Abs(y[j]-y2[j]) > 1e-14 {
				t.Fatalf("n=%d: y[%d] %v vs %v", n, j, y[j], y2[j])
			}
		}
		a := [4]float64{0.5, -1.5, 2, -0.25}
		v0, v1, v2, v3 := vec(n), vec(n), vec(n), vec(n)
		r1 := append([]float64(nil), row...)
		r2 := append([]float64(nil), row...)
		axpy4(r1, &a, v0, v1, v2, v3)
		axpy4Go(r2, &a, v0, v1, v2, v3)
		for j := range r1 {
			if math.Abs(r1[j]-r2[j]) > 1e-13 {
				t.Fatalf("n=%d: axpy4 row[%d] %v vs %v", n, j, r1[j], r2[j])
			}
		}
	}
	t.Logf("AVX2/FMA kernels in use: %v", useAVX)
}
