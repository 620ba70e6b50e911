package shifting

import (
	"math"
	"testing"
)

// TestLearntNothingBoundaries pins each task's learnt-nothing threshold at
// its boundary (flagged) and the next float past it (not flagged).
func TestLearntNothingBoundaries(t *testing.T) {
	for _, tc := range []struct {
		task string
		m    map[string]float64
		flag bool
	}{
		{"xor", map[string]float64{"solved_fraction": 0}, true},
		{"xor", map[string]float64{"solved_fraction": 0.025}, false},
		{"iris", map[string]float64{"accuracy_mean": 0.4}, true},
		{"iris", map[string]float64{"accuracy_mean": math.Nextafter(0.4, 1)}, false},
		{"mnist", map[string]float64{"test_accuracy": 0.15}, true},
		{"fashion-mnist", map[string]float64{"test_accuracy": math.Nextafter(0.15, 1)}, false},
		{"fashion-mnist", map[string]float64{"test_accuracy": 0.15}, true},
		{"tca", map[string]float64{"test_accuracy": 0.2, "majority_accuracy": 0.2, "chance_accuracy": 0.045}, true},
		{"tca", map[string]float64{"test_accuracy": math.Nextafter(0.2, 1), "majority_accuracy": 0.2, "chance_accuracy": 0.045}, false},
		{"tca", map[string]float64{"test_accuracy": 0.3, "majority_accuracy": 0.2, "chance_accuracy": 0.3}, true},
		{"mnist", map[string]float64{}, false},
	} {
		c := &ShiftingConfig{Task: tc.task}
		if got := c.LearntNothing(tc.m) != ""; got != tc.flag {
			t.Errorf("%s %v: flagged %v, want %v", tc.task, tc.m, got, tc.flag)
		}
	}
}
