package olfaction

import (
	"context"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/task"
)

func tinyOlfaction(model string) *OlfactionConfig {
	c := olfactionDefaults(model)
	c.Data.OlfactionParams = task.OlfactionParams{NOR: 10, NClass: 4, NTrain: 320, NVal: 200}
	c.SNN.ORNTiling, c.SNN.NPN, c.SNN.NKC = 4, 30, 60
	c.SNN.Steps, c.SNN.BurnIn, c.SNN.Batch, c.SNN.Epochs, c.SNN.LR, c.SNN.LREnd = 20, 5, 16, 4, 3e-3, 0
	c.Compare = false
	return c
}

// A small DECOLLE network learns the odor task: validation accuracy far
// above chance and above the majority class within a few epochs.
func TestOlfactionDecolleLearns(t *testing.T) {
	c := tinyOlfaction("decolle")
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("val accuracy per epoch %.3f %.3f %.3f %.3f (chance %.2f, majority %.3f)", m["val_accuracy_epoch_1"], m["val_accuracy_epoch_2"],
		m["val_accuracy_epoch_3"], m["val_accuracy_epoch_4"], m["chance_accuracy"], m["majority_accuracy"])
	if acc := m["val_accuracy"]; acc < 0.55 || acc < m["majority_accuracy"]+0.15 {
		t.Fatalf("val accuracy %.3f: want >= 0.55 and >= majority %.3f + 0.15", acc, m["majority_accuracy"])
	}
}

// The hybrid runs, and its STDP block changes (and only its weights are
// left out of the |W| projection).
func TestOlfactionSTDPRunsAndValidates(t *testing.T) {
	c := tinyOlfaction("stdp")
	c.SNN.Epochs = 1
	c.STDP.Rule, c.Homeostasis.Kind = RulePairing, HomeostasisNone
	c.STDP.Eta = 1e-2
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if m["stdp_pairs_per_step"] <= 0 || m["stdp_w_mean"] == m["stdp_w_mean_initial"] {
		t.Fatalf("STDP did nothing: %v pairs per step, mean weight %v → %v", m["stdp_pairs_per_step"], m["stdp_w_mean_initial"], m["stdp_w_mean"])
	}
	c.STDP.Block = 0
	if err := c.Validate(); err == nil {
		t.Fatal("stdp.block 0 (the first block) accepted")
	}
	c.STDP.Block, c.STDP.Window = -1, "box"
	if err := c.Validate(); err == nil {
		t.Fatal("unknown window accepted")
	}
}

// The rate network (olfaction-ann) learns the odor task on 2000 odors:
// validation accuracy ≥ 0.8 and ≥ majority + 0.3 (measured 0.94, majority
// 0.36), while the same network with a learning rate of 1e-12 (untrained
// baseline) stays at or below the majority class (0.24).
func TestOlfactionANNLearnsAgainstUntrained(t *testing.T) {
	run := func(lr float64, epochs int) map[string]float64 {
		c := tinyOlfaction("ann")
		c.Data.NTrain = 2000
		c.ANN.ORNTiling, c.ANN.NPN, c.ANN.NKC, c.ANN.Epochs, c.ANN.LR, c.ANN.LREnd = 4, 30, 200, epochs, lr, 0
		m, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Log: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	m, u := run(3e-3, 10), run(1e-12, 1)
	if acc := m["val_accuracy"]; acc < 0.8 || acc < m["majority_accuracy"]+0.3 {
		t.Errorf("trained val accuracy %.3f: want ≥ 0.8 and ≥ majority %.3f + 0.3", acc, m["majority_accuracy"])
	}
	if u["val_accuracy"] > u["majority_accuracy"] {
		t.Errorf("untrained val accuracy %.3f above the majority class %.3f", u["val_accuracy"], u["majority_accuracy"])
	}
}

// What the pairing machine does not learn (README, olfaction-stdp
// --set stdp.rule=pairing --set homeostasis.kind=none): the pair STDP on
// the PN→KC block drives its weights negative and the KCs towards
// silence, so the read-out stays near the majority class. This pins that
// statement on the tiny task (measured, 2 epochs: block mean 0.004 → −0.047,
// 61 % negative weights, 5 % of KCs active, val accuracy 0.395 vs majority
// 0.355); if it fails because the hybrid learns, update the README row.
func TestOlfactionSTDPDoesNotLearnTheTask(t *testing.T) {
	c := tinyOlfaction("stdp")
	c.SNN.Epochs = 2
	c.STDP.Rule, c.Homeostasis.Kind = RulePairing, HomeostasisNone
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if !(m["stdp_w_mean"] < 0 && m["stdp_w_mean_initial"] > 0) || !(m["stdp_w_negative_fraction"] > m["stdp_w_negative_fraction_initial"]+0.1) {
		t.Errorf("STDP block mean %.4f → %.4f, negative fraction %.3f → %.3f; want a positive mean pushed below 0", m["stdp_w_mean_initial"], m["stdp_w_mean"],
			m["stdp_w_negative_fraction_initial"], m["stdp_w_negative_fraction"])
	}
	if m["kc_active_fraction"] > 0.1 {
		t.Errorf("%.3f of KCs active, want ≤ 0.1 (KCs silenced)", m["kc_active_fraction"])
	}
	if acc := m["val_accuracy"]; acc > m["majority_accuracy"]+0.1 {
		t.Errorf("val accuracy %.3f more than 0.1 above the majority %.3f: the hybrid learns now; update the README", acc, m["majority_accuracy"])
	}
}

// The schedule starts at lr, ends at lr_end, falls geometrically, and is
// constant with lr_end 0.
func TestLRSchedule(t *testing.T) {
	f := lrSchedule(1e-3, 1e-5, 5)
	for k, want := range []float64{1e-3, 1e-3 / math.Sqrt(10), 1e-4, 1e-4 / math.Sqrt(10), 1e-5} {
		if got := f(k); math.Abs(got-want) > 1e-15 {
			t.Errorf("update %d: lr %g, want %g", k, got, want)
		}
	}
	if got := lrSchedule(1e-3, 0, 5)(4); got != 1e-3 {
		t.Errorf("lr_end 0: lr %g, want constant 1e-3", got)
	}
}

// TestOlfactionDataSizeCrossChecks gives data sizes that do not fit the
// models: each is refused by Validate with a message naming the keys.
func TestOlfactionDataSizeCrossChecks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model string
		set   func(c *OlfactionConfig)
		want  string
	}{
		{"fewer training odors than classes", "ann", func(c *OlfactionConfig) { c.Data.NTrain = c.Data.NClass - 1 }, "data.n_train"},
		{"raster beyond the batch", "decolle", func(c *OlfactionConfig) { c.SNN.Batch, c.RasterSamples = 4, 5 }, "raster_samples (5)"},
		{"raster beyond the validation set", "stdp", func(c *OlfactionConfig) { c.Data.NVal, c.RasterSamples = 3, 4 }, "min(snn.batch, data.n_val) = 3"},
	} {
		c := olfactionDefaults(tc.model)
		tc.set(c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	// The ANN has no raster: raster_samples does not matter to it.
	c := olfactionDefaults("ann")
	c.Data.NVal, c.RasterSamples = 3, 4
	if err := c.Validate(); err != nil {
		t.Errorf("ann with raster_samples > n_val: %v", err)
	}
}

// The hybrid's default (trace STDP + KC synaptic scaling) learns the tiny
// task like the control (val accuracy ≥ 0.5 and ≥ majority + 0.15, against
// the untrained network at the majority class), holds the KC rate within
// ±30 % of the target, keeps the block's mean weight (|Δ| < 0.01) and its
// STDP moves the weights.
func TestOlfactionHybridLearns(t *testing.T) {
	c := tinyOlfaction("stdp")
	c.ProbeOdors = 320
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	u := tinyOlfaction("stdp")
	u.SNN.Epochs, u.SNN.LR, u.STDP.Trace.Eta, u.Homeostasis.Kind = 1, 1e-12, 0, HomeostasisNone
	mu, err := u.Run(context.Background(), &experiment.Env{Threads: 1, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("hybrid val %.3f (probe %.3f), untrained %.3f, majority %.3f; KC rate %.4f (target %.2f); block mean w %.5f → %.5f, mean |ΔW| %.5f",
		m["val_accuracy"], m["probe_accuracy"], mu["val_accuracy"], m["majority_accuracy"], m["kc_spike_rate"], m["kc_rate_target"],
		m["stdp_w_mean_initial"], m["stdp_w_mean"], m["stdp_dw_abs_mean"])
	if acc := m["val_accuracy"]; acc < 0.5 || acc < m["majority_accuracy"]+0.15 || acc < mu["val_accuracy"]+0.15 {
		t.Errorf("val accuracy %.3f: want ≥ 0.5, ≥ majority %.3f + 0.15, ≥ untrained %.3f + 0.15", acc, m["majority_accuracy"], mu["val_accuracy"])
	}
	if r := m["kc_rate_ratio"]; r < 0.7 || r > 1.3 {
		t.Errorf("KC rate %.4f is %.2f × the target: want within ±30 %%", m["kc_spike_rate"], r)
	}
	if d := m["stdp_w_mean_change"]; math.Abs(d) >= 0.01 {
		t.Errorf("block mean weight moved by %.4f, want |Δ| < 0.01", d)
	}
	if m["stdp_dw_abs_mean"] <= 0 || m["probe_accuracy"] < m["majority_accuracy"]+0.15 {
		t.Errorf("mean |ΔW| %g, probe accuracy %.3f", m["stdp_dw_abs_mean"], m["probe_accuracy"])
	}
}

// Every homeostat brings the KC rate nearer its target than none does
// (target 0.3 spikes per step, far above the unregulated rate).
func TestOlfactionHomeostatsReachTarget(t *testing.T) {
	rate := func(kind string) float64 {
		c := tinyOlfaction("stdp")
		c.SNN.Epochs, c.Homeostasis.Kind, c.Homeostasis.TargetRate = 2, kind, 0.3
		c.Homeostasis.ScalingGamma, c.Homeostasis.ThresholdGamma, c.Homeostasis.APLGamma = 1e-3, 0.1, 0.5
		m, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Log: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		return m["kc_spike_rate"]
	}
	none := rate(HomeostasisNone)
	for _, k := range []string{HomeostasisScaling, HomeostasisThreshold} {
		if r := rate(k); math.Abs(r-0.3) >= math.Abs(none-0.3) || math.Abs(r-0.3) > 0.1 {
			t.Errorf("%s: KC rate %.4f, without homeostasis %.4f; want within 0.1 of 0.3", k, r, none)
		}
	}
	// The feedback inhibition can only lower the rate: a target below.
	c := tinyOlfaction("stdp")
	c.SNN.Epochs, c.Homeostasis.Kind, c.Homeostasis.TargetRate, c.Homeostasis.APLGamma = 2, HomeostasisAPL, none/2, 0.5
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if r := m["kc_spike_rate"]; math.Abs(r-none/2) > 0.3*none/2 || m["kc_feedback_gain"] <= 0 {
		t.Errorf("apl: KC rate %.4f (gain %.3g), want %.4f ± 30 %%", r, m["kc_feedback_gain"], none/2)
	}
}

// The integer thresholds give the spikes of the float comparison
// u/2⁵³ < rate·x draw for draw, at probabilities on and next to the 2⁻⁵³
// grid, at 0, 1, above 1, below 0, subnormal and NaN.
func TestEncodeOdorsMatchesFloatComparison(t *testing.T) {
	const nOR, nIn = 16, 40 // inputs tile the odor 2.5 times
	row := []float64{0, 1, 2, -0.5, math.NaN(), 0x1p-53, math.Nextafter(0x1p-53, 1), math.Nextafter(0x1p-53, 0),
		3 * 0x1p-53, 0.5, math.Nextafter(0.5, 1), math.Nextafter(1, 0), 5e-324, 0.25, 0.9, 1e-300}
	rng := rand.New(rand.NewPCG(3, 4))
	X := append([]float64(nil), row...)
	for range nOR {
		X = append(X, rng.Float64())
	}
	idx := []int{0, 1, 0}
	thr := make([]uint64, len(idx)*nOR)
	for _, rate := range []float64{1, 0.7, 1e-3} {
		spikeThresholds(X, nOR, idx, rate, thr)
		// At the threshold itself: u = thr−1 spikes, u = thr does not.
		for k, u := range thr[:nOR] {
			p := rate * X[k]
			if u > 0 && !(float64(u-1)/(1<<53) < p) {
				t.Errorf("p = %g: u = thr−1 = %d would not spike", p, u-1)
			}
			if u <= 1<<53 && float64(u)/(1<<53) < p {
				t.Errorf("p = %g: u = thr = %d would spike", p, u)
			}
		}
		got := make([]float64, len(idx)*nIn)
		a, b := rand.NewPCG(9, 9), rand.NewPCG(9, 9)
		for range 200 {
			encodeOdors(a, thr, nOR, len(idx), got)
			for i, s := range idx {
				for k := range nIn {
					want := 0.0
					if float64(b.Uint64()<<11>>11)/(1<<53) < rate*X[s*nOR+k%nOR] {
						want = 1
					}
					if got[i*nIn+k] != want {
						t.Fatalf("rate %g, odor %d, input %d (p = %g): spike %g, float comparison %g", rate, s, k, rate*X[s*nOR+k%nOR], got[i*nIn+k], want)
					}
				}
			}
		}
	}
}
