//go:build !amd64 || purego

package learn

// useAVX is false: no vector kernels on this platform or build.
var useAVX = false

func dotAxpy(row, x, y []float64, a float64) float64 { return dotAxpyGo(row, x, y, a) }

func axpy4(row []float64, a *[4]float64, v0, v1, v2, v3 []float64) {
	axpy4Go(row, a, v0, v1, v2, v3)
}

func adamOuterAVX(par, col, mom, vel *float64, n int, k *adamConsts, s float64) {
	panic("unreachable")
}

// useAVX2 is false: no vector kernels on this platform or build.
var useAVX2 = false

func filtersAVX(u, vb, v *float64, n int, ku, kv float64) { panic("unreachable") }
