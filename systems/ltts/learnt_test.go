package ltts

import (
	"math"
	"testing"
)

// TestLearntNothingBoundaries pins the learnt-nothing thresholds: a spike
// mismatch equal to the target's rate is flagged (a silent network's), a
// smaller one is not; no XOR pattern correct is flagged, one is not; a
// walking test error equal to the mean posture's is flagged.
func TestLearntNothingBoundaries(t *testing.T) {
	below := math.Nextafter(0.02, 0)
	for _, tc := range []struct {
		name string
		f    func(map[string]float64) string
		m    map[string]float64
		flag bool
	}{
		{"trajectory at rate", (&LTTSConfig{}).LearntNothing, map[string]float64{"spike_mismatch": 0.02, "target_rate_per_step": 0.02}, true},
		{"trajectory below", (&LTTSConfig{}).LearntNothing, map[string]float64{"spike_mismatch": below, "target_rate_per_step": 0.02}, false},
		{"trajectory no rate", (&LTTSConfig{}).LearntNothing, map[string]float64{"spike_mismatch": 1, "target_rate_per_step": 0}, false},
		{"trajectory no mismatch", (&LTTSConfig{}).LearntNothing, map[string]float64{"target_rate_per_step": 0.02}, false},
		{"xor none", (&LTTSXORConfig{}).LearntNothing, map[string]float64{"patterns_correct": 0}, true},
		{"xor one", (&LTTSXORConfig{}).LearntNothing, map[string]float64{"patterns_correct": 1}, false},
		{"xor missing", (&LTTSXORConfig{}).LearntNothing, map[string]float64{}, false},
		{"walking at mean", (&LTTSWalkingConfig{}).LearntNothing, map[string]float64{"test_mse": 0.5, "test_mse_mean_output": 0.5}, true},
		{"walking below", (&LTTSWalkingConfig{}).LearntNothing, map[string]float64{"test_mse": math.Nextafter(0.5, 0), "test_mse_mean_output": 0.5}, false},
		{"walking silent", (&LTTSWalkingConfig{}).LearntNothing, map[string]float64{"test_mse": 0.1, "test_mse_mean_output": 0.5, "spike_mismatch": 0.02, "target_rate_per_step": 0.02}, true},
	} {
		if got := tc.f(tc.m) != ""; got != tc.flag {
			t.Errorf("%s %v: flagged %v, want %v", tc.name, tc.m, got, tc.flag)
		}
	}
}
