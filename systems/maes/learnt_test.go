package maes

import (
	"math"
	"testing"
)

// TestLearntNothingBoundaries pins the learnt-nothing thresholds: a
// read-out error of exactly 0.95 × the silent one is flagged, the next
// smaller float is not; a forward/backward ratio below 1.05 is flagged,
// 1.05 is not.
func TestLearntNothingBoundaries(t *testing.T) {
	r := &MaesReadoutConfig{}
	for _, tc := range []struct {
		m    map[string]float64
		flag bool
	}{
		{map[string]float64{"readout_error": 1.9, "readout_error_silent": 2}, true},
		{map[string]float64{"readout_error": math.Nextafter(1.9, 0), "readout_error_silent": 2}, false},
		{map[string]float64{"readout_error": 1, "readout_error_silent": 0}, false},
		{map[string]float64{"readout_error": 1}, false},
	} {
		if got := r.LearntNothing(tc.m) != ""; got != tc.flag {
			t.Errorf("readout %v: flagged %v, want %v", tc.m, got, tc.flag)
		}
	}
	tr := &MaesTrainConfig{}
	for _, tc := range []struct {
		m    map[string]float64
		flag bool
	}{
		{map[string]float64{"forward_backward_ratio": 1.05}, false},
		{map[string]float64{"forward_backward_ratio": math.Nextafter(1.05, 0)}, true},
		{map[string]float64{}, false},
	} {
		if got := tr.LearntNothing(tc.m) != ""; got != tc.flag {
			t.Errorf("train %v: flagged %v, want %v", tc.m, got, tc.flag)
		}
	}
}
