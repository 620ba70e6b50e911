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

func adamOuterAVX(par, col, mom, vel *float64, n int, k *AdamStep, s float64) {
	panic("unreachable")
}

func adamOuterDotAVX512(par, col, mom, vel *float64, n int, k *AdamStep, s float64, x *float64, lanes *[4]float64, dstart int, dmask uint64) {
	panic("unreachable")
}

func adamOuterDotAVX(par, col, mom, vel *float64, n int, k *AdamStep, s float64, x *float64, lanes *[4]float64, dstart int, dmask *[4]uint64) {
	panic("unreachable")
}

// useAVX2 is false: no vector kernels on this platform or build.
var useAVX2 = false

func filtersAVX(u, vb, v *float64, n int, ku, kv float64) { panic("unreachable") }

func dotAxpy32(row []float32, x, y []float64, a float64) float64 { return dotAxpy32Go(row, x, y, a) }

func widen(dst []float64, src []float32) { widenGo(dst, src) }

func narrow(dst []float32, src []float64) { narrowGo(dst, src) }

func dotAxpy32x4(p []float32, stride int, x, y []float64, a, dots *[4]float64) {
	dotAxpy32x4Go(p, stride, x, y, a, dots)
}

func rank32x4(p []float32, pstride, cols int, v, a []float64, vstride, m int) {
	rank32x4Go(p, pstride, cols, v, a, vstride, m)
}

var useAVX512F = false

func ltpPostsAVX512(v, vb *float64, n int, thP, thD float64, flags *uint8) { panic("unreachable") }

func ltpSelectAVX512(pre, idx *int32, n int, x *float64, cut float64, oIdx *int32, oX *float64) int {
	panic("unreachable")
}

var useLTPAVX = false

func ltpPostsAVX(v, vb *float64, n int, thP, thD float64, flags *uint8) { panic("unreachable") }

func ltpSelectAVX(pre, idx *int32, n int, x *float64, cut float64, oIdx *int32, oX *float64) int {
	panic("unreachable")
}

var useNormAsm = false

func normShiftSumAsm(w *float64, post *int32, n int, d, dst *float64, lo, hi float64) {
	panic("unreachable")
}

func normShiftSum16Asm(w *float64, post *uint16, n int, d, dst *float64, lo, hi float64) {
	panic("unreachable")
}

func setAdamKernels(on bool) bool { return false }

func dotAxpy16x4(p []uint16, stride int, x, y []float64, a, dots *[4]float64) {
	dotAxpy16x4Go(p, stride, x, y, a, dots)
}

func rank16x4(p []uint16, pstride, cols int, v, a []float64, vstride, m int) {
	rank16Go(p, pstride, 4, cols, v, a, vstride, m)
}

func narrow16(dst []uint16, src []float64) {
	for j := range dst {
		dst[j] = halfFrom64(src[j])
	}
}

// useHalf is false: no vector kernels on this platform or build.
var useHalf = false

// useHalfAVX is false: no vector kernels on this platform or build.
var useHalfAVX = false

// halfLanes is the number of partial sums per row of dotAxpy16x4: 16, as
// dotAxpy16x4Go.
func halfLanes() int { return 16 }
