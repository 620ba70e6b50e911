package force

import (
	"math"
	"strings"
	"testing"
)

// userSines is the example's config: 800 LIF neurons on a user's function.
func userSines() *ForceConfig {
	c := ForceLIFSine()
	c.N, c.Seed = 800, 2
	c.DurationS, c.TrainStartS, c.TrainStopS = 4, 0.5, 3
	c.Outputs = 1
	c.TargetFunc = func(t float64, out []float64) {
		out[0] = math.Sin(2*math.Pi*3*t) + 0.5*math.Sin(2*math.Pi*6*t)
	}
	return c
}

func TestUserTargetIsDeterministic(t *testing.T) {
	a := runForce(t, userSines(), 1)
	b := runForce(t, userSines(), 2)
	for _, k := range []string{"train_rmse", "test_rmse", "spikes_total", "target_rms"} {
		if math.Float64bits(a[k]) != math.Float64bits(b[k]) {
			t.Errorf("%s: %v, then %v", k, a[k], b[k])
		}
	}
	if !(a["train_rmse"] < a["target_rms"]/5) {
		t.Errorf("train_rmse %.3f not 5× below the target rms %.3f", a["train_rmse"], a["target_rms"])
	}
	if _, ok := a["test_rmse_phase_aligned"]; ok {
		t.Error("a user's target is aperiodic: no phase-aligned metrics")
	}
}

func TestUserTargetEqualsBuiltInSine(t *testing.T) {
	c := smallSine(5)
	c.DurationS, c.TrainStartS, c.TrainStopS = 1, 0.2, 0.8
	want := runForce(t, c, 1)
	dt := c.DtMS / 1000
	c.Outputs = 1
	c.TargetFunc = func(ts float64, out []float64) {
		// task.Sine's expression, from the step index.
		out[0] = c.Target.Amplitude * math.Sin(2*math.Pi*c.Target.FreqHz*float64(int(math.Round(ts/dt)))*dt)
	}
	c.Target.Kind = "none" // ignored with a TargetFunc
	got := runForce(t, c, 1)
	for _, k := range []string{"train_rmse", "test_rmse", "spikes_total"} {
		if got[k] != want[k] {
			t.Errorf("%s: TargetFunc %v, target.kind=sine %v", k, got[k], want[k])
		}
	}
}

func TestUserTargetErrors(t *testing.T) {
	c := userSines()
	c.Outputs = 0
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "Outputs") {
		t.Errorf("TargetFunc without Outputs: %v", err)
	}
	c = ForceLIFSine()
	c.Outputs = 2
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "TargetFunc") {
		t.Errorf("Outputs without TargetFunc: %v", err)
	}
	c = userSines()
	c.Outputs = 2
	c.TargetFunc = func(_ float64, out []float64) { out[0], out[1] = 1, -1 }
	c.N, c.DurationS, c.TrainStartS, c.TrainStopS = 100, 0.3, 0.1, 0.2
	if m := runForce(t, c, 1); m["target_rms"] != 1 {
		t.Errorf("two outputs: target_rms %v, want 1", m["target_rms"])
	}
}
