//go:build !amd64 || purego

package neuron

// useAVX is false: no vector kernels on this platform or build.
var useAVX = false

// useAVX512 is false: no vector kernels on this platform or build.
var useAVX512 = false

func lifExpStepAVX(v, ge, gi, refr *float64, flags *uint8, n int, k *lifExpConsts) {
	panic("unreachable")
}

func lifExpStepAVX512(v, ge, gi, refr *float64, out *int32, base, n int, k *lifExpConsts) int {
	panic("unreachable")
}

func lifStepAVX(v, tl, I *float64, flags *uint8, n int, c *lifConsts) {
	panic("unreachable")
}

func adexStepAVX(v, vt, w, tl, ge, gi *float64, flags *uint8, n int, c *adexConsts, e *[19][4]float64) {
	panic("unreachable")
}

func cubaStepAVX512(z, u, v, vPre, s *float64, n int, c *[3]float64) int {
	panic("unreachable")
}

func cubaStepAVX2(z, u, v, vPre, s *float64, n int, c *[3]float64) int {
	panic("unreachable")
}

// hasPOPCNT is false: no vector kernels on this platform or build.
const hasPOPCNT = false

func adexStepAVX512(v, vt, w, tl, ge, gi *float64, flags *uint8, n int, c *adexConsts, e *[19][4]float64) {
	panic("unreachable")
}
