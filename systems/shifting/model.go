package shifting

import (
	"context"
	"fmt"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/sim"
)

// Model files of the Shifting experiments (mnist, fashion-mnist, tca):
// per layer k = 1, 2: wK (in × out weights, dimensionless: the exp-domain
// threshold is 1), etpK (the output factors e_tp; ln e_tp is an axonal
// delay in units of the time constant), and the Adam state adam_wK_m,
// adam_wK_v, adam_etpK_m, adam_etpK_v with the step counts adam_steps
// ([wK, etpK] steps per layer). A checkpoint adds the curves so far
// (train_accuracy, test_accuracy, epoch_seconds, epoch_cpu_seconds,
// test_cpu_seconds, one value per epoch done; TCA also
// validation_accuracy and, with generated data, decision_time_mean and
// decided_after_features). Training has no random
// stream after initialisation (the training order is fixed), so no RNG
// state is needed.

// addNet appends the network's learnt state to s.
func addNet(s *experiment.ModelState, n *ShiftingNet) {
	var steps []float64
	for k, l := range []*ShiftingLayer{n.L1, n.L2} {
		p := fmt.Sprint(k + 1)
		s.Add("w"+p, "weight (threshold 1)", l.W, l.In, l.Out)
		s.Add("etp"+p, "output factor e_tp (delay ln e_tp, in time constants)", l.Etp)
		m, v := l.adamW.Moments()
		t := l.adamW.Steps()
		s.Add("adam_w"+p+"_m", "Adam first moment of w"+p, m, l.In, l.Out)
		s.Add("adam_w"+p+"_v", "Adam second moment of w"+p, v, l.In, l.Out)
		mt, vt := l.adamT.Moments()
		tt := l.adamT.Steps()
		s.Add("adam_etp"+p+"_m", "Adam first moment of etp"+p, mt)
		s.Add("adam_etp"+p+"_v", "Adam second moment of etp"+p, vt)
		steps = append(steps, float64(t), float64(tt))
	}
	s.Add("adam_steps", "Adam steps taken: [w1, etp1, w2, etp2]", steps)
}

// loadNet restores the network's learnt state from m; every array must
// have this network's shape.
func loadNet(m *runio.Model, n *ShiftingNet) error {
	steps, err := m.Float64("adam_steps", 4)
	if err != nil {
		return err
	}
	for k, l := range []*ShiftingLayer{n.L1, n.L2} {
		p := fmt.Sprint(k + 1)
		mw, vw := l.adamW.Moments()
		mt, vt := l.adamT.Moments()
		for _, a := range []struct {
			name string
			dst  []float64
		}{{"w" + p, l.W}, {"etp" + p, l.Etp}, {"adam_w" + p + "_m", mw}, {"adam_w" + p + "_v", vw},
			{"adam_etp" + p + "_m", mt}, {"adam_etp" + p + "_v", vt}} {
			if err := m.CopyFloat64(a.name, a.dst); err != nil {
				return err
			}
		}
		l.adamW.SetSteps(int(steps[2*k]))
		l.adamT.SetSteps(int(steps[2*k+1]))
	}
	return nil
}

// curves are the per-epoch records of an image or TCA run.
type curves struct {
	trainAcc, testAcc, epochSec, epochCPU, testCPU []float64
	valAcc                                         []float64 // TCA validation accuracy per epoch; nil: none kept
	// TCA with generated data: per epoch on the test trials the mean
	// decision time (s) and the fraction decided after the last feature;
	// nil: none kept.
	decT, after []float64
}

func (cv *curves) add(s *experiment.ModelState) {
	s.Add("train_accuracy", "fraction, per epoch done", cv.trainAcc)
	s.Add("test_accuracy", "fraction, per epoch done", cv.testAcc)
	s.Add("epoch_seconds", "s (wall), per epoch done", cv.epochSec)
	s.Add("epoch_cpu_seconds", "s (CPU), per epoch done", cv.epochCPU)
	s.Add("test_cpu_seconds", "s (CPU), per epoch done", cv.testCPU)
	if cv.valAcc != nil {
		s.Add("validation_accuracy", "fraction, per epoch done", cv.valAcc)
	}
	if cv.decT != nil {
		s.Add("decision_time_mean", "s (trial time of the first output spike, test trials), per epoch done", cv.decT)
		s.Add("decided_after_features", "fraction of test trials, per epoch done", cv.after)
	}
}

// load restores the curves from a checkpoint; the validation curve only
// when cv.valAcc is not nil (the run keeps one).
func (cv *curves) load(m *runio.Model, epochs int) error {
	type curve struct {
		name string
		dst  *[]float64
	}
	all := []curve{{"train_accuracy", &cv.trainAcc}, {"test_accuracy", &cv.testAcc}, {"epoch_seconds", &cv.epochSec},
		{"epoch_cpu_seconds", &cv.epochCPU}, {"test_cpu_seconds", &cv.testCPU}}
	if cv.valAcc != nil {
		all = append(all, curve{"validation_accuracy", &cv.valAcc})
	}
	if cv.decT != nil {
		all = append(all, curve{"decision_time_mean", &cv.decT}, curve{"decided_after_features", &cv.after})
	}
	for _, a := range all {
		v, err := m.Float64(a.name, epochs)
		if err != nil {
			return err
		}
		*a.dst = append([]float64(nil), v...)
	}
	return nil
}

// Resumable reports whether this task checkpoints (the image and TCA
// tasks; XOR and Iris train many small networks in seconds).
func (c *ShiftingConfig) Resumable() bool { return c.Task != "xor" && c.Task != "iris" }

// start restores a run's state: from the checkpoint env.Resume (returning
// the epochs done), else from the model init_from (weights and Adam
// state; the learning-rate schedule starts again at epoch 1), else it
// leaves the fresh network.
func (c *ShiftingConfig) start(env *experiment.Env, net *ShiftingNet, cv *curves, more ...*causalCurves) (int, error) {
	ck, err := experiment.LoadCheckpoint(env, c)
	if err != nil {
		return 0, err
	}
	if ck != nil {
		done := int(ck.Header.Progress)
		if done < 1 || done >= c.Epochs {
			return 0, fmt.Errorf("checkpoint %s: %d epochs done of %d", ck.Path, done, c.Epochs)
		}
		if err := loadNet(ck, net); err != nil {
			return 0, err
		}
		for _, cc := range more {
			if err := cc.load(ck, done); err != nil {
				return 0, err
			}
		}
		return done, cv.load(ck, done)
	}
	if c.InitFrom != "" {
		m, err := experiment.LoadInitModel(c.InitFrom, "")
		if err != nil {
			return 0, err
		}
		if err := loadNet(m, net); err != nil {
			return 0, fmt.Errorf("init_from: %w", err)
		}
		fmt.Fprintf(env.Log, "shifting: initialised from %s (%s, %g %s)\n", c.InitFrom, m.Header.Experiment, m.Header.Progress, m.Header.ProgressUnit)
	}
	return 0, nil
}

// checkpoint writes the state after epoch e (0-based) when one is due and
// the run is not finished.
func (c *ShiftingConfig) checkpoint(env *experiment.Env, net *ShiftingNet, cv *curves, e int, more ...*causalCurves) error {
	if c.CheckpointEveryEpochs < 1 || (e+1)%c.CheckpointEveryEpochs != 0 || e+1 >= c.Epochs {
		return nil
	}
	s := &experiment.ModelState{Progress: float64(e + 1), ProgressUnit: "epoch"}
	addNet(s, net)
	cv.add(s)
	for _, cc := range more {
		cc.add(s)
	}
	return experiment.SaveCheckpoint(env, c, s)
}

// finish writes model.npz after the last epoch and removes the checkpoint.
func (c *ShiftingConfig) finish(env *experiment.Env, net *ShiftingNet) error {
	s := &experiment.ModelState{Progress: float64(c.Epochs), ProgressUnit: "epoch"}
	addNet(s, net)
	if err := experiment.SaveFinalModel(env, c, s); err != nil {
		return err
	}
	return nil
}

// Eval tests a saved network (spikelab eval): the test-set accuracy of the
// image tasks and TCA, as the run's last epoch measured it (with the same
// test_size and data), and with causal_metrics the hidden-layer metrics.
func (c *ShiftingConfig) Eval(ctx context.Context, env *experiment.Env, m *runio.Model) (map[string]float64, error) {
	if !c.Resumable() {
		return nil, fmt.Errorf("%s trains many networks and saves none; nothing to evaluate", c.Task)
	}
	team := sim.NewTeam(env.Threads)
	defer team.Close()
	if c.Task == "tca" {
		d, err := c.loadTCA()
		if err != nil {
			return nil, err
		}
		net := NewShiftingNet(d.nSyn, c.Hidden, tcaClasses, sim.Stream(c.Seed, "shifting-init"), team)
		c.configure(net)
		if err := loadNet(m, net); err != nil {
			return nil, err
		}
		acc, decT, after := tcaScore(net, d.test)
		r := map[string]float64{"test_accuracy": acc, "train_accuracy": tcaAccuracy(net, d.train),
			"test_trials": float64(len(d.test))}
		if d.val != nil {
			r["validation_accuracy"] = tcaAccuracy(net, d.val)
		}
		if c.Data.generated() {
			r["decision_time_mean"], r["decided_after_features"] = decT, after
		}
		return r, nil
	}
	d, err := c.loadImageSet()
	if err != nil {
		return nil, err
	}
	r := c.buildImages(d, team)
	if err := loadNet(m, r.net); err != nil {
		return nil, err
	}
	var st *HiddenStats
	if c.CausalMetrics {
		st = &HiddenStats{}
	}
	acc := r.test(st)
	out := map[string]float64{"test_accuracy": acc, "test_size": float64(d.nTest)}
	if st != nil {
		addStats(out, st)
	}
	if env.Out != nil {
		if err := c.writeSample(env, r.net, d.teI, d.teL, d.px, d.fill); err != nil {
			return nil, err
		}
	}
	return out, nil
}
