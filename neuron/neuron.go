// Package neuron holds point-neuron models as structure-of-arrays
// populations: parameters kept apart from flat state arrays, one Step that
// integrates the whole population without allocating.
//
// # Two layers
//
// Frame groups (LIFExpGroup, AdExGroup, ALIF; built by name with Lookup)
// implement sim.Group, the one contract of the network frame: Step
// integrates and reports threshold crossings, the frame calls Reset after
// propagation and plasticity, inputs arrive through named buffers
// (Input("exc"), Input("inh"), Input("current")), refractoriness is the
// group's own. Their parameters and inputs are in ms, mV, pA, nS and Hz.
//
// The populations underneath (LIF, Theta, Izhikevich, LIFExp, AdEx,
// CUBALIFParams.Step) are the stepping kernels the systems call directly in
// their hot loops. They keep the unit system of the code they reproduce,
// because published gains and learning rates are tied to it: LIF and Theta
// in seconds (FORCE), Izhikevich, LIFExp and AdEx in ms; each type's doc
// states its units and whether its Step or its Reset applies the reset.
package neuron

import "math/rand/v2"

// Population is the stepping interface of the model-unit populations (LIF,
// Theta, Izhikevich, LIFExp, AdEx). For networks built on the frame use
// sim.Group (the groups of this package implement it).
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
