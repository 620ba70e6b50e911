//go:build amd64 && !purego

package synapse

import "golang.org/x/sys/cpu"

// useAVX is set when the CPU has AVX2.
var useAVX = cpu.X86.HasAVX2

// decayAVX does s = s*er + h*dt; h = h*ed for n filters (n a multiple of 4).
//
//go:noescape
func decayAVX(s, h *float64, n int, er, ed, dt float64)
