package shifting

import (
	"math"
	"math/rand/v2"

	"github.com/spikelab/spikelab/learn"
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
	adamW *learn.Adam
	adamT *learn.Adam
}

// NewShiftingLayer initialises W ~ U(0, 8/in) and Etp = 1, with Adam state
// (β1 = 0.9, β2 = 0.9, ε = 1e-8 as in the reference).
func NewShiftingLayer(in, out int, rng *rand.Rand) *ShiftingLayer {
	l := &ShiftingLayer{In: in, Out: out, W: make([]float64, in*out), Etp: make([]float64, out),
		adamW: learn.NewAdam(in*out, 0.9, 0.9, 1e-8), adamT: learn.NewAdam(out, 0.9, 0.9, 1e-8)}
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
	kr    []float64 // KStar as float64 (what the kernels compare with)
	sk    []float64 // per output: Σ of the causal weights (S at k*)
	// scratch
	s, a, best, d, e []float64
	keys             []uint64
	tmp              []int32
}

// NewShiftingPass allocates a pass for the layer.
func (l *ShiftingLayer) NewShiftingPass() *ShiftingPass {
	return &ShiftingPass{Zin: make([]float64, l.In), Y: make([]float64, l.Out), Order: make([]int32, l.In),
		Z: make([]float64, l.In), Rank: make([]int32, l.In), KStar: make([]int32, l.Out),
		kr: make([]float64, l.Out), sk: make([]float64, l.Out),
		s: make([]float64, l.Out), a: make([]float64, l.Out), best: make([]float64, l.Out),
		d: make([]float64, l.Out), e: make([]float64, l.Out), keys: make([]uint64, l.In), tmp: make([]int32, l.In)}
}

// sortKey maps z to an unsigned key with the same order (−0 = +0).
func sortKey(z float64) uint64 {
	b := math.Float64bits(z + 0) // −0 + 0 = +0
	if b>>63 == 0 {
		return b | 1<<63
	}
	return ^b
}

// smallSort is the input count up to which sortByZ uses insertion sort.
const smallSort = 48

// sortByZ fills order with the indices of z sorted ascending, ties by
// index: a stable least-significant-digit radix sort on the keys of z,
// 8 bits a pass, skipping the bytes that all keys share (insertion sort
// for few inputs).
func sortByZ(z []float64, order, tmp []int32, keys []uint64) {
	n := len(z)
	order, tmp, keys = order[:n], tmp[:n], keys[:n]
	if n <= smallSort {
		// Insertion sort: stable, so ties stay in index order.
		for i, v := range z {
			k := sortKey(v)
			m := i
			for ; m > 0 && keys[m-1] > k; m-- {
				keys[m], order[m] = keys[m-1], order[m-1]
			}
			keys[m], order[m] = k, int32(i)
		}
		return
	}
	var count [8][256]int32
	for i, v := range z {
		k := sortKey(v)
		keys[i] = k
		order[i] = int32(i)
		for d := range 8 {
			count[d][byte(k>>(8*d))]++
		}
	}
	if n == 0 {
		return
	}
	src, dst := order, tmp
	for d := range 8 {
		c := &count[d]
		shift := 8 * uint(d)
		if c[byte(keys[0]>>shift)] == int32(n) {
			continue // every key has this byte
		}
		var pos [256]int32
		sum := int32(0)
		for b := range 256 {
			pos[b] = sum
			sum += c[b]
		}
		for _, i := range src {
			b := byte(keys[i] >> shift)
			dst[pos[b]] = i
			pos[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &order[0] {
		copy(order, src)
	}
}

// Forward computes the layer's output for one sample with inputs zin
// (exp-domain spike times; +Inf: the input never spikes and is skipped),
// exactly as the reference: inputs sorted
// ascending, prefix sums S_k = Σw and A_k = Σw·z, candidates
// A_k/clamp(S_k − 1, 1e-10, 1e10), invalid (replaced by Silent) when
// S_k < 1 or the candidate precedes input k, output = the minimum over all
// candidates (first on ties), causal set = inputs up to that rank.
func (l *ShiftingLayer) Forward(zin []float64, p *ShiftingPass) {
	copy(p.Zin, zin)
	p.Order = p.Order[:l.In]
	sortByZ(p.Zin, p.Order, p.tmp, p.keys)
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

// settleEvery is how often (in inputs) scan checks whether every output
// is settled.
const settleEvery = 32

// scan applies the candidate rule to p.Z in order. It stops early once the
// next input is no earlier than every output's best candidate: a later
// candidate c would need c ≥ z ≥ best, so none can win.
func (l *ShiftingLayer) scan(p *ShiftingPass) {
	if l.Exact {
		l.forwardExact(p)
		return
	}
	J := l.Out
	S, A, best, kr, sk := p.s, p.a, p.best, p.kr, p.sk
	for j := range S {
		S[j], A[j], best[j], kr[j], sk[j] = 0, 0, math.Inf(1), 0, 0
	}
	for r, i := range p.Order {
		zi := p.Z[r]
		if r%settleEvery == 0 && r > 0 && settled(best, zi) {
			break
		}
		if math.IsInf(zi, 1) {
			break // this input and all later ones never spike
		}
		shiftScan(l.W[int(i)*J:int(i)*J+J], S, A, best, kr, sk, zi, float64(r))
	}
	for j := range p.Y {
		if math.IsInf(best[j], 1) { // no input spiked at all
			best[j], kr[j], sk[j] = Silent, 0, 0
		}
		p.KStar[j] = int32(kr[j])
		p.Y[j] = best[j] * l.Etp[j]
	}
}

// settled reports whether no input at z or later can change any output:
// every best is at most z and no longer +Inf.
func settled(best []float64, z float64) bool {
	for _, b := range best {
		if !(b <= z && b <= Silent) {
			return false
		}
	}
	return true
}

// forwardExact is Forward with the true first crossing: between input k
// (at z_k) and input k+1, V = S_k − A_k/z rises through 1 at
// z = A_k/(S_k − 1) when S_k > 1; the first interval holding its crossing
// gives the spike. A neuron that never crosses is Silent with k* = 0.
func (l *ShiftingLayer) forwardExact(p *ShiftingPass) {
	J := l.Out
	S, A, best, kr, sk := p.s, p.a, p.best, p.kr, p.sk
	for j := range S {
		S[j], A[j], best[j], kr[j], sk[j] = 0, 0, Silent, 0, 0
	}
	done := p.d // scratch: 1 once a neuron has spiked
	clear(done)
	for r, i := range p.Order {
		zi := p.Z[r]
		if math.IsInf(zi, 1) {
			break // this input and all later ones never spike
		}
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
			if r == 0 {
				sk[j] = S[j] // the causal sum of a silent neuron (k* = 0)
			}
			if S[j] > 1 {
				if c := A[j] / (S[j] - 1); c >= zi && c < next {
					best[j], kr[j], sk[j], done[j] = c, float64(r), S[j], 1
				}
			}
		}
	}
	for j := range p.Y {
		p.KStar[j] = int32(kr[j])
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
	last := l.errorTerms(p, delta, normalise, g.Etp)
	clear(dIn)
	for r, i := range p.Order[:last+1] {
		if math.IsInf(p.Z[r], 1) {
			break // a neuron with no input spike: nothing causal
		}
		shiftGrad(g.W[int(i)*J:int(i)*J+J], p.e, p.Y, p.kr, p.Z[r], float64(r))
		if dIn != nil {
			w := l.W[int(i)*J : int(i)*J+J]
			fb := 0.0
			for j, k := range p.KStar {
				if int32(r) <= k {
					fb += p.d[j] * w[j]
				}
			}
			dIn[i] = fb
		}
	}
}

// normalised returns x divided by output j's exact-gradient normaliser
// Σ_causal W − 1 (p.sk, summed in time order by the forward pass), or x
// where that is 0.
func (p *ShiftingPass) normalised(j int, x float64) float64 {
	if den := p.sk[j] - 1; den != 0 {
		return x / den
	}
	return x
}

// errorTerms is the per-output part of Backward: it sets p.d to delta
// (normalised if asked) and p.e to p.d·exp(Etp), adds p.d·Y to gEtp, and
// returns the last rank of any causal set.
func (l *ShiftingLayer) errorTerms(p *ShiftingPass, delta []float64, normalise bool, gEtp []float64) int32 {
	d := p.d
	copy(d, delta)
	if normalise {
		for j := range d {
			d[j] = p.normalised(j, d[j])
		}
	}
	for j := range d {
		p.e[j] = d[j] * math.Exp(l.Etp[j])
		gEtp[j] += d[j] * p.Y[j]
	}
	last := int32(0)
	for _, k := range p.KStar {
		last = max(last, k)
	}
	return last
}

// gradTileWidth is about the width (outputs) of the tiles in which
// TrainBatch sums a single-spike layer's weight gradient: small enough for
// the tile's part of one chunk's error terms to stay in the core's first
// level cache while all weight rows are visited.
const gradTileWidth = 64

// gradTiles returns the number and width of the gradient tiles for J
// outputs (the width a multiple of 8 where possible, for the kernels).
func gradTiles(J int) (tiles, width int) {
	tiles = max(1, (J+gradTileWidth/2)/gradTileWidth)
	width = min(J, ((J+tiles-1)/tiles+7)&^7)
	return (J + width - 1) / width, width
}

// batchTerms holds, batch-major (sample b at b·Out), the error terms of a
// mini-batch's layer-1 passes for batchGrad, and its scratch.
type batchTerms struct {
	e, y, kr []float64
	acc      [][]float64 // one tile row per tile
	zs, rs   []float64   // per input row and sample: z and rank (−1: not causal)
}

// batchGrad writes into gw (In×Out) the weight gradient of a mini-batch
// whose forward passes are ps (error terms copied into bt), split into
// chunks (ps[lo[c]:lo[c+1]]): per weight, the terms of each chunk's
// samples summed in sample order, then the chunk sums in chunk order, the
// same sums as Backward into one gradient per chunk added up afterwards.
// It works in tiles of outputs (run by team, nil: none) so that each
// weight is written once per batch.
func (l *ShiftingLayer) batchGrad(ps []*ShiftingPass, last []int32, lo []int, gw []float64, bt *batchTerms, team *sim.Team) {
	J, nb := l.Out, len(ps)
	_, width := gradTiles(J)
	// Row i's z and rank (−1 where past the sample's last causal rank) for
	// every sample, sample-minor.
	zs, rs := bt.zs[:l.In*nb], bt.rs[:l.In*nb]
	for b, p := range ps {
		for i, r := range p.Rank[:l.In] {
			zs[i*nb+b], rs[i*nb+b] = p.Zin[i], -1
			if r <= last[b] && !math.IsInf(p.Zin[i], 1) {
				rs[i*nb+b] = float64(r)
			}
		}
	}
	team.Each(len(bt.acc), func(t int) {
		j0, j1 := t*width, min((t+1)*width, J)
		a := bt.acc[t][:j1-j0]
		first := true // no chunk written yet
		for c := 0; c+1 < len(lo); c++ {
			if lo[c+1] == lo[c] {
				continue // an empty chunk adds nothing
			}
			o := lo[c]*J + j0
			end := o + (lo[c+1]-lo[c]-1)*J + (j1 - j0)
			e, y, kr := bt.e[o:end], bt.y[o:end], bt.kr[o:end]
			for i := 0; i < l.In; i++ {
				clear(a)
				shiftGradRows(a, e, y, kr, J, zs[i*nb+lo[c]:i*nb+lo[c+1]], rs[i*nb+lo[c]:i*nb+lo[c+1]])
				g := gw[i*J+j0 : i*J+j1]
				if first {
					copy(g, a)
				} else {
					for j, v := range a {
						g[j] += v
					}
				}
			}
			first = false
		}
		if first { // an empty batch
			for i := 0; i < l.In; i++ {
				clear(gw[i*J+j0 : i*J+j1])
			}
		}
	})
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
	// Opt holds the training options beyond the reference rule (all off
	// at their zero values).
	Opt TrainOptions
	// TargetTime moves the time origin of TrainSpikes' output error to
	// this trial time (s): the error compares e^(t − TargetTime) of the
	// outputs with the reference's targets, so the correct output is due at
	// TargetTime + 0.01 and the others after it (0: the reference).
	TargetTime float64
	// ReadoutZ > 0 selects the potential readout of TrainSpikes and
	// PredictSpikes at exp-domain time ReadoutZ (e^(readout time));
	// 0: the first output spike decides (the reference).
	ReadoutZ float64
	// HiddenLrFactor multiplies TrainSpikes' weight learning rate for the
	// hidden layer (0: 1, the reference's one rate for both layers).
	HiddenLrFactor float64
	team           *sim.Team
	workers        []*shiftingWorker // one per batch chunk
	// per sample of the current mini-batch
	passes []*ShiftingPass // layer-1 passes
	last   []int32         // layer-1 last causal rank
	lo     []int           // chunk bounds
	bt     batchTerms      // layer-1 error terms for batchGrad
	g1     *ShiftingGrad   // layer-1 gradient of the batch
}

// shiftingChunks is the fixed number of chunks a mini-batch is split
// into, each with its own gradient accumulator, summed in chunk order: the
// result does not depend on the number of threads.
const shiftingChunks = 4

// shiftingParallelWork is the batch size × inputs × hidden product above
// which chunks run on the team's workers (below, hand-offs cost more).
const shiftingParallelWork = 1 << 18

type shiftingWorker struct {
	p2         *ShiftingPass
	g1, g2     *ShiftingGrad // g1: only Etp is used by TrainBatch
	dOut, dHid []float64
	correct    int
	loss       float64
	sil1, sil2 []float64 // silent samples per hidden / output neuron (SilentBump only)
	late1      []float64 // samples per hidden neuron that fired after the last input (LateBump only)
	st         HiddenStats
}

// NewShiftingNet builds an in-hidden-out network drawing its initial
// weights from rng; team (nil: none) splits mini-batches over its workers.
func NewShiftingNet(in, hidden, out int, rng *rand.Rand, team *sim.Team) *ShiftingNet {
	n := &ShiftingNet{L1: NewShiftingLayer(in, hidden, rng), L2: NewShiftingLayer(hidden, out, rng), team: team}
	for w := 0; w < shiftingChunks; w++ {
		n.workers = append(n.workers, &shiftingWorker{p2: n.L2.NewShiftingPass(),
			g1: n.L1.NewShiftingGrad(), g2: n.L2.NewShiftingGrad(), dOut: make([]float64, out), dHid: make([]float64, hidden),
			sil1: make([]float64, hidden), sil2: make([]float64, out), late1: make([]float64, hidden), st: HiddenStats{Fired: make([]bool, hidden)}})
	}
	n.g1 = n.workers[0].g1
	tiles, width := gradTiles(hidden)
	for t := 0; t < tiles; t++ {
		n.bt.acc = append(n.bt.acc, make([]float64, width))
	}
	return n
}

// pass returns the layer-1 pass of batch sample b.
func (n *ShiftingNet) pass(b int) *ShiftingPass {
	for len(n.passes) <= b {
		n.passes = append(n.passes, n.L1.NewShiftingPass())
	}
	return n.passes[b]
}

// Predict returns the first-spiking output for inputs z.
func (n *ShiftingNet) Predict(z []float64) int {
	p1, p2 := n.pass(0), n.workers[0].p2
	n.L1.Forward(z, p1)
	n.L2.Forward(p1.Y, p2)
	return FirstSpike(p2.Y)
}

// PredictBatch writes the first-spiking output for each of xs into pred,
// splitting the samples over the team's workers.
func (n *ShiftingNet) PredictBatch(xs [][]float64, pred []int) { n.PredictBatchStats(xs, pred, nil) }

// PredictBatchStats is PredictBatch that also adds the hidden layer's
// spike statistics of the samples to st (nil: none).
func (n *ShiftingNet) PredictBatchStats(xs [][]float64, pred []int, st *HiddenStats) {
	n.pass(shiftingChunks - 1)
	run := func(w int) {
		p1, wk := n.passes[w], n.workers[w]
		if st != nil {
			wk.st.reset()
		}
		for b := w * len(xs) / shiftingChunks; b < (w+1)*len(xs)/shiftingChunks; b++ {
			n.L1.Forward(xs[b], p1)
			n.L2.Forward(p1.Y, wk.p2)
			pred[b] = FirstSpike(wk.p2.Y)
			if st != nil {
				wk.st.add(p1)
			}
		}
	}
	defer func() {
		if st != nil {
			for _, wk := range n.workers {
				st.merge(&wk.st)
			}
		}
	}()
	if len(xs)*n.L1.In*n.L1.Out >= shiftingParallelWork {
		n.team.Each(shiftingChunks, run)
	} else {
		for w := 0; w < shiftingChunks; w++ {
			run(w)
		}
	}
}

// TrainBatch does one mini-batch step on samples xs (exp-domain inputs)
// with labels ys and returns how many were classified correctly before the
// update and the mean squared distance between output and target
// distributions (the reference's logged loss). Gradients are summed over
// the batch, per chunk of a fixed split, then in chunk order.
func (n *ShiftingNet) TrainBatch(xs [][]float64, ys []int, lrW, lrEtp float64) (correct int, loss float64) {
	n.pass(len(xs) - 1)
	J := n.L1.Out
	if bt := &n.bt; len(bt.e) < len(xs)*J {
		bt.e, bt.y, bt.kr = make([]float64, len(xs)*J), make([]float64, len(xs)*J), make([]float64, len(xs)*J)
		bt.zs, bt.rs = make([]float64, len(xs)*n.L1.In), make([]float64, len(xs)*n.L1.In)
	}
	n.lo = n.lo[:0]
	for w := 0; w <= shiftingChunks; w++ {
		n.lo = append(n.lo, w*len(xs)/shiftingChunks)
	}
	if cap(n.last) < len(xs) {
		n.last = make([]int32, len(xs))
	}
	n.last = n.last[:len(xs)]
	chunk := func(w int) {
		wk := n.workers[w]
		clear(wk.g1.Etp)
		clear(wk.g2.W)
		clear(wk.g2.Etp)
		wk.correct, wk.loss = 0, 0
		if n.Opt.SilentBump > 0 {
			clear(wk.sil1)
			clear(wk.sil2)
		}
		if n.Opt.LateBump > 0 {
			clear(wk.late1)
		}
		for b := n.lo[w]; b < n.lo[w+1]; b++ {
			p1 := n.passes[b]
			n.L1.Forward(xs[b], p1)
			n.L2.Forward(p1.Y, wk.p2)
			if n.Opt.SilentBump > 0 {
				countSilent(p1, wk.sil1)
				countSilent(wk.p2, wk.sil2)
			}
			if n.Opt.LateBump > 0 {
				countLate(p1, wk.late1)
			}
			if FirstSpike(wk.p2.Y) == ys[b] {
				wk.correct++
			}
			OutputError(wk.p2.Y, ys[b], wk.dOut)
			for _, d := range wk.dOut {
				wk.loss += d * d
			}
			n.L2.Backward(wk.p2, wk.dOut, n.Normalise, wk.g2, wk.dHid)
			n.last[b] = n.L1.errorTerms(p1, wk.dHid, n.Normalise, wk.g1.Etp)
			if n.Opt.LateCost > 0 {
				n.Opt.addLateCost(n.L1, p1, n.Normalise)
			}
			copy(n.bt.e[b*J:(b+1)*J], p1.e)
			copy(n.bt.y[b*J:(b+1)*J], p1.Y)
			copy(n.bt.kr[b*J:(b+1)*J], p1.kr)
		}
	}
	team := n.team
	if len(xs)*n.L1.In*n.L1.Out < shiftingParallelWork {
		team = nil
	}
	team.Each(shiftingChunks, chunk)
	n.L1.batchGrad(n.passes[:len(xs)], n.last, n.lo, n.g1.W, &n.bt, team)
	g1, g2 := n.g1, n.workers[0].g2
	for _, wk := range n.workers[1:] {
		addTo(g1.Etp, wk.g1.Etp)
		addTo(g2.W, wk.g2.W)
		addTo(g2.Etp, wk.g2.Etp)
	}
	if n.Opt.WSK > 0 || n.Opt.ClipNorm > 0 {
		n.Opt.shape(n.L1, g1.W)
		n.Opt.shape(n.L2, g2.W)
	}
	n.L2.Apply(g2, lrW, lrEtp)
	n.L1.Apply(g1, lrW, lrEtp)
	if n.Opt.SilentBump > 0 {
		n.bump(len(xs))
	}
	if n.Opt.LateBump > 0 {
		n.lateBump(len(xs))
	}
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
// size 1). It returns whether the network's answer (the first output
// spike, or the largest potential with ReadoutZ) was right before the
// update, and the loss (the squared distance between output and target
// distributions).
func (n *ShiftingNet) TrainSpikes(z []float64, rows []int32, label int, lrW, lrEtp float64) (bool, float64) {
	wk, p1 := n.workers[0], n.pass(0)
	clear(wk.g1.W)
	clear(wk.g1.Etp)
	clear(wk.g2.W)
	clear(wk.g2.Etp)
	answer, _ := n.decide(z, rows, p1, wk.p2)
	if n.ReadoutZ > 0 {
		PotentialError(wk.p2.Y, label, wk.dOut)
		n.L2.PotentialBackward(p1.Y, n.ReadoutZ, wk.dOut, wk.g2, wk.dHid)
	} else {
		n.spikeError(wk.p2.Y, label, wk.dOut)
		n.L2.Backward(wk.p2, wk.dOut, n.Normalise, wk.g2, wk.dHid)
	}
	loss := 0.0
	for _, d := range wk.dOut {
		loss += d * d
	}
	n.L1.Backward(p1, wk.dHid, n.Normalise, wk.g1, nil)
	n.L2.Apply(wk.g2, lrW, lrEtp)
	if f := n.HiddenLrFactor; f > 0 {
		lrW *= f
	}
	n.L1.Apply(wk.g1, lrW, lrEtp)
	return answer == label, loss
}

// spikeError is OutputError of outputs y measured from TargetTime:
// softmax(y·e^(−TargetTime)) − softmax(exp(target)).
func (n *ShiftingNet) spikeError(y []float64, label int, delta []float64) {
	if n.TargetTime == 0 {
		OutputError(y, label, delta)
		return
	}
	s := math.Exp(-n.TargetTime)
	for j, v := range y {
		delta[j] = v * s
	}
	OutputError(delta, label, delta)
}

// PredictSpikes returns the network's answer for a trial given as
// time-ordered spikes: the first-spiking output, or with ReadoutZ the
// largest potential at the readout time.
func (n *ShiftingNet) PredictSpikes(z []float64, rows []int32) int {
	answer, _ := n.decide(z, rows, n.pass(0), n.workers[0].p2)
	return answer
}
