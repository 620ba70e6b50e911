package neuron

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/spikelab/spikelab/sim"
)

// ALIFParams are the parameters of the adaptive-threshold LIF neuron
// (ALIF). Time in ms, voltage in mV, capacitance in pF, current in pA.
type ALIFParams struct {
	TauMMS     float64 `yaml:"tau_m_ms"`     // membrane time constant τ_m (ms); 20
	CPF        float64 `yaml:"c_pf"`         // membrane capacitance C (pF); 250 (R = τ_m/C = 80 MΩ)
	ELMV       float64 `yaml:"e_l_mv"`       // leak reversal E_L (mV); −70
	VResetMV   float64 `yaml:"v_reset_mv"`   // reset potential V_r (mV); −70
	Theta0MV   float64 `yaml:"theta0_mv"`    // resting threshold θ0 (mV); −50
	BetaMV     float64 `yaml:"beta_mv"`      // threshold jump β per spike (mV); 2
	TauThetaMS float64 `yaml:"tau_theta_ms"` // threshold relaxation τ_θ (ms); 200
	TRefMS     float64 `yaml:"t_ref_ms"`     // refractory period (ms); 2
	TauEMS     float64 `yaml:"tau_e_ms"`     // excitatory synaptic current decay (ms); 5
	TauIMS     float64 `yaml:"tau_i_ms"`     // inhibitory synaptic current decay (ms); 10
	IBiasPA    float64 `yaml:"i_bias_pa"`    // constant bias current (pA); 0
}

// DefaultALIF returns neutral ALIF parameters.
func DefaultALIF() ALIFParams {
	return ALIFParams{TauMMS: 20, CPF: 250, ELMV: -70, VResetMV: -70, Theta0MV: -50, BetaMV: 2, TauThetaMS: 200,
		TRefMS: 2, TauEMS: 5, TauIMS: 10}
}

// Validate reports the first unusable parameter.
func (p ALIFParams) Validate() error {
	for _, f := range []struct {
		n string
		v float64
	}{{"TauMMS", p.TauMMS}, {"CPF", p.CPF}, {"TauThetaMS", p.TauThetaMS}, {"TauEMS", p.TauEMS}, {"TauIMS", p.TauIMS}} {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			return sim.BadParam("ALIF", []string{f.n}, "{0} must be > 0, got %g", f.v)
		}
	}
	switch {
	case !(p.TRefMS >= 0):
		return sim.BadParam("ALIF", []string{"TRefMS"}, "{0} must be >= 0, got %g", p.TRefMS)
	case !(p.BetaMV >= 0):
		return sim.BadParam("ALIF", []string{"BetaMV"}, "{0} must be >= 0, got %g", p.BetaMV)
	case !(p.Theta0MV > p.VResetMV):
		return sim.BadParam("ALIF", []string{"Theta0MV", "VResetMV"}, "{0} (%g) must exceed {1} (%g)", p.Theta0MV, p.VResetMV)
	}
	return nil
}

// ALIF is a group of adaptive-threshold LIF neurons:
//
//	τ_m dV/dt = E_L − V + R·(I_bias + I_e + I_i + I),  R = τ_m/C
//	τ_θ dθ/dt = θ0 − θ,  τ_e dI_e/dt = −I_e,  τ_i dI_i/dt = −I_i
//
// advanced by the exact propagator with the currents held over each step.
// A neuron spikes when V ≥ θ at the end of a step. The reset, applied by
// the frame in slot 7 after propagation and plasticity have seen V at the
// crossing, sets V = V_r, raises θ by β and holds V at V_r for the
// refractory period (round(t_ref/dt) steps; θ keeps relaxing meanwhile).
//
// Inputs: "exc" and "inh" are the synaptic currents I_e, I_i (pA; a weight
// w adds w pA, which then decays), "current" is an extra current I (pA) for
// the next step only.
type ALIF struct {
	P        ALIFParams
	Dt       float64   // time step (ms)
	V        []float64 // membrane potential (mV)
	Theta    []float64 // threshold θ (mV)
	IE, II   []float64 // synaptic currents (pA)
	I        []float64 // extra current of the next step (pA), cleared by Step
	refr     []int32   // remaining refractory steps
	em, eth  float64
	ee, ei   float64
	r        float64 // R = τ_m/C (GΩ: pA·GΩ = mV)
	refSteps int32
}

// NewALIF returns n ALIF neurons at rest (V = E_L, θ = θ0).
func NewALIF(env sim.Env, n int, p ALIFParams) (*ALIF, error) {
	if err := checkGroup(env, n); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	dt := env.DtMS
	m := &ALIF{P: p, Dt: dt, V: make([]float64, n), Theta: make([]float64, n), IE: make([]float64, n),
		II: make([]float64, n), I: make([]float64, n), refr: make([]int32, n),
		em: math.Exp(-dt / p.TauMMS), eth: math.Exp(-dt / p.TauThetaMS), ee: math.Exp(-dt / p.TauEMS),
		ei: math.Exp(-dt / p.TauIMS), r: p.TauMMS / p.CPF, refSteps: int32(math.Round(p.TRefMS / dt))}
	for i := range m.V {
		m.V[i], m.Theta[i] = p.ELMV, p.Theta0MV
	}
	return m, nil
}

func newALIFFromParams(env sim.Env, n int, params map[string]float64) (sim.Group, error) {
	p := DefaultALIF()
	if err := setParams("alif", params, map[string]*float64{"tau_m_ms": &p.TauMMS, "c_pf": &p.CPF, "e_l_mv": &p.ELMV,
		"v_reset_mv": &p.VResetMV, "theta0_mv": &p.Theta0MV, "beta_mv": &p.BetaMV, "tau_theta_ms": &p.TauThetaMS,
		"t_ref_ms": &p.TRefMS, "tau_e_ms": &p.TauEMS, "tau_i_ms": &p.TauIMS, "i_bias_pa": &p.IBiasPA}); err != nil {
		return nil, err
	}
	return NewALIF(env, n, p)
}

// Len returns the number of neurons.
func (m *ALIF) Len() int { return len(m.V) }

// Init draws V uniformly on [V_r, θ0] and sets θ = θ0, no current, not refractory.
func (m *ALIF) Init(rng *rand.Rand) {
	for i := range m.V {
		m.V[i] = m.P.VResetMV + rng.Float64()*(m.P.Theta0MV-m.P.VResetMV)
		m.Theta[i], m.IE[i], m.II[i], m.refr[i] = m.P.Theta0MV, 0, 0, 0
	}
}

// Step advances every neuron by one step and appends those with V ≥ θ.
func (m *ALIF) Step(_ *sim.StepContext, spikes []int32) []int32 {
	p := m.P
	v, th, ie, ii, cur, refr := m.V, m.Theta, m.IE, m.II, m.I, m.refr
	th, ie, ii, cur, refr = th[:len(v)], ie[:len(v)], ii[:len(v)], cur[:len(v)], refr[:len(v)]
	for i := range v {
		th[i] = p.Theta0MV + (th[i]-p.Theta0MV)*m.eth
		if refr[i] > 0 {
			refr[i]--
		} else {
			vinf := p.ELMV + m.r*(p.IBiasPA+ie[i]+ii[i]+cur[i])
			v[i] = vinf + (v[i]-vinf)*m.em
			if v[i] >= th[i] {
				spikes = append(spikes, int32(i))
			}
		}
		ie[i] *= m.ee
		ii[i] *= m.ei
		cur[i] = 0
	}
	return spikes
}

// Reset sets V = V_r, raises θ by β and starts the refractory period.
func (m *ALIF) Reset(spikes []int32) {
	for _, i := range spikes {
		m.V[i] = m.P.VResetMV
		m.Theta[i] += m.P.BetaMV
		m.refr[i] = m.refSteps
	}
}

// Potential returns V (mV).
func (m *ALIF) Potential() []float64 { return m.V }

// Input returns I_e ("exc"), I_i ("inh") or the one-step current ("current"), all in pA.
func (m *ALIF) Input(name string) ([]float64, error) {
	switch name {
	case "exc":
		return m.IE, nil
	case "inh":
		return m.II, nil
	case "current":
		return m.I, nil
	}
	return nil, fmt.Errorf("ALIF group has inputs \"exc\", \"inh\" and \"current\" (pA), not %q", name)
}
