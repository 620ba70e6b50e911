package synapse

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/spikelab/spikelab/sim"
)

// PoissonInputOptions configure a PoissonInput.
type PoissonInputOptions struct {
	// Target is the group that receives the input, Input the name of its
	// input ("exc", "current", ...).
	Target sim.Group
	Input  string
	// RateHz is the rate of independent Poisson events per neuron (Hz, ≥ 0).
	RateHz float64
	// Weight is added to the input per event, in the unit of the input
	// (mV for the CUBA group, nS·ms for a conductance, pA for a current).
	Weight float64
	// Stream names the random stream, drawn from the network's seed
	// (sim.Source(env.Seed, Stream)); "" means "poisson".
	Stream string
}

// PoissonInput is a sim.Input that gives every neuron of a group
// independent Poisson events (Poisson in kHz inside) in slot 1 of every
// step, so they act in the same step.
type PoissonInput struct {
	// Poisson holds the per-neuron rates (kHz internally; set them with
	// SetRateHz) and weights.
	Poisson *Poisson
	target  []float64
	src     *rand.PCG
	// Events counts the events delivered so far.
	Events int64
}

// NewPoissonInput returns the input; env gives the step and the seed.
func NewPoissonInput(env sim.Env, o PoissonInputOptions) (*PoissonInput, error) {
	if o.Target == nil {
		return nil, fmt.Errorf("poisson input needs a target group")
	}
	if !(o.RateHz >= 0) || math.IsInf(o.RateHz, 0) || math.IsNaN(o.Weight) || math.IsInf(o.Weight, 0) {
		return nil, fmt.Errorf("poisson input needs a finite rate >= 0 Hz and a finite weight, got %g Hz, %g", o.RateHz, o.Weight)
	}
	target, err := o.Target.Input(o.Input)
	if err != nil {
		return nil, fmt.Errorf("poisson input target: %w", err)
	}
	n := o.Target.Len()
	if len(target) != n {
		return nil, fmt.Errorf("poisson input target %q has %d values for %d neurons", o.Input, len(target), n)
	}
	p, err := NewPoisson(n, env.DtMS, o.RateHz/1000, o.Weight)
	if err != nil {
		return nil, err
	}
	if o.Stream == "" {
		o.Stream = "poisson"
	}
	return &PoissonInput{Poisson: p, target: target, src: sim.Source(env.Seed, o.Stream)}, nil
}

// SetRateHz sets the rate of neuron i (Hz).
func (in *PoissonInput) SetRateHz(i int, hz float64) error {
	if i < 0 || i >= len(in.Poisson.Rate) {
		return fmt.Errorf("poisson input has no neuron %d", i)
	}
	return in.Poisson.SetRate(i, hz/1000)
}

// Inject adds the events of the step to the target input (slot 1).
func (in *PoissonInput) Inject(*sim.StepContext) {
	in.Events += int64(in.Poisson.Add(in.src, 0, len(in.target), in.target))
}
