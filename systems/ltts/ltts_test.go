package ltts

import (
	"context"
	"testing"

	"github.com/spikelab/spikelab/experiment"
)

func TestLTTSTrajectoryRidgeReadoutLearns(t *testing.T) {
	// A small 3D task (N = 200, T = 200): the ridge readout reaches a low
	// floor on the target spikes at once, and training the recurrent
	// weights brings the free-running MSE down towards it (0.31 → 0.018
	// at seed 1).
	c := Lookup1(t, "ltts-trajectory").(*LTTSConfig)
	c.Net.N, c.T, c.Epochs, c.Readout = 200, 200, 40, ReadoutRidge
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if m["mse_target_spikes"] > 0.01 {
		t.Errorf("ridge readout on the target spikes: MSE %.4f, want < 0.01", m["mse_target_spikes"])
	}
	if m["mse"] > m["mse_epoch_1"]/5 {
		t.Errorf("free-running MSE %.4f → %.4f, want a 5-fold drop", m["mse_epoch_1"], m["mse"])
	}
}

func TestLTTSXORLearnsTheSpikes(t *testing.T) {
	// A small XOR (off = 5 steps, T = 60, N = 300, 100 exact-gradient
	// epochs on all four patterns): the free-running network copies the
	// target spikes clearly better than the untrained one, and some
	// patterns are already solved (seed 1: ΔS 0.0375 → 0.0235, 2 of 4).
	c := LTTSXOR()
	c.Off, c.OffT, c.Net.N, c.Epochs, c.EvalEvery, c.Alpha, c.Readout = 5, 5, 300, 100, 100, 0.02, ReadoutRidge
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if m["spike_mismatch"] > 0.8*m["spike_mismatch_epoch_0"] || m["patterns_correct"] < 1 {
		t.Errorf("ΔS %.4f → %.4f, %g patterns correct: want a 1.25-fold drop and at least one pattern solved",
			m["spike_mismatch_epoch_0"], m["spike_mismatch"], m["patterns_correct"])
	}
}

func TestLTTSNoiseVoltageRuleIsMoreRobust(t *testing.T) {
	// A small 3D task (N = 150, T = 150, 60 epochs), 5 noise ratios.
	c := LTTSNoise()
	c.Net.N, c.T, c.Epochs, c.RatioLog10Min, c.RatioSteps, c.Repeats = 150, 150, 60, -3.2, 5, 1
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Seed 1: ΔS at ratios 10^−3.2 / 10^−2.4 / 1 is 0.0090 / 0.0093 / 0.0183
	// (spike-dependent) and 0.0013 / 0.0044 / 0.0188 (voltage-dependent).
	for _, r := range []string{"-3.2", "-2.4"} {
		sp, vo := m["spike_mismatch_spike_r"+r], m["spike_mismatch_voltage_r"+r]
		if !(vo < sp/1.5) {
			t.Errorf("noise ratio 10^%s: ΔS %.4f (voltage rule) vs %.4f (spike rule); want the voltage rule 1.5× better", r, vo, sp)
		}
	}
	for _, rule := range []string{"spike", "voltage"} {
		if lo, hi := m["spike_mismatch_"+rule+"_r-3.2"], m["spike_mismatch_"+rule+"_r+0.0"]; !(hi > 1.5*lo) {
			t.Errorf("%s rule: ΔS %.4f at ratio 10^-3.2, %.4f at 1: noise should hurt", rule, lo, hi)
		}
	}
}

// Fig. 2A's mechanism: with the reference's Heaviside switch (δv = 0 below
// heaviside_below) learning stops once the target spikes are copied and
// the copy has no margin; the logistic with δv = 0.01 keeps learning and
// pushes every teacher-forced potential away from the threshold.
func TestLTTSNoiseSmallDvGrowsAMargin(t *testing.T) {
	run := func(dv float64) map[string]float64 {
		c := LTTSNoise()
		c.Net.N, c.T, c.Epochs, c.RatioLog10Min, c.RatioSteps, c.Repeats = 100, 100, 300, -3.2, 2, 1
		c.DvSpike = dv
		m, err := c.Run(context.Background(), &experiment.Env{Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	logistic, ref := run(0.01), run(0)
	lq, rq := logistic["margin_q1e-4_spike"], ref["margin_q1e-4_spike"]
	t.Logf("10^-4 quantile of the teacher-forced margin: δv = 0.01 %.4f, reference switch %.4f", lq, rq)
	// Seed 1 (N = 100, T = 100, 300 epochs): 0.0366 vs 0.0012.
	if !(lq > 0.02 && lq > 10*rq) {
		t.Errorf("margin quantile %.4f (δv = 0.01) vs %.4f (switch): want the logistic's above 0.02 and 10× the switch's", lq, rq)
	}
}
