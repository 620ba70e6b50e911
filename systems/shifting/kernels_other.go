//go:build !amd64 || purego

package shifting

// useAVX is false: no vector kernels on this platform or build.
var useAVX = false

// useAVX512 is false: no vector kernels on this platform or build.
var useAVX512 = false

func shiftScan(w, s, a, best, kr, sk []float64, z, r float64) {
	shiftScanGo(w, s, a, best, kr, sk, z, r)
}

func shiftGrad(gw, e, y, kr []float64, z, r float64) { shiftGradGo(gw, e, y, kr, z, r) }

func shiftGradRows(gw, e, y, kr []float64, stride int, zs, rs []float64) {
	shiftGradRowsGo(gw, e, y, kr, stride, zs, rs)
}
