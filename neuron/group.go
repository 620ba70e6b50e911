package neuron

import (
	"fmt"
	"math/rand/v2"

	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/synapse"
)

// Group adapters: the models of this package as sim.Group parts of a
// sim.Network, in the frame's units (ms, mV, pA, nS). See sim.Network for
// the step schedule and the reset contract.

// LIFExpGroup is the current-based LIF model with exponential synaptic
// currents (LIFExp, the Vogels–Abbott CUBA neuron) as a sim.Group. Its
// inputs are
//
//   - "exc": the excitatory synaptic current ge, in mV (the current times
//     the membrane resistance, as in Brian2's CUBA example): a weight w
//     raises ge by w mV, which then decays with τe;
//   - "inh": the inhibitory synaptic current gi, in mV, decaying with τi.
//
// Both are the model's state: input added after Step acts from the next
// step on, input added in slot 1 in the same step. The currents decay inside
// Step (the exact propagator of the linear system), and Step resets a
// spiking neuron itself (v = Vr, then refractory), so Reset is a no-op.
type LIFExpGroup struct {
	// Model is the population (parameters and state, in ms and mV).
	Model *LIFExp
}

// NewLIFExpGroup returns n CUBA neurons with the network's step and team.
func NewLIFExpGroup(env sim.Env, n int, p LIFExpParams) (*LIFExpGroup, error) {
	if err := checkGroup(env, n); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &LIFExpGroup{Model: NewLIFExp(n, env.DtMS, p, env.Team)}, nil
}

func checkGroup(env sim.Env, n int) error {
	if n < 1 || n > 1<<31-1 {
		return fmt.Errorf("a group needs 1 to 2³¹−1 neurons, got %d", n)
	}
	if !(env.DtMS > 0) {
		return fmt.Errorf("a group needs a time step > 0, got %g ms", env.DtMS)
	}
	return nil
}

// Len returns the number of neurons.
func (g *LIFExpGroup) Len() int { return g.Model.Len() }

// Init draws v uniformly on [Vr, Vt] (mV) and clears the currents.
func (g *LIFExpGroup) Init(rng *rand.Rand) { g.Model.Init(rng) }

// Step integrates the neurons over the step and appends the spikers (already reset).
func (g *LIFExpGroup) Step(sc *sim.StepContext, spikes []int32) []int32 {
	return g.Model.Step(sc.T, nil, spikes)
}

// A LIFExpGroup can be fused with its projections (sim.Network.Fuse).
var _ sim.RangeGroup = (*LIFExpGroup)(nil)

// StepRange is Step for the neurons [lo, hi) alone (sim.RangeGroup; lo a
// multiple of 4), with the same arithmetic for every neuron.
func (g *LIFExpGroup) StepRange(_ *sim.StepContext, lo, hi int, spikes []int32) []int32 {
	return g.Model.step(lo, hi, nil, spikes)
}

// Reset does nothing: Step resets.
func (g *LIFExpGroup) Reset([]int32) {}

// Potential returns v (mV).
func (g *LIFExpGroup) Potential() []float64 { return g.Model.V }

// Input returns ge ("exc") or gi ("inh"), both in mV.
func (g *LIFExpGroup) Input(name string) ([]float64, error) {
	switch name {
	case "exc":
		return g.Model.GE, nil
	case "inh":
		return g.Model.GI, nil
	}
	return nil, fmt.Errorf("LIFExp group has inputs \"exc\" and \"inh\" (mV), not %q", name)
}

// AdExGroupParams are the parameters of an AdExGroup.
type AdExGroupParams struct {
	// Neuron are the AdEx parameters (ms, mV, pF, nS, pA).
	Neuron AdExParams
	// TauRiseEMS and TauDecayEMS are the rise and decay times of the
	// excitatory conductance (ms; τ_d > τ_r > dt); 1 and 6 in Maes et al. 2020.
	TauRiseEMS, TauDecayEMS float64
	// TauRiseIMS and TauDecayIMS are those of the inhibitory conductance
	// (ms); 0.5 and 2 in Maes et al. 2020.
	TauRiseIMS, TauDecayIMS float64
}

// DefaultAdExGroup returns DefaultAdEx with conductances of rise/decay
// 1/6 ms (excitatory) and 0.5/2 ms (inhibitory).
func DefaultAdExGroup() AdExGroupParams {
	return AdExGroupParams{Neuron: DefaultAdEx(), TauRiseEMS: 1, TauDecayEMS: 6, TauRiseIMS: 0.5, TauDecayIMS: 2}
}

// AdExGroup is the conductance-based AdEx model with an adaptive threshold
// (AdEx) and difference-of-exponentials conductances (synapse.CondDiffExp)
// as a sim.Group. Its inputs are
//
//   - "exc", "inh": the summed weights (nS·ms: one event of weight w gives
//     a conductance whose integral is w nS·ms) arriving in the step; the
//     group's Filter (slot 2) takes them into the conductances and clears
//     them, so input added after Step acts in the next step;
//   - "current": an extra current (pA) for the next Step only (cleared after it).
//
// Step resets a spiking neuron itself (V = V_r, w += b, threshold jump;
// refractory for τ_ref), so Reset is a no-op.
type AdExGroup struct {
	// Model is the population (parameters and state).
	Model *AdEx
	// GE and GI are the conductance filters (nS).
	GE, GI       *synapse.CondDiffExp
	inE, inI     []float64
	cur          []float64
	curConnected bool
}

// NewAdExGroup returns n AdEx neurons at rest with the network's step.
func NewAdExGroup(env sim.Env, n int, p AdExGroupParams) (*AdExGroup, error) {
	if err := checkGroup(env, n); err != nil {
		return nil, err
	}
	if err := p.Neuron.Validate(); err != nil {
		return nil, err
	}
	ge, err := synapse.NewCondDiffExp(n, p.TauRiseEMS, p.TauDecayEMS, env.DtMS)
	if err != nil {
		return nil, fmt.Errorf("excitatory conductance: %w", err)
	}
	gi, err := synapse.NewCondDiffExp(n, p.TauRiseIMS, p.TauDecayIMS, env.DtMS)
	if err != nil {
		return nil, fmt.Errorf("inhibitory conductance: %w", err)
	}
	m := NewAdEx(n, env.DtMS, p.Neuron)
	m.GE, m.GI = ge.G, gi.G
	return &AdExGroup{Model: m, GE: ge, GI: gi, inE: make([]float64, n), inI: make([]float64, n), cur: make([]float64, n)}, nil
}

// Len returns the number of neurons.
func (g *AdExGroup) Len() int { return g.Model.Len() }

// Init draws V uniformly on [VInitLo, VInitHi] (mV) and resets the
// threshold and adaptation.
func (g *AdExGroup) Init(rng *rand.Rand) { g.Model.Init(rng) }

// Filter advances the conductances with the inputs of the step (slot 2).
func (g *AdExGroup) Filter(*sim.StepContext) {
	g.GE.Step(g.inE)
	g.GI.Step(g.inI)
	clear(g.inE)
	clear(g.inI)
}

// Step integrates the neurons over the step and appends the spikers (already reset).
func (g *AdExGroup) Step(sc *sim.StepContext, spikes []int32) []int32 {
	if !g.curConnected {
		return g.Model.Step(sc.T, nil, spikes)
	}
	spikes = g.Model.Step(sc.T, g.cur, spikes)
	clear(g.cur)
	return spikes
}

// Reset does nothing: Step resets.
func (g *AdExGroup) Reset([]int32) {}

// Potential returns V (mV).
func (g *AdExGroup) Potential() []float64 { return g.Model.V }

// Input returns the buffer of "exc" or "inh" (nS·ms per step) or
// "current" (pA).
func (g *AdExGroup) Input(name string) ([]float64, error) {
	switch name {
	case "exc":
		return g.inE, nil
	case "inh":
		return g.inI, nil
	case "current":
		g.curConnected = true
		return g.cur, nil
	}
	return nil, fmt.Errorf("AdEx group has inputs \"exc\", \"inh\" (nS·ms) and \"current\" (pA), not %q", name)
}
