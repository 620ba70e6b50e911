//go:build !amd64 || purego

package synapse

// useAVX is false: no vector kernels on this platform or build.
var useAVX = false

func decayAVX(s, h *float64, n int, er, ed, dt float64) { panic("unreachable") }

func decayAffineAVX(s, h, out, a *float64, n int, b, er, ed, dt float64) { panic("unreachable") }

func decayDotAVX(s, h, w *float64, n int, er, ed, dt float64) float64 { panic("unreachable") }

func condStepAVX(xr, xd, out, s *float64, n int, ar, ad, inv float64) { panic("unreachable") }

func poissonAVX2(st *[2]uint64, thr *uint64, w, tg *float64, scratch *uint64, groups int) (events, tails int) {
	panic("unreachable")
}
