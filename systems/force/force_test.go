package force

import (
	"context"
	"errors"
	"io"
	"math"
	"strings"
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
	defer sim.AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
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
	defer sim.AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
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
		t.Logf("%s: train_rmse %.3f, target_rms %.3f", name, m["train_rmse"], m["target_rms"])
		if !(m["train_rmse"] < m["target_rms"]/3) || m["rate_hz"] <= 0 {
			t.Errorf("%s: train_rmse %.3f not 3× below the target rms %.3f, or silent (rate %.2f Hz)", name, m["train_rmse"], m["target_rms"], m["rate_hz"])
		}
	}
}

// TestForceTestPhaseBeatsSilence checks the free-running (test) phase, RLS
// off, against the untrained read-out z ≡ 0 (whose error is target_rms) for
// each periodic target kind a short LIF run learns: test_rmse at most half
// of target_rms and the phase-aligned error at most a quarter (measured,
// 1000 LIF neurons: sine 0.13 / 0.08 vs 0.71, triangle 0.20 / 0.16 vs 0.91,
// vdp 0.072 / 0.027 vs 0.225).
//
// Excluded from the test-phase check, with the reason (their training fit is
// checked in TestOtherModelsAndTargetsRun and TestForceTrainFitsSlowTargets):
//   - prodsines: sin(2π4t)·sin(2π6t) needs the paper's 55 s of RLS on the
//     theta network; in seconds of test time the free-running output drifts
//     (theta, 1000 neurons, 11.5 s RLS: aligned 0.25, fixed-phase 0.63 vs
//     0.50; LIF, 2000 neurons, 19.5 s RLS: 0.46 / 0.62).
//   - lorenz: chaotic; a free-running copy separates from the fixed-phase
//     target after a few Lyapunov times, whatever the quality of the fit.
//   - song (ode-to-joy): the paper trains 900 s; after 8 s of RLS the
//     free-running phase is no better than silence (Izhikevich b = 0, 1000
//     neurons: 0.39 vs 0.32; LIF: 0.32 vs 0.32).
func TestForceTestPhaseBeatsSilence(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	for _, x := range []struct {
		kind      string
		dur, a, b float64
	}{{"sine", 6, 0.5, 4}, {"triangle", 10, 0.5, 8}, {"vdp", 6, 0.5, 4}} {
		c := ForceLIFSine()
		c.Target.Kind = x.kind
		c.N, c.DurationS, c.TrainStartS, c.TrainStopS = 1000, x.dur, x.a, x.b
		m := runForce(t, c, 1)
		if !(m["test_rmse"] <= m["target_rms"]/2) || !(m["test_rmse_phase_aligned"] <= m["target_rms"]/4) {
			t.Errorf("%s: test_rmse %.3f, phase-aligned %.3f; want ≤ 1/2 and ≤ 1/4 of the silent read-out's %.3f", x.kind, m["test_rmse"], m["test_rmse_phase_aligned"], m["target_rms"])
		}
	}
}

// TestForceTrainFitsSlowTargets checks the training fit of the targets
// whose test phase is excluded above: train_rmse at most a quarter of
// target_rms.
func TestForceTrainFitsSlowTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	for _, kind := range []string{"prodsines", "lorenz", "song"} {
		c := ForceLIFSine()
		c.Target.Kind = kind
		c.N, c.DurationS, c.TrainStartS, c.TrainStopS = 1000, 5, 0.5, 4
		m := runForce(t, c, 1)
		t.Logf("%s: train_rmse %.3f, target_rms %.3f", kind, m["train_rmse"], m["target_rms"])
		if !(m["train_rmse"] <= m["target_rms"]/4) {
			t.Errorf("%s: train_rmse %.3f, want ≤ 1/4 of target_rms %.3f", kind, m["train_rmse"], m["target_rms"])
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
	// 20 whole periods sampled at 1 ms: RMS of a unit sine is 1/√2.
	if r := experiment.RMS(z.Data); math.Abs(r-1/math.Sqrt2) > 1e-3 {
		t.Errorf("RMS of a unit sine %g, want 1/√2", r)
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

// TestFloat32PAccuracyMatchesFloat64 runs force-sine and force-ode-to-joy
// at reduced length with P stored in float32 (the default) and in float64:
// train and test errors agree within 5 % (measured: to about 1e-8; at
// N = 1000 over 4 s of Ode to Joy training the chaotic free run drifts
// apart and only train_rmse stays within 5 %, so the test keeps N = 500),
// and both runs learned (train_rmse below the untrained target_rms).
func TestFloat32PAccuracyMatchesFloat64(t *testing.T) {
	joy := func() *ForceConfig {
		c := ForceOdeToJoy()
		c.N, c.DurationS, c.TrainStartS, c.TrainStopS = 500, 4, 0.5, 3.5
		return c
	}
	cases := []struct {
		name string
		cfg  func() *ForceConfig
		keys []string
	}{
		{"force-sine", func() *ForceConfig { return smallSine(1) }, []string{"train_rmse", "test_rmse", "test_rmse_phase_aligned"}},
		{"force-ode-to-joy", joy, []string{"train_rmse", "test_rmse"}},
	}
	for _, tc := range cases {
		if testing.Short() && tc.name != "force-sine" {
			continue
		}
		m := map[string]map[string]float64{}
		for _, store := range []string{"float32", "float64"} {
			c := tc.cfg()
			c.RLSStorage = store
			m[store] = runForce(t, c, 1)
			if r := m[store]; !(r["train_rmse"] < r["target_rms"]/2) {
				t.Fatalf("%s, P in %s: train_rmse %g not below half the untrained %g", tc.name, store, r["train_rmse"], r["target_rms"])
			}
		}
		for _, k := range tc.keys {
			a, b := m["float32"][k], m["float64"][k]
			if !(math.Abs(a-b) <= 0.05*b) {
				t.Errorf("%s %s: float32 P %g, float64 P %g (more than 5 %% apart)", tc.name, k, a, b)
			}
		}
		t.Logf("%s: train_rmse %g / %g, test_rmse %g / %g (float32 / float64 P)", tc.name,
			m["float32"]["train_rmse"], m["float64"]["train_rmse"], m["float32"]["test_rmse"], m["float64"]["test_rmse"])
	}
}

// TestFloat16PAccuracyNearFloat64 runs force-sine (N = 1000, 2 s of
// training) and force-ode-to-joy (N = 500, 3 s) with P stored in float16
// and in float64. Issue #19's criterion for a cheaper P, train and test
// errors within 5 % of float64's, is NOT met by float16: its rounding
// (11 bits off the diagonal, against float32's 24) makes the spiking
// trajectories part from float64's within the run, after which the
// chaotic free run lands elsewhere (measured here: sine train_rmse
// 0.0357 vs 0.0399, test_rmse 0.0645 vs 0.0827; Ode to Joy train_rmse
// 0.0884 vs 0.0898, test_rmse 0.369 vs 0.395; over seeds 1–3 at N = 1000
// in 4-s runs
// the sine's free run failed in 2 of 3 with float16 (test_rmse 0.15 /
// 0.34 / 0.54 against 0.11 / 0.10 / 0.08), at N = 4000 it did not
// (0.067 / 0.126 / 0.055 against 0.081 / 0.175 / 0.077)). The test keeps
// what holds: both learn, float16's train_rmse is within 15 % of
// float64's and its test_rmse within a factor 2.
func TestFloat16PAccuracyNearFloat64(t *testing.T) {
	if testing.Short() {
		t.Skip("two FORCE runs per storage")
	}
	sine := func() *ForceConfig {
		c := ForceLIFSine()
		c.N, c.DurationS, c.TrainStartS, c.TrainStopS = 1000, 3, 0.5, 2.5
		return c
	}
	joy := func() *ForceConfig {
		c := ForceOdeToJoy()
		c.N, c.DurationS, c.TrainStartS, c.TrainStopS = 500, 4, 0.5, 3.5
		return c
	}
	for _, tc := range []struct {
		name string
		cfg  func() *ForceConfig
	}{{"force-sine", sine}, {"force-ode-to-joy", joy}} {
		m := map[string]map[string]float64{}
		for _, store := range []string{"float16", "float64"} {
			c := tc.cfg()
			c.RLSStorage = store
			m[store] = runForce(t, c, 1)
			if r := m[store]; !(r["train_rmse"] < r["target_rms"]/2) {
				t.Fatalf("%s, P in %s: train_rmse %g not below half the untrained %g", tc.name, store, r["train_rmse"], r["target_rms"])
			}
		}
		h, f := m["float16"], m["float64"]
		if a, b := h["train_rmse"], f["train_rmse"]; !(math.Abs(a-b) <= 0.15*b) {
			t.Errorf("%s train_rmse: float16 P %g, float64 P %g (more than 15 %% apart)", tc.name, a, b)
		}
		if a, b := h["test_rmse"], f["test_rmse"]; !(a < 2*b) {
			t.Errorf("%s test_rmse: float16 P %g, float64 P %g (more than twice)", tc.name, a, b)
		}
		t.Logf("%s: train_rmse %g / %g, test_rmse %g / %g (float16 / float64 P)", tc.name,
			h["train_rmse"], f["train_rmse"], h["test_rmse"], f["test_rmse"])
	}
}

// TestFactoredRLSIsFloat64 runs force-sine (N = 1000, 2 s of training,
// 800 RLS updates) with rls_factored_updates covering every update (P
// never formed: α·I − Σ ĉĉᵀ in float64) against P stored in float64, and
// with a phase that ends after 200 updates (P formed in float32 then).
// Issue #19's criterion for a cheaper RLS is train and test errors within
// 5 % of float64's. The whole-run phase is float64 arithmetic up to the
// order of sums: its errors agree to 1e-6 (measured: 2e-15). After the
// shorter phase the run parts from float64's at the rounding of P's
// formation, as any rounding change does in this chaotic network: its
// train error stays within 5 % (measured 0.0406 vs 0.0399), its free run
// lands elsewhere (test_rmse 0.164 vs 0.083), so only learning is
// asserted for it (test_rmse below half the untrained error).
func TestFactoredRLSIsFloat64(t *testing.T) {
	if testing.Short() {
		t.Skip("three FORCE runs")
	}
	cfg := func(store string, factored int) *ForceConfig {
		c := ForceLIFSine()
		c.N, c.DurationS, c.TrainStartS, c.TrainStopS = 1000, 3, 0.5, 2.5
		c.RLSStorage, c.RLSFactoredUpdates = store, factored
		return c
	}
	f := runForce(t, cfg("float64", 0), 1)
	whole := runForce(t, cfg("float32", 1000), 1)
	part := runForce(t, cfg("float32", 200), 1)
	if !(f["train_rmse"] < f["target_rms"]/2) {
		t.Fatalf("float64 P: train_rmse %g not below half the untrained %g", f["train_rmse"], f["target_rms"])
	}
	for _, k := range []string{"train_rmse", "test_rmse"} {
		if a, b := whole[k], f[k]; !(math.Abs(a-b) <= 1e-6*b) {
			t.Errorf("%s: factored throughout %g, float64 P %g", k, a, b)
		}
	}
	if a, b := part["train_rmse"], f["train_rmse"]; !(math.Abs(a-b) <= 0.05*b) {
		t.Errorf("train_rmse: factored for 200 updates %g, float64 P %g (more than 5 %% apart)", a, b)
	}
	if !(part["test_rmse"] < part["target_rms"]/2) {
		t.Errorf("factored for 200 updates: test_rmse %g not below half the untrained %g", part["test_rmse"], part["target_rms"])
	}
	t.Logf("train_rmse %g / %g / %g, test_rmse %g / %g / %g (float64 P / factored throughout / factored for 200)",
		f["train_rmse"], whole["train_rmse"], part["train_rmse"], f["test_rmse"], whole["test_rmse"], part["test_rmse"])
}

// TestFactoredUpdatesChoice: rls_factored_updates = −1 keeps every update
// of a run with at most n/4 of them (one more than the most it can have,
// so that P is never formed) and the first n/9 of a longer run; other
// values stay as set, below −1 is refused.
func TestFactoredUpdatesChoice(t *testing.T) {
	c := ForceLIFSine()
	c.N, c.DurationS, c.TrainStartS, c.TrainStopS = 4000, 4, 1, 3
	c.RLSFactoredUpdates = -1
	// 2 s of training, an update every 50 × 0.05 ms: at most 801 updates.
	if got := c.FactoredUpdates(); got != 802 {
		t.Errorf("n = 4000, 2 s of training: %d factored updates, want 802", got)
	}
	c.DurationS, c.TrainStopS = 8, 7
	if got := c.FactoredUpdates(); got != 444 {
		t.Errorf("n = 4000, 6 s of training: %d factored updates, want n/9 = 444", got)
	}
	c.RLSFactoredUpdates = 300
	if got := c.FactoredUpdates(); got != 300 {
		t.Errorf("rls_factored_updates 300 read as %d", got)
	}
	c.RLSFactoredUpdates = -2
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "rls_factored_updates") {
		t.Errorf("rls_factored_updates −2: %v", err)
	}
	// A run with at most n/4 updates (n = 400, 0.2 s of training: 81)
	// never forms P and learns as float64 storage does.
	c = ForceLIFSine()
	c.N, c.DurationS, c.TrainStartS, c.TrainStopS = 400, 0.6, 0.2, 0.4
	c.RLSFactoredUpdates = -1
	if got := c.FactoredUpdates(); got != 82 {
		t.Fatalf("n = 400, 0.2 s of training: %d factored updates, want 82", got)
	}
	a := runForce(t, c, 1)
	c.RLSFactoredUpdates, c.RLSStorage = 0, "float64"
	f := runForce(t, c, 1)
	if a["rls_updates"] != 80 && a["rls_updates"] != 81 {
		t.Errorf("%v RLS updates, want 80 or 81", a["rls_updates"])
	}
	for _, k := range []string{"train_rmse", "test_rmse"} {
		if !(math.Abs(a[k]-f[k]) <= 1e-9*f[k]) {
			t.Errorf("%s: auto factored %v, float64 storage %v", k, a[k], f[k])
		}
	}
}

// TestInterruptIsHeardBetweenReports cancels the context before a long
// run: it must stop within sim.ContextEvery steps, not at the first progress
// report (0.5 % of the run).
func TestInterruptIsHeardBetweenReports(t *testing.T) {
	c := ForceLIFSine()
	c.N, c.DurationS = 100, 1000 // a report every 5 s simulated
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Run(ctx, &experiment.Env{Threads: 1, Log: io.Discard})
	want := sim.At(float64(sim.ContextEvery)*c.DtMS/1000, "s")
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want the cancellation %s", err, want)
	}
}
