package olfaction

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/floats"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/task"
)

// olfactionRecord holds what the spiking runs leave for the figures and
// the npz: the KC raster of the first model run, and the STDP block's
// weights before and after training.
type olfactionRecord struct {
	rasterT, rasterI []float64 // step (0 at the first step after burn-in, odors one after another) and KC index
	rasterSteps      int       // steps per odor in the raster
	rasterName       string
	stdpBefore       []float64
	stdpAfter        []float64
	kcRates          []float64 // per KC: validation spikes per step of the config's model after training
}

// snnParams returns the DECOLLE network parameters.
func (c *OlfactionConfig) snnParams(hybrid bool) DecolleParams {
	s := c.SNN
	sizes := c.sizes()
	nb := len(sizes) - 1
	local, abs := make([]bool, nb), make([]bool, nb)
	for l := range local {
		isSTDP := hybrid && l == c.stdpBlock()
		local[l] = !isSTDP
		abs[l] = l >= s.AbsFromBlock && !isSTDP
	}
	return DecolleParams{Neuron: s.Neuron, Sizes: sizes, Classes: c.Data.NClass, Batch: s.Batch,
		SurrogateScale: s.SurrogateScale, SurrogateTau: s.SurrogateTau, Reg: s.Reg,
		LR: s.LR, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Local: local, Abs: abs}
}

// spikeThresholds fills thr (len(idx) × nOR) with the integer form of
// encodeOdors's spike probabilities rate·X[odor][k]: a uniform draw
// u/2⁵³ (u a 53-bit integer) falls below p exactly when u < ⌈p·2⁵³⌉ (the
// scaling by 2⁵³ is exact), so thr holds ⌈p·2⁵³⌉, clamped to [0, 2⁵³+1]
// (0 for p ≤ 0 or NaN: never a spike).
func spikeThresholds(X []float64, nOR int, idx []int, rate float64, thr []uint64) {
	for b, s := range idx {
		row := X[s*nOR : (s+1)*nOR]
		tb := thr[b*nOR : (b+1)*nOR]
		for k, v := range row {
			t := math.Ceil(rate * v * (1 << 53))
			switch {
			case !(t > 0):
				tb[k] = 0
			case t > 1<<53:
				tb[k] = 1<<53 + 1
			default:
				tb[k] = uint64(t)
			}
		}
	}
}

// encodeOdors fills x (bsz × nIn) with one step of Bernoulli spikes,
// P(spike) = rate·X[odor][k mod nOR], the odor tiled [x, x, …] over the
// inputs, given as spikeThresholds's thr. The uniform draws are
// rand.Rand.Float64's from the generator (called directly, not through
// the rand.Source interface); draw u/2⁵³ < p exactly when u < thr.
func encodeOdors(src *rand.PCG, thr []uint64, nOR, bsz int, x []float64) {
	nIn := len(x) / bsz
	for b := range bsz {
		row := thr[b*nOR : (b+1)*nOR]
		xb := x[b*nIn : (b+1)*nIn]
		for lo := 0; lo < nIn; lo += nOR { // one tile [x] at a time
			tile := xb[lo:min(lo+nOR, nIn)]
			for k := range tile {
				// 1 when u < thr: the difference wraps below zero (both
				// are below 2⁶³); no branch to mispredict.
				tile[k] = float64((src.Uint64()<<11>>11 - row[k]) >> 63)
			}
		}
	}
}

// snnRun is one spiking-network training run: the network, the optional
// STDP pairing of the hybrid, the input streams and the buffers shared by
// training and evaluation.
type snnRun struct {
	c       *OlfactionConfig
	env     *experiment.Env
	d       *task.Olfaction
	team    *sim.Team
	rec     *olfactionRecord
	p       DecolleParams
	name    string
	net     *DecolleNet
	hybrid  bool               // the STDP block learns by its rule (else: the control)
	pairing *learn.STDPPairing // rules pairing and original
	trace   *learn.DenseTraceSTDP
	comp    *learn.CompetitiveHebb
	abs     bool      // |W| of the STDP block after every update (rule original)
	hErr    []float64 // homeostasis: per-neuron rate error of the step
	kb      int       // STDP block
	kcBlock *DecolleBlock
	kcRates []float64 // per KC of the last evaluation: spikes per step

	nIn, nor, C int
	x, sumY     []float64
	thr         []uint64 // the batch's spike thresholds (spikeThresholds)
	order       *rand.Rand
	orderSrc    *rand.PCG // order's generator
	encTrain    *rand.PCG
	sched       func(k int) float64
	prog        experiment.Progress

	done, pairs, stdpSteps int64
	t0                     time.Time
	cpu0                   float64 // process CPU seconds at t0
}

// runSNN trains the spiking network (hybrid: STDP in the STDP block) and
// returns its curve and metrics; it fills rec's raster if still empty and
// the STDP weights for the hybrid.
// k (nil: none) continues the stage from a checkpoint and writes them.
func (c *OlfactionConfig) runSNN(ctx context.Context, env *experiment.Env, d *task.Olfaction, team *sim.Team, hybrid bool, rec *olfactionRecord, save func(*experiment.ModelState) error, k *stageCk) (olfactionCurve, map[string]float64, error) {
	r, err := c.buildSNN(env, d, team, hybrid, rec)
	if err != nil {
		return olfactionCurve{name: r.name}, nil, err
	}
	defer r.prog.Finish()
	if save != nil && c.InitFrom != "" { // the config's own model only
		md, err := experiment.LoadInitModel(c.InitFrom, "olfaction-"+c.Model)
		if err != nil {
			return olfactionCurve{name: r.name}, nil, err
		}
		if err := loadDecolle(md, r.net); err != nil {
			return olfactionCurve{name: r.name}, nil, fmt.Errorf("init_from: %w", err)
		}
		if hybrid {
			rec.stdpBefore = append(rec.stdpBefore[:0], r.net.Blocks[r.kb].W...)
		}
	}
	cur := olfactionCurve{name: r.name}
	m := map[string]float64{}
	s := c.SNN
	rngNames := []string{"rng_order", "rng_encode"}
	first := k.resumeFrom(m, &cur)
	if first > 0 {
		if err := loadDecolle(k.from, r.net); err != nil {
			return cur, nil, err
		}
		if err := loadRNGs(k.from, rngNames, r.orderSrc, r.encTrain); err != nil {
			return cur, nil, err
		}
		if len(k.counters) != 3 {
			return cur, nil, fmt.Errorf("checkpoint %s: %d stage counters, want 3", k.from.Path, len(k.counters))
		}
		r.done, r.pairs, r.stdpSteps = k.counters[0], k.counters[1], k.counters[2]
		r.prog.Set(r.done)
	}
	for e := first; e < s.Epochs; e++ {
		correct, loss, err := r.trainEpoch(ctx, e)
		if err != nil {
			return cur, nil, err
		}
		last := e == s.Epochs-1
		acc, act, rate := r.evaluate(last && rec.rasterT == nil && c.RasterSamples > 0)
		if last && rec.rasterName == "" {
			rec.rasterName, rec.rasterSteps = r.name, s.Steps
		}
		cur.valAcc = append(cur.valAcc, acc)
		cur.trainAcc = append(cur.trainAcc, float64(correct)/float64(d.NTrain))
		m[fmt.Sprintf("val_accuracy_epoch_%d", e+1)] = acc
		r.logEpoch(e, loss, cur.trainAcc[e], acc, act, rate)
		if last {
			m["kc_active_fraction"], m["kc_spike_rate"] = act, rate
		}
		if k.due(e+1, s.Epochs) {
			st := decolleState(r.net)
			if err := saveRNGs(st, rngNames, r.orderSrc, r.encTrain); err != nil {
				return cur, nil, err
			}
			if err := k.write(e+1, st, cur, []int64{r.done, r.pairs, r.stdpSteps}); err != nil {
				return cur, nil, err
			}
		}
	}
	r.report(cur, m)
	if c.ProbeOdors > 0 {
		acc, err := r.linearProbe()
		if err != nil {
			return cur, nil, err
		}
		m["probe_accuracy"] = acc
	}
	if save != nil {
		st := decolleState(r.net)
		st.Progress = float64(s.Epochs)
		if err := save(st); err != nil {
			return cur, nil, err
		}
	}
	return cur, m, nil
}

// buildSNN builds the DECOLLE network of one run (and, for the hybrid, the
// STDP pairing of the STDP block, clipping the block's initial weights and
// recording them in rec), the independent random streams and the buffers.
// On error the returned run still carries the model name.
func (c *OlfactionConfig) buildSNN(env *experiment.Env, d *task.Olfaction, team *sim.Team, hybrid bool, rec *olfactionRecord) (*snnRun, error) {
	s := c.SNN
	r := &snnRun{c: c, env: env, d: d, team: team, rec: rec, p: c.snnParams(hybrid), name: "DECOLLE (control)"}
	if hybrid {
		r.name = "DECOLLE + STDP (hybrid)"
	}
	p := r.p
	net, err := NewDecolleNet(p, sim.Stream(c.Seed, "olfaction-snn-init"), team)
	if err != nil {
		return r, fmt.Errorf("snn: %w", err)
	}
	r.net = net
	r.kb = c.stdpBlock()
	if hybrid {
		if err := r.buildRule(); err != nil {
			return r, err
		}
		rec.stdpBefore = append([]float64(nil), net.Blocks[r.kb].W...)
	}
	r.nIn, r.nor, r.C = p.Sizes[0], c.Data.NOR, c.Data.NClass
	r.x = make([]float64, s.Batch*r.nIn)
	r.thr = make([]uint64, s.Batch*r.nor)
	r.sumY = make([]float64, s.Batch*r.C)
	// Independent streams per use, so the hybrid and the control see the
	// same order and the same input spikes.
	r.orderSrc = sim.Source(c.Seed, "olfaction-snn-order") // sim.Stream's generator
	r.order = rand.New(r.orderSrc)
	r.encTrain = sim.Source(c.Seed, "olfaction-snn-encode-train")
	r.kcBlock = net.Blocks[len(net.Blocks)-1]
	nBatch := (d.NTrain + s.Batch - 1) / s.Batch
	r.prog = experiment.ProgressOf(env, int64(s.Epochs*nBatch), r.name+" batches")
	r.sched = lrSchedule(s.LR, s.LREnd, s.Epochs*nBatch)
	r.t0, r.cpu0 = time.Now(), experiment.CPUSeconds()
	return r, nil
}

// buildRule sets up the STDP block's rule and homeostasis (the hybrid),
// bringing the block's initial weights inside the rule's bounds.
func (r *snnRun) buildRule() error {
	c, kb, b := r.c, r.kb, r.net.Blocks[r.kb]
	nPre, nPost, batch := r.p.Sizes[kb], r.p.Sizes[kb+1], c.SNN.Batch
	r.hybrid = true
	var err error
	lo, hi, clip := 0.0, 0.0, false
	switch c.STDP.Rule {
	case RulePairing, RuleOriginal:
		r.pairing, err = learn.NewSTDPPairing(c.pairingParams(), nPre, nPost, batch)
		lo, hi, clip = c.STDP.WMin, c.STDP.WMax, c.STDP.Clip
		r.abs = c.STDP.Rule == RuleOriginal
	case RuleTrace:
		p := c.STDP.Trace.params()
		r.trace, err = learn.NewDenseTraceSTDP(p, nPre, nPost, batch)
		lo, hi, clip = p.WMin, p.WMax, true
	case RuleCompetitive:
		r.comp, err = learn.NewCompetitiveHebb(c.competitiveParams(), nPre, nPost, batch)
	}
	if err != nil {
		return err
	}
	for i, w := range b.W { // the whole block starts inside the bounds
		if r.abs {
			w = math.Abs(w)
		}
		if clip {
			w = min(max(w, lo), hi)
		}
		b.W[i] = w
	}
	switch c.Homeostasis.Kind {
	case HomeostasisThreshold:
		b.Theta = make([]float64, nPost)
	case HomeostasisAPL:
		b.FeedbackOn = true
	}
	if c.Homeostasis.Kind != HomeostasisNone {
		r.hErr = make([]float64, nPost)
	}
	return nil
}

// plasticity applies the STDP block's rule and homeostasis after a
// training step of a batch of bsz odors.
func (r *snnRun) plasticity(bsz int) {
	kb, net := r.kb, r.net
	b := net.Blocks[kb]
	pre, post := net.Blocks[kb-1].S[:bsz*b.NIn], b.S[:bsz*b.NOut]
	switch {
	case r.pairing != nil:
		r.pairs += r.pairing.Step(pre, post, bsz, b.W, r.team)
		if r.abs {
			for i, w := range b.W {
				b.W[i] = math.Abs(w)
			}
		}
	case r.trace != nil:
		r.trace.Step(pre, post, bsz, b.W, r.team)
	case r.comp != nil:
		r.comp.Step(pre, bsz, b.W, r.team)
	}
	r.stdpSteps++
	if r.hErr == nil {
		return
	}
	h := r.c.Homeostasis
	mean := learn.RateError(r.hErr, post, bsz, b.NOut, h.TargetRate)
	switch h.Kind {
	case HomeostasisScaling:
		learn.ScaleInputs(b.W, r.hErr, h.ScalingGamma)
	case HomeostasisThreshold:
		for j, e := range r.hErr {
			b.Theta[j] += h.ThresholdGamma * e
		}
	case HomeostasisAPL:
		b.Feedback = max(0, b.Feedback+h.APLGamma*mean)
	}
}

// trainEpoch simulates one training epoch (epoch index e) in minibatches,
// with the readout (and, in the hybrid, the STDP) updates; it returns the
// number of correctly classified training samples and the mean readout loss.
func (r *snnRun) trainEpoch(ctx context.Context, e int) (correct int, loss float64, err error) {
	s, d, net, kb := r.c.SNN, r.d, r.net, r.kb
	nIn, C := r.nIn, r.C
	idx := make([]int, 0, s.Batch)
	labels := make([]int, 0, s.Batch)
	perm := r.order.Perm(d.NTrain)
	lossSum, lossN := 0.0, 0
	for lo := 0; lo < d.NTrain; lo += s.Batch {
		hi := min(lo+s.Batch, d.NTrain)
		bsz := hi - lo
		idx, labels = idx[:0], labels[:0]
		for _, k := range perm[lo:hi] {
			idx = append(idx, k)
			labels = append(labels, d.TrainY[k])
		}
		net.P.LR = r.sched(int(r.done))
		net.Reset()
		if r.pairing != nil {
			r.pairing.Reset()
		}
		if r.trace != nil {
			r.trace.Reset()
		}
		clear(r.sumY)
		spikeThresholds(d.TrainX, r.nor, idx, s.Rate, r.thr)
		for t := 0; t < s.BurnIn+s.Steps; t++ {
			encodeOdors(r.encTrain, r.thr, r.nor, bsz, r.x[:bsz*nIn])
			if t < s.BurnIn {
				net.Step(r.x[:bsz*nIn], bsz, nil, false)
				continue
			}
			l := net.Step(r.x[:bsz*nIn], bsz, labels, true)
			if math.IsNaN(l) || math.IsInf(l, 0) {
				return 0, 0, fmt.Errorf("%s diverged in epoch %d: readout loss %g; lower snn.lr", r.name, e+1, l)
			}
			lossSum += l
			lossN++
			floats.Add(r.sumY[:bsz*C], net.YF[:bsz*C])
			if r.hybrid {
				r.plasticity(bsz)
			}
		}
		for b := 0; b < bsz; b++ {
			if floats.MaxIdx(r.sumY[b*C:(b+1)*C]) == labels[b] {
				correct++
			}
		}
		if r.hybrid {
			if err := sim.CheckFiniteAt("STDP block weights", net.Blocks[kb].W, float64(e+1), "epoch"); err != nil {
				return 0, 0, fmt.Errorf("%w; the STDP rule exploded: lower the rule's eta (stdp.eta, stdp.trace.eta, stdp.competitive.eta) or use stdp.window=standard", err)
			}
		}
		r.done++
		r.prog.Set(r.done)
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
	}
	for l, b := range net.Blocks {
		if err := sim.CheckFiniteAt(fmt.Sprintf("%s block %d weights", r.name, l), b.W, float64(e+1), "epoch"); err != nil {
			return 0, 0, err
		}
	}
	return correct, lossSum / float64(max(lossN, 1)), nil
}

// present runs the odors 0…n−1 of X (n × n_or) through the frozen network
// in batches, their input spikes drawn from enc; after every step after
// burn-in it calls step(lo, bsz, t) (odors lo…lo+bsz−1, step t counted from
// the end of burn-in) and after each batch done(lo, bsz).
func (r *snnRun) present(X []float64, n int, enc *rand.PCG, step func(lo, bsz, t int), done func(lo, bsz int)) {
	s, net, nIn := r.c.SNN, r.net, r.nIn
	idx := make([]int, 0, s.Batch)
	for lo := 0; lo < n; lo += s.Batch {
		hi := min(lo+s.Batch, n)
		idx = idx[:0]
		for k := lo; k < hi; k++ {
			idx = append(idx, k)
		}
		bsz := hi - lo
		net.Reset()
		clear(r.sumY)
		spikeThresholds(X, r.nor, idx, s.Rate, r.thr)
		for t := 0; t < s.BurnIn+s.Steps; t++ {
			encodeOdors(enc, r.thr, r.nor, bsz, r.x[:bsz*nIn])
			net.Step(r.x[:bsz*nIn], bsz, nil, false)
			if t >= s.BurnIn {
				floats.Add(r.sumY[:bsz*r.C], net.YF[:bsz*r.C])
				step(lo, bsz, t-s.BurnIn)
			}
		}
		done(lo, bsz)
	}
}

// evaluate runs the validation set without updates; it returns the
// accuracy, the fraction of KCs that spike at least once per odor and the
// KC spikes per neuron per step, fills r.kcRates (spikes per step of each
// KC) and records a raster in rec if asked.
func (r *snnRun) evaluate(raster bool) (float64, float64, float64) {
	c, s, d, kcBlock, rec := r.c, r.c.SNN, r.d, r.kcBlock, r.rec
	C, nk := r.C, kcBlock.NOut
	encVal := sim.Source(c.Seed, "olfaction-snn-encode-val") // the same validation spikes every epoch
	hit := 0
	var active, spikes float64
	fired := make([]float64, s.Batch*nk) // per odor and KC: spikes so far
	r.kcRates = make([]float64, nk)
	r.present(d.ValX, d.NValid, encVal, func(lo, bsz, t int) {
		for b := range bsz {
			fb := fired[b*nk : (b+1)*nk]
			rast := raster && lo == 0 && b < c.RasterSamples
			// Spikes are 0 or 1: counted by adding them (no branch).
			for i, v := range kcBlock.S[b*nk : (b+1)*nk] {
				fb[i] += v
				spikes += v
				r.kcRates[i] += v
				if rast && v != 0 {
					rec.rasterT = append(rec.rasterT, float64(b*s.Steps+t))
					rec.rasterI = append(rec.rasterI, float64(i))
				}
			}
		}
	}, func(lo, bsz int) {
		for b := 0; b < bsz; b++ {
			if floats.MaxIdx(r.sumY[b*C:(b+1)*C]) == d.ValY[lo+b] {
				hit++
			}
		}
		for k, f := range fired[:bsz*nk] {
			if f > 0 {
				active++
			}
			fired[k] = 0
		}
	})
	for k := range r.kcRates {
		r.kcRates[k] /= float64(d.NValid * s.Steps)
	}
	n := float64(d.NValid * nk)
	return float64(hit) / float64(d.NValid), active / n, spikes / (n * float64(s.Steps))
}

// logEpoch writes one epoch's line (epoch index e) to the run's log.
func (r *snnRun) logEpoch(e int, loss, train, acc, act, rate float64) {
	msg := ""
	if r.hybrid {
		mean, sd, neg := weightStats(r.net.Blocks[r.kb].W)
		msg = fmt.Sprintf(", STDP block mean w %.4f (sd %.4f, %.2f negative)", mean, sd, neg)
	}
	fmt.Fprintf(r.env.Log, "%s epoch %d: readout loss %.4f, train %.4f (during the epoch), validation %.4f, KC active %.3f, KC rate %.4f/step%s, %.1f s\n",
		r.name, e+1, loss, train, acc, act, rate, msg, time.Since(r.t0).Seconds())
}

// report adds the final metrics of the run to m and, for the hybrid, the
// STDP block's weight statistics (recording the trained weights in rec).
func (r *snnRun) report(cur olfactionCurve, m map[string]float64) {
	m["val_accuracy"] = cur.valAcc[len(cur.valAcc)-1]
	m["train_accuracy"] = cur.trainAcc[len(cur.trainAcc)-1]
	m["train_seconds"] = time.Since(r.t0).Seconds()
	m["train_cpu_seconds"] = experiment.CPUSeconds() - r.cpu0
	if !r.c.kcStats() {
		return
	}
	if r.rec.kcRates == nil {
		r.rec.kcRates = r.kcRates
	}
	silent, mean := 0.0, 0.0
	for _, v := range r.kcRates {
		mean += v
		if v == 0 {
			silent++
		}
	}
	mean /= float64(len(r.kcRates))
	_, sd, _ := weightStats(r.kcRates)
	m["kc_silent_fraction"] = silent / float64(len(r.kcRates))
	if mean > 0 {
		m["kc_rate_cv"] = sd / mean
	}
	if !r.hybrid {
		return
	}
	rec := r.rec
	rec.stdpAfter = append([]float64(nil), r.net.Blocks[r.kb].W...)
	m["stdp_w_mean_initial"], m["stdp_w_sd_initial"], m["stdp_w_negative_fraction_initial"] = weightStats(rec.stdpBefore)
	m["stdp_w_mean"], m["stdp_w_sd"], m["stdp_w_negative_fraction"] = weightStats(rec.stdpAfter)
	m["stdp_w_mean_change"] = m["stdp_w_mean"] - m["stdp_w_mean_initial"]
	dw := 0.0
	for i, w := range rec.stdpAfter {
		dw += math.Abs(w - rec.stdpBefore[i])
	}
	m["stdp_dw_abs_mean"] = dw / float64(len(rec.stdpAfter))
	if sd0 := m["stdp_w_sd_initial"]; sd0 > 0 {
		m["stdp_dw_relative"] = m["stdp_dw_abs_mean"] / sd0
	}
	if r.pairing != nil {
		m["stdp_pairs_per_step"] = float64(r.pairs) / float64(max(r.stdpSteps, 1))
	}
	if h := r.c.Homeostasis; h.Kind != HomeostasisNone {
		m["kc_rate_target"] = h.TargetRate
		if h.TargetRate > 0 {
			m["kc_rate_ratio"] = m["kc_spike_rate"] / h.TargetRate
		}
	}
	b := r.net.Blocks[r.kb]
	if b.Theta != nil {
		m["kc_theta_mean"], m["kc_theta_sd"], _ = weightStats(b.Theta)
	}
	if b.FeedbackOn {
		m["kc_feedback_gain"] = b.Feedback
	}
}

// kcStats reports whether a run reports the KC rate distribution (the
// hybrid's experiment, and any run with a linear probe).
func (c *OlfactionConfig) kcStats() bool { return c.Model == "stdp" || c.ProbeOdors > 0 }

// weightStats returns the mean, standard deviation and negative fraction of w.
func weightStats(w []float64) (mean, sd, neg float64) {
	for _, v := range w {
		mean += v
		if v < 0 {
			neg++
		}
	}
	mean /= float64(len(w))
	for _, v := range w {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(w))), neg / float64(len(w))
}
