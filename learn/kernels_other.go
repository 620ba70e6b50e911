//go:build !amd64 || purego

package learn

// useAVX is false: no vector kernels on this platform or build.
var useAVX = false

// useAVX512 is false: no vector kernels on this platform or build.
var useAVX512 = false

func dotAxpy(row, x, y []float64, a float64) float64 { return dotAxpyGo(row, x, y, a) }

func axpy4(row []float64, a *[4]float64, v0, v1, v2, v3 []float64) {
	axpy4Go(row, a, v0, v1, v2, v3)
}

func adamOuterAVX(par, col, mom, vel *float64, n int, k *adamConsts, s float64) {
	panic("unreachable")
}

func shiftScan(w, s, a, best, kr, sk []float64, z, r float64) {
	shiftScanGo(w, s, a, best, kr, sk, z, r)
}

func shiftGrad(gw, e, y, kr []float64, z, r float64) { shiftGradGo(gw, e, y, kr, z, r) }

func shiftGradRows(gw, e, y, kr []float64, stride int, zs, rs []float64) {
	shiftGradRowsGo(gw, e, y, kr, stride, zs, rs)
}
