package force

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/sim"
)

// smallSine is a 500-neuron LIF network trained for 2 s on the 5 Hz sine.
func smallSine(seed uint64) *ForceConfig {
	c := ForceLIFSine()
	c.Seed, c.N = seed, 500
	c.DurationS, c.TrainStartS, c.TrainStopS = 4, 0.5, 2.5
	return c
}

func runForce(t *testing.T, c *ForceConfig, threads int) map[string]float64 {
	t.Helper()
	m, err := c.Run(context.Background(), &experiment.Env{Threads: threads})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSmallLIFNetworkLearnsSine(t *testing.T) {
	m := runForce(t, smallSine(1), 2)
	untrained := m["target_rms"] // the error of z ≡ 0
	if m["train_rmse"] > 0.15 || m["train_rmse"] > untrained/5 {
		t.Errorf("train_rmse %.3f: want < 0.15 and 5× below the untrained %.3f", m["train_rmse"], untrained)
	}
	if m["test_rmse_phase_aligned"] > 0.35 {
		t.Errorf("test_rmse_phase_aligned %.3f after RLS is off, want < 0.35", m["test_rmse_phase_aligned"])
	}
	if math.Abs(m["test_freq_hz"]-5) > 0.5 || m["test_amplitude"] < 0.7 || m["test_amplitude"] > 1.3 {
		t.Errorf("free-running output %.2f Hz, amplitude %.2f; want ≈ 5 Hz, ≈ 1", m["test_freq_hz"], m["test_amplitude"])
	}
	if m["rate_hz"] < 10 || m["rate_hz"] > 40 {
		t.Errorf("rate %.1f Hz outside 10–40", m["rate_hz"])
	}
	if m["rls_updates"] != 800 {
		t.Errorf("rls_updates %g, want 800 (every 50 steps strictly inside 0.5–2.5 s)", m["rls_updates"])
	}
}

func TestWithoutTrainingThereIsNoOutput(t *testing.T) {
	c := smallSine(1)
	c.DurationS, c.TrainStartS, c.TrainStopS = 1, 0.5, 0.5001
	m := runForce(t, c, 1)
	if m["test_rmse"] < 0.6 {
		t.Errorf("untrained network matched the target: test_rmse %.3f", m["test_rmse"])
	}
}

func TestFusedStepMatchesSerialStep(t *testing.T) {
	c := smallSine(2)
	c.DurationS, c.TrainStartS, c.TrainStopS = 1, 0.2, 0.8
	fused := runForce(t, c, 2)
	forceFused = false
	defer func() { forceFused = true }()
	serial := runForce(t, c, 1)
	// The only difference is the grouping of the readout sum (rounding):
	// the chaotic network may then move a spike by a step late in the run.
	for _, k := range []string{"spikes_total", "train_rmse", "rate_train_hz"} {
		if d := math.Abs(fused[k] - serial[k]); d > 1e-3*math.Abs(serial[k]) {
			t.Errorf("%s: fused %v, serial %v", k, fused[k], serial[k])
		}
	}
	t.Logf("spikes fused %v serial %v; train_rmse %v vs %v", fused["spikes_total"], serial["spikes_total"], fused["train_rmse"], serial["train_rmse"])
}

func TestSameSeedSameMetricsAnyThreads(t *testing.T) {
	a := runForce(t, smallSine(3), 1)
	b := runForce(t, smallSine(3), 2)
	for _, k := range []string{"train_rmse", "test_rmse", "test_rmse_phase_aligned", "rate_hz", "spikes_total"} {
		if a[k] != b[k] {
			t.Errorf("%s: %v with 1 thread, %v with 2", k, a[k], b[k])
		}
	}
	c := runForce(t, smallSine(4), 2)
	if c["spikes_total"] == a["spikes_total"] && c["train_rmse"] == a["train_rmse"] {
		t.Error("different seeds gave identical results")
	}
}

func TestOtherModelsAndTargetsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	for name, c := range map[string]*ForceConfig{
		"izhikevich": ForceIzhikevichSine(),
		"theta-vdp":  forceTheta("vdp", 10),
		"song":       ForceOdeToJoy(),
	} {
		c.N, c.DurationS, c.TrainStartS, c.TrainStopS = 300, 1.2, 0.2, 1
		m := runForce(t, c, 2)
		if !(m["train_rmse"] < m["target_rms"]) || m["rate_hz"] <= 0 {
			t.Errorf("%s: train_rmse %.3f not below the target rms %.3f, or silent (rate %.2f Hz)", name, m["train_rmse"], m["target_rms"], m["rate_hz"])
		}
	}
}

func TestDivergenceStopsTheRun(t *testing.T) {
	c := smallSine(1)
	c.DurationS, c.TrainStartS, c.TrainStopS = 1, 0.1, 0.9
	c.Alpha = 1e3 // absurd learning rate
	_, err := c.Run(context.Background(), &experiment.Env{Threads: 1})
	var de *sim.DivergenceError
	if !errors.As(err, &de) {
		t.Fatalf("a diverging run gave %v, want a divergence error", err)
	}
}

func TestPhaseAlignedRMSEDiscountsPhase(t *testing.T) {
	z, tg := sim.NewTrace(1, 1, 4000), sim.NewTrace(1, 1, 4000)
	for i := 0; i < 4000; i++ {
		ti := float64(i) * 1e-3
		z.Add(ti, []float64{math.Sin(2*math.Pi*5*ti + 1)})
		tg.Add(ti, []float64{math.Sin(2 * math.Pi * 5 * ti)})
	}
	_, w := experiment.PhaseAlignedRMSE(z, tg, 1000, 1000, 200)
	if len(w) != 3 {
		t.Fatalf("%d windows, want 3", len(w))
	}
	for _, v := range w {
		if v > 0.01 {
			t.Errorf("phase-shifted sine has aligned RMSE %g", v)
		}
	}
	if experiment.RMS(z.Data) < 0.5 {
		t.Error("RMS wrong")
	}
	if f := experiment.UpCrossingRate(z.Data, 1e-3); math.Abs(f-5) > 0.01 {
		t.Errorf("frequency %g, want 5", f)
	}
}

// Lookup1 returns the default config of a registered experiment.
func Lookup1(t *testing.T, name string) experiment.Config {
	t.Helper()
	e, err := experiment.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return e.Defaults()
}
