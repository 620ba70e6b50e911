package ltts

import (
	"context"
	"fmt"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/sim"
)

// Model files of ltts-trajectory: j (N × N recurrent weights, in units of
// the membrane potential per presynaptic trace), jout (K × N readout, output
// units per readout trace), the Adam state of each optimiser
// (adam_j_m, adam_j_v, adam_jout_m, adam_jout_v: moments;
// opt_j, opt_jout: [learning rate, decay counter, Adam steps]; the readout
// optimiser only with readout: adam), the sample order and the shuffle
// generator's state rng_shuffle. A checkpoint adds the curves so far (mse, spike_mismatch:
// one value per epoch done).

// addState appends the trainer's learnt state to s.
func (tr *lttsTrainer) addState(s *experiment.ModelState) error {
	N := tr.net.P.N
	s.Add("j", "potential per presynaptic trace (row i: inputs of unit i)", tr.net.J, N, N)
	s.Add("jout", "output per readout trace", tr.Jout, tr.K, N)
	add := func(name string, a *ascent, shape ...int) {
		m, v := a.adam.Moments()
		s.Add("adam_"+name+"_m", "Adam first moment of "+name, m, shape...)
		s.Add("adam_"+name+"_v", "Adam second moment of "+name, v, shape...)
		s.Add("opt_"+name, "[learning rate, decay counter (steps), Adam steps]", []float64{a.lr, float64(a.t), float64(a.adam.Steps())})
	}
	add("j", tr.optJ, N, N)
	if tr.optOut != nil {
		add("jout", tr.optOut, tr.K, N)
	}
	order := make([]float64, len(tr.order))
	for i, k := range tr.order {
		order[i] = float64(k)
	}
	s.Add("order", "sample order of the last epoch (each epoch shuffles it further)", order)
	return s.AddRNG("rng_shuffle", tr.src)
}

// loadState restores the trainer's learnt state from m (same shapes).
func (tr *lttsTrainer) loadState(m *runio.Model) error {
	if err := m.CopyFloat64("j", tr.net.J); err != nil {
		return err
	}
	if err := m.CopyFloat64("jout", tr.Jout); err != nil {
		return err
	}
	load := func(name string, a *ascent) error {
		mm, v := a.adam.Moments()
		if err := m.CopyFloat64("adam_"+name+"_m", mm); err != nil {
			return err
		}
		if err := m.CopyFloat64("adam_"+name+"_v", v); err != nil {
			return err
		}
		st, err := m.Float64("opt_"+name, 3)
		if err != nil {
			return err
		}
		a.lr, a.t = st[0], int(st[1])
		a.adam.SetSteps(int(st[2]))
		return nil
	}
	if err := load("j", tr.optJ); err != nil {
		return err
	}
	if tr.optOut != nil {
		if err := load("jout", tr.optOut); err != nil {
			return err
		}
	}
	order, err := m.Float64("order", len(tr.order))
	if err != nil {
		return err
	}
	for i, v := range order {
		if v < 0 || int(v) >= len(tr.order) {
			return fmt.Errorf("model file %s: order holds sample %g of %d", m.Path, v, len(tr.order))
		}
		tr.order[i] = int(v)
	}
	return experiment.LoadRNG(m, "rng_shuffle", tr.src)
}

// Resumable reports that ltts-trajectory checkpoints (checkpoint_every_epochs).
func (c *LTTSConfig) Resumable() bool { return true }

// restore continues from the checkpoint env.Resume (returning the epochs
// done and filling the curves), else starts from the model init_from
// (weights, readout and optimiser state), else leaves the fresh network.
func (c *LTTSConfig) restore(env *experiment.Env, tr *lttsTrainer, mse, ds *[]float64) (int, error) {
	ck, err := experiment.LoadCheckpoint(env, c)
	if err != nil {
		return 0, err
	}
	if ck != nil {
		done := int(ck.Header.Progress)
		if done < 1 || done >= c.Epochs {
			return 0, fmt.Errorf("checkpoint %s: %d epochs done of %d", ck.Path, done, c.Epochs)
		}
		if err := tr.loadState(ck); err != nil {
			return 0, err
		}
		a, err := ck.Float64("mse", done)
		if err != nil {
			return 0, err
		}
		b, err := ck.Float64("spike_mismatch", done)
		if err != nil {
			return 0, err
		}
		*mse, *ds = append([]float64(nil), a...), append([]float64(nil), b...)
		return done, nil
	}
	return 0, initFrom(tr, c.InitFrom, "ltts-trajectory")
}

// save writes a checkpoint after epoch e (0-based) when one is due, or the
// final model after the last epoch (removing the checkpoint).
func (c *LTTSConfig) save(env *experiment.Env, tr *lttsTrainer, mse, ds []float64, e int) error {
	last := e+1 == c.Epochs
	if !last && (c.CheckpointEveryEpochs < 1 || (e+1)%c.CheckpointEveryEpochs != 0) {
		return nil
	}
	s := &experiment.ModelState{Progress: float64(e + 1), ProgressUnit: "epoch"}
	if err := tr.addState(s); err != nil {
		return err
	}
	if last {
		if err := experiment.SaveFinalModel(env, c, s); err != nil {
			return err
		}
		return nil
	}
	s.Add("mse", "free-running MSE per epoch done", mse)
	s.Add("spike_mismatch", "ΔS per epoch done", ds)
	return experiment.SaveCheckpoint(env, c, s)
}

// Eval runs the saved network freely on the clock input (spikelab eval):
// mse and spike_mismatch equal the last epoch's of the run that saved it.
func (c *LTTSConfig) Eval(ctx context.Context, env *experiment.Env, m *runio.Model) (map[string]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	net, err := NewLTTSNet(c.Net)
	if err != nil {
		return nil, err
	}
	clock, target, Sstar := c.lttsTask(net)
	K, N := 3, c.Net.N
	tr := &lttsTrainer{net: net, K: K, Jout: make([]float64, K*N)}
	if err := m.CopyFloat64("j", net.J); err != nil {
		return nil, err
	}
	if err := m.CopyFloat64("jout", tr.Jout); err != nil {
		return nil, err
	}
	Sgen := NewSpikes(c.T, N)
	net.RunInto(Sgen, clock)
	mse := mseFrom(tr.output(Sgen), target, c.OffT)
	ds := SpikeMismatch(Sstar, Sgen)
	if env.Out != nil {
		if err := c.write(env, []float64{mse}, []float64{ds}, target, tr.Jout, Sstar, Sgen); err != nil {
			return nil, err
		}
	}
	return map[string]float64{"mse": mse, "spike_mismatch": ds, "mse_target_spikes": mseFrom(tr.output(Sstar), target, c.OffT)}, nil
}

// noModel rejects the ltts-trajectory model keys in the experiments that
// embed its config but train several networks.
func noModel(c *LTTSConfig, name string) error {
	if c.InitFrom != "" || c.CheckpointEveryEpochs != 0 {
		return fmt.Errorf("%s trains several networks: init_from and checkpoint_every_epochs are not used (leave them empty and 0)", name)
	}
	return nil
}

// Resumable reports that ltts-fast does not checkpoint (it runs in seconds).
func (c *LTTSFastConfig) Resumable() bool { return false }

// Eval is not available: ltts-fast saves no single network.
func (c *LTTSFastConfig) Eval(context.Context, *experiment.Env, *runio.Model) (map[string]float64, error) {
	return nil, fmt.Errorf("ltts-fast trains many networks and saves none; nothing to evaluate")
}

// Resumable reports that ltts-noise does not checkpoint.
func (c *LTTSNoiseConfig) Resumable() bool { return false }

// Eval is not available: ltts-noise saves no single network.
func (c *LTTSNoiseConfig) Eval(context.Context, *experiment.Env, *runio.Model) (map[string]float64, error) {
	return nil, fmt.Errorf("ltts-noise trains two networks and saves none; nothing to evaluate")
}

// Model files of ltts-walking: as ltts-trajectory (j, jout with K = the
// motion channels, optimiser state, rng_shuffle); checkpoints add the
// evaluation curves eval_epoch, train_mse, test_mse, spike_mismatch.

// Resumable reports that ltts-walking checkpoints.
func (c *LTTSWalkingConfig) Resumable() bool { return true }

// restoreWalk continues from the checkpoint env.Resume (returning the
// epochs done), else starts from init_from, else from J = 0.
func (c *LTTSWalkingConfig) restoreWalk(env *experiment.Env, tr *lttsTrainer, r *walkRun) (int, error) {
	ck, err := experiment.LoadCheckpoint(env, c)
	if err != nil {
		return 0, err
	}
	if ck == nil {
		return 0, initFrom(tr, c.InitFrom, "ltts-walking")
	}
	done := int(ck.Header.Progress)
	if done < 1 || done >= c.Epochs {
		return 0, fmt.Errorf("checkpoint %s: %d epochs done of %d", ck.Path, done, c.Epochs)
	}
	if err := tr.loadState(ck); err != nil {
		return 0, err
	}
	for _, a := range []struct {
		n string
		d *[]float64
	}{{"eval_epoch", &r.ep}, {"train_mse", &r.trainC}, {"test_mse", &r.testC}, {"spike_mismatch", &r.dsC}} {
		v, err := ck.Float64(a.n, -1)
		if err != nil {
			return 0, err
		}
		*a.d = append([]float64(nil), v...)
	}
	return done, nil
}

// saveWalk writes a checkpoint after epoch e (1-based) when one is due,
// or the final model after the last epoch.
func (c *LTTSWalkingConfig) saveWalk(env *experiment.Env, tr *lttsTrainer, r *walkRun, e int) error {
	last := e == c.Epochs
	if !last && (c.CheckpointEveryEpochs < 1 || e%c.CheckpointEveryEpochs != 0) {
		return nil
	}
	s := &experiment.ModelState{Progress: float64(e), ProgressUnit: "epoch"}
	if err := tr.addState(s); err != nil {
		return err
	}
	if last {
		if err := experiment.SaveFinalModel(env, c, s); err != nil {
			return err
		}
		return nil
	}
	s.Add("eval_epoch", "epochs of the free-running evaluations so far", r.ep)
	s.Add("train_mse", "z units², per evaluation", r.trainC)
	s.Add("test_mse", "z units², per evaluation", r.testC)
	s.Add("spike_mismatch", "ΔS per evaluation", r.dsC)
	return experiment.SaveCheckpoint(env, c, s)
}

// Eval runs the saved network freely over total_bins (spikelab eval):
// train_mse, test_mse, spike_mismatch and test_rmse_deg equal the run's.
func (c *LTTSWalkingConfig) Eval(ctx context.Context, env *experiment.Env, md *runio.Model) (map[string]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	w, err := c.loadTarget()
	if err != nil {
		return nil, err
	}
	r, err := c.buildWalk(w)
	if err != nil {
		return nil, err
	}
	K, N := len(w.channels), c.Net.N
	tr := &lttsTrainer{net: r.net, K: K, Jout: make([]float64, K*N)}
	if err := md.CopyFloat64("j", r.net.J); err != nil {
		return nil, err
	}
	if err := md.CopyFloat64("jout", tr.Jout); err != nil {
		return nil, err
	}
	Tr, Tt := c.TrainBins, c.TotalBins
	r.Sgen = r.net.Run(r.in[:Tt])
	r.y = tr.output(r.Sgen)
	r.ep = []float64{md.Header.Progress}
	r.trainC, r.testC = []float64{mseFrom(r.y[:Tr], w.z[:Tr], 0)}, []float64{mseFrom(r.y[Tr:], w.z[Tr:], 0)}
	r.dsC = []float64{SpikeMismatch(r.Sstar[:Tr], r.Sgen[:Tr])}
	m := c.walkMetrics(w, r, tr)
	for _, k := range []string{"train_mse_epoch_0", "spike_mismatch_epoch_0"} {
		delete(m, k) // the evaluation has no epoch 0
	}
	return m, nil
}

// Model files of ltts-xor: as ltts-trajectory (j, jout, optimiser state,
// rng_shuffle; the weights at the end of training, which training
// continues from) and, with keep_best, the kept weights the run's metrics
// describe: kept_j, kept_jout and kept = [trained patterns correct, their
// summed MSE, epoch];
// checkpoints add the curves (eval_epoch, mse, spike_mismatch,
// patterns_correct per evaluation) and the best evaluation so far
// (best_j, best_jout, best = [trained patterns correct, their summed
// MSE, epoch]); the best scores are recomputed from best_j and best_jout.

// Resumable reports that ltts-xor checkpoints.
func (c *LTTSXORConfig) Resumable() bool { return true }

func (r *xorRun) restore(env *experiment.Env) (int, error) {
	ck, err := experiment.LoadCheckpoint(env, r.c)
	if err != nil || ck == nil {
		return 0, err
	}
	done := int(ck.Header.Progress)
	if done < 1 || done >= r.c.Epochs {
		return 0, fmt.Errorf("checkpoint %s: %d epochs done of %d", ck.Path, done, r.c.Epochs)
	}
	if err := r.tr.loadState(ck); err != nil {
		return 0, err
	}
	for _, a := range []struct {
		n string
		d *[]float64
	}{{"eval_epoch", &r.evalEpoch}, {"mse", &r.mseCurve}, {"spike_mismatch", &r.dsCurve}, {"patterns_correct", &r.correctCurve}} {
		v, err := ck.Float64(a.n, -1)
		if err != nil {
			return 0, err
		}
		*a.d = append([]float64(nil), v...)
	}
	if err := ck.CopyFloat64("best_j", r.bestJ); err != nil {
		return 0, err
	}
	if err := ck.CopyFloat64("best_jout", r.bestOut); err != nil {
		return 0, err
	}
	b, err := ck.Float64("best", 3)
	if err != nil {
		return 0, err
	}
	r.bestOK, r.bestMSE, r.bestEpoch = int(b[0]), b[1], int(b[2])
	// The best scores: the free runs of the kept weights (deterministic).
	j, out := append([]float64(nil), r.net.J...), append([]float64(nil), r.tr.Jout...)
	copy(r.net.J, r.bestJ)
	copy(r.tr.Jout, r.bestOut)
	for p := range r.all {
		r.bestScores[p] = r.c.score(r.tr, r.all[p])
	}
	copy(r.net.J, j)
	copy(r.tr.Jout, out)
	return done, nil
}

func (r *xorRun) save(env *experiment.Env, e int) error {
	c := r.c
	last := e == c.Epochs
	if !last && (c.CheckpointEveryEpochs < 1 || e%c.CheckpointEveryEpochs != 0) {
		return nil
	}
	s := &experiment.ModelState{Progress: float64(e), ProgressUnit: "epoch"}
	if err := r.tr.addState(s); err != nil {
		return err
	}
	if last {
		if c.KeepBest {
			s.Add("kept_j", "J of the best evaluation (the one the metrics describe)", r.bestJ, c.Net.N, c.Net.N)
			s.Add("kept_jout", "readout of the best evaluation", r.bestOut, r.tr.K, c.Net.N)
			s.Add("kept", "[trained patterns correct, their summed MSE, epoch]", []float64{float64(r.bestOK), r.bestMSE, float64(r.bestEpoch)})
		}
		if err := experiment.SaveFinalModel(env, c, s); err != nil {
			return err
		}
		return nil
	}
	s.Add("eval_epoch", "epochs of the evaluations so far", r.evalEpoch)
	s.Add("mse", "mean over the four patterns, per evaluation", r.mseCurve)
	s.Add("spike_mismatch", "ΔS, per evaluation", r.dsCurve)
	s.Add("patterns_correct", "0-4, per evaluation", r.correctCurve)
	s.Add("best_j", "J of the best evaluation so far", r.bestJ, c.Net.N, c.Net.N)
	s.Add("best_jout", "readout of the best evaluation so far", r.bestOut)
	s.Add("best", "[trained patterns correct, their summed MSE, epoch]", []float64{float64(r.bestOK), r.bestMSE, float64(r.bestEpoch)})
	return experiment.SaveCheckpoint(env, c, s)
}

// Eval scores the four patterns with the saved network (spikelab eval):
// the kept weights with keep_best, else those at the end of training;
// patterns_correct, mse, spike_mismatch and the per-pattern metrics equal
// the run's.
func (c *LTTSXORConfig) Eval(ctx context.Context, env *experiment.Env, md *runio.Model) (map[string]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	team := sim.NewTeam(env.Threads)
	defer team.Close()
	r, err := c.buildXOR(team)
	if err != nil {
		return nil, err
	}
	jName, outName, epoch := "j", "jout", md.Header.Progress
	if _, ok := md.Arrays["kept_j"]; ok {
		jName, outName = "kept_j", "kept_jout"
		kept, err := md.Float64("kept", 3)
		if err != nil {
			return nil, err
		}
		epoch = kept[2]
	}
	if err := md.CopyFloat64(jName, r.net.J); err != nil {
		return nil, err
	}
	if err := md.CopyFloat64(outName, r.tr.Jout); err != nil {
		return nil, err
	}
	for p := range r.all {
		r.scores[p] = c.score(r.tr, r.all[p])
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	m := map[string]float64{"kept_epoch": epoch}
	c.scoreMetrics(m, r.scores)
	if env.Out != nil {
		if err := c.write(env, r.all, r.scores, []float64{epoch}, []float64{m["mse"]}, []float64{m["spike_mismatch"]}, []float64{m["patterns_correct"]}); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// initFrom loads the trainer's weights, readout and optimiser state from
// the model file path of experiment name ("" leaves the fresh network).
func initFrom(tr *lttsTrainer, path, name string) error {
	if path == "" {
		return nil
	}
	m, err := experiment.LoadInitModel(path, name)
	if err != nil {
		return err
	}
	if err := tr.loadState(m); err != nil {
		return fmt.Errorf("init_from: %w", err)
	}
	return nil
}
