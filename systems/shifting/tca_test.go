package shifting

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
)

// genTCA is a small TCA run on generated trials with fresh templates (no
// data file needed).
func genTCA(hidden, train, epochs int, lr float64) *ShiftingConfig {
	return &ShiftingConfig{Seed: 2, Task: "tca", Hidden: hidden, BatchSize: 1, Epochs: epochs, LrStart: lr, LrEnd: lr, LrEtp: 1e-6,
		Normalise: true, CheckpointEveryEpochs: 2,
		Data: TCAData{Source: "generated", TrainTrials: train, TestTrials: 20, Templates: "generated"}}
}

// runTCAIn runs c into a fresh run folder (resuming from the checkpoint
// resume when not "") and returns the metrics and the folder.
func runTCAIn(t *testing.T, ctx context.Context, c *ShiftingConfig, resume string) (map[string]float64, string, error) {
	t.Helper()
	dir, err := runio.Create(filepath.Join(t.TempDir(), "run"), "x")
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Run(ctx, &experiment.Env{Out: dir, Threads: 1, Log: io.Discard, Name: "shifting-tca", Resume: resume})
	return m, dir.Path, err
}

// Generated TCA data (fresh templates, 500-200-22 network, 40 training
// trials, lr 3e-4): after 10 epochs the network fits its training trials
// (0.825 measured, seed 2); the untrained network (lr 1e-12, 1 epoch)
// classifies none of them. Want train accuracy ≥ 0.5 and ≥ untrained +
// 0.4. (The fit, not the test accuracy: beating the 16.4 % first-feature
// Bayes figure on fresh trials takes the full run, minutes.)
func TestShiftingTCAGeneratedFitsAgainstUntrained(t *testing.T) {
	m := runShifting(t, genTCA(200, 40, 10, 3e-4))
	u := runShifting(t, genTCA(200, 40, 1, 1e-12))
	t.Logf("train accuracy %.3f, untrained %.3f", m["train_accuracy"], u["train_accuracy"])
	if acc := m["train_accuracy"]; acc < 0.5 || acc < u["train_accuracy"]+0.4 {
		t.Errorf("generated TCA train accuracy %.3f (untrained %.3f): want ≥ 0.5 and ≥ untrained + 0.4", acc, u["train_accuracy"])
	}
	if b := m["bayes_first_feature_accuracy"]; b < 0.16 || b > 0.17 {
		t.Errorf("bayes_first_feature_accuracy %g, want ≈ 0.164", b)
	}
}

// With generated data (a fixed training set, or fresh trials every epoch),
// eval of model.npz regenerates the same test and (last) training trials
// (data.seed = the run's seed) and gives the run's accuracies; a run
// resumed from its checkpoint after epoch 2 ends with the uninterrupted
// run's metrics and model.npz bytes.
func TestShiftingTCAGeneratedEvalAndResume(t *testing.T) {
	for _, fresh := range []bool{false, true} {
		t.Run(map[bool]string{false: "fixed", true: "fresh_each_epoch"}[fresh], func(t *testing.T) { evalAndResume(t, fresh, genTCA) })
	}
	t.Run("potential", func(t *testing.T) { evalAndResume(t, true, potentialTCA) })
}

func evalAndResume(t *testing.T, fresh bool, config func(hidden, train, epochs int, lr float64) *ShiftingConfig) {
	mk := func() *ShiftingConfig {
		c := config(20, 20, 4, 1e-3)
		c.Data.FreshEachEpoch = fresh
		return c
	}
	c := mk()
	full, dir, err := runTCAIn(t, context.Background(), c, "")
	if err != nil {
		t.Fatal(err)
	}
	ev := evalSaved(t, c, dir, "shifting-tca")
	for _, k := range []string{"test_accuracy", "train_accuracy", "decision_time_mean", "decided_after_features"} {
		if ev[k] != full[k] {
			t.Errorf("eval %s %v, run %v", k, ev[k], full[k])
		}
	}
	ckDir := t.TempDir()
	pdir, _ := runio.Create(ckDir, "x")
	stop := &stopAfter{n: 1}
	if _, err := mk().Run(stop.ctx(), &experiment.Env{Out: pdir, Threads: 1, Log: io.Discard, Name: "shifting-tca"}); err == nil {
		t.Fatal("partial run was not stopped")
	}
	res, rdir, err := runTCAIn(t, context.Background(), mk(), filepath.Join(ckDir, experiment.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	sameAsUninterrupted(t, full, res, dir, rdir)
}

// evalSaved evaluates (spikelab eval) the model.npz of the run folder dir
// of experiment name with config c.
func evalSaved(t *testing.T, c *ShiftingConfig, dir, name string) map[string]float64 {
	t.Helper()
	model, err := runio.ReadModel(filepath.Join(dir, experiment.ModelFile), name)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := c.Eval(context.Background(), &experiment.Env{Threads: 1, Log: io.Discard}, model)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// sameAsUninterrupted fails the test when a resumed run's metrics (timings
// aside) or model.npz bytes (in rdir) differ from the uninterrupted run's
// (in dir).
func sameAsUninterrupted(t *testing.T, full, res map[string]float64, dir, rdir string) {
	t.Helper()
	for k, v := range full {
		if !strings.Contains(k, "seconds") && res[k] != v {
			t.Errorf("resumed %s = %v, uninterrupted %v", k, res[k], v)
		}
	}
	x, _ := os.ReadFile(filepath.Join(dir, experiment.ModelFile))
	y, _ := os.ReadFile(filepath.Join(rdir, experiment.ModelFile))
	if !bytes.Equal(x, y) {
		t.Error("resumed model.npz differs from the uninterrupted run's")
	}
}

// With the file's templates the public trials are the validation set:
// validation_accuracy is reported for all 50, kept per epoch through a
// resume, and eval reproduces it.
func TestShiftingTCAValidationOnFile(t *testing.T) {
	dir := sharedShiftingData(t)
	mk := func() *ShiftingConfig {
		c := genTCA(20, 20, 4, 1e-3)
		c.Data.Templates, c.DataDir, c.TCAFile = "file", dir, "gamma_5-inhomogbgnoise-trials-250-syn-500-feat-9-validation.mat"
		return c
	}
	full, rd, err := runTCAIn(t, context.Background(), mk(), "")
	if err != nil {
		t.Fatal(err)
	}
	if full["validation_trials"] != 50 {
		t.Errorf("validation_trials %v, want 50", full["validation_trials"])
	}
	ev := evalSaved(t, mk(), rd, "shifting-tca")
	if ev["validation_accuracy"] != full["validation_accuracy"] {
		t.Errorf("eval validation_accuracy %v, run %v", ev["validation_accuracy"], full["validation_accuracy"])
	}
	ckDir := t.TempDir()
	pdir, _ := runio.Create(ckDir, "x")
	stop := &stopAfter{n: 1}
	if _, err := mk().Run(stop.ctx(), &experiment.Env{Out: pdir, Threads: 1, Log: io.Discard, Name: "shifting-tca"}); err == nil {
		t.Fatal("partial run was not stopped")
	}
	res, _, err := runTCAIn(t, context.Background(), mk(), filepath.Join(ckDir, experiment.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if res["validation_accuracy"] != full["validation_accuracy"] || res["test_accuracy"] != full["test_accuracy"] {
		t.Errorf("resumed validation/test %v/%v, uninterrupted %v/%v", res["validation_accuracy"], res["test_accuracy"],
			full["validation_accuracy"], full["test_accuracy"])
	}
}

// Bad data.* keys are refused with an error naming the key.
func TestShiftingTCADataRejects(t *testing.T) {
	for key, f := range map[string]func(*TCAData){
		"data.source":       func(d *TCAData) { d.Source = "web" },
		"data.train_trials": func(d *TCAData) { d.TrainTrials = 0 },
		"data.templates":    func(d *TCAData) { d.Templates = "x" },
	} {
		c := genTCA(20, 20, 1, 1e-3)
		f(&c.Data)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: error %v, want one naming it", key, err)
		}
	}
}
