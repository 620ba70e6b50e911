package sim

import "fmt"

// RangeGroup is a Group whose neurons can be integrated in disjoint index
// ranges at the same time, so that a fused network step (Network.Fuse)
// can hand each worker of the team its own range.
type RangeGroup interface {
	Group
	// StepRange does Step's work for the neurons [lo, hi) alone: it
	// integrates them over the step, appends the spikers among them to
	// spikes in ascending order and returns it. lo is a multiple of 8.
	// Calls for disjoint ranges may run concurrently. Each neuron's
	// arithmetic must be that of Step, whatever the range (results do not
	// depend on the split). It must not allocate when spikes has capacity
	// hi−lo, and neither it nor Reset may touch the group's inputs except
	// to read them in [lo, hi).
	StepRange(sc *StepContext, lo, hi int, spikes []int32) []int32
}

// RangeProjection is a Projection that can deliver spikes into one range
// of its target neurons at a time (a fused step, Network.Fuse).
type RangeProjection interface {
	Projection
	// SplitTargets prepares delivery into the target ranges
	// [bounds[b], bounds[b+1]) and reports whether the projection can be
	// fused: it must add, in its step n, exactly the spikes of its source
	// group in step n (no delay).
	SplitTargets(bounds []int) (bool, error)
	// DeliverRange adds the weights of the given spikes of the source
	// group to the targets of range b, in spike order, so every target
	// gets the additions of Propagate in the same order. Calls for
	// different ranges may run concurrently.
	DeliverRange(b int, spikes []int32)
}

// FuseNeurons is the smallest group (neurons) that Network.Fuse splits
// over a team of two or more workers when FuseOptions.MinNeurons is 0.
// Below it the one hand-off per step costs about what the split saves:
// CUBA with 80 inputs per neuron on the 2-core VM (1 s simulated, wall,
// 2 ÷ 1 threads, fused) ran 0.97× at 4000 neurons, 1.11× at 8000,
// 1.25× at 12 000 (BenchmarkCUBAStep: 0.87×–1.0× at 4000, 1.1–1.2× at
// 8000). It never changes a result.
const FuseNeurons = 8000

// FuseOptions configure Network.Fuse.
type FuseOptions struct {
	// MinNeurons is the smallest group that is fused (0: FuseNeurons);
	// a smaller group runs the plain schedule.
	MinNeurons int
}

// fusion is a group whose update and incoming propagation run as one job.
type fusion struct {
	k       int  // index of the group in Network.groups
	minN    int  // FuseOptions.MinNeurons, resolved
	on      bool // fused in the current Run
	g       RangeGroup
	bounds  []int // the workers' target ranges: multiples of 8
	projs   []RangeProjection
	pre     []int // index of each projection's source group
	parts   [][]int32
	pending bool // the spikes of the last step still wait for delivery
}

// Fuse asks the network to run g's update and the delivery of every
// projection into g as one job of its team per step, when that is
// possible: each worker owns a range of g's neurons (multiples of 8, one
// range per worker), delivers the spikes of the previous step into its
// range through every projection into g, in the order the projections
// were added and in spike order, then integrates its neurons. The end of
// the job is the step's only hand-off, where the plain schedule has one
// for the update and one for each split propagation.
//
// The results are bitwise those of the plain schedule: every neuron and
// every target get the same operations in the same order. What changes is
// when a step's deliveries into g happen: at the start of the next step's
// update (slot 3) instead of in slot 5, so a Monitor that reads g's
// inputs sees them without the step's deliveries. Run delivers what is
// pending before it returns and before a checkpoint, so between Runs and
// at checkpoints the state is that of the plain schedule.
//
// Each Run fuses g when the team has two or more workers, g has at least
// o.MinNeurons neurons, g is a RangeGroup and no Filter, the network has
// no Input and no Rule (they would act between a step's propagation and
// the next update), and every projection into g is a RangeProjection
// that can be fused (no delay); otherwise g runs the plain schedule.
// Fused reports which.
func (n *Network) Fuse(g Group, o FuseOptions) error {
	if o.MinNeurons < 0 {
		return fmt.Errorf("fuse: min neurons must be >= 0, got %d", o.MinNeurons)
	}
	k := n.index(g)
	if k < 0 {
		return fmt.Errorf("fuse: the group is not in the network: add it first")
	}
	for _, f := range n.fused {
		if f.k == k {
			return fmt.Errorf("fuse: group %q is already fused", n.names[k])
		}
	}
	if o.MinNeurons == 0 {
		o.MinNeurons = FuseNeurons
	}
	n.fused = append(n.fused, &fusion{k: k, minN: o.MinNeurons})
	n.prepared = false
	return nil
}

// Fused reports whether the last Run (or the next, before any Run) fuses g.
func (n *Network) Fused(g Group) bool {
	if !n.prepared {
		if err := n.prepareFusion(); err != nil {
			return false
		}
	}
	for _, f := range n.fused {
		if n.groups[f.k] == g {
			return f.on
		}
	}
	return false
}

func (n *Network) index(g Group) int {
	for k, h := range n.groups {
		if h == g {
			return k
		}
	}
	return -1
}

// prepareFusion decides, before a Run, which fused groups run fused,
// splits their projections and marks the projections the plain
// propagation (slot 5) skips.
func (n *Network) prepareFusion() error {
	n.prepared = true
	n.plain = append(n.plain[:0], n.projs...)
	n.anyFused = false
	workers := n.team.Workers()
	for _, f := range n.fused {
		f.on, f.projs, f.pre = false, f.projs[:0], f.pre[:0]
		g, ok := n.groups[f.k].(RangeGroup)
		_, filter := n.groups[f.k].(Filter)
		size := n.groups[f.k].Len()
		nb := min(workers, size/8)
		if !ok || filter || workers < 2 || size < f.minN || nb < 2 || len(n.inputs) > 0 || len(n.rules) > 0 {
			continue
		}
		f.bounds = f.bounds[:0]
		for b := 0; b <= nb; b++ {
			f.bounds = append(f.bounds, (b*size/nb)&^7)
		}
		f.bounds[nb] = size
		f.on = true
		for _, p := range n.projs {
			if p.Post() != n.groups[f.k] {
				continue
			}
			rp, ok := p.(RangeProjection)
			if !ok {
				f.on = false
				break
			}
			can, err := rp.SplitTargets(f.bounds)
			if err != nil {
				return fmt.Errorf("fuse group %q: %w", n.names[f.k], err)
			}
			if !can {
				f.on = false
				break
			}
			f.projs = append(f.projs, rp)
			f.pre = append(f.pre, n.index(p.Pre()))
		}
		if !f.on {
			continue
		}
		f.g = g
		if len(f.parts) != nb {
			f.parts = make([][]int32, nb)
			for b := range f.parts {
				f.parts[b] = make([]int32, 0, f.bounds[b+1]-f.bounds[b])
			}
		}
		n.anyFused = true
	}
	if n.anyFused {
		// Keep only the projections into groups that are not fused.
		n.plain = n.plain[:0]
		for _, p := range n.projs {
			if !n.fusedOn(p.Post()) {
				n.plain = append(n.plain, p)
			}
		}
	}
	return nil
}

// fusedOn reports whether g is fused in the current Run.
func (n *Network) fusedOn(g Group) bool {
	for _, f := range n.fused {
		if f.on && n.groups[f.k] == g {
			return true
		}
	}
	return false
}

// fusedWork is worker w's share of a fused step: for every fused group,
// deliver the pending spikes into its range, then integrate the range.
func (n *Network) fusedWork(w int) {
	for _, f := range n.fused {
		if !f.on || w >= len(f.parts) {
			continue
		}
		if f.pending {
			n.deliver(f, w)
		}
		f.parts[w] = f.g.StepRange(&n.sc, f.bounds[w], f.bounds[w+1], f.parts[w][:0])
	}
}

// flushWork is worker w's share of delivering the pending spikes alone.
func (n *Network) flushWork(w int) {
	for _, f := range n.fused {
		if !f.on || !f.pending || w >= len(f.parts) {
			continue
		}
		n.deliver(f, w)
	}
}

// deliver adds the last step's spikes of every projection into f's group
// to worker w's range.
func (n *Network) deliver(f *fusion, w int) {
	for i, p := range f.projs {
		p.DeliverRange(w, n.spikes[f.pre[i]])
	}
}

// flush delivers the spikes still pending in fused groups, so the state
// is that of the plain schedule.
func (n *Network) flush() {
	pending := false
	for _, f := range n.fused {
		pending = pending || f.pending
	}
	if !pending {
		return
	}
	n.team.Run(n.flushFn)
	for _, f := range n.fused {
		f.pending = false
	}
}

// stepFused runs slot 3 for the fused groups: one team job, then each
// group's spikes in range order (the plain schedule's order).
func (n *Network) stepFused() {
	n.team.Run(n.fusedFn)
	for _, f := range n.fused {
		if !f.on {
			continue
		}
		s := n.next[f.k][:0]
		for _, p := range f.parts {
			s = append(s, p...)
		}
		n.next[f.k] = s
		f.pending = len(f.projs) > 0
	}
}
