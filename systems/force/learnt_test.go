package force

import (
	"math"
	"testing"
)

// TestLearntNothingBoundaries pins the learnt-nothing thresholds: an error
// of exactly 0.9 × target_rms is flagged, the next smaller float is not;
// the phase-aligned error, when present, decides alone.
func TestLearntNothingBoundaries(t *testing.T) {
	c := ForceLIFSine()
	below := math.Nextafter(1.8, 0)
	for _, tc := range []struct {
		m    map[string]float64
		flag bool
	}{
		{map[string]float64{"target_rms": 2, "test_rmse": 1.8}, true},
		{map[string]float64{"target_rms": 2, "test_rmse": below}, false},
		{map[string]float64{"target_rms": 2, "test_rmse": 5, "test_rmse_phase_aligned": below}, false},
		{map[string]float64{"target_rms": 2, "test_rmse": 0, "test_rmse_phase_aligned": 1.8}, true},
		{map[string]float64{"target_rms": 0, "test_rmse": 5}, false},
		{map[string]float64{"test_rmse": 5}, false},
	} {
		if got := c.LearntNothing(tc.m) != ""; got != tc.flag {
			t.Errorf("%v: flagged %v, want %v", tc.m, got, tc.flag)
		}
	}
}
