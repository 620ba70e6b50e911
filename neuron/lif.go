package neuron

import (
	"math/rand/v2"

	"github.com/spikelab/spikelab/sim"
)

// LIFParams are the parameters of the leaky integrate-and-fire neuron of the
// FORCE code (Nicola & Clopath 2017, LIFFORCESINE.m). Time is in seconds and
// voltage in "mV"; the input current is in mV (it is added to the bias and
// relaxes v towards it with time constant TauM).
type LIFParams struct {
	TauM   float64 `yaml:"tau_m_s"`    // membrane time constant τm (s); 0.01
	TauRef float64 `yaml:"tau_ref_s"`  // absolute refractory period τref (s); 0.002
	VReset float64 `yaml:"v_reset_mv"` // reset potential (mV); −65
	VPeak  float64 `yaml:"v_peak_mv"`  // spike threshold (mV); −40
	Bias   float64 `yaml:"bias_mv"`    // constant bias current BIAS (mV); −40 = VPeak
	// VInitHigh is the upper end of the uniform initial potential
	// U(VReset, VInitHigh) (mV); the reference uses 30.
	VInitHigh float64 `yaml:"v_init_high_mv"`
}

// DefaultLIF returns the parameters of LIFFORCESINE.m.
func DefaultLIF() LIFParams {
	return LIFParams{TauM: 0.01, TauRef: 0.002, VReset: -65, VPeak: -40, Bias: -40, VInitHigh: 30}
}

// Validate reports the first unusable parameter.
func (p LIFParams) Validate() error {
	switch {
	case !(p.TauM > 0):
		return sim.BadParam("LIF", []string{"TauM"}, "{0} must be > 0, got %g", p.TauM)
	case !(p.TauRef >= 0):
		return sim.BadParam("LIF", []string{"TauRef"}, "{0} must be >= 0, got %g", p.TauRef)
	case !(p.VPeak > p.VReset):
		return sim.BadParam("LIF", []string{"VPeak", "VReset"}, "{0} (%g) must exceed {1} (%g)", p.VPeak, p.VReset)
	}
	return nil
}

// LIF is a population of leaky integrate-and-fire neurons,
// dv/dt = (−v + I + BIAS)/τm, integrated by forward Euler. The membrane is
// frozen while t ≤ tlast + τref, and tlast starts at 0, so every neuron is
// refractory for the first τref as in the reference code.
type LIF struct {
	P     LIFParams
	Dt    float64   // time step (s)
	V     []float64 // membrane potential (mV)
	TLast []float64 // time of the last spike (s)
	flags []uint8   // per 4 neurons: spike bits from the vector kernel
}

// NewLIF returns n LIF neurons with step dt (s).
func NewLIF(n int, dt float64, p LIFParams) *LIF {
	return &LIF{P: p, Dt: dt, V: make([]float64, n), TLast: make([]float64, n), flags: make([]uint8, n/4+1)}
}

// Len returns the number of neurons.
func (m *LIF) Len() int { return len(m.V) }

// Init draws v uniformly on [VReset, VInitHigh] and sets tlast = 0.
func (m *LIF) Init(rng *rand.Rand) {
	for i := range m.V {
		m.V[i] = m.P.VReset + rng.Float64()*(m.P.VInitHigh-m.P.VReset)
		m.TLast[i] = 0
	}
}

// Step integrates one Euler step ending at t (s) and appends spikers.
func (m *LIF) Step(t float64, I []float64, spikes []int32) []int32 {
	k := m.Dt / m.P.TauM
	bias, peak, tref := m.P.Bias, m.P.VPeak, m.P.TauRef
	v, tl := m.V, m.TLast
	I = I[:len(v)]
	tl = tl[:len(v)]
	lo := 0
	if n4 := len(v) &^ 3; useAVX && n4 > 0 {
		c := lifConsts{k: k, bias: bias, peak: peak, tref: tref, t: t}
		lifStepAVX(&v[0], &tl[0], &I[0], &m.flags[0], n4, &c)
		spikes = appendFlagged(spikes, m.flags[:n4/4], 0)
		lo = n4
	}
	for i := lo; i < len(v); i++ {
		// Same operations in the same order as the vector kernel.
		if t > tl[i]+tref {
			// float64() forbids fusing into an FMA, which the kernel does not use.
			v[i] += float64(k * (I[i] + bias - v[i]))
		}
		if v[i] >= peak {
			tl[i] = t
			spikes = append(spikes, int32(i))
		}
	}
	return spikes
}

// Reset sets the spikers' potential to VReset.
func (m *LIF) Reset(spikes []int32) {
	for _, i := range spikes {
		m.V[i] = m.P.VReset
	}
}

// Potential returns v (mV).
func (m *LIF) Potential() []float64 { return m.V }
