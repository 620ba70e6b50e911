package neuron

import (
	"math"
	"math/rand/v2"

	"github.com/spikelab/spikelab/sim"
)

// AdExParams are the parameters of the conductance-based adaptive
// exponential integrate-and-fire neuron with a spike-triggered adaptive
// threshold (Litwin-Kumar & Doiron 2014; Maes et al. 2020). Time is in ms,
// voltage in mV, capacitance in pF, conductance in nS and current in pA.
type AdExParams struct {
	C       float64 `yaml:"c_pf"`         // membrane capacitance C (pF); 300
	TauM    float64 `yaml:"tau_m_ms"`     // membrane time constant τ = C/g_L (ms); 20
	EL      float64 `yaml:"e_l_mv"`       // leak reversal E_L (mV); −70
	DeltaT  float64 `yaml:"delta_t_mv"`   // slope factor Δ_T (mV); 2 (0 gives a LIF with threshold V_T)
	VT0     float64 `yaml:"v_t0_mv"`      // resting threshold V_T0 (mV); −52
	AT      float64 `yaml:"a_t_mv"`       // threshold jump A_T (mV); 10
	TauT    float64 `yaml:"tau_t_ms"`     // threshold relaxation τ_T (ms); 30
	SetT    bool    `yaml:"set_thresh"`   // on a spike V_T := V_T0 + A_T (true) or V_T += A_T (false)
	A       float64 `yaml:"a_ns"`         // subthreshold adaptation a (nS); 0
	B       float64 `yaml:"b_pa"`         // spike-triggered adaptation b (pA); 1000
	TauW    float64 `yaml:"tau_w_ms"`     // adaptation time constant τ_w (ms); 100
	VPeak   float64 `yaml:"v_peak_mv"`    // spike detection V_peak (mV); 20 (unused when Δ_T = 0: the threshold is V_T)
	VReset  float64 `yaml:"v_reset_mv"`   // reset V_r (mV); −60
	TauRef  float64 `yaml:"tau_ref_ms"`   // absolute refractory period (ms); 5
	EE      float64 `yaml:"e_e_mv"`       // excitatory reversal E_E (mV); 0
	EI      float64 `yaml:"e_i_mv"`       // inhibitory reversal E_I (mV); −75
	VInitLo float64 `yaml:"v_init_lo_mv"` // initial V is uniform in [VInitLo, VInitHi] (mV); −60
	VInitHi float64 `yaml:"v_init_hi_mv"` // (mV); −52
}

// DefaultAdEx returns a neutral adaptive exponential integrate-and-fire
// neuron (Brette & Gerstner 2005's regular-spiking values: C = 281 pF,
// g_L = 30 nS, E_L = −70.6 mV, V_T = −50.4 mV, Δ_T = 2 mV, a = 4 nS,
// b = 80.5 pA, τ_w = 144 ms), no threshold adaptation, a 2 ms refractory
// period, reversal potentials 0 and −75 mV.
func DefaultAdEx() AdExParams {
	return AdExParams{C: 281, TauM: 281.0 / 30, EL: -70.6, DeltaT: 2, VT0: -50.4, AT: 0, TauT: 30, SetT: false,
		A: 4, B: 80.5, TauW: 144, VPeak: 20, VReset: -70.6, TauRef: 2, EE: 0, EI: -75, VInitLo: -70.6, VInitHi: -60}
}

// Validate reports the first unusable parameter (a *sim.ParamError).
func (p AdExParams) Validate() error {
	pos := []struct {
		n string
		v float64
	}{{"C", p.C}, {"TauM", p.TauM}, {"TauT", p.TauT}, {"TauW", p.TauW}}
	for _, f := range pos {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			return sim.BadParam("AdEx", []string{f.n}, "{0} must be > 0, got %g", f.v)
		}
	}
	switch {
	case !(p.DeltaT >= 0):
		return sim.BadParam("AdEx", []string{"DeltaT"}, "{0} must be >= 0, got %g", p.DeltaT)
	case !(p.TauRef >= 0):
		return sim.BadParam("AdEx", []string{"TauRef"}, "{0} must be >= 0, got %g", p.TauRef)
	case p.DeltaT > 0 && !(p.VPeak > p.VReset):
		return sim.BadParam("AdEx", []string{"VPeak", "VReset"}, "{0} (%g) must exceed {1} (%g)", p.VPeak, p.VReset)
	case !(p.VInitHi >= p.VInitLo):
		return sim.BadParam("AdEx", []string{"VInitHi", "VInitLo"}, "{0} (%g) must be >= {1} (%g)", p.VInitHi, p.VInitLo)
	}
	return nil
}

// AdEx is a population of conductance-based AdEx neurons with an adaptive
// threshold, integrated by forward Euler with step Dt (ms):
//
//	C dV/dt = g_L(E_L − V) + g_L Δ_T exp((V − V_T)/Δ_T) + g_E(E_E − V) + g_I(E_I − V) − w + I
//	dV_T/dt = (V_T0 − V_T)/τ_T          dw/dt = (a(V − E_L) − w)/τ_w
//
// with g_L = C/τ. V_T and w are advanced first, from the V of the previous
// step; V is then integrated unless the neuron is refractory
// (t ≤ t_last + τ_ref), and a neuron with V > V_peak spikes: V := V_r,
// w += b, V_T := V_T0 + A_T (or += A_T), t_last := t. With Δ_T = 0 the
// exponential term vanishes and the neuron is a conductance-based LIF that
// spikes when V > V_T (V_peak is then unused).
//
// The caller writes the conductances of the step into GE and GI (nS)
// before Step. Unlike the FORCE models, Step applies the reset itself
// (Reset is a no-op), because the adaptation and threshold jumps belong to
// the same step in the reference code.
type AdEx struct {
	P     AdExParams
	Dt    float64   // time step (ms)
	V     []float64 // membrane potential (mV)
	VT    []float64 // threshold V_T (mV)
	W     []float64 // adaptation current w (pA)
	TLast []float64 // time of the last spike (ms); −∞-like before the first
	GE    []float64 // excitatory conductance of this step (nS), set by the caller
	GI    []float64 // inhibitory conductance of this step (nS), set by the caller
	flags []uint8   // per 4 neurons: bit k set if neuron 4j+k spiked (vector kernel)
}

// NewAdEx returns n neurons with step dt (ms), at rest.
func NewAdEx(n int, dt float64, p AdExParams) *AdEx {
	m := &AdEx{P: p, Dt: dt, V: make([]float64, n), VT: make([]float64, n), W: make([]float64, n),
		TLast: make([]float64, n), GE: make([]float64, n), GI: make([]float64, n), flags: make([]uint8, n/4+1)}
	for i := range m.V {
		m.V[i], m.VT[i], m.TLast[i] = p.EL, p.VT0, -1e9
	}
	return m
}

// Len returns the number of neurons.
func (m *AdEx) Len() int { return len(m.V) }

// Init draws V uniformly on [VInitLo, VInitHi] and sets V_T = V_T0, w = 0
// and t_last = −100 ms (as sim.jl).
func (m *AdEx) Init(rng *rand.Rand) {
	for i := range m.V {
		m.V[i] = m.P.VInitLo + rng.Float64()*(m.P.VInitHi-m.P.VInitLo)
		m.VT[i], m.W[i], m.TLast[i] = m.P.VT0, 0, -100
	}
}

// Potential returns V (aliases the state).
func (m *AdEx) Potential() []float64 { return m.V }

// Reset does nothing: Step resets spiking neurons itself.
func (m *AdEx) Reset([]int32) {}

// Step advances every neuron by one step ending at time t (ms) with the
// conductances in GE, GI and the extra current I (pA; nil for none), and
// appends the indices of the neurons that spiked (already reset).
func (m *AdEx) Step(t float64, I []float64, spikes []int32) []int32 {
	return m.StepRange(0, len(m.V), t, I, spikes)
}

// StepRange is Step restricted to neurons [lo, hi) (for parallel blocks).
// The exponential term uses Exp (within 6e−16 of math.Exp). With I == nil
// and AVX2, groups of four neurons run in a vector kernel that performs the
// same operations in the same order as the scalar loop (no fused
// multiply-add), so the result does not depend on the path or the block
// boundaries.
func (m *AdEx) StepRange(lo, hi int, t float64, I []float64, spikes []int32) []int32 {
	if I == nil && useAVX && len(m.flags) > 0 {
		a := min((lo+3)&^3, hi) // first group boundary
		spikes = m.stepScalar(lo, a, t, nil, spikes)
		if n4 := (hi - a) &^ 3; n4 > 0 {
			spikes = m.stepVec(a, a+n4, t, spikes)
			a += n4
		}
		return m.stepScalar(a, hi, t, nil, spikes)
	}
	return m.stepScalar(lo, hi, t, I, spikes)
}

func (m *AdEx) stepScalar(lo, hi int, t float64, I []float64, spikes []int32) []int32 {
	if lo >= hi {
		return spikes
	}
	p := m.P
	dt := m.Dt
	invTau, invC := 1/p.TauM, 1/p.C
	kT, kW := dt/p.TauT, dt/p.TauW
	v, vt, w, tl := m.V[lo:hi], m.VT[lo:hi], m.W[lo:hi], m.TLast[lo:hi]
	ge, gi := m.GE[lo:hi], m.GI[lo:hi]
	vt, w, tl, ge, gi = vt[:len(v)], w[:len(v)], tl[:len(v)], ge[:len(v)], gi[:len(v)]
	var cur []float64
	if I != nil {
		cur = I[lo:hi]
	}
	exp := p.DeltaT > 0
	invDT := 0.0
	if exp {
		invDT = 1 / p.DeltaT
	}
	vtSet := p.VT0 + p.AT
	// The float64() conversions forbid fused multiply-adds, which the
	// vector kernel does not use either.
	for i := range v {
		vi := v[i]
		vtn := vt[i] + float64(kT*(p.VT0-vt[i]))
		wn := w[i] + float64(kW*(float64(p.A*(vi-p.EL))-w[i]))
		vt[i], w[i] = vtn, wn
		if !(t > tl[i]+p.TauRef) {
			continue
		}
		dv := float64((p.EL - vi) * invTau)
		if exp {
			dv += float64(float64(p.DeltaT*Exp(float64((vi-vtn)*invDT))) * invTau)
		}
		dv += float64((float64(ge[i]*(p.EE-vi)) + float64(gi[i]*(p.EI-vi)) - wn) * invC)
		if cur != nil {
			dv += float64(cur[i] * invC)
		}
		vi += float64(dt * dv)
		thr := p.VPeak
		if !exp {
			thr = vtn
		}
		if vi > thr {
			vi = p.VReset
			w[i] = wn + p.B
			if p.SetT {
				vt[i] = vtSet
			} else {
				vt[i] = vtn + p.AT
			}
			tl[i] = t
			spikes = append(spikes, int32(lo+i))
		}
		v[i] = vi
	}
	return spikes
}

// stepVec runs the vector kernel on [lo, hi) (lo and hi multiples of 4).
func (m *AdEx) stepVec(lo, hi int, t float64, spikes []int32) []int32 {
	p := m.P
	var c adexConsts
	set := func(k int, x float64) { c.k[k] = [4]float64{x, x, x, x} }
	dt := m.Dt
	set(adexKT, dt/p.TauT)
	set(adexVT0, p.VT0)
	set(adexKW, dt/p.TauW)
	set(adexA, p.A)
	set(adexEL, p.EL)
	set(adexTRef, p.TauRef)
	set(adexT, t)
	set(adexInvTau, 1/p.TauM)
	set(adexDeltaT, p.DeltaT)
	if p.DeltaT > 0 {
		set(adexInvDT, 1/p.DeltaT)
		c.exp = 1
	}
	set(adexEE, p.EE)
	set(adexEI, p.EI)
	set(adexInvC, 1/p.C)
	set(adexDt, dt)
	set(adexVPeak, p.VPeak)
	set(adexVReset, p.VReset)
	set(adexB, p.B)
	set(adexAT, p.AT)
	set(adexVTSet, p.VT0+p.AT)
	if p.SetT {
		set(adexSetMask, math.Float64frombits(^uint64(0)))
	}
	flags := m.flags[lo/4 : hi/4]
	n := hi - lo
	if n8 := n &^ 7; useAVX512 && n8 > 0 {
		adexStepAVX512(&m.V[lo], &m.VT[lo], &m.W[lo], &m.TLast[lo], &m.GE[lo], &m.GI[lo], &flags[0], n8, &c, &expVec)
		if a := lo + n8; a < hi {
			adexStepAVX(&m.V[a], &m.VT[a], &m.W[a], &m.TLast[a], &m.GE[a], &m.GI[a], &flags[n8/4], n-n8, &c, &expVec)
		}
	} else {
		adexStepAVX(&m.V[lo], &m.VT[lo], &m.W[lo], &m.TLast[lo], &m.GE[lo], &m.GI[lo], &flags[0], n, &c, &expVec)
	}
	return appendFlagged(spikes, flags, lo)
}

// Indices of the broadcast constants of the AdEx kernel (layout shared
// with the assembly: entry k at byte offset 32·k).
const (
	adexKT = iota
	adexVT0
	adexKW
	adexA
	adexEL
	adexTRef
	adexT
	adexInvTau
	adexDeltaT
	adexInvDT
	adexEE
	adexEI
	adexInvC
	adexDt
	adexVPeak
	adexVReset
	adexB
	adexAT
	adexVTSet
	adexSetMask
	adexNConst
)

// adexConsts are the per-call constants of the AdEx kernel, each
// broadcast to four lanes, and whether the exponential term is on.
type adexConsts struct {
	k   [adexNConst][4]float64
	exp int64
}

// expVec holds the constants of Exp broadcast to four lanes for the
// kernel: lo, hi, log2e, magic, ln2hi, ln2lo, then the 13 polynomial
// coefficients in Horner order.
var expVec = func() (e [19][4]float64) {
	c := expConst
	for k, x := range append([]float64{c.lo, c.hi, c.log2e, c.magic, c.ln2hi, c.ln2lo}, c.poly[:]...) {
		e[k] = [4]float64{x, x, x, x}
	}
	return e
}()
