// Package synapse holds synaptic filters: per-neuron state arrays that turn
// spike events into currents or filtered rates.
package synapse

import (
	"fmt"
	"math"
)

// DoubleExp is a bank of double-exponential filters with rise time Tr and
// decay time Td, in the exact-decay form of the FORCE code:
//
//	S ← S·e^(−dt/Tr) + H·dt
//	H ← H·e^(−dt/Td) + x/(Tr·Td)
//
// where x is the input of the step (a spike indicator or a summed weight).
// One input event gives S(t) = (e^(−t/Td) − e^(−t/Tr))/(Td − Tr), whose
// integral is 1, so S is in units of rate (1/time unit). With Tr = 0 it
// falls back to a single exponential, S ← S·e^(−dt/Td) + x/Td.
//
// Use it as: Decay once per step, then add the step's inputs with Add,
// AddEvents or Kick.
type DoubleExp struct {
	Tr, Td, Dt float64   // rise time, decay time, step (same time unit)
	S          []float64 // filtered output (1/time unit per unit input)
	H          []float64 // auxiliary variable (unused when Tr = 0)
	er, ed     float64
	jump       float64
}

// NewDoubleExp returns n filters. tr may be 0 (single exponential); td must be > 0.
func NewDoubleExp(n int, tr, td, dt float64) (*DoubleExp, error) {
	if !(td > 0) || !(tr >= 0) || !(dt > 0) {
		return nil, fmt.Errorf("synaptic filter needs td > 0, tr >= 0, dt > 0 (got td=%g, tr=%g, dt=%g)", td, tr, dt)
	}
	f := &DoubleExp{Tr: tr, Td: td, Dt: dt, S: make([]float64, n), H: make([]float64, n), ed: math.Exp(-dt / td)}
	if tr > 0 {
		f.er = math.Exp(-dt / tr)
		f.jump = 1 / (tr * td)
	} else {
		f.jump = 1 / td
	}
	return f, nil
}

// Jump returns the factor by which an input is scaled when added: 1/(Tr·Td),
// or 1/Td for a single exponential.
func (f *DoubleExp) Jump() float64 { return f.jump }

// Factors returns the per-step decay factors e^(−dt/Tr) (0 when Tr = 0)
// and e^(−dt/Td).
func (f *DoubleExp) Factors() (er, ed float64) { return f.er, f.ed }

// Target returns the array that inputs are added to: H, or S for a single exponential.
func (f *DoubleExp) Target() []float64 {
	if f.Tr > 0 {
		return f.H
	}
	return f.S
}

// Decay advances every filter by one step with no input.
func (f *DoubleExp) Decay() {
	s, h := f.S, f.H
	if f.Tr == 0 {
		for i := range s {
			s[i] *= f.ed
		}
		return
	}
	h = h[:len(s)]
	er, ed, dt := f.er, f.ed, f.Dt
	lo := 0
	if n4 := len(s) &^ 3; useAVX && n4 > 0 {
		decayAVX(&s[0], &h[0], n4, er, ed, dt)
		lo = n4
	}
	for i := lo; i < len(s); i++ {
		// float64() forbids an FMA, which the vector kernel does not use.
		s[i] = float64(s[i]*er) + float64(h[i]*dt)
		h[i] *= ed
	}
}

// DecayAffine writes out = S + b·a (S before the step: the filter's
// output over the step just ended, e.g. a synaptic current plus a feedback
// term) and then advances every filter by one step like Decay, in one pass.
func (f *DoubleExp) DecayAffine(out, a []float64, b float64) {
	s, h := f.S, f.H[:len(f.S)]
	out, a = out[:len(s)], a[:len(s)]
	if f.Tr == 0 {
		for i := range s {
			out[i] = s[i] + float64(b*a[i])
		}
		f.Decay()
		return
	}
	er, ed, dt := f.er, f.ed, f.Dt
	lo := 0
	if n4 := len(s) &^ 3; useAVX && n4 > 0 {
		decayAffineAVX(&s[0], &h[0], &out[0], &a[0], n4, b, er, ed, dt)
		lo = n4
	}
	for i := lo; i < len(s); i++ {
		out[i] = s[i] + float64(b*a[i])
		s[i] = float64(s[i]*er) + float64(h[i]*dt)
		h[i] *= ed
	}
}

// DecayDot advances every filter by one step like Decay and returns Σ w·S
// of the new outputs (a linear readout), in one pass.
func (f *DoubleExp) DecayDot(w []float64) float64 {
	s, h := f.S, f.H[:len(f.S)]
	w = w[:len(s)]
	if f.Tr == 0 {
		f.Decay()
		sum := 0.0
		for i, v := range s {
			sum += w[i] * v
		}
		return sum
	}
	er, ed, dt := f.er, f.ed, f.Dt
	lo, sum := 0, 0.0
	if n4 := len(s) &^ 3; useAVX && n4 > 0 {
		sum = decayDotAVX(&s[0], &h[0], &w[0], n4, er, ed, dt)
		lo = n4
	}
	for i := lo; i < len(s); i++ {
		s[i] = float64(s[i]*er) + float64(h[i]*dt)
		h[i] *= ed
		sum += w[i] * s[i]
	}
	return sum
}

// AddEvents adds one unit input to each listed filter (a spike train).
func (f *DoubleExp) AddEvents(idx []int32) {
	t, j := f.Target(), f.jump
	for _, i := range idx {
		t[i] += j
	}
}

// Add adds the dense input x (one value per filter).
func (f *DoubleExp) Add(x []float64) {
	t, j := f.Target(), f.jump
	for i, v := range x {
		t[i] += j * v
	}
}
