package force

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
)

// TestPanelAll: preset=all with 100 neurons and duration_scale 0.04 (every
// preset keeps ≥ 0.2 s of test phase) runs all presets and writes
// panel.png and each preset's target_rms (and the phase-aligned RMSE where
// the test phase holds a window after a period).
func TestPanelAll(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the 29 presets")
	}
	c := ForcePanel()
	c.Preset, c.N, c.DurationScale = PanelAll, 100, 0.04
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Resumable() {
		t.Error("preset all reports it resumes")
	}
	if _, err := c.Estimate(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out, err := runio.Create(filepath.Join(dir, "run"), "")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 2, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("panel of %d presets: %.1f s", len(PanelPresets()), time.Since(start).Seconds())
	for _, name := range PanelPresets() {
		if v, ok := m[name+"_target_rms"]; !ok || !(v > 0) {
			t.Errorf("%s_target_rms = %v (present %v)", name, v, ok)
		}
	}
	for _, name := range []string{"lif20-sine", "lif10-prodsine", "theta20-prodsine"} {
		if v, ok := m[name+"_test_rmse_phase_aligned"]; !ok || !(v >= 0) {
			t.Errorf("%s_test_rmse_phase_aligned = %v (present %v)", name, v, ok)
		}
	}
	f, err := os.Open(filepath.Join(dir, "run", "panel.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 600 {
		t.Errorf("panel.png is %v", b)
	}
}

func TestPanelAllRefusesCheckpoints(t *testing.T) {
	c := ForcePanel()
	c.Preset, c.CheckpointEveryS = PanelAll, 5
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "checkpoint_every_s") {
		t.Errorf("checkpoint_every_s 5: error %v", err)
	}
	c.CheckpointEveryS = 0
	if _, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Resume: "x"}); err == nil || !strings.Contains(err.Error(), "does not resume") {
		t.Errorf("resume: error %v", err)
	}
	if _, err := c.Eval(context.Background(), &experiment.Env{Threads: 1}, nil); err == nil {
		t.Error("eval of preset all: no error")
	}
}
