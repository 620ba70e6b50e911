//go:build amd64 && !purego

package neuron

import "golang.org/x/sys/cpu"

// useAVX is set when the CPU has AVX2.
var useAVX = cpu.X86.HasAVX2

// useAVX512 is set when the CPU also has AVX-512 F, DQ (KMOVB in the
// eight-lane AdEx kernel) and VL.
var useAVX512 = useAVX && cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL

// lifExpStepAVX advances n neurons (n a multiple of 4) of a LIFExp
// population by one step and sets bit k of flags[j] when neuron 4j+k spikes.
//
//go:noescape
func lifExpStepAVX(v, ge, gi, refr *float64, flags *uint8, n int, k *lifExpConsts)

// lifExpStepAVX512 is lifExpStepAVX for n a multiple of 8, eight lanes
// at a time; instead of flags it writes base + i of every spiking neuron i
// to out (room for n) in index order and returns their number.
//
//go:noescape
func lifExpStepAVX512(v, ge, gi, refr *float64, out *int32, base, n int, k *lifExpConsts) int

// lifStepAVX does LIF.Step for n neurons (n a multiple of 4) and sets bit
// k of flags[j] when neuron 4j+k spikes.
//
//go:noescape
func lifStepAVX(v, tl, I *float64, flags *uint8, n int, c *lifConsts)

// adexStepAVX does AdEx.stepScalar (I == nil) for n neurons (n a multiple
// of 4) and sets bit k of flags[j] when neuron 4j+k spikes.
//
//go:noescape
func adexStepAVX(v, vt, w, tl, ge, gi *float64, flags *uint8, n int, c *adexConsts, e *[19][4]float64)

// cubaStepAVX512 does CUBALIFParams.Step for n neurons (n a multiple of 8)
// with c = (1 − α_u, 1 − α_v, ϑ) and returns the number of spikes.
//
//go:noescape
func cubaStepAVX512(z, u, v, vPre, s *float64, n int, c *[3]float64) int

// cubaStepAVX2 is cubaStepAVX512 for n a multiple of 4, four lanes at a
// time (AVX2 and POPCNT).
//
//go:noescape
func cubaStepAVX2(z, u, v, vPre, s *float64, n int, c *[3]float64) int

// hasPOPCNT is set when the CPU has POPCNT (cubaStepAVX2 counts with it).
var hasPOPCNT = cpu.X86.HasPOPCNT

// adexStepAVX512 is adexStepAVX for n a multiple of 8, eight lanes at a time.
//
//go:noescape
func adexStepAVX512(v, vt, w, tl, ge, gi *float64, flags *uint8, n int, c *adexConsts, e *[19][4]float64)
