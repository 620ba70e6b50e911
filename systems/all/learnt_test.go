package all_test

import (
	"testing"

	"github.com/spikelab/spikelab/experiment"
)

// TestLearntNothingChecks: for each experiment that learns, metrics at
// chance are flagged and metrics of a run that learnt are not.
func TestLearntNothingChecks(t *testing.T) {
	for _, tc := range []struct {
		name          string
		sets          []string
		nothing, some map[string]float64
	}{
		{"force-sine", nil, map[string]float64{"test_rmse": 0.707, "target_rms": 0.707}, map[string]float64{"test_rmse": 0.1, "target_rms": 0.707}},
		{"force-lorenz", nil, map[string]float64{"test_rmse": 0.2, "target_rms": 0.18}, map[string]float64{"test_rmse": 0.03, "target_rms": 0.18}},
		// A periodic target: the phase-aligned error decides (a drifted phase is learnt).
		{"force-sine", nil, map[string]float64{"test_rmse": 0.9, "test_rmse_phase_aligned": 0.7, "target_rms": 0.707},
			map[string]float64{"test_rmse": 0.9, "test_rmse_phase_aligned": 0.1, "target_rms": 0.707}},
		{"shifting-xor", nil, map[string]float64{"solved_fraction": 0}, map[string]float64{"solved_fraction": 0.3}},
		{"shifting-iris", nil, map[string]float64{"accuracy_mean": 0.33}, map[string]float64{"accuracy_mean": 0.9}},
		{"shifting-mnist", nil, map[string]float64{"test_accuracy": 0.098}, map[string]float64{"test_accuracy": 0.97}},
		{"shifting-mnist-causal", nil, map[string]float64{"test_accuracy": 0.098}, map[string]float64{"test_accuracy": 0.97}},
		{"shifting-tca", nil, map[string]float64{"test_accuracy": 0.1, "majority_accuracy": 0.1, "chance_accuracy": 0.045}, map[string]float64{"test_accuracy": 0.5, "majority_accuracy": 0.1}},
		{"ltts-trajectory", nil, map[string]float64{"spike_mismatch": 0.0081, "target_rate_per_step": 0.0081}, map[string]float64{"spike_mismatch": 0.001, "target_rate_per_step": 0.0081}},
		{"ltts-xor", nil, map[string]float64{"patterns_correct": 0}, map[string]float64{"patterns_correct": 4}},
		{"ltts-walking", nil, map[string]float64{"test_mse": 1, "test_mse_mean_output": 0.98}, map[string]float64{"test_mse": 0.3, "test_mse_mean_output": 0.98, "spike_mismatch": 0.01, "target_rate_per_step": 0.02}},
		{"maes-readout", nil, map[string]float64{"readout_error": 0.31, "readout_error_silent": 0.3125}, map[string]float64{"readout_error": 0.15, "readout_error_silent": 0.3125}},
		{"maes-train", nil, map[string]float64{"forward_backward_ratio": 1.0006}, map[string]float64{"forward_backward_ratio": 3.2}},
		{"olfaction-ann", nil, map[string]float64{"val_accuracy": 0.1, "chance_accuracy": 0.1, "majority_accuracy": 0.11}, map[string]float64{"val_accuracy": 0.9, "chance_accuracy": 0.1}},
		{"olfaction-stdp", nil, map[string]float64{"val_accuracy": 0.355, "chance_accuracy": 0.25, "majority_accuracy": 0.355}, map[string]float64{"val_accuracy": 0.7, "chance_accuracy": 0.1}},
	} {
		e, err := experiment.Lookup(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		l, ok := e.Defaults().(experiment.Learnt)
		if !ok {
			t.Errorf("%s has no learnt-nothing check", tc.name)
			continue
		}
		if msg := l.LearntNothing(tc.nothing); msg == "" {
			t.Errorf("%s: %v not flagged", tc.name, tc.nothing)
		}
		if msg := l.LearntNothing(tc.some); msg != "" {
			t.Errorf("%s: %v flagged: %s", tc.name, tc.some, msg)
		}
	}
}
