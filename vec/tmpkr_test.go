package vec

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkTmpAxpyKRows(b *testing.B) {
	for _, cfg := range [][3]int{{2500, 2500, 50}, {2500, 2504, 50}, {2500, 2560, 50}, {2500, 2500, 100}} {
		n, ldb, dens := cfg[0], cfg[1], cfg[2]
		b.Run(fmt.Sprint(n, "_", ldb, "_", dens), func(b *testing.B) {
			m, k := 32, 50
			rng := rand.New(rand.NewPCG(1, 2))
			t := make([]float64, m*k)
			for i := range t {
				if rng.IntN(100) < dens {
					t[i] = rng.Float64()
				}
			}
			bm := make([]float64, k*ldb)
			for i := range bm {
				bm[i] = rng.Float64()
			}
			c := make([]float64, m*n)
			nz := 0
			for _, v := range t {
				if v != 0 {
					nz++
				}
			}
			b.ResetTimer()
			for range b.N {
				clear(c)
				AxpyKRows(c, n, n, bm, ldb, t, k)
			}
			b.ReportMetric(float64(nz*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gterms/s")
		})
	}
}
