package connect

import (
	"fmt"
	"math"
	"slices"

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
	// step, so a plasticity rule may change W in place; a uniform matrix
	// (CSR.Uniform) has no W, and the projection adds its Value.
	Weights *CSR
	// DelaySteps is the transmission delay in whole steps (≥ 0). With 0,
	// the spikes of step n are added in step n (slot 5) and act from step
	// n+1 on; with d, they are added in step n+d.
	DelaySteps int
	// Team is the worker team the propagation is split over, usually the
	// network's (sim.Env.Team); nil or a team of one worker: the caller
	// propagates alone. Each worker owns a contiguous range of target
	// neurons and adds the spikes' weights to it in spike order, so the
	// result is bitwise the same for every worker count. A step is split
	// only when its spikes carry at least ParallelEvents synaptic events.
	Team *sim.Team
	// FixedWeights promises that nothing changes Weights.W while the
	// projection is in use (no plasticity rule on it). When all weights
	// are then equal (as in the CUBA network), the projection adds that
	// one value without reading W: a third of the memory traffic per
	// synaptic event, the same sums.
	FixedWeights bool
}

// ParallelEvents is the number of synaptic events (targets of the spikes
// due in one step) from which a Projection with a team of several workers
// splits the step's propagation among them. Below it, handing the work
// over costs more than it saves: one hand-off to a waiting worker
// (sim.BenchmarkTeamRunEmpty: 0.9–2 µs on the 2-core VM at load 7, less
// idle) costs about as much as adding 1000 weights (1–3 ns each with the
// rows prefetched, BenchmarkProjectionRows), so a 4000-neuron CUBA network
// (≈ 90 events per step and projection) always propagates on the caller,
// a 64 000-neuron one at p = 0.02 (≈ 4000 per step) on the team. The
// value is a first estimate, to be tuned on an idle machine; it never
// changes a result.
const ParallelEvents = 2048

// Projection is a sim.Projection that adds, for every spike of neuron j of
// Pre, the weights of row j of a CSR matrix to an input of Post, after an
// optional fixed delay held in a ring of spike lists (no allocation).
type Projection struct {
	pre, post   sim.Group
	w           *CSR
	target      []float64
	ring        [][]int32 // ring[s % d]: the spikes of step s, waiting d steps
	team        *sim.Team
	split       *Split  // postsynaptic ranges, one per worker; nil: no team
	splitBounds []int   // the ranges' bounds
	uniform     bool    // every weight equals value and stays so
	value       float64 // the weight of a uniform projection
	due         []int32
	block       func(b int)
	// Target ranges of a fused step (sim.Network.Fuse): their bounds and split.
	fuseBounds []int
	fuseSplit  *Split
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
	if err := o.Weights.Check(); err != nil {
		return nil, fmt.Errorf("projection weights: %w", err)
	}
	p := &Projection{pre: o.Pre, post: o.Post, w: o.Weights, target: target}
	switch w := o.Weights; {
	case w.Uniform:
		p.uniform, p.value = true, w.Value
	case o.FixedWeights && len(w.W) > 0:
		p.uniform, p.value = true, w.W[0]
		for _, x := range w.W {
			if math.Float64bits(x) != math.Float64bits(w.W[0]) {
				p.uniform = false
				break
			}
		}
	}
	if nb := splitBlocks(o.Post.Len(), o.Team.Workers()); nb > 1 {
		bounds := make([]int, nb+1)
		for b := range bounds {
			// Multiples of 8 targets (a 64-byte cache line of float64), so that
			// two workers never write the same line.
			bounds[b] = (b * o.Post.Len() / nb) &^ 7
		}
		bounds[nb] = o.Post.Len()
		if p.split, err = o.Weights.Split(bounds); err != nil {
			return nil, err
		}
		p.splitBounds = bounds
		p.team = o.Team
		p.block = func(b int) {
			if p.uniform {
				p.w.propagateUniform(p.split, b, p.due, p.target, p.value)
			} else {
				p.w.PropagateBlock(p.split, b, p.due, p.target, 1)
			}
		}
	}
	if o.DelaySteps > 0 {
		p.ring = make([][]int32, o.DelaySteps)
		for k := range p.ring {
			p.ring[k] = make([]int32, 0, o.Pre.Len())
		}
	}
	return p, nil
}

// splitBlocks is the number of postsynaptic ranges a projection onto n
// neurons is split into for a team of the given size: one per worker, none
// smaller than 64 targets.
func splitBlocks(n, workers int) int {
	return max(1, min(workers, n/64))
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
		p.deliver(spikes)
		return
	}
	// The slot of step s holds the spikes of step s−d: deliver, then refill.
	k := sc.Step % len(p.ring)
	p.deliver(p.ring[k])
	p.ring[k] = append(p.ring[k][:0], spikes...)
}

// deliver adds the weights of the given spikes to the target input, split
// over the team when they carry at least ParallelEvents events.
func (p *Projection) deliver(spikes []int32) {
	if len(spikes) == 0 {
		return
	}
	// Ask for every row at once: their loads overlap instead of each row
	// waiting for the last (at 64 000 neurons, 37 rows of 80 targets a
	// step: 18 → 2–3.5 ns per event in BenchmarkProjectionRows).
	p.w.prefetchRows(spikes, !p.uniform)
	if p.split != nil {
		var events int64
		for _, j := range spikes {
			events += p.w.Start[j+1] - p.w.Start[j]
		}
		if events >= ParallelEvents {
			p.due = spikes
			p.team.Each(p.split.blocks, p.block)
			p.due = nil
			return
		}
	}
	if p.uniform {
		p.w.propagateUniform(nil, 0, spikes, p.target, p.value)
		return
	}
	p.w.Propagate(spikes, p.target, 1)
}

// A Projection can be fused into its target group's update (sim.Network.Fuse).
var _ sim.RangeProjection = (*Projection)(nil)

// SplitTargets prepares DeliverRange for the target ranges
// [bounds[b], bounds[b+1]) (sim.RangeProjection). A projection with a
// delay cannot be fused and reports false.
func (p *Projection) SplitTargets(bounds []int) (bool, error) {
	if p.ring != nil {
		return false, nil
	}
	if p.fuseSplit != nil && slices.Equal(p.fuseBounds, bounds) {
		return true, nil
	}
	if p.split != nil && slices.Equal(p.splitBounds, bounds) {
		p.fuseSplit, p.fuseBounds = p.split, p.splitBounds
		return true, nil
	}
	sp, err := p.w.Split(bounds)
	if err != nil {
		return false, err
	}
	p.fuseSplit, p.fuseBounds = sp, slices.Clone(bounds)
	return true, nil
}

// DeliverRange adds the weights of the given spikes of the source group
// to the targets of range b of SplitTargets, in spike order: every target
// gets the additions of Propagate in the same order, so the sums are
// bitwise the same (sim.RangeProjection).
func (p *Projection) DeliverRange(b int, spikes []int32) {
	if len(spikes) == 0 {
		return
	}
	p.w.prefetchBlock(p.fuseSplit, b, spikes, !p.uniform)
	if p.uniform {
		p.w.propagateUniform(p.fuseSplit, b, spikes, p.target, p.value)
		return
	}
	p.w.PropagateBlock(p.fuseSplit, b, spikes, p.target, 1)
}
