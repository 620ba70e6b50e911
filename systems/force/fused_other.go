//go:build !amd64 || purego

package force

// useAVX is false: no vector kernels on this platform or build.
var useAVX = false

// useAVX512 is false: no vector kernels on this platform or build.
var useAVX512 = false

func lifFusedAVX(v, tl, inS, inH, a, outS, outH, w *float64, flags *uint8, n int, c *fusedConsts) float64 {
	panic("unreachable")
}

func lifFusedAVX512(v, tl, inS, inH, a, outS, outH, w *float64, flags *uint8, n int, c *fusedConsts) float64 {
	panic("unreachable")
}
