package force

import (
	"encoding/binary"
	"math/bits"

	"github.com/spikelab/spikelab/neuron"
)

// Filter is a bank of double-exponential synaptic filters given by its
// state arrays and step factors, as synapse.DoubleExp keeps them:
// one step with no input is S ← S·Er + H·Dt, H ← H·Ed.
type Filter struct {
	S, H       []float64
	Er, Ed, Dt float64
}

// fusedLIF is a LIF population with the fused FORCE step: input filter,
// membrane, spike flags and readout filter in one pass over the neurons.
type fusedLIF struct {
	*neuron.LIF
	flags []uint8 // per 4 neurons: spike bits of the last StepFused calls
}

// newFusedLIF wraps m.
func newFusedLIF(m *neuron.LIF) *fusedLIF {
	return &fusedLIF{LIF: m, flags: make([]uint8, m.Len()/4+1)}
}

// fusedConsts are the constants of the fused LIF kernel (layout shared
// with the assembly).
type fusedConsts struct {
	k, bias, peak, tref, t, b, er, ed, dt float64
}

// StepFused advances neurons [lo, hi) by one step of a network whose
// input current is a filtered synaptic current plus a feedback term (the
// FORCE step), in one pass over the neurons:
//
//	I = in.S + b·a      (in.S before the step: the current over the step)
//	in decays one step
//	LIF step with I, as Step (spikes are flagged; read them with Flagged)
//	out decays one step
//
// and returns Σ w·out.S over [lo, hi) with the decayed out.S (a linear
// readout). The operations and roundings of each neuron are those of
// synapse.DoubleExp.DecayAffine, neuron.LIF.Step and synapse.DoubleExp.DecayDot; the
// readout sum is grouped by range. lo must be a multiple of 4; ranges that
// cover [0, Len()) once must be stepped before Flagged is called.
func (m *fusedLIF) StepFused(t float64, lo, hi int, in Filter, a []float64, b float64, out Filter, w []float64) float64 {
	v, tl := m.V[lo:hi], m.TLast[lo:hi]
	inS, inH, a := in.S[lo:hi], in.H[lo:hi], a[lo:hi]
	outS, outH, w := out.S[lo:hi], out.H[lo:hi], w[lo:hi]
	flags := m.flags[lo/4:]
	k := m.Dt / m.P.TauM
	bias, peak, tref := m.P.Bias, m.P.VPeak, m.P.TauRef
	i, sum := 0, 0.0
	if n4 := len(v) &^ 3; useAVX && n4 > 0 && in.Er == out.Er && in.Ed == out.Ed && in.Dt == out.Dt {
		c := fusedConsts{k: k, bias: bias, peak: peak, tref: tref, t: t, b: b, er: in.Er, ed: in.Ed, dt: in.Dt}
		if useAVX512 {
			sum = lifFusedAVX512(&v[0], &tl[0], &inS[0], &inH[0], &a[0], &outS[0], &outH[0], &w[0], &flags[0], n4, &c)
		} else {
			sum = lifFusedAVX(&v[0], &tl[0], &inS[0], &inH[0], &a[0], &outS[0], &outH[0], &w[0], &flags[0], n4, &c)
		}
		i = n4
	}
	for ; i < len(v); i++ {
		if i&3 == 0 {
			flags[i/4] = 0
		}
		I := inS[i] + float64(b*a[i])
		// float64() forbids fusing into an FMA, which the kernels do not use.
		inS[i] = float64(inS[i]*in.Er) + float64(inH[i]*in.Dt)
		inH[i] *= in.Ed
		if t > tl[i]+tref {
			v[i] += float64(k * (I + bias - v[i]))
		}
		if v[i] >= peak {
			tl[i] = t
			flags[i/4] |= 1 << (i & 3)
		}
		outS[i] = float64(outS[i]*out.Er) + float64(outH[i]*out.Dt)
		outH[i] *= out.Ed
		sum += w[i] * outS[i]
	}
	return sum
}

// Flagged appends to spikes, in index order, the neurons that spiked in
// the last StepFused calls.
func (m *fusedLIF) Flagged(spikes []int32) []int32 {
	return appendFlagged(spikes, m.flags[:(len(m.V)+3)/4])
}

// appendFlagged appends to spikes, in index order, 4g+b for every bit b set
// in flags[g].
func appendFlagged(spikes []int32, flags []uint8) []int32 {
	// Spikes are rare: skip eight empty groups at a time.
	g := 0
	for ; g+8 <= len(flags); g += 8 {
		if binary.LittleEndian.Uint64(flags[g:]) == 0 {
			continue
		}
		spikes = appendGroups(spikes, flags[g:g+8], 4*g)
	}
	return appendGroups(spikes, flags[g:], 4*g)
}

func appendGroups(spikes []int32, flags []uint8, lo int) []int32 {
	for g, f := range flags {
		for f != 0 {
			spikes = append(spikes, int32(lo+4*g+bits.TrailingZeros8(f)))
			f &= f - 1
		}
	}
	return spikes
}
