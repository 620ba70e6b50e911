package ltts

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/experiment"
)

// writeWalk writes a small ASF skeleton (root and two bones, 3 joint
// angles) and an AMC motion of frames frames whose angles are sinusoids of
// the given period (frames).
func writeWalk(t *testing.T, dir string, frames int, period float64) {
	t.Helper()
	asf := ":version 1.10\r\n:units\r\n  angle deg\r\n:root\r\n   order TX TY TZ RX RY RZ\r\n:bonedata\r\n" +
		"  begin\r\n    id 1\r\n    name femur\r\n    dof rx rz\r\n  end\r\n  begin\r\n    id 2\r\n    name tibia\r\n    dof rx\r\n  end\r\n"
	var b strings.Builder
	b.WriteString("#!OML:ASF test\r\n:FULLY-SPECIFIED\r\n:DEGREES\r\n")
	for f := 0; f < frames; f++ {
		ph := 2 * math.Pi * float64(f) / period
		fmt.Fprintf(&b, "%d\r\nroot %g 0 0 0 0 0\r\nfemur %.4f %.4f\r\ntibia %.4f\r\n", f+1, 0.1*float64(f),
			20*math.Sin(ph), 5*math.Cos(ph), 30+25*math.Sin(ph+1))
	}
	if err := os.WriteFile(filepath.Join(dir, "w.asf"), []byte(asf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "w.amc"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLTTSWalkingLearnsAGeneratedGait(t *testing.T) {
	dir := t.TempDir()
	writeWalk(t, dir, 120, 30)
	c := LTTSWalking()
	c.DataDir, c.ASF, c.AMC = dir, "w.asf", "w.amc"
	c.Net.N, c.TrainBins, c.TotalBins, c.LoopStart, c.LoopEnd, c.Epochs, c.EvalEvery = 200, 60, 180, 0, 30, 150, 150
	c.SigmaTeach = 5 // 3 channels: the teacher current's std is σ_teach·√3
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Seed 1: the free-running MSE on the trained bins falls 0.93 → 0.09,
	// the period found is 30 bins, and the output keeps moving after the
	// training window (RMS 0.51 in z units; a silent network gives 0).
	if m["train_mse"] > m["train_mse_epoch_0"]/3 {
		t.Errorf("train MSE %.3f → %.3f, want a 3-fold drop", m["train_mse_epoch_0"], m["train_mse"])
	}
	if m["period_bins"] != 30 {
		t.Errorf("period %g bins, the generated gait has 30", m["period_bins"])
	}
	if m["test_output_rms"] < 0.2 {
		t.Errorf("output RMS %.3f after the training window: the gait stopped", m["test_output_rms"])
	}
	if m["channels"] != 3 {
		t.Errorf("%g channels, want the 3 non-root ones", m["channels"])
	}
}

func TestLTTSWalkingMissingDataNamesTheDataset(t *testing.T) {
	c := LTTSWalking()
	c.DataDir = t.TempDir()
	_, err := c.Run(context.Background(), &experiment.Env{Threads: 1})
	if err == nil || !strings.Contains(err.Error(), "mocap") || !strings.Contains(err.Error(), "35_01.amc") {
		t.Fatalf("error %v, want one naming the mocap dataset and its file", err)
	}
}
