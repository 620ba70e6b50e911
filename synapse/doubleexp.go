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
