package neuron

import (
	"math"
	"math/rand/v2"

	"github.com/spikelab/spikelab/sim"
)

// LIFExpParams are the parameters of a current-based LIF neuron with two
// exponentially decaying synaptic input channels (excitatory ge and
// inhibitory gi, in mV), as in the Vogels–Abbott CUBA benchmark:
//
//	τm dv/dt = (ge + gi − (v − El)),  τe dge/dt = −ge,  τi dgi/dt = −gi
//
// v is clamped during the refractory period, while ge and gi keep decaying.
// Time is in ms, voltage in mV.
type LIFExpParams struct {
	TauM   float64 `yaml:"tau_m_ms"`   // membrane time constant τm (ms)
	TauE   float64 `yaml:"tau_e_ms"`   // excitatory synaptic time constant τe (ms)
	TauI   float64 `yaml:"tau_i_ms"`   // inhibitory synaptic time constant τi (ms)
	VT     float64 `yaml:"v_t_mv"`     // threshold Vt (mV); spike when v > Vt
	VR     float64 `yaml:"v_r_mv"`     // reset Vr (mV)
	EL     float64 `yaml:"e_l_mv"`     // leak reversal El (mV)
	TauRef float64 `yaml:"tau_ref_ms"` // refractory period (ms)
}

// DefaultLIFExp returns a neutral current-based LIF neuron: τm = 20 ms,
// τe = 5 ms, τi = 10 ms, threshold −50 mV, reset and leak reversal −60 mV,
// 2 ms refractory period (it fires only with input).
func DefaultLIFExp() LIFExpParams {
	return LIFExpParams{TauM: 20, TauE: 5, TauI: 10, VT: -50, VR: -60, EL: -60, TauRef: 2}
}

// Validate reports the first unusable parameter.
func (p LIFExpParams) Validate() error {
	for _, f := range []struct {
		n string
		v float64
	}{{"TauM", p.TauM}, {"TauE", p.TauE}, {"TauI", p.TauI}} {
		if !(f.v > 0) {
			return sim.BadParam("LIFExp", []string{f.n}, "{0} must be > 0, got %g", f.v)
		}
	}
	if p.TauE == p.TauM || p.TauI == p.TauM {
		return sim.BadParam("LIFExp", []string{"TauE", "TauI", "TauM"}, "{0} and {1} must differ from {2}")
	}
	if !(p.TauRef >= 0) {
		return sim.BadParam("LIFExp", []string{"TauRef"}, "{0} must be >= 0, got %g", p.TauRef)
	}
	if !(p.VT > p.VR) {
		return sim.BadParam("LIFExp", []string{"VT", "VR"}, "{0} (%g) must exceed {1} (%g)", p.VT, p.VR)
	}
	return nil
}

// LIFExp is a population of current-based LIF neurons with exponential
// synaptic currents, advanced by the exact propagator of the linear system
// over one step (no integration error). Synaptic inputs are added to GE and
// GI (mV) by the caller after Step, so they act from the next step on.
type LIFExp struct {
	P      LIFExpParams
	Dt     float64   // time step (ms)
	V      []float64 // membrane potential (mV)
	GE, GI []float64 // synaptic currents (mV)
	refr   []float64 // remaining refractory steps (whole numbers)
	// exact propagator
	em, ee, ei, ke, ki float64
	refSteps           float64
	team               *sim.Team
	parts              [][]int32
	flags              []uint8     // per 4 neurons: bit k set if neuron 4j+k spiked (vector kernel)
	idx                []int32     // the spikers' indices from the eight-lane kernel, each block in its own range
	drive              []float64   // Step's I during a split Step
	block              func(b int) // stepBlock, bound once (no closure per Step)
}

// NewLIFExp returns n neurons with step dt (ms). With a team of several
// workers (nil: none) the update is split among them; spikes stay in
// index order.
func NewLIFExp(n int, dt float64, p LIFExpParams, team *sim.Team) *LIFExp {
	m := &LIFExp{P: p, Dt: dt, V: make([]float64, n), GE: make([]float64, n), GI: make([]float64, n), refr: make([]float64, n), flags: make([]uint8, n/4+1), idx: make([]int32, n)}
	m.em = math.Exp(-dt / p.TauM)
	m.ee = math.Exp(-dt / p.TauE)
	m.ei = math.Exp(-dt / p.TauI)
	m.ke = p.TauE / (p.TauE - p.TauM) * (m.ee - m.em)
	m.ki = p.TauI / (p.TauI - p.TauM) * (m.ei - m.em)
	// Brian2 counts a neuron refractory while t − t_spike < τref.
	m.refSteps = math.Round(p.TauRef / dt)
	m.team = team
	m.parts = make([][]int32, lifExpBlocks(n, team.Workers()))
	for b := range m.parts {
		m.parts[b] = make([]int32, 0, n/len(m.parts)+1)
	}
	m.block = m.stepBlock
	return m
}

// lifExpBlocks is the number of blocks the population is split into: one
// per worker, and none below 4096 neurons each, where the hand-off costs
// more than it saves (on a 2-core VM: 1.13× faster at 4000 neurons on two
// workers, 1.64× at 16 000, 1.84× at 64 000).
func lifExpBlocks(n, workers int) int {
	b := min(workers, n/4096)
	return max(b, 1)
}

// Len returns the number of neurons.
func (m *LIFExp) Len() int { return len(m.V) }

// Init draws v uniformly on [Vr, Vt] and clears the currents.
func (m *LIFExp) Init(rng *rand.Rand) {
	for i := range m.V {
		m.V[i] = m.P.VR + rng.Float64()*(m.P.VT-m.P.VR)
		m.GE[i], m.GI[i], m.refr[i] = 0, 0, 0
	}
}

// Step advances every neuron by one step; I (mV, may be nil) is an extra
// constant drive added to the leak reversal for this step. Spikers are
// reset at once (v = Vr) and become refractory; they are appended to spikes
// in index order.
func (m *LIFExp) Step(_ float64, I []float64, spikes []int32) []int32 {
	nb := len(m.parts)
	if nb == 1 {
		return m.step(0, len(m.V), I, spikes)
	}
	m.drive = I
	m.team.Each(nb, m.block)
	m.drive = nil
	for _, p := range m.parts {
		spikes = append(spikes, p...)
	}
	return spikes
}

// stepBlock advances block b of a split Step.
func (m *LIFExp) stepBlock(b int) {
	n, nb := len(m.V), len(m.parts)
	// Block boundaries are multiples of 4 for the vector kernel.
	lo, hi := (b*n/nb)&^3, ((b+1)*n/nb)&^3
	if b == nb-1 {
		hi = n
	}
	m.parts[b] = m.step(lo, hi, m.drive, m.parts[b][:0])
}

func (m *LIFExp) step(lo, hi int, I []float64, spikes []int32) []int32 {
	if I == nil && useAVX && lo%4 == 0 {
		// The vector kernel takes whole groups of four; the rest falls through.
		n4 := (hi - lo) &^ 3
		if n4 > 0 {
			spikes = m.stepVec(lo, lo+n4, spikes)
			lo += n4
		}
	}
	p := m.P
	em, ee, ei, ke, ki := m.em, m.ee, m.ei, m.ke, m.ki
	restart := max(m.refSteps-1, 0)
	v, ge, gi, refr := m.V[lo:hi], m.GE[lo:hi], m.GI[lo:hi], m.refr[lo:hi]
	ge, gi, refr = ge[:len(v)], gi[:len(v)], refr[:len(v)]
	el := p.EL
	for i := range v {
		e, g := ge[i], gi[i]
		if refr[i] > 0 {
			refr[i]--
		} else {
			if I != nil {
				el = p.EL + I[lo+i]
			}
			// Same operations in the same order as the vector kernel.
			// float64() forbids fusing into FMAs, which the kernel does not use.
			x := el + float64((v[i]-el)*em) + float64(ke*e) + float64(ki*g)
			if x > p.VT {
				x = p.VR
				refr[i] = restart
				spikes = append(spikes, int32(lo+i))
			}
			v[i] = x
		}
		ge[i], gi[i] = e*ee, g*ei
	}
	return spikes
}

// stepVec advances neurons [lo, hi) (lo and hi multiples of 4, no extra
// drive) with the vector kernel and appends the spikers in index order.
func (m *LIFExp) stepVec(lo, hi int, spikes []int32) []int32 {
	k := lifExpConsts{el: m.P.EL, em: m.em, ke: m.ke, ki: m.ki, ee: m.ee, ei: m.ei,
		vt: m.P.VT, vr: m.P.VR, restart: max(m.refSteps-1, 0)}
	n8 := 0
	if useAVX512 {
		// Eight lanes for whole groups of eight, writing the spikers' indices
		// into idx[lo:]; a last group of four on four lanes.
		if n8 = (hi - lo) &^ 7; n8 > 0 {
			c := lifExpStepAVX512(&m.V[lo], &m.GE[lo], &m.GI[lo], &m.refr[lo], &m.idx[lo], lo, n8, &k)
			spikes = append(spikes, m.idx[lo:lo+c]...)
		}
	}
	if lo += n8; lo == hi {
		return spikes
	}
	flags := m.flags[lo/4 : hi/4]
	lifExpStepAVX(&m.V[lo], &m.GE[lo], &m.GI[lo], &m.refr[lo], &flags[0], hi-lo, &k)
	return appendFlagged(spikes, flags, lo)
}

// lifExpConsts are the propagator constants passed to the vector kernel
// (layout shared with the assembly).
type lifExpConsts struct {
	el, em, ke, ki, ee, ei, vt, vr, restart float64
}

// Reset does nothing: LIFExp resets inside Step, as Brian2 and NEST do
// before synaptic propagation.
func (m *LIFExp) Reset([]int32) {}

// Potential returns v (mV).
func (m *LIFExp) Potential() []float64 { return m.V }
