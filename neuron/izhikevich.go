package neuron

import (
	"math/rand/v2"

	"github.com/spikelab/spikelab/sim"
)

// IzhikevichParams are the parameters of the Izhikevich neuron of the FORCE
// code, C dv/dt = k(v − vr)(v − vt) − u + I, du/dt = a(b(v − vr) − u).
// Time is in ms, voltage in mV, current in pA, capacitance in pF.
type IzhikevichParams struct {
	C      float64 `yaml:"c_pf"`       // capacitance C (pF); 250
	VR     float64 `yaml:"v_r_mv"`     // resting potential vr (mV); −60
	VT     float64 `yaml:"v_t_mv"`     // threshold parameter vt (mV); vr + 40 − b/k
	K      float64 `yaml:"k"`          // gain k ("ff", nS/mV); 2.5
	A      float64 `yaml:"a_per_ms"`   // adaptation rate a (1/ms); 0.01
	B      float64 `yaml:"b_ns"`       // adaptation coupling b (nS); −2 in the Fig. 2 code, 0 in the paper
	D      float64 `yaml:"d_pa"`       // spike-triggered adaptation jump d (pA); 200
	VPeak  float64 `yaml:"v_peak_mv"`  // spike cut-off (mV); 30
	VReset float64 `yaml:"v_reset_mv"` // reset potential (mV); −65
	Bias   float64 `yaml:"bias_pa"`    // constant bias current BIAS (pA); 1000
}

// DefaultIzhikevich returns the parameters of IZFORCESINE.m (b = −2, so
// vt = −19.2 mV). The paper's b = 0, vt = −20 is IzhikevichB0.
func DefaultIzhikevich() IzhikevichParams {
	p := IzhikevichParams{C: 250, VR: -60, K: 2.5, A: 0.01, B: -2, D: 200, VPeak: 30, VReset: -65, Bias: 1000}
	p.VT = p.VR + 40 - p.B/p.K
	return p
}

// IzhikevichB0 returns the paper's parameters (b = 0, vt = −20 mV), used by
// the Ode to Joy and classification code.
func IzhikevichB0() IzhikevichParams {
	p := DefaultIzhikevich()
	p.B = 0
	p.VT = p.VR + 40
	return p
}

// Validate reports the first unusable parameter.
func (p IzhikevichParams) Validate() error {
	switch {
	case !(p.C > 0):
		return sim.BadParam("Izhikevich", []string{"C"}, "{0} must be > 0, got %g", p.C)
	case !(p.K > 0):
		return sim.BadParam("Izhikevich", []string{"K"}, "{0} must be > 0, got %g", p.K)
	case !(p.VPeak > p.VReset):
		return sim.BadParam("Izhikevich", []string{"VPeak", "VReset"}, "{0} (%g) must exceed {1} (%g)", p.VPeak, p.VReset)
	}
	return nil
}

// Izhikevich is a population of Izhikevich neurons integrated by forward
// Euler; both v and u are advanced from the previous step's values. There is
// no refractory period.
type Izhikevich struct {
	P  IzhikevichParams
	Dt float64   // time step (ms)
	V  []float64 // membrane potential (mV)
	U  []float64 // adaptation current (pA)
}

// NewIzhikevich returns n Izhikevich neurons with step dt (ms).
func NewIzhikevich(n int, dt float64, p IzhikevichParams) *Izhikevich {
	return &Izhikevich{P: p, Dt: dt, V: make([]float64, n), U: make([]float64, n)}
}

// Len returns the number of neurons.
func (m *Izhikevich) Len() int { return len(m.V) }

// Init draws v uniformly on [vr, vpeak] and sets u = 0.
func (m *Izhikevich) Init(rng *rand.Rand) {
	for i := range m.V {
		m.V[i] = m.P.VR + (m.P.VPeak-m.P.VR)*rng.Float64()
		m.U[i] = 0
	}
}

// Step integrates one Euler step and appends spikers.
func (m *Izhikevich) Step(_ float64, I []float64, spikes []int32) []int32 {
	p := m.P
	dtc := m.Dt / p.C
	dta := m.Dt * p.A
	bias := p.Bias
	v, u := m.V, m.U
	I = I[:len(v)]
	u = u[:len(v)]
	for i := range v {
		vo := v[i]
		v[i] = vo + dtc*(p.K*(vo-p.VR)*(vo-p.VT)-u[i]+I[i]+bias)
		u[i] += dta * (p.B*(vo-p.VR) - u[i])
		if v[i] >= p.VPeak {
			spikes = append(spikes, int32(i))
		}
	}
	return spikes
}

// Reset sets v = vreset and u += d for the spikers.
func (m *Izhikevich) Reset(spikes []int32) {
	for _, i := range spikes {
		m.V[i] = m.P.VReset
		m.U[i] += m.P.D
	}
}

// Potential returns v (mV).
func (m *Izhikevich) Potential() []float64 { return m.V }
