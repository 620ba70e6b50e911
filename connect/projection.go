package connect

import (
	"fmt"

	"github.com/spikelab/spikelab/sim"
)

// ProjectionOptions configure a Projection.
type ProjectionOptions struct {
	// Pre is the source group, Post the target group.
	Pre, Post sim.Group
	// Input is the name of the target group's input the weights add to
	// ("exc", "inh", "current", ...).
	Input string
	// Weights is the Post.Len()×Pre.Len() matrix, in the unit of the
	// target input (e.g. mV for the CUBA group, nS·ms for a conductance
	// input, pA for a current input). The projection reads it at every
	// step, so a plasticity rule may change W in place.
	Weights *CSR
	// DelaySteps is the transmission delay in whole steps (≥ 0). With 0,
	// the spikes of step n are added in step n (slot 5) and act from step
	// n+1 on; with d, they are added in step n+d.
	DelaySteps int
}

// Projection is a sim.Projection that adds, for every spike of neuron j of
// Pre, the weights of row j of a CSR matrix to an input of Post, after an
// optional fixed delay held in a ring of spike lists (no allocation).
type Projection struct {
	pre, post sim.Group
	w         *CSR
	target    []float64
	ring      [][]int32 // ring[s % d]: the spikes of step s, waiting d steps
}

// NewProjection checks the sizes and resolves the target input.
func NewProjection(o ProjectionOptions) (*Projection, error) {
	if o.Pre == nil || o.Post == nil || o.Weights == nil {
		return nil, fmt.Errorf("projection needs Pre, Post and Weights")
	}
	if o.Weights.NPre != o.Pre.Len() || o.Weights.NPost != o.Post.Len() {
		return nil, fmt.Errorf("projection weights are %d×%d, the groups need %d×%d (post×pre)",
			o.Weights.NPost, o.Weights.NPre, o.Post.Len(), o.Pre.Len())
	}
	if o.DelaySteps < 0 || o.DelaySteps > 1<<20 {
		return nil, fmt.Errorf("projection delay must be 0 to 2²⁰ steps, got %d", o.DelaySteps)
	}
	target, err := o.Post.Input(o.Input)
	if err != nil {
		return nil, fmt.Errorf("projection target: %w", err)
	}
	if len(target) != o.Post.Len() {
		return nil, fmt.Errorf("projection target input %q has %d values for %d neurons", o.Input, len(target), o.Post.Len())
	}
	p := &Projection{pre: o.Pre, post: o.Post, w: o.Weights, target: target}
	if o.DelaySteps > 0 {
		p.ring = make([][]int32, o.DelaySteps)
		for k := range p.ring {
			p.ring[k] = make([]int32, 0, o.Pre.Len())
		}
	}
	return p, nil
}

// Pre returns the source group.
func (p *Projection) Pre() sim.Group { return p.pre }

// Post returns the target group.
func (p *Projection) Post() sim.Group { return p.post }

// Weights returns the weight matrix (shared, not a copy).
func (p *Projection) Weights() *CSR { return p.w }

// Propagate adds the weights of the spikes due this step to the target input.
func (p *Projection) Propagate(sc *sim.StepContext) {
	spikes := sc.Spikes(p.pre)
	if p.ring == nil {
		if len(spikes) > 0 {
			p.w.Propagate(spikes, p.target, 1)
		}
		return
	}
	// The slot of step s holds the spikes of step s−d: deliver, then refill.
	k := sc.Step % len(p.ring)
	if due := p.ring[k]; len(due) > 0 {
		p.w.Propagate(due, p.target, 1)
	}
	p.ring[k] = append(p.ring[k][:0], spikes...)
}
