package shifting

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/internal/testgen"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
)

// writeIDX writes a small synthetic MNIST-format data set into dir
// (testgen.WriteIDX, no speckle).
func writeIDX(t *testing.T, dir string, nTrain, nTest int) {
	t.Helper()
	if err := testgen.WriteIDX(dir, nTrain, nTest, false); err != nil {
		t.Fatal(err)
	}
}

func shortMNIST(data string) *ShiftingConfig {
	return &ShiftingConfig{Seed: 3, Task: "mnist", Hidden: 20, BatchSize: 16, Epochs: 4, LrStart: 0.01, LrEnd: 0.01, LrEtp: 1e-4,
		DataDir: data, CheckpointEveryEpochs: 1}
}

func runIn(t *testing.T, c *ShiftingConfig, resume string) (map[string]float64, string) {
	t.Helper()
	dir, err := runio.Create(filepath.Join(t.TempDir(), "run"), "x")
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Run(context.Background(), &experiment.Env{Out: dir, Threads: 2, Log: io.Discard, Name: "shifting-mnist", Resume: resume})
	if err != nil {
		t.Fatal(err)
	}
	return m, dir.Path
}

func learnt(t *testing.T, path string) map[string]runio.Array {
	t.Helper()
	m, err := runio.ReadModel(path, "shifting-mnist")
	if err != nil {
		t.Fatal(err)
	}
	return m.Arrays
}

// TestShiftingModelEvalAndContinue: eval of the saved model gives the
// run's test accuracy; 2 epochs + 2 epochs from init_from equal 4 epochs in
// one run bit for bit (constant learning rate: with a decaying one the
// continued run restarts the schedule); resuming from the checkpoint after
// epoch 2 ends with the same metrics and model.npz bytes.
func TestShiftingModelEvalAndContinue(t *testing.T) {
	checkEvalAndContinue(t, shortMNIST)
}

// The same with the causal-set options on (shifting-mnist-causal's code
// and cost, weight bumping, clipping and a cosine schedule over the 4
// epochs, so the 2+2 continuation is skipped; input dropout, jitter and a
// new order every epoch): the resumed run also
// restores the optional curves (train_eval_accuracy, hidden_*).
func TestShiftingCausalModelEvalAndResume(t *testing.T) {
	checkEvalAndContinue(t, func(data string) *ShiftingConfig {
		c := shortMNIST(data)
		c.Encoding, c.EncodingThreshold, c.EncodingTInk = EncodingMostafa, 0.5, 1.79
		c.WSK, c.WSTheta, c.SilentBump, c.ClipNorm = 1, 5, 1e-3, 5
		c.LrSchedule, c.LrEnd = ScheduleCosine, 1e-3
		c.CausalMetrics, c.TrainEvalSize = true, 50
		c.InputDropout, c.InputJitter, c.Reshuffle = 0.1, 0.05, true // drawn per epoch: a resumed run draws the same
		return c
	})
}

func checkEvalAndContinue(t *testing.T, shortMNIST func(string) *ShiftingConfig) {
	data := t.TempDir()
	writeIDX(t, data, 200, 60)
	c := shortMNIST(data)
	full, dir := runIn(t, c, "")
	if _, err := os.Stat(filepath.Join(dir, experiment.CheckpointFile)); !os.IsNotExist(err) {
		t.Errorf("checkpoint left after the run: %v", err)
	}
	ev := evalSaved(t, c, dir, "shifting-mnist")
	for _, k := range []string{"test_accuracy", "hidden_early_fraction", "hidden_silent_fraction", "hidden_dead_fraction"} {
		if ev[k] != full[k] {
			t.Errorf("eval %s %v, run %v", k, ev[k], full[k])
		}
	}
	for _, k := range []string{"hidden_early_fraction", "train_eval_accuracy"} {
		if _, ok := full[k]; ok != c.CausalMetrics {
			t.Errorf("metric %s reported: %v, want %v", k, ok, c.CausalMetrics)
		}
	}

	if c.LrSchedule == "" && c.LrStart == c.LrEnd {
		checkContinue(t, shortMNIST, data, full, dir)
	}
	checkResume(t, shortMNIST, data, full, dir)
}

// checkContinue: 2 + 2 epochs via init_from equal 4 epochs (constant lr).
func checkContinue(t *testing.T, shortMNIST func(string) *ShiftingConfig, data string, full map[string]float64, dir string) {
	half := shortMNIST(data)
	half.Epochs = 2
	_, d1 := runIn(t, half, "")
	cont := shortMNIST(data)
	cont.Epochs, cont.InitFrom = 2, filepath.Join(d1, experiment.ModelFile)
	m2, d2 := runIn(t, cont, "")
	if m2["test_accuracy"] != full["test_accuracy"] {
		t.Errorf("2+2 epochs: test accuracy %v, 4 epochs %v", m2["test_accuracy"], full["test_accuracy"])
	}
	a, b := learnt(t, filepath.Join(dir, experiment.ModelFile)), learnt(t, filepath.Join(d2, experiment.ModelFile))
	for name, x := range a {
		if !strings.HasPrefix(name, "w") && !strings.HasPrefix(name, "adam") && !strings.HasPrefix(name, "etp") {
			continue
		}
		if !equalArrays(x, b[name]) {
			t.Errorf("2+2 epochs: %s differs from 4 epochs", name)
		}
	}

}

// checkResume: a run stopped after its 2nd checkpoint (the checkpoint
// copied from a partial run) continues to the uninterrupted result; a
// changed protocol key is refused.
func checkResume(t *testing.T, shortMNIST func(string) *ShiftingConfig, data string, full map[string]float64, dir string) {
	part := shortMNIST(data)
	part.Epochs = 4
	ckDir := t.TempDir()
	stop := &stopAfter{n: 2}
	pdir, _ := runio.Create(ckDir, "x")
	_, err := part.Run(stop.ctx(), &experiment.Env{Out: pdir, Threads: 1, Log: io.Discard, Name: "shifting-mnist"})
	if err == nil {
		t.Fatal("partial run was not stopped")
	}
	ck := filepath.Join(ckDir, experiment.CheckpointFile)
	res, rdir := runIn(t, shortMNIST(data), ck)
	sameAsUninterrupted(t, full, res, dir, rdir)
	// A changed protocol key is refused, naming the key and both values.
	bad := shortMNIST(data)
	bad.BatchSize = 8
	bdir, _ := runio.Create(filepath.Join(t.TempDir(), "b"), "x")
	_, err = bad.Run(context.Background(), &experiment.Env{Out: bdir, Threads: 1, Log: io.Discard, Name: "shifting-mnist", Resume: ck})
	if err == nil || !strings.Contains(err.Error(), "batch_size is 8 here but 16 in the checkpoint") {
		t.Errorf("changed batch_size: %v", err)
	}
}

func equalArrays(a, b runio.Array) bool {
	x, ok1 := a.Data.([]float64)
	y, ok2 := b.Data.([]float64)
	if !ok1 || !ok2 || len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// stopAfter makes a context that reports cancellation once n more
// checkpoints have been written by this process (a deterministic stop).
type stopAfter struct{ n int }

func (s *stopAfter) ctx() context.Context {
	return &ckCtx{Context: context.Background(), until: experiment.CheckpointsWritten() + int64(s.n)}
}

type ckCtx struct {
	context.Context
	until int64
}

func (c *ckCtx) Err() error {
	if experiment.CheckpointsWritten() >= c.until {
		return context.Canceled
	}
	return nil
}
