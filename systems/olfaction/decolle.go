package olfaction

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/vec"
)

// DECOLLE (Kaiser, Mostafa & Neftci 2020, "Synaptic plasticity dynamics for
// deep continuous local learning", Front. Neurosci. 14:424) in the one-step
// form of its lava-dl port: a stack of dense CUBA-LIF blocks, each with a
// fixed random local readout G and its own cross-entropy loss at every time
// step. A block's gradient is
//
//	∂L_t/∂W_l = Σ_b δ_l[b]·s_{l−1}[b]ᵀ,
//	δ_l = (G_lᵀ·∂CE/∂y_l) ⊙ σ'(v'_l) + ∂reg/∂v'_l,
//	σ'(v) = scale/(2τ)·exp(−|v − ϑ|/τ),
//
// with the input spikes s_{l−1} of the same step taken as constants, so no
// gradient crosses a block and none flows back in time. A final trainable
// linear readout of the last block (with bias) classifies; it gets its own
// cross-entropy gradient, which does not reach the last block. Every
// trainable array takes one Adam step per time step ("online" mode).

// DecolleParams configure a DecolleNet.
type DecolleParams struct {
	Neuron neuron.CUBALIFParams
	// Sizes are the layer sizes, input first: block l maps Sizes[l] to Sizes[l+1].
	Sizes []int
	// Classes is the number of readout units.
	Classes int
	// Batch is the largest batch a step may carry.
	Batch int
	// SurrogateScale and SurrogateTau set σ'(v) = scale/(2τ)·exp(−|v−ϑ|/τ)
	// (lava: scale_grad·0.1 = 0.3 and tau_grad·ϑ·100 = 3.75).
	SurrogateScale, SurrogateTau float64
	// Reg is λ of the voltage regulariser λ·mean(ReLU(v'+0.01)) +
	// λ·3e-3·mean(ReLU(0.1 − sigmoid(v'))) (lava DECOLLE loss).
	Reg float64
	// LR is the Adam learning rate; Beta1, Beta2, Eps its constants.
	LR, Beta1, Beta2, Eps float64
	// Local[l] says whether block l has a local readout and is trained by
	// DECOLLE; a block without one keeps its weights unless something else
	// (e.g. STDPPairing) changes them. nil means every block.
	Local []bool
	// Abs[l] says whether block l's weights are set to |W| after every
	// optimiser step (the original constrains every block but the first).
	// nil means none.
	Abs []bool
}

// Validate reports the first unusable field.
func (p DecolleParams) Validate() error {
	if err := p.Neuron.Validate(); err != nil {
		return err
	}
	if len(p.Sizes) < 2 {
		return fmt.Errorf("layer_sizes needs at least an input and one layer, got %v", p.Sizes)
	}
	for _, n := range p.Sizes {
		if n < 1 {
			return fmt.Errorf("layer_sizes entries must be at least 1, got %v", p.Sizes)
		}
	}
	if p.Classes < 2 || p.Batch < 1 {
		return fmt.Errorf("classes (%d) must be at least 2 and batch (%d) at least 1", p.Classes, p.Batch)
	}
	if !(p.SurrogateScale > 0 && p.SurrogateTau > 0) {
		return fmt.Errorf("surrogate scale and tau must be > 0, got %g, %g", p.SurrogateScale, p.SurrogateTau)
	}
	if !(p.Reg >= 0) || !(p.LR >= 0) {
		return fmt.Errorf("reg (%g) and lr (%g) must be >= 0", p.Reg, p.LR)
	}
	nb := len(p.Sizes) - 1
	if (p.Local != nil && len(p.Local) != nb) || (p.Abs != nil && len(p.Abs) != nb) {
		return fmt.Errorf("local and abs flags need one entry per block (%d)", nb)
	}
	return nil
}

// DecolleBlock is one dense CUBA-LIF block with its state for a batch.
// Arrays of the batch are sample-major (Batch × N).
type DecolleBlock struct {
	NIn, NOut int
	// W holds the weights input-major: W[j*NOut+i] is the weight from input
	// j to neuron i (the transpose of the usual W[i][j]), so that the
	// weights of one input spike are contiguous.
	W []float64
	// G is the fixed local readout, neuron-major: G[i*Classes+c] (nil for a
	// block without a local readout).
	G []float64
	// Abs projects W to |W| after each optimiser step.
	Abs bool
	// Theta (nil: none) raises neuron i's threshold by Theta[i] (voltage
	// units; an adaptive threshold set by a homeostat, not by the optimiser).
	Theta []float64
	// Feedback is the gain of global feedback inhibition (current units):
	// each neuron of a sample gets −Feedback·(fraction of the block's
	// neurons that spiked in the sample's previous step) as input current.
	// FeedbackOn says the block has it (saved with the model even at 0).
	Feedback   float64
	FeedbackOn bool

	U, V, VPre, S []float64 // state, pre-reset voltage v' and spikes (0/1) of the last step
	Y             []float64 // local readout of the last step, Batch × Classes
	delta         []float64 // ∂L/∂(input current), Batch × NOut
	z             []float64 // input current of the last step
	gT            []float64 // G class-major (gT[c*NOut+i] = G[i*Classes+c]), refreshed by each step with labels
	adam          *learn.Adam
}

// DecolleNet is a DECOLLE-trained stack of CUBA-LIF blocks with a trainable
// final readout. It is not safe for concurrent use.
type DecolleNet struct {
	P      DecolleParams
	Blocks []*DecolleBlock
	// R is the final readout, input-major with the bias as the last row:
	// R[j*Classes+c] for j < NLast, R[NLast*Classes+c] the bias of class c.
	R     []float64
	YF    []float64 // final readout of the last step, Batch × Classes
	dYF   []float64
	dyLoc []float64 // scratch: a local readout's ∂CE/∂y, Batch × Classes
	adamR *learn.Adam
	gradR []float64
	// rowGrad holds one gradient row (up to maxOut) per worker.
	rowGrad [][]float64
	inSpk   [][][]int32 // per block, per sample: indices of input spikes this step
	outSpk  [][]int32   // per sample: indices of the last block's spikes this step
	inh     []float64   // per sample: a block's feedback inhibition this step
	team    *sim.Team
	// bySample[l] lists, per input of block l, the samples in which it
	// spiked this step (the transpose of inSpk[l]).
	bySample []spikeIndex
	// outIdx is the same for the last block's spikes (the final readout's
	// inputs); allSamples lists 0, 1, …, Batch−1.
	outIdx     spikeIndex
	allSamples []int32
	expBuf     []float64 // per sample: scratch for the surrogate derivatives
	maxOut     int       // the largest block
	loss       []float64 // per sample: CE of the final readout this step
	bsz        int
}

// NewDecolleNet builds the network; weights are drawn from rng as PyTorch's
// defaults, U(±1/√fan_in), for W, the local readouts G and the final readout.
func NewDecolleNet(p DecolleParams, rng *rand.Rand, team *sim.Team) (*DecolleNet, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	nb := len(p.Sizes) - 1
	n := &DecolleNet{P: p, team: team}
	C, B := p.Classes, p.Batch
	uni := func(x []float64, fanIn int) {
		a := 1 / math.Sqrt(float64(fanIn))
		for i := range x {
			x[i] = a * (2*rng.Float64() - 1)
		}
	}
	for l := 0; l < nb; l++ {
		in, out := p.Sizes[l], p.Sizes[l+1]
		b := &DecolleBlock{NIn: in, NOut: out, W: make([]float64, in*out),
			U: make([]float64, B*out), V: make([]float64, B*out), VPre: make([]float64, B*out),
			S: make([]float64, B*out), z: make([]float64, B*out), delta: make([]float64, B*out)}
		uni(b.W, in)
		if p.Local == nil || p.Local[l] {
			b.G = make([]float64, out*C)
			uni(b.G, out)
			b.Y = make([]float64, B*C)
			b.adam = learn.NewAdam(len(b.W), p.Beta1, p.Beta2, p.Eps)
		}
		b.Abs = p.Abs != nil && p.Abs[l]
		if b.Abs {
			for i, w := range b.W {
				b.W[i] = math.Abs(w)
			}
		}
		n.Blocks = append(n.Blocks, b)
		lists := make([][]int32, B)
		for s := range lists {
			lists[s] = make([]int32, 0, in)
		}
		n.inSpk = append(n.inSpk, lists)
		n.bySample = append(n.bySample, spikeIndex{start: make([]int, in+1), samples: make([]int32, 0, B*in)})
	}
	last := p.Sizes[nb]
	n.R = make([]float64, (last+1)*C)
	uni(n.R, last)
	n.gradR = make([]float64, len(n.R))
	n.adamR = learn.NewAdam(len(n.R), p.Beta1, p.Beta2, p.Eps)
	n.YF, n.dYF, n.dyLoc, n.loss = make([]float64, B*C), make([]float64, B*C), make([]float64, B*C), make([]float64, B)
	for _, b := range n.Blocks {
		n.maxOut = max(n.maxOut, b.NOut)
	}
	n.expBuf = make([]float64, B*n.maxOut)
	n.outIdx = spikeIndex{start: make([]int, last+1), samples: make([]int32, 0, B*last)}
	n.allSamples = make([]int32, B)
	for s := range n.allSamples {
		n.allSamples[s] = int32(s)
	}
	n.outSpk = make([][]int32, B)
	for s := range n.outSpk {
		n.outSpk[s] = make([]int32, 0, last)
	}
	n.inh = make([]float64, B)
	return n, nil
}

// Reset zeroes the neuron states (start of a batch).
func (n *DecolleNet) Reset() {
	for _, b := range n.Blocks {
		clear(b.U)
		clear(b.V)
		clear(b.VPre)
		clear(b.S)
	}
}

// transposeG refreshes every local readout's class-major copy gT from G
// (which a caller may have changed since the last step).
func (n *DecolleNet) transposeG() {
	C := n.P.Classes
	for _, b := range n.Blocks {
		if b.G == nil {
			continue
		}
		if len(b.gT) != len(b.G) {
			b.gT = make([]float64, len(b.G))
		}
		for i := range b.NOut {
			for c, g := range b.G[i*C : (i+1)*C] {
				b.gT[c*b.NOut+i] = g
			}
		}
	}
}

// Surrogate returns σ'(v), the surrogate derivative of the spike with
// respect to the pre-reset voltage (SurrogateInto on one value).
func (p DecolleParams) Surrogate(v float64) float64 {
	d := [1]float64{v}
	p.SurrogateInto(d[:], d[:])
	return d[0]
}

// SurrogateInto sets dst[i] = σ'(v[i]) = scale/(2τ)·exp(−|v[i]−ϑ|/τ) for
// every i < len(v), the exponentials in one vector pass (vec.Exp, bit for
// bit math.Exp); dst may be v. The network's gradient uses it.
func (p DecolleParams) SurrogateInto(dst, v []float64) {
	th, tau := p.Neuron.Threshold, p.SurrogateTau
	sc := p.SurrogateScale / (2 * tau)
	dst = dst[:len(v)]
	for i, x := range v {
		dst[i] = -math.Abs(x-th) / tau
	}
	vec.Exp(dst, dst)
	for i := range dst {
		dst[i] *= sc
	}
}

// Step advances the network by one time step on the input spikes x
// (bsz × Sizes[0], values 0 or 1; bsz ≤ Batch). With labels non-nil it also
// computes every local loss's gradient for the labels (one class per
// sample) and, if learn is true, takes one Adam step on every trainable
// array, then applies the |W| projections. It returns the mean
// cross-entropy of the final readout over the batch (0 without labels).
func (n *DecolleNet) Step(x []float64, bsz int, labels []int, learn bool) float64 {
	if bsz > n.P.Batch || len(x) < bsz*n.P.Sizes[0] {
		panic(fmt.Sprintf("learn: DecolleNet.Step with batch %d (max %d) and %d inputs", bsz, n.P.Batch, len(x)))
	}
	n.bsz = bsz
	if labels != nil {
		n.transposeG()
	}
	nw := n.team.Workers()
	n.team.Run(func(w int) {
		n.forwardRange(w*bsz/nw, (w+1)*bsz/nw, x, labels)
	})
	if labels == nil {
		return 0
	}
	loss := 0.0
	for s := 0; s < bsz; s++ {
		loss += n.loss[s]
	}
	if learn {
		n.update()
	}
	return loss / float64(bsz)
}

// forwardRange runs samples lo … hi−1 through every block, block after
// block (each block's input sums for all of them at once, SumRowsEach, so
// that its weights stay in cache across the samples; every sample's
// numbers are those of running it alone), then, with labels, fills the
// deltas of the local losses and of the final readout.
func (n *DecolleNet) forwardRange(lo, hi int, x []float64, labels []int) {
	if lo >= hi {
		return
	}
	C := n.P.Classes
	for l, b := range n.Blocks {
		for s := lo; s < hi; s++ {
			var in []float64
			if l == 0 {
				in = x[s*n.P.Sizes[0] : (s+1)*n.P.Sizes[0]]
			} else {
				p := n.Blocks[l-1]
				in = p.S[s*p.NOut : (s+1)*p.NOut]
			}
			n.inSpk[l][s] = vec.AppendNonzero(n.inSpk[l][s][:0], in)
			var inh float64
			if b.Feedback != 0 { // from the spikes of the previous step, before Step overwrites them
				for _, v := range b.S[s*b.NOut : (s+1)*b.NOut] {
					inh += v
				}
				inh *= b.Feedback / float64(b.NOut)
			}
			n.inh[s] = inh
		}
		vec.SumRowsEach(b.z[lo*b.NOut:], b.NOut, b.NOut, b.W, b.NOut, n.inSpk[l][lo:hi])
		for s := lo; s < hi; s++ {
			o := s * b.NOut
			z := b.z[o : o+b.NOut]
			if inh := n.inh[s]; inh != 0 {
				for i := range z {
					z[i] -= inh
				}
			}
			if b.Theta != nil {
				n.P.Neuron.StepOffset(z, b.U[o:o+b.NOut], b.V[o:o+b.NOut], b.VPre[o:o+b.NOut], b.S[o:o+b.NOut], b.Theta)
			} else {
				n.P.Neuron.Step(z, b.U[o:o+b.NOut], b.V[o:o+b.NOut], b.VPre[o:o+b.NOut], b.S[o:o+b.NOut])
			}
		}
	}
	// Final readout of the last block's spikes.
	last := n.Blocks[len(n.Blocks)-1]
	for s := lo; s < hi; s++ {
		spk := vec.AppendNonzero(n.outSpk[s][:0], last.S[s*last.NOut:(s+1)*last.NOut])
		n.outSpk[s] = spk
		y := n.YF[s*C : (s+1)*C]
		copy(y, n.R[last.NOut*C:])
		vec.AddRows(y, n.R, C, spk)
		if labels != nil {
			n.backwardSample(s, labels[s], false)
		}
	}
}

// backwardSample computes sample s's local readouts and deltas from the
// blocks' current spikes and voltages, and the final readout's gradient.
// fromS reads the spikes from the blocks' S (which a test may have set to
// other values than 0 and 1), else from the step's spike lists.
func (n *DecolleNet) backwardSample(s, label int, fromS bool) {
	C := n.P.Classes
	bsz := float64(n.bsz)
	for l, b := range n.Blocks {
		if b.G == nil {
			continue
		}
		y := b.Y[s*C : (s+1)*C]
		if fromS {
			clear(y)
			for i, sp := range b.S[s*b.NOut : (s+1)*b.NOut] {
				if sp != 0 {
					axpy(y, sp, b.G[i*C:(i+1)*C])
				}
			}
		} else {
			// The block's spikes (0 or 1) of this step, as the next block
			// (or the final readout) listed them: the same sums.
			spk := n.outSpk[s]
			if l+1 < len(n.Blocks) {
				spk = n.inSpk[l+1][s]
			}
			vec.SumRows(y, b.G, C, spk)
		}
		n.localDelta(b, s, label, bsz)
	}
	dy := n.dYF[s*C : (s+1)*C]
	n.loss[s] = softmaxCE(n.YF[s*C:(s+1)*C], label, dy)
	for c := range dy {
		dy[c] /= bsz
	}
}

// Backward recomputes the local readouts, deltas and final-readout
// gradient of the last step from the blocks' current S and VPre (a test can
// replace the spikes by a smooth function of the voltage first).
func (n *DecolleNet) Backward(labels []int) {
	n.transposeG()
	for s := 0; s < n.bsz; s++ {
		n.backwardSample(s, labels[s], true)
	}
}

// localDelta fills block b's delta for sample s from its local readout.
func (n *DecolleNet) localDelta(b *DecolleBlock, s, label int, bsz float64) {
	C := n.P.Classes
	y := b.Y[s*C : (s+1)*C]
	dy := n.dyLoc[s*C : (s+1)*C]
	softmaxCE(y, label, dy)
	for c := range dy {
		dy[c] /= bsz
	}
	o := s * b.NOut
	vp := b.VPre[o : o+b.NOut]
	d := b.delta[o : o+b.NOut]
	regA := n.P.Reg / (bsz * float64(b.NOut))
	// The surrogate derivative of every neuron.
	e := n.expBuf[s*n.maxOut : s*n.maxOut+b.NOut]
	n.P.SurrogateInto(e, vp)
	// (Gᵀ·dy)[i] = Σ_c G[i][c]·dy[c] in class order, for all neurons at once
	// (AxpyK skips the classes with dy[c] = 0, whose terms ±0 leave a sum
	// that starts at +0 unchanged).
	clear(d)
	vec.AxpyK(d, b.gT, b.NOut, dy)
	for i := range d {
		g := d[i] * e[i]
		if regA > 0 {
			if vp[i]+0.01 > 0 {
				g += regA
			}
			sg := 1 / (1 + math.Exp(-vp[i]))
			if 0.1-sg > 0 {
				g -= regA * 3e-3 * sg * (1 - sg)
			}
		}
		d[i] = g
	}
}

// update forms every gradient and takes the Adam steps, in one pass of
// the team: each worker owns a range of input rows of every block and of
// the final readout, forms their gradient, steps them and applies |W|.
func (n *DecolleNet) update() {
	nw := n.team.Workers()
	for _, b := range n.Blocks {
		if b.adam != nil {
			b.adam.Begin(n.P.LR)
		}
	}
	n.adamR.Begin(n.P.LR)
	for l, b := range n.Blocks {
		if b.adam != nil {
			n.bySample[l].build(n.inSpk[l][:n.bsz], b.NIn)
		}
	}
	n.outIdx.build(n.outSpk[:n.bsz], n.Blocks[len(n.Blocks)-1].NOut)
	C := n.P.Classes
	last := n.Blocks[len(n.Blocks)-1].NOut
	for len(n.rowGrad) < nw { // once per team size, not per step
		n.rowGrad = append(n.rowGrad, make([]float64, n.maxOut))
	}
	n.team.Run(func(w int) {
		for l, b := range n.Blocks {
			if b.adam == nil {
				continue
			}
			lo, hi := w*b.NIn/nw, (w+1)*b.NIn/nw
			// Row j of the gradient sums the deltas of the samples in
			// which input j spiked, in sample order; it is applied at
			// once from the worker's row buffer (Adam is elementwise, so
			// row by row equals the whole matrix at once, and the
			// gradient never crosses memory).
			by := n.bySample[l]
			g := n.rowGrad[w][:b.NOut]
			for j := lo; j < hi; j++ {
				vec.SumRows(g, b.delta, b.NOut, by.samples[by.start[j]:by.start[j+1]])
				b.adam.ApplyAt(b.W, j*b.NOut, g)
				if b.Abs {
					row := b.W[j*b.NOut : (j+1)*b.NOut]
					for i, x := range row {
						row[i] = math.Abs(x)
					}
				}
			}
		}
		// Final readout rows (the bias row, index last, goes to the last worker).
		lo, hi := w*(last+1)/nw, (w+1)*(last+1)/nw
		g := n.gradR
		by := &n.outIdx
		for i := lo; i < min(hi, last); i++ {
			vec.SumRows(g[i*C:(i+1)*C], n.dYF, C, by.samples[by.start[i]:by.start[i+1]])
		}
		if last >= lo && last < hi { // the bias: every sample
			vec.SumRows(g[last*C:(last+1)*C], n.dYF, C, n.allSamples[:n.bsz])
		}
		n.adamR.Apply(n.R, g, lo*C, hi*C)
	})
}

// Gradient returns the gradient of block l's local loss (summed over the
// batch's mean) with respect to its weights, input-major like W, as the
// last Step with labels left it (computed afresh; for tests).
func (n *DecolleNet) Gradient(l int) []float64 {
	b := n.Blocks[l]
	g := make([]float64, len(b.W))
	for s := 0; s < n.bsz; s++ {
		d := b.delta[s*b.NOut : (s+1)*b.NOut]
		for _, j := range n.inSpk[l][s] {
			vec.AddTo(g[int(j)*b.NOut:(int(j)+1)*b.NOut], d)
		}
	}
	return g
}

// softmaxCE returns the cross-entropy −log softmax(y)[label] and writes its
// gradient softmax(y) − onehot(label) into dy.
func softmaxCE(y []float64, label int, dy []float64) float64 {
	mx := y[0]
	for _, v := range y {
		mx = max(mx, v)
	}
	sum := 0.0
	for c, v := range y {
		e := math.Exp(v - mx)
		dy[c] = e
		sum += e
	}
	for c := range dy {
		dy[c] /= sum
	}
	loss := -math.Log(dy[label])
	dy[label]--
	return loss
}

// axpy adds a·x to y.
func axpy(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += a * v
	}
}

// spikeIndex lists, for each input, the samples of a batch in which it
// spiked, in sample order: samples[start[j]:start[j+1]] for input j.
type spikeIndex struct {
	start   []int
	samples []int32
}

// build fills the index from the per-sample lists of spiking inputs.
func (x *spikeIndex) build(bySample [][]int32, nIn int) {
	start := x.start[:nIn+1]
	clear(start)
	total := 0
	for _, list := range bySample {
		for _, j := range list {
			start[j+1]++
		}
		total += len(list)
	}
	for j := 0; j < nIn; j++ {
		start[j+1] += start[j]
	}
	x.samples = x.samples[:total]
	for s, list := range bySample {
		for _, j := range list {
			x.samples[start[j]] = int32(s)
			start[j]++
		}
	}
	// start[j] now holds the end of input j's range: shift back.
	copy(start[1:], start[:nIn])
	start[0] = 0
}
