package shifting

import (
	"fmt"
	"math"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
)

// Options beyond the reference rule, for codes in which a hidden neuron can
// fire before the last input spike (sample-dependent causal sets): a
// weight-sum cost, per-neuron gradient clipping, weight bumping of silent
// neurons, hidden-layer spike statistics, the input codes and the
// learning-rate schedules. All are off at their zero values.

// TrainOptions are the optional terms TrainBatch adds to the rule.
type TrainOptions struct {
	// WSK is the weight-sum cost factor K of the cost
	// K·Σ_j max(0, WSTheta − Σ_i w_ij) on every layer (Mostafa 2018); its
	// gradient, −K on every incoming weight of a neuron whose weight sum is
	// below WSTheta, is added once per mini-batch to the rule's summed
	// update (0: off).
	WSK float64
	// WSTheta is the weight sum below which the cost acts (threshold units; 1 = the threshold).
	WSTheta float64
	// ClipNorm caps the Euclidean norm of each neuron's incoming weight
	// gradient (rule plus cost, per mini-batch) before the Adam step (0: off).
	ClipNorm float64
	// SilentBump is weight bumping (after Comsa et al. 2020): after each
	// mini-batch, every incoming weight of a neuron (hidden and output)
	// grows by SilentBump × the fraction of the batch's samples on which
	// the neuron stayed silent, so a silent neuron is pushed back into
	// firing (weight units; 0: off).
	SilentBump float64
	// LateCost is the factor γ of the late-spike cost
	// γ·Σ_j max(0, z_j − z_last) on the hidden layer of a single-spike
	// (image) sample: z_j is hidden neuron j's firing time before its output
	// delay and z_last the sample's last input spike (both e^t). It pushes
	// hidden spikes before the last input, so that hidden neurons use
	// sample-dependent causal sets (hidden_early_fraction). Its derivative γ
	// enters each late neuron's error term like the output error does, so
	// the update keeps the rule's form γ·e^Etp_j·(z_i − y_j) on the causal
	// inputs (divided by Σ_causal w − 1 under normalise); the output delay
	// Etp is untouched (z_j does not depend on it). 0: off.
	LateCost float64
	// LateBump is the late-spike push applied outside the optimiser, as
	// SilentBump is: after each mini-batch every incoming weight of a
	// hidden neuron grows by LateBump × the fraction of the batch's
	// samples on which the neuron fired after the sample's last input
	// spike (more input weight crosses the threshold sooner), so the step
	// does not go through Adam's per-weight normalisation (weight units;
	// 0: off).
	LateBump float64
}

// lastInput returns the sample's last input spike z (the largest finite
// entry of the pass's time-ordered inputs; +Inf entries never spike), or
// +Inf when no input spiked.
func lastInput(p *ShiftingPass) float64 {
	for k := len(p.Z) - 1; k >= 0; k-- {
		if !math.IsInf(p.Z[k], 1) {
			return p.Z[k]
		}
	}
	return math.Inf(1)
}

// addLateCost adds the late-spike cost's error term (LateCost) to the
// per-neuron error terms p.e (what the weight gradient uses; p.d, the
// feedback to a layer below, has no reader for the first layer) of a
// hidden pass whose errorTerms have been formed: γ·e^Etp_j for every neuron that fires after the last input spike
// (divided by Σ_causal w − 1 when normalise, as errorTerms does).
func (o *TrainOptions) addLateCost(l *ShiftingLayer, p *ShiftingPass, normalise bool) {
	last := lastInput(p)
	for j, b := range p.best[:l.Out] {
		if b >= Silent || !(b > last) {
			continue
		}
		d := o.LateCost
		if normalise {
			d = p.normalised(j, d)
		}
		p.e[j] += d * math.Exp(l.Etp[j])
	}
}

// shape adds the weight-sum cost gradient to g (the layer's In×Out weight
// gradient) and clips each neuron's gradient to ClipNorm.
func (o *TrainOptions) shape(l *ShiftingLayer, g []float64) {
	J := l.Out
	if o.WSK > 0 {
		sum := make([]float64, J)
		for i := 0; i < l.In; i++ {
			addTo(sum, l.W[i*J:i*J+J])
		}
		for j, s := range sum {
			sum[j] = 0
			if s < o.WSTheta {
				sum[j] = -o.WSK // d/dw_ij of K·(θ − Σ_i w_ij)
			}
		}
		for i := 0; i < l.In; i++ {
			addTo(g[i*J:i*J+J], sum)
		}
	}
	if o.ClipNorm > 0 {
		clipColumns(g, l.In, J, o.ClipNorm)
	}
}

// clipColumns scales each column j of the in×out matrix g whose Euclidean
// norm exceeds c down to norm c.
func clipColumns(g []float64, in, out int, c float64) {
	norm := make([]float64, out)
	for i := 0; i < in; i++ {
		for j, v := range g[i*out : i*out+out] {
			norm[j] += v * v
		}
	}
	for j, s := range norm {
		norm[j] = 1
		if s = math.Sqrt(s); s > c {
			norm[j] = c / s
		}
	}
	for i := 0; i < in; i++ {
		row := g[i*out : i*out+out]
		for j := range row {
			row[j] *= norm[j]
		}
	}
}

// countSilent adds 1 to sil[j] for each neuron of the pass that stayed silent.
func countSilent(p *ShiftingPass, sil []float64) {
	for j, b := range p.best[:len(sil)] {
		if b >= Silent {
			sil[j]++
		}
	}
}

// countLate adds 1 to late[j] for each neuron of the (hidden) pass that
// fired after the sample's last input spike.
func countLate(p *ShiftingPass, late []float64) {
	last := lastInput(p)
	for j, b := range p.best[:len(late)] {
		if b < Silent && b > last {
			late[j]++
		}
	}
}

// lateBump raises every incoming weight of each hidden neuron by LateBump
// × its fraction of late samples in the mini-batch of nb samples.
func (n *ShiftingNet) lateBump(nb int) {
	n.bumpLayer(n.L1, n.Opt.LateBump/float64(nb), func(wk *shiftingWorker) []float64 { return wk.late1 })
}

// bump applies weight bumping after a mini-batch of nb samples.
func (n *ShiftingNet) bump(nb int) {
	k := n.Opt.SilentBump / float64(nb)
	n.bumpLayer(n.L1, k, func(wk *shiftingWorker) []float64 { return wk.sil1 })
	n.bumpLayer(n.L2, k, func(wk *shiftingWorker) []float64 { return wk.sil2 })
}

// bumpLayer adds to every incoming weight of neuron j of l the factor k
// times the workers' counts for j (count picks a worker's per-neuron
// counts), summed in worker order.
func (n *ShiftingNet) bumpLayer(l *ShiftingLayer, k float64, count func(*shiftingWorker) []float64) {
	frac := make([]float64, l.Out)
	for _, wk := range n.workers {
		addTo(frac, count(wk))
	}
	any := false
	for j := range frac {
		frac[j] *= k
		any = any || frac[j] != 0
	}
	if !any {
		return
	}
	for i := 0; i < l.In; i++ {
		addTo(l.W[i*l.Out:(i+1)*l.Out], frac)
	}
}

// HiddenStats counts the hidden layer's spikes over a set of samples.
type HiddenStats struct {
	Samples int     // samples seen
	Pairs   float64 // (sample, hidden neuron) pairs
	Spikes  float64 // hidden spikes (pairs in which the neuron fired)
	// Early counts the hidden spikes before the sample's last input spike
	// (firing time, before the output factor e_tp): spikes of a neuron
	// whose causal set is a strict subset of the inputs.
	Early float64
	Fired []bool // per hidden neuron: fired on at least one sample
}

func (s *HiddenStats) reset() {
	s.Samples, s.Pairs, s.Spikes, s.Early = 0, 0, 0, 0
	clear(s.Fired)
}

// add counts one sample's hidden-layer pass.
func (s *HiddenStats) add(p *ShiftingPass) {
	last := lastInput(p)
	if math.IsInf(last, 1) {
		last = math.Inf(-1) // no input spike: no hidden spike is early
	}
	s.Samples++
	s.Pairs += float64(len(p.Y))
	for j, b := range p.best[:len(p.Y)] {
		if b < Silent {
			s.Spikes++
			s.Fired[j] = true
			if b < last {
				s.Early++
			}
		}
	}
}

// merge adds o's counts to s (Fired sized on first use).
func (s *HiddenStats) merge(o *HiddenStats) {
	s.Samples += o.Samples
	s.Pairs += o.Pairs
	s.Spikes += o.Spikes
	s.Early += o.Early
	if len(s.Fired) < len(o.Fired) {
		s.Fired = append(s.Fired, make([]bool, len(o.Fired)-len(s.Fired))...)
	}
	for j, f := range o.Fired {
		s.Fired[j] = s.Fired[j] || f
	}
}

// EarlyFraction is the fraction of hidden spikes that occur before the
// sample's last input spike (0 when no hidden neuron fired).
func (s *HiddenStats) EarlyFraction() float64 {
	if s.Spikes == 0 {
		return 0
	}
	return s.Early / s.Spikes
}

// SilentFraction is the fraction of (sample, hidden neuron) pairs without a spike.
func (s *HiddenStats) SilentFraction() float64 {
	if s.Pairs == 0 {
		return 0
	}
	return 1 - s.Spikes/s.Pairs
}

// DeadFraction is the fraction of hidden neurons silent on every sample.
func (s *HiddenStats) DeadFraction() float64 {
	if len(s.Fired) == 0 {
		return 0
	}
	dead := 0
	for _, f := range s.Fired {
		if !f {
			dead++
		}
	}
	return float64(dead) / float64(len(s.Fired))
}

// Input codes of the image tasks (intensity x in [0, 1] → exp-domain spike
// time z = e^t; +Inf: no spike).
const (
	// EncodingExp is the reference's training code t = 1 − x: every pixel
	// spikes, the background (x = 0) last, all tied at t = 1
	// (SZU-ADDG/Shifting-Learning, SL_mnist.py).
	EncodingExp = "exp"
	// EncodingMostafa binarises at a threshold: background at t_bg, ink
	// (x > threshold) at t_ink; defaults 0.5, 0 and 1.79 (z = 1 and ≈ 6),
	// Mostafa 2018, IEEE TNNLS 29(7), "Supervised learning based on
	// temporal coding in spiking neural networks".
	EncodingMostafa = "mostafa"
	// EncodingLatency is t = t_max·(1 − x) with zero pixels silent (they
	// never spike), in the style of Comsa et al. 2020, ICASSP, "Temporal
	// coding in spiking neural networks with alpha synaptic function".
	EncodingLatency = "latency"
	// EncodingGraded keeps Mostafa's order (background first, at t_bg) and
	// the grey levels: t = t_bg + (t_ink − t_bg)·x, so x = 0 spikes at t_bg
	// and full ink at t_ink. spikelab's own variant of EncodingMostafa for
	// images whose texture lives in grey levels (Fashion-MNIST).
	EncodingGraded = "graded"
)

// Code is an input code of the image tasks.
type Code struct {
	Name      string  // EncodingExp ("" too), EncodingMostafa, EncodingLatency or EncodingGraded
	Threshold float64 // mostafa: intensity above which a pixel is ink
	TBg, TInk float64 // mostafa, graded: spike times of background (x = 0) and ink (x = 1) (time constants)
	TMax      float64 // latency: spike time of the faintest non-zero pixel's limit x → 0 (time constants)
}

// Z returns the exp-domain spike time of intensity x in [0, 1] (+Inf: no spike).
func (c Code) Z(x float64) float64 {
	switch c.Name {
	case EncodingMostafa:
		if x > c.Threshold {
			return math.Exp(c.TInk)
		}
		return math.Exp(c.TBg)
	case EncodingLatency:
		if x == 0 {
			return math.Inf(1)
		}
		return math.Exp(c.TMax * (1 - x))
	case EncodingGraded:
		return math.Exp(c.TBg + (c.TInk-c.TBg)*x)
	}
	return math.Exp(1 - x)
}

// Validate reports an unusable code, naming the config key.
func (c Code) Validate() error {
	switch c.Name {
	case "", EncodingExp:
	case EncodingMostafa, EncodingGraded:
		if c.Name == EncodingMostafa && !(c.Threshold >= 0 && c.Threshold < 1) {
			return fmt.Errorf("encoding_threshold must be in [0, 1), got %g", c.Threshold)
		}
		for _, f := range []struct {
			n string
			v float64
		}{{"encoding_t_bg", c.TBg}, {"encoding_t_ink", c.TInk}} {
			if math.IsNaN(f.v) || math.Abs(f.v) > 10 {
				return fmt.Errorf("%s must be a time in [−10, 10] time constants, got %g", f.n, f.v)
			}
		}
	case EncodingLatency:
		if !(c.TMax > 0 && c.TMax <= 10) {
			return fmt.Errorf("encoding_t_max must be in (0, 10] time constants, got %g", c.TMax)
		}
	default:
		return fmt.Errorf("encoding %q is unknown: use exp, mostafa, latency or graded", c.Name)
	}
	return nil
}

// Schedule is a learning-rate schedule.
type Schedule struct {
	Name       string  // ScheduleExp ("" too), ScheduleStep or ScheduleCosine
	Start, End float64 // lr_start and lr_end
	Epochs     int     // E
	StepEpochs int     // step: epochs between drops
	StepFactor float64 // step: factor of each drop
}

// Learning-rate schedules (epoch e of E, 0-based, constant within an epoch).
const (
	// ScheduleExp is the reference's geometric decay lr_start·(lr_end/lr_start)^(e/E).
	ScheduleExp = "exp"
	// ScheduleStep multiplies lr_start by lr_step_factor every lr_step_epochs epochs.
	ScheduleStep = "step"
	// ScheduleCosine is lr_end + (lr_start − lr_end)·(1 + cos(π·e/E))/2.
	ScheduleCosine = "cosine"
)

// Rate returns the learning rate of epoch e (0-based).
func (s Schedule) Rate(e int) float64 {
	switch s.Name {
	case ScheduleStep:
		return s.Start * math.Pow(s.StepFactor, float64(e/s.StepEpochs))
	case ScheduleCosine:
		return s.End + (s.Start-s.End)*(1+math.Cos(math.Pi*float64(e)/float64(s.Epochs)))/2
	}
	return s.Start * math.Pow(s.End/s.Start, float64(e)/float64(s.Epochs))
}

// Validate reports an unusable schedule, naming the config key.
func (s Schedule) Validate() error {
	switch s.Name {
	case "", ScheduleExp, ScheduleCosine:
	case ScheduleStep:
		if s.StepEpochs < 1 {
			return fmt.Errorf("lr_step_epochs must be at least 1 with lr_schedule step, got %d", s.StepEpochs)
		}
		if !(s.StepFactor > 0 && s.StepFactor <= 1) {
			return fmt.Errorf("lr_step_factor must be in (0, 1] with lr_schedule step, got %g", s.StepFactor)
		}
	default:
		return fmt.Errorf("lr_schedule %q is unknown: use exp, step or cosine", s.Name)
	}
	return nil
}

// causalMNIST is shifting-mnist with the options that let hidden neurons
// fire before the last input spike: the Mostafa code and the weight-sum
// cost, with the causal-set metrics on.
func causalMNIST() *ShiftingConfig {
	c := &ShiftingConfig{Seed: 1, Task: "mnist", Hidden: 800, BatchSize: 128, Epochs: 20, LrStart: 1e-4, LrEnd: 1e-6, LrEtp: 1e-4,
		CheckpointEveryEpochs: 1, EncodingThreshold: 0.5, EncodingTInk: 1.79, EncodingTMax: 1, WSTheta: 1}
	c.Encoding = EncodingMostafa
	c.WSK = 1
	c.CausalMetrics = true
	c.TrainEvalSize = 10000
	return c
}

// code returns the input code of the image tasks.
func (c *ShiftingConfig) code() Code {
	return Code{Name: c.Encoding, Threshold: c.EncodingThreshold, TBg: c.EncodingTBg, TInk: c.EncodingTInk, TMax: c.EncodingTMax}
}

// schedule returns the weight learning-rate schedule.
func (c *ShiftingConfig) schedule() Schedule {
	return Schedule{Name: c.LrSchedule, Start: c.LrStart, End: c.LrEnd, Epochs: c.Epochs, StepEpochs: c.LrStepEpochs, StepFactor: c.LrStepFactor}
}

// images reports whether the task is an image task (mnist, fashion-mnist).
func (c *ShiftingConfig) images() bool { return c.Task == "mnist" || c.Task == "fashion-mnist" }

// validateCausal checks the options of issue 17.
func (c *ShiftingConfig) validateCausal() error {
	if err := c.schedule().Validate(); err != nil {
		return err
	}
	if !c.images() && (c.Encoding != "" && c.Encoding != EncodingExp || c.CausalMetrics || c.TrainEvalSize != 0) {
		return fmt.Errorf("encoding, causal_metrics and train_eval_size apply to the image tasks (mnist, fashion-mnist), not %s", c.Task)
	}
	if err := c.code().Validate(); err != nil {
		return err
	}
	for _, f := range []struct {
		n string
		v float64
	}{{"ws_k", c.WSK}, {"silent_bump", c.SilentBump}, {"clip_norm", c.ClipNorm}, {"hidden_late_cost", c.HiddenLateCost},
		{"hidden_late_bump", c.HiddenLateBump}} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%s must be a finite number >= 0 (0: off), got %g", f.n, f.v)
		}
		if f.v > 0 && c.Task == "tca" {
			return fmt.Errorf("%s is not available for task tca (its single-trial update does not apply it)", f.n)
		}
	}
	if c.WSK > 0 && (math.IsNaN(c.WSTheta) || math.IsInf(c.WSTheta, 0)) {
		return fmt.Errorf("ws_theta must be a finite weight sum (threshold units), got %g", c.WSTheta)
	}
	if !(c.InputDropout >= 0 && c.InputDropout < 1) {
		return fmt.Errorf("input_dropout must be a probability in [0, 1) (0: off), got %g", c.InputDropout)
	}
	if !(c.InputJitter >= 0 && c.InputJitter <= 10) {
		return fmt.Errorf("input_jitter must be a spike-time standard deviation in [0, 10] time constants (0: off), got %g", c.InputJitter)
	}
	if !c.images() && (c.InputDropout > 0 || c.InputJitter > 0 || c.Reshuffle) {
		return fmt.Errorf("input_dropout, input_jitter and reshuffle apply to the image tasks (mnist, fashion-mnist), not %s", c.Task)
	}
	if c.TrainEvalSize < 0 {
		return fmt.Errorf("train_eval_size must be >= 0 (0: off), got %d", c.TrainEvalSize)
	}
	return nil
}

// causalCurves are the optional per-epoch curves of an image run: the
// hidden-layer metrics on the test images (causal_metrics) and the
// accuracy on the training subset (train_eval_size).
type causalCurves struct {
	causal, trainEval          bool
	early, silent, dead, train []float64
}

// namedCurve is one optional curve with its model-file unit.
type namedCurve struct {
	name, unit string
	v          *[]float64
}

// named lists the curves that are on.
func (cc *causalCurves) named() []namedCurve {
	var out []namedCurve
	if cc.trainEval {
		out = append(out, namedCurve{"train_eval_accuracy", "fraction of the training subset, per epoch done", &cc.train})
	}
	if cc.causal {
		out = append(out,
			namedCurve{"hidden_early_fraction", "fraction of hidden spikes before the last input spike (test images), per epoch done", &cc.early},
			namedCurve{"hidden_silent_fraction", "fraction of (test image, hidden neuron) pairs without a spike, per epoch done", &cc.silent},
			namedCurve{"hidden_dead_fraction", "fraction of hidden neurons silent on every test image, per epoch done", &cc.dead})
	}
	return out
}

func (cc *causalCurves) add(s *experiment.ModelState) {
	for _, a := range cc.named() {
		s.Add(a.name, a.unit, *a.v)
	}
}

func (cc *causalCurves) load(m *runio.Model, epochs int) error {
	for _, a := range cc.named() {
		v, err := m.Float64(a.name, epochs)
		if err != nil {
			return err
		}
		*a.v = append([]float64(nil), v...)
	}
	return nil
}

// extra returns the curves for recordings.npz.
func (cc *causalCurves) extra() []runio.Array {
	var out []runio.Array
	for _, a := range cc.named() {
		out = append(out, runio.Array{Name: a.name, Shape: []int{len(*a.v)}, Data: *a.v})
	}
	return out
}

// final adds each curve's last value to m.
func (cc *causalCurves) final(m map[string]float64) {
	for _, a := range cc.named() {
		if n := len(*a.v); n > 0 {
			m[a.name] = (*a.v)[n-1]
		}
	}
}

// addStats adds the hidden-layer metrics of st to m.
func addStats(m map[string]float64, st *HiddenStats) {
	m["hidden_early_fraction"] = st.EarlyFraction()
	m["hidden_silent_fraction"] = st.SilentFraction()
	m["hidden_dead_fraction"] = st.DeadFraction()
}

// addCausal appends the epoch's optional curves: st's hidden metrics (the
// test pass's, nil: off) and the training-subset accuracy, and logs them.
func (r *imagesRun) addCausal(env *experiment.Env, cc *causalCurves, st *HiddenStats) {
	if cc.trainEval {
		n := min(r.c.TrainEvalSize, r.d.nTrain)
		cc.train = append(cc.train, r.accuracy(r.d.trI, r.d.trL, r.order, n, nil))
		fmt.Fprintf(env.Log, "  train accuracy (first %d training images, after the epoch) %.4f\n", n, cc.train[len(cc.train)-1])
	}
	if cc.causal && st != nil {
		cc.early = append(cc.early, st.EarlyFraction())
		cc.silent = append(cc.silent, st.SilentFraction())
		cc.dead = append(cc.dead, st.DeadFraction())
		fmt.Fprintf(env.Log, "  hidden (test): early %.4f, silent %.4f, dead %.4f\n", st.EarlyFraction(), st.SilentFraction(), st.DeadFraction())
	}
}
