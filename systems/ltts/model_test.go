package ltts

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

func shortTrajectory(epochs int) *LTTSConfig {
	return &LTTSConfig{Seed: 2, T: 100, SigmaTeach: 2, SigmaClock: 4, Alpha: 0.01, AlphaOut: 0.02, Epochs: epochs, OffT: 10, Online: true, Drop: 1,
		Readout: ReadoutAdam, CheckpointEveryEpochs: 2,
		Net: LTTSParams{N: 80, TauM: 8, TauS: 2, TauRO: 20, Dv: 0.05, H: -4, V0: -4, SInh: 20, HeavisideBelow: ReferenceHeavisideBelow}}
}

func runTraj(t *testing.T, c *LTTSConfig, ctx context.Context, resume string) (map[string]float64, string, error) {
	t.Helper()
	dir, err := runio.Create(filepath.Join(t.TempDir(), "run"), "x")
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Run(ctx, &experiment.Env{Out: dir, Threads: 1, Log: io.Discard, Name: "ltts-trajectory", Resume: resume})
	return m, dir.Path, err
}

// stopCtx reports cancellation once n more checkpoints have been written.
type stopCtx struct {
	context.Context
	until int64
}

func (c *stopCtx) Err() error {
	if experiment.CheckpointsWritten() >= c.until {
		return context.Canceled
	}
	return nil
}

// TestTrajectoryModel: eval of model.npz reproduces the run's final free
// run; 4 + 4 epochs from init_from equal 8 epochs (bit for bit with
// drop = 1: the step decay's period depends on epochs, so with drop < 1
// the two schedules differ); a run stopped after its 2nd checkpoint and
// resumed ends with the uninterrupted run's metrics and model.npz bytes.
func TestTrajectoryModel(t *testing.T) {
	bg := context.Background()
	full, dir, err := runTraj(t, shortTrajectory(8), bg, "")
	if err != nil {
		t.Fatal(err)
	}
	model, err := runio.ReadModel(filepath.Join(dir, experiment.ModelFile), "ltts-trajectory")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := shortTrajectory(8).Eval(bg, &experiment.Env{Threads: 1, Log: io.Discard}, model)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"mse", "spike_mismatch", "mse_target_spikes"} {
		if ev[k] != full[k] {
			t.Errorf("eval %s = %v, run %v", k, ev[k], full[k])
		}
	}
	_, d4, err := runTraj(t, shortTrajectory(4), bg, "")
	if err != nil {
		t.Fatal(err)
	}
	cont := shortTrajectory(4)
	cont.InitFrom = filepath.Join(d4, experiment.ModelFile)
	m44, _, err := runTraj(t, cont, bg, "")
	if err != nil {
		t.Fatal(err)
	}
	if m44["mse"] != full["mse"] || m44["spike_mismatch"] != full["spike_mismatch"] {
		t.Errorf("4+4 epochs: mse %v ΔS %v; 8 epochs: %v %v", m44["mse"], m44["spike_mismatch"], full["mse"], full["spike_mismatch"])
	}

	stop := &stopCtx{Context: bg, until: experiment.CheckpointsWritten() + 2}
	if _, pdir, err := runTraj(t, shortTrajectory(8), stop, ""); err == nil {
		t.Fatal("partial run not stopped")
	} else {
		ck := filepath.Join(pdir, experiment.CheckpointFile)
		res, rdir, err := runTraj(t, shortTrajectory(8), bg, ck)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range full {
			if !strings.Contains(k, "seconds") && res[k] != v {
				t.Errorf("resumed %s = %v, uninterrupted %v", k, res[k], v)
			}
		}
		for _, f := range []string{experiment.ModelFile, "recordings.npz"} {
			x, _ := os.ReadFile(filepath.Join(dir, f))
			y, _ := os.ReadFile(filepath.Join(rdir, f))
			if !bytes.Equal(x, y) {
				t.Errorf("resumed %s differs from the uninterrupted run's", f)
			}
		}
		other := shortTrajectory(8)
		other.Alpha = 0.02
		if _, _, err := runTraj(t, other, bg, ck); err == nil || !strings.Contains(err.Error(), "alpha is 0.02 here but 0.01 in the checkpoint") {
			t.Errorf("changed alpha: %v", err)
		}
	}
}
