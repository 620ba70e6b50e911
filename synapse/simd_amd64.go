//go:build amd64 && !purego

package synapse

import "golang.org/x/sys/cpu"

// useAVX is set when the CPU has AVX2.
var useAVX = cpu.X86.HasAVX2

// decayAVX does s = s*er + h*dt; h = h*ed for n filters (n a multiple of 4).
//
//go:noescape
func decayAVX(s, h *float64, n int, er, ed, dt float64)

// decayAffineAVX does out = s + b*a, then the decay, for n filters (n a multiple of 4).
//
//go:noescape
func decayAffineAVX(s, h, out, a *float64, n int, b, er, ed, dt float64)

// decayDotAVX does the decay for n filters (n a multiple of 4) and returns Σ w·s.
//
//go:noescape
func decayDotAVX(s, h, w *float64, n int, er, ed, dt float64) float64

// condStepAVX does CondDiffExp.StepRange for n conductances (n a multiple of 4).
//
//go:noescape
func condStepAVX(xr, xd, out, s *float64, n int, ar, ad, inv float64)

// poissonAVX2 draws the Poisson counts of groups×4 neurons (see
// Poisson.Add and the kernel's comment in simd_amd64.s).
//
//go:noescape
func poissonAVX2(st *[2]uint64, thr *uint64, w, tg *float64, scratch *uint64, groups int) (events, tails int)
