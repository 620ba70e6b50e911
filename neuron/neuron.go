// Package neuron holds point-neuron models as structure-of-arrays
// populations: parameters kept apart from flat state arrays, one Step that
// integrates the whole population without allocating, and a Reset applied
// after the rest of the step (filters, readout, learning) has seen the spikes.
//
// Each model keeps the unit system of the paper code it comes from (LIF and
// theta in seconds, Izhikevich in milliseconds), because published gains and
// learning rates are tied to those units.
package neuron

import "math/rand/v2"

// Population is a group of neurons of one model. A new model satisfies this
// interface in its own file; nothing else needs to change.
type Population interface {
	// Len returns the number of neurons.
	Len() int
	// Init draws the initial state from rng.
	Init(rng *rand.Rand)
	// Step advances every neuron by one time step ending at time t (model
	// time unit), with input current I (model current unit; len Len()), and
	// returns spikes with the indices of neurons that crossed threshold
	// appended. Reset is not applied yet.
	Step(t float64, I []float64, spikes []int32) []int32
	// Reset applies the after-spike reset to the given neurons.
	Reset(spikes []int32)
	// Potential returns the membrane variable of every neuron (aliases the state).
	Potential() []float64
}
