package learn

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/spikelab/spikelab/sim"
)

// Shifting Learning (SZU-ADDG/Shifting-Learning): a temporal-coding layer
// of non-leaky integrate-and-fire neurons with exponential synaptic
// currents (time constant 1, threshold 1), each firing at most once, in the
// exp domain z = e^t, trained by a three-factor rule: a global
// reward–punishment signal, feedback through the masked forward weights,
// and a local STDP-like term restricted to the causal inputs.

// Silent is the output z of a neuron that never fires (the reference's
// finite sentinel, t ≈ 11.5).
const Silent = 1e5

// ShiftingLayer is one fully connected layer.
type ShiftingLayer struct {
	In, Out int
	// W are the weights, row-major In×Out: W[i*Out+j] from input i to neuron j.
	W []float64
	// Etp is the per-neuron output factor ("exponential passing time"): the
	// layer outputs z·Etp, an axonal delay of ln Etp.
	Etp []float64
	// Exact selects the delay-faithful forward pass: the spike is the true
	// first threshold crossing (a candidate counts only if it falls before
	// the next input), not the reference's minimum over all candidates. The
	// two agree for positive weights and differ when weights turn negative.
	Exact bool
	adamW *Adam
	adamT *Adam
}

// NewShiftingLayer initialises W ~ U(0, 8/in) and Etp = 1, with Adam state
// (β1 = 0.9, β2 = 0.9, ε = 1e-8 as in the reference).
func NewShiftingLayer(in, out int, rng *rand.Rand) *ShiftingLayer {
	l := &ShiftingLayer{In: in, Out: out, W: make([]float64, in*out), Etp: make([]float64, out),
		adamW: NewAdam(in*out, 0.9, 0.9, 1e-8), adamT: NewAdam(out, 0.9, 0.9, 1e-8)}
	for i := range l.W {
		l.W[i] = rng.Float64() * 8 / float64(in)
	}
	for j := range l.Etp {
		l.Etp[j] = 1
	}
	return l
}

// ShiftingPass holds what one sample's forward pass through a layer leaves
// for the backward pass: the inputs in time order, each with the weight
// row it uses, and per output the last causal rank.
type ShiftingPass struct {
	Zin   []float64 // inputs by input index (single-spike layers; len In)
	Y     []float64 // outputs z·Etp (len Out)
	Z     []float64 // input z in time order
	Order []int32   // weight row (input or synapse index) of each entry of Z
	Rank  []int32   // single-spike layers: rank of each input in Order
	KStar []int32   // per output: the last rank of its causal set
	// scratch
	s, a, best, d, e []float64
	sorter           byZ
}

// byZ sorts input indices by z, ties by index.
type byZ struct {
	idx []int32
	z   []float64
}

func (b byZ) Len() int      { return len(b.idx) }
func (b byZ) Swap(i, j int) { b.idx[i], b.idx[j] = b.idx[j], b.idx[i] }
func (b byZ) Less(i, j int) bool {
	zi, zj := b.z[b.idx[i]], b.z[b.idx[j]]
	return zi < zj || (zi == zj && b.idx[i] < b.idx[j])
}

// NewShiftingPass allocates a pass for the layer.
func (l *ShiftingLayer) NewShiftingPass() *ShiftingPass {
	return &ShiftingPass{Zin: make([]float64, l.In), Y: make([]float64, l.Out), Order: make([]int32, l.In),
		Z: make([]float64, l.In), Rank: make([]int32, l.In), KStar: make([]int32, l.Out),
		s: make([]float64, l.Out), a: make([]float64, l.Out), best: make([]float64, l.Out),
		d: make([]float64, l.Out), e: make([]float64, l.Out)}
}

// Forward computes the layer's output for one sample with inputs zin
// (exp-domain spike times), exactly as the reference: inputs sorted
// ascending, prefix sums S_k = Σw and A_k = Σw·z, candidates
// A_k/clamp(S_k − 1, 1e-10, 1e10), invalid (replaced by Silent) when
// S_k < 1 or the candidate precedes input k, output = the minimum over all
// candidates (first on ties), causal set = inputs up to that rank.
func (l *ShiftingLayer) Forward(zin []float64, p *ShiftingPass) {
	copy(p.Zin, zin)
	p.Order = p.Order[:l.In]
	for i := range p.Order {
		p.Order[i] = int32(i)
	}
	p.sorter = byZ{idx: p.Order, z: p.Zin}
	sort.Sort(p.sorter)
	p.Z = p.Z[:l.In]
	for r, i := range p.Order {
		p.Rank[i] = int32(r)
		p.Z[r] = zin[i]
	}
	l.scan(p)
}

// ForwardSpikes computes the layer's output for inputs given as a
// time-ordered list of spikes: z[m] = e^(t_m) and the synapse rows[m] it
// arrives on. A synapse may spike many times; every spike adds its weight
// again (the multi-spike input layer of the TCA task). Neurons still fire
// at most once.
func (l *ShiftingLayer) ForwardSpikes(z []float64, rows []int32, p *ShiftingPass) {
	p.Z = append(p.Z[:0], z...)
	p.Order = append(p.Order[:0], rows...)
	l.scan(p)
}

// scan applies the candidate rule to p.Z in order.
func (l *ShiftingLayer) scan(p *ShiftingPass) {
	if l.Exact {
		l.forwardExact(p)
		return
	}
	J := l.Out
	S, A, best, kstar := p.s, p.a, p.best, p.KStar
	for j := range S {
		S[j], A[j], best[j], kstar[j] = 0, 0, math.Inf(1), 0
	}
	for r, i := range p.Order {
		zi := p.Z[r]
		w := l.W[int(i)*J : int(i)*J+J]
		for j, wij := range w {
			s := S[j] + wij
			a := A[j] + wij*zi
			S[j], A[j] = s, a
			// Candidate c = a/den is valid when s ≥ 1 and c ≥ zi; it wins
			// when c < best. den > 0, so both tests are done by
			// multiplication and the division only for a new best.
			if s >= 1 {
				den := s - 1 // clamped to [1e-10, 1e10] as the reference
				if den < 1e-10 {
					den = 1e-10
				} else if den > 1e10 {
					den = 1e10
				}
				if a >= zi*den && a < best[j]*den {
					if c := a / den; c < best[j] {
						best[j], kstar[j] = c, int32(r)
					}
					continue
				}
			}
			if Silent < best[j] { // an invalid candidate counts as Silent
				best[j], kstar[j] = Silent, int32(r)
			}
		}
	}
	for j := range p.Y {
		p.Y[j] = best[j] * l.Etp[j]
	}
}

// forwardExact is Forward with the true first crossing: between input k
// (at z_k) and input k+1, V = S_k − A_k/z rises through 1 at
// z = A_k/(S_k − 1) when S_k > 1; the first interval holding its crossing
// gives the spike. A neuron that never crosses is Silent with k* = 0.
func (l *ShiftingLayer) forwardExact(p *ShiftingPass) {
	J := l.Out
	S, A, best, kstar := p.s, p.a, p.best, p.KStar
	for j := range S {
		S[j], A[j], best[j], kstar[j] = 0, 0, Silent, 0
	}
	done := p.d // scratch: 1 once a neuron has spiked
	clear(done)
	for r, i := range p.Order {
		zi := p.Z[r]
		next := math.Inf(1)
		if r+1 < len(p.Z) {
			next = p.Z[r+1]
		}
		w := l.W[int(i)*J : int(i)*J+J]
		for j, wij := range w {
			if done[j] != 0 {
				continue
			}
			S[j] += wij
			A[j] += wij * zi
			if S[j] > 1 {
				if c := A[j] / (S[j] - 1); c >= zi && c < next {
					best[j], kstar[j], done[j] = c, int32(r), 1
				}
			}
		}
	}
	for j := range p.Y {
		p.Y[j] = best[j] * l.Etp[j]
	}
}

// ShiftingGrad accumulates one layer's gradients over a mini-batch.
type ShiftingGrad struct {
	W   []float64
	Etp []float64
}

// NewShiftingGrad allocates zeroed gradients for the layer.
func (l *ShiftingLayer) NewShiftingGrad() *ShiftingGrad {
	return &ShiftingGrad{W: make([]float64, l.In*l.Out), Etp: make([]float64, l.Out)}
}

// Backward adds one sample's contribution to g, given the error delta
// (len Out) of this layer's outputs; repeated spikes of a synapse add to
// its weight row once each. It writes into dIn (len In; single-spike
// inputs only; or nil)
// the feedback signal for the layer below: dIn_i = Σ_j delta_j·M_ij·W_ij,
// with the pre-update weights. The weight term is the reference's
// G_ij = delta_j·exp(Etp_j)·(z_in,i − y_j)·M_ij, and g_tp,j = delta_j·y_j.
// normalise divides delta_j by (Σ_causal W_ij − 1) first: the exact
// gradient's factor that the reference drops except in its TCA script.
func (l *ShiftingLayer) Backward(p *ShiftingPass, delta []float64, normalise bool, g *ShiftingGrad, dIn []float64) {
	J := l.Out
	d := p.d
	copy(d, delta)
	if normalise {
		sum := p.s // free after Forward
		clear(sum)
		for r, i := range p.Order {
			w := l.W[int(i)*J : int(i)*J+J]
			for j := range sum {
				if int32(r) <= p.KStar[j] {
					sum[j] += w[j]
				}
			}
		}
		for j := range d {
			if den := sum[j] - 1; den != 0 {
				d[j] /= den
			}
		}
	}
	eexp := p.e
	for j := range eexp {
		eexp[j] = d[j] * math.Exp(l.Etp[j])
		g.Etp[j] += d[j] * p.Y[j]
	}
	clear(dIn)
	last := int32(0)
	for _, k := range p.KStar {
		last = max(last, k)
	}
	for r, i := range p.Order[:last+1] {
		zi := p.Z[r]
		w := l.W[int(i)*J : int(i)*J+J]
		gw := g.W[int(i)*J : int(i)*J+J]
		fb := 0.0
		for j, k := range p.KStar {
			if int32(r) <= k {
				gw[j] += eexp[j] * (zi - p.Y[j])
				fb += d[j] * w[j]
			}
		}
		if dIn != nil {
			dIn[i] = fb
		}
	}
}

// Apply takes one Adam step on the weights and the output factors.
func (l *ShiftingLayer) Apply(g *ShiftingGrad, lrW, lrEtp float64) {
	l.adamW.Step(l.W, g.W, lrW)
	l.adamT.Step(l.Etp, g.Etp, lrEtp)
}

// OutputError writes the global reward–punishment signal
// softmax(y) − softmax(exp(target)) into delta, for the label's target
// 0.01 and 0.99 elsewhere (the correct neuron should fire first).
func OutputError(y []float64, label int, delta []float64) {
	// softmax over the target z values e^0.01 (label) and e^0.99 (others),
	// in closed form: the label gets a/(a + (n−1)·b), the others b/(…).
	n := float64(len(y))
	a := math.Exp(math.Exp(0.01) - math.Exp(0.99))
	pLabel, pOther := a/(a+n-1), 1/(a+n-1)
	softmax(y, delta)
	for j := range delta {
		if j == label {
			delta[j] -= pLabel
		} else {
			delta[j] -= pOther
		}
	}
}

func softmax(x, out []float64) {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = math.Max(mx, v)
	}
	s := 0.0
	for j, v := range x {
		out[j] = math.Exp(v - mx)
		s += out[j]
	}
	for j := range out {
		out[j] /= s
	}
}

// FirstSpike returns the index of the earliest output (smallest z; lowest
// index on ties): the network's decision.
func FirstSpike(y []float64) int {
	best := 0
	for j, v := range y {
		if v < y[best] {
			best = j
		}
	}
	return best
}

// ShiftingNet is a two-layer Shifting Learning network.
type ShiftingNet struct {
	L1, L2 *ShiftingLayer
	// Normalise uses the exact gradient's per-neuron normaliser (off in the reference).
	Normalise bool
	team      *sim.Team
	workers   []*shiftingWorker // one per batch chunk
}

// shiftingChunks is the fixed number of chunks a mini-batch is split
// into, each with its own gradient accumulator, summed in chunk order: the
// result does not depend on the number of threads.
const shiftingChunks = 4

// shiftingParallelWork is the batch size × inputs × hidden product above
// which chunks run on the team's workers (below, hand-offs cost more).
const shiftingParallelWork = 1 << 18

type shiftingWorker struct {
	p1, p2     *ShiftingPass
	g1, g2     *ShiftingGrad
	dOut, dHid []float64
	correct    int
	loss       float64
}

// NewShiftingNet builds an in-hidden-out network drawing its initial
// weights from rng; team (nil: none) splits mini-batches over its workers.
func NewShiftingNet(in, hidden, out int, rng *rand.Rand, team *sim.Team) *ShiftingNet {
	n := &ShiftingNet{L1: NewShiftingLayer(in, hidden, rng), L2: NewShiftingLayer(hidden, out, rng), team: team}
	for w := 0; w < shiftingChunks; w++ {
		n.workers = append(n.workers, &shiftingWorker{p1: n.L1.NewShiftingPass(), p2: n.L2.NewShiftingPass(),
			g1: n.L1.NewShiftingGrad(), g2: n.L2.NewShiftingGrad(), dOut: make([]float64, out), dHid: make([]float64, hidden)})
	}
	return n
}

// Predict returns the first-spiking output for inputs z.
func (n *ShiftingNet) Predict(z []float64) int {
	w := n.workers[0]
	n.L1.Forward(z, w.p1)
	n.L2.Forward(w.p1.Y, w.p2)
	return FirstSpike(w.p2.Y)
}

// TrainBatch does one mini-batch step on samples xs (exp-domain inputs)
// with labels ys and returns how many were classified correctly before the
// update and the mean squared distance between output and target
// distributions (the reference's logged loss). Gradients are summed over
// the batch, per chunk of a fixed split, then in chunk order.
func (n *ShiftingNet) TrainBatch(xs [][]float64, ys []int, lrW, lrEtp float64) (correct int, loss float64) {
	chunk := func(w int) {
		wk := n.workers[w]
		clear(wk.g1.W)
		clear(wk.g1.Etp)
		clear(wk.g2.W)
		clear(wk.g2.Etp)
		wk.correct, wk.loss = 0, 0
		lo, hi := w*len(xs)/shiftingChunks, (w+1)*len(xs)/shiftingChunks
		for b := lo; b < hi; b++ {
			n.L1.Forward(xs[b], wk.p1)
			n.L2.Forward(wk.p1.Y, wk.p2)
			if FirstSpike(wk.p2.Y) == ys[b] {
				wk.correct++
			}
			OutputError(wk.p2.Y, ys[b], wk.dOut)
			for _, d := range wk.dOut {
				wk.loss += d * d
			}
			n.L2.Backward(wk.p2, wk.dOut, n.Normalise, wk.g2, wk.dHid)
			n.L1.Backward(wk.p1, wk.dHid, n.Normalise, wk.g1, nil)
		}
	}
	if len(xs)*n.L1.In*n.L1.Out >= shiftingParallelWork {
		n.team.Each(shiftingChunks, chunk)
	} else {
		for w := 0; w < shiftingChunks; w++ {
			chunk(w)
		}
	}
	g1, g2 := n.workers[0].g1, n.workers[0].g2
	for _, wk := range n.workers[1:] {
		addTo(g1.W, wk.g1.W)
		addTo(g1.Etp, wk.g1.Etp)
		addTo(g2.W, wk.g2.W)
		addTo(g2.Etp, wk.g2.Etp)
	}
	n.L2.Apply(g2, lrW, lrEtp)
	n.L1.Apply(g1, lrW, lrEtp)
	for _, wk := range n.workers {
		correct += wk.correct
		loss += wk.loss
	}
	return correct, loss / float64(len(xs))
}

func addTo(dst, src []float64) {
	for i, v := range src {
		dst[i] += v
	}
}

// TrainSpikes does one update on a single trial given as time-ordered
// spikes (z = e^t, synapse rows) with its label, the TCA protocol (batch
// size 1). It returns whether the first output spike was right before the
// update, and the loss.
func (n *ShiftingNet) TrainSpikes(z []float64, rows []int32, label int, lrW, lrEtp float64) (bool, float64) {
	wk := n.workers[0]
	clear(wk.g1.W)
	clear(wk.g1.Etp)
	clear(wk.g2.W)
	clear(wk.g2.Etp)
	n.L1.ForwardSpikes(z, rows, wk.p1)
	n.L2.Forward(wk.p1.Y, wk.p2)
	ok := FirstSpike(wk.p2.Y) == label
	OutputError(wk.p2.Y, label, wk.dOut)
	loss := 0.0
	for _, d := range wk.dOut {
		loss += d * d
	}
	n.L2.Backward(wk.p2, wk.dOut, n.Normalise, wk.g2, wk.dHid)
	n.L1.Backward(wk.p1, wk.dHid, n.Normalise, wk.g1, nil)
	n.L2.Apply(wk.g2, lrW, lrEtp)
	n.L1.Apply(wk.g1, lrW, lrEtp)
	return ok, loss
}

// PredictSpikes returns the first-spiking output for a trial given as
// time-ordered spikes.
func (n *ShiftingNet) PredictSpikes(z []float64, rows []int32) int {
	wk := n.workers[0]
	n.L1.ForwardSpikes(z, rows, wk.p1)
	n.L2.Forward(wk.p1.Y, wk.p2)
	return FirstSpike(wk.p2.Y)
}
