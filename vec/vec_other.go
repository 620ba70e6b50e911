//go:build !amd64 || purego

package vec

import "runtime"

func addRows(dst, w []float64, stride int, rows []int32) { addRowsGo(dst, w, stride, rows) }

func expInto(dst, x []float64) { expGo(dst, x) }

func appendNonzero(list []int32, x []float64) []int32 { return appendNonzeroGo(list, x) }

func scale(x []float64, k float64) {
	for i := range x {
		x[i] *= k
	}
}

func matVec(dst, a, x []float64) { matVecGo(dst, a, x) }

func matVecs(dst, a, xs []float64, m, n int) {
	for v := range len(xs) / n {
		matVecGo(dst[v*m:(v+1)*m], a[:m*n], xs[v*n:(v+1)*n])
	}
}

func axpyK(c, b []float64, ldb int, t []float64) { axpyKGo(c, b, ldb, t) }

func axpyKRows(c []float64, ldc, n int, b []float64, ldb int, t []float64, k int) {
	axpyKRowsGo(c, ldc, n, b, ldb, t, k)
}

// SetVectorKernels does nothing here (no assembly kernels in this build)
// and returns false.
func SetVectorKernels(on bool) (was bool) { return false }

// Kernels names the arithmetic kernel set of this build: GOARCH-purego
// (pure Go loops: built with -tags purego or for a GOARCH without
// assembly kernels).
func Kernels() string { return runtime.GOARCH + "-purego" }

// setAVX512 does nothing: this build has no vector kernels.
func setAVX512(bool) {}

func abs(dst, src []float64) { absGo(dst, src) }

func signMul(g, w []float64) { signMulGo(g, w) }

func axpyRows(c, b []float64, ldb int, t []float64, rows []int32) { axpyRowsGo(c, b, ldb, t, rows) }

func mulRows(c []float64, ldc int, a []float64, lda int, b []float64, ldb int, m, n, k int) {
	mulRowsGo(c, ldc, a, lda, b, ldb, m, n, k)
}

func transpose(dst []float64, ldd int, src []float64, lds int, r, c int) {
	transposeGo(dst, ldd, src, lds, r, c)
}

func scatterAxpy(c []float64, ldc int, rows []int32, t, x []float64) {
	scatterAxpyGo(c, ldc, rows, t, x)
}

func reluBias(x, y, b []float64) { reluBiasGo(x, y, b) }

func transposeSignMul(dst []float64, ldd int, src []float64, lds int, r, c int, w []float64, ldw int, clearSrc bool) {
	transposeSignMulGo(dst, ldd, src, lds, r, c, w, ldw, clearSrc, 0, 0)
}
