package neuron

import "github.com/spikelab/spikelab/sim"

// CUBALIFParams are the parameters of the discrete-time current-based LIF
// neuron of lava-dl (slayer CUBA, as used by DECOLLE-on-lava). Time is in
// steps (dt = 1, no physical unit); voltage and current are in units of the
// weights. One step, with input z = W·s_in of the same step:
//
//	u ← (1 − α_u)·u + z
//	v' = (1 − α_v)·v + u          (the "voltage" a loss sees)
//	s = [v' ≥ ϑ]
//	v ← v'·(1 − s)                (reset to 0, no refractory period)
//
// lava runs this in fixed point (states ×4096, decays rounded to 1/4096);
// this implementation is float64 and differs from it by about 1/4096 per step.
type CUBALIFParams struct {
	Threshold    float64 `yaml:"threshold"`     // ϑ (lava-DECOLLE: 1.25)
	CurrentDecay float64 `yaml:"current_decay"` // α_u per step (0.25)
	VoltageDecay float64 `yaml:"voltage_decay"` // α_v per step (0.03)
}

// DefaultCUBALIF returns neutral constants: threshold 1, current decay 0.2
// and voltage decay 0.05 per step.
func DefaultCUBALIF() CUBALIFParams {
	return CUBALIFParams{Threshold: 1, CurrentDecay: 0.2, VoltageDecay: 0.05}
}

// Validate reports the first unusable parameter.
func (p CUBALIFParams) Validate() error {
	if !(p.Threshold > 0) {
		return sim.BadParam("CUBALIF", []string{"Threshold"}, "{0} must be > 0, got %g", p.Threshold)
	}
	if !(p.CurrentDecay >= 0 && p.CurrentDecay <= 1) {
		return sim.BadParam("CUBALIF", []string{"CurrentDecay"}, "{0} must be in [0, 1], got %g", p.CurrentDecay)
	}
	if !(p.VoltageDecay >= 0 && p.VoltageDecay <= 1) {
		return sim.BadParam("CUBALIF", []string{"VoltageDecay"}, "{0} must be in [0, 1], got %g", p.VoltageDecay)
	}
	return nil
}

// Step advances the neurons whose states are u and v (any number, e.g. a
// batch of populations laid out flat) by one step with input z, writing
// the pre-reset voltage v' into vPre and the spikes (0 or 1) into s. It
// returns the number of spikes. All slices have the same length.
func (p CUBALIFParams) Step(z, u, v, vPre, s []float64) int {
	ku, kv, th := 1-p.CurrentDecay, 1-p.VoltageDecay, p.Threshold
	n, i := 0, 0
	z, v, vPre, s = z[:len(u)], v[:len(u)], vPre[:len(u)], s[:len(u)]
	c := [3]float64{ku, kv, th}
	if n8 := len(u) &^ 7; useAVX512 && n8 > 0 {
		n = cubaStepAVX512(&z[0], &u[0], &v[0], &vPre[0], &s[0], n8, &c)
		i = n8
	} else if n4 := len(u) &^ 3; useAVX && hasPOPCNT && n4 > 0 {
		n = cubaStepAVX2(&z[0], &u[0], &v[0], &vPre[0], &s[0], n4, &c)
		i = n4
	}
	return n + p.stepFrom(i, z, u, v, vPre, s, nil)
}

// StepOffset is Step with a threshold ϑ + theta[i] per neuron (an adaptive
// threshold; theta has the length of u). It returns the number of spikes.
func (p CUBALIFParams) StepOffset(z, u, v, vPre, s, theta []float64) int {
	return p.stepFrom(0, z, u, v, vPre, s, theta[:len(u)])
}

// stepFrom is the scalar update of neurons i0… (threshold ϑ + theta[i];
// theta nil: ϑ); it returns the number of spikes.
func (p CUBALIFParams) stepFrom(i0 int, z, u, v, vPre, s, theta []float64) int {
	ku, kv, th := 1-p.CurrentDecay, 1-p.VoltageDecay, p.Threshold
	n := 0
	z, v, vPre, s = z[:len(u)], v[:len(u)], vPre[:len(u)], s[:len(u)]
	for i := i0; i < len(u); i++ {
		ui := ku*u[i] + z[i]
		u[i] = ui
		vp := kv*v[i] + ui
		vPre[i] = vp
		thi := th
		if theta != nil {
			thi += theta[i]
		}
		if vp >= thi {
			s[i] = 1
			v[i] = 0
			n++
		} else {
			s[i] = 0
			v[i] = vp
		}
	}
	return n
}
