//go:build !amd64 || purego

package neuron

const useAVX = false

func lifExpStepAVX(v, ge, gi, refr *float64, flags *uint8, n int, k *lifExpConsts) {
	panic("unreachable")
}
