//go:build amd64 && !purego

package force

import "golang.org/x/sys/cpu"

// useAVX is set when the CPU has AVX2.
var useAVX = cpu.X86.HasAVX2

// useAVX512 is set when the CPU also has AVX-512 F, DQ and VL.
var useAVX512 = useAVX && cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL

// lifFusedAVX does StepFused's vector part for n neurons (n a multiple of
// 4), with the same filter factors for in and out.
//
//go:noescape
func lifFusedAVX(v, tl, inS, inH, a, outS, outH, w *float64, flags *uint8, n int, c *fusedConsts) float64

// lifFusedAVX512 is lifFusedAVX with eight neurons per iteration and the
// same result bit for bit.
//
//go:noescape
func lifFusedAVX512(v, tl, inS, inH, a, outS, outH, w *float64, flags *uint8, n int, c *fusedConsts) float64
