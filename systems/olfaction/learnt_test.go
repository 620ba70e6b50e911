package olfaction

import (
	"math"
	"testing"
)

// TestLearntNothingBoundaries pins the learnt-nothing threshold: a
// validation accuracy up to the larger of chance and majority + 0.02 is
// flagged, the next larger float is not.
func TestLearntNothingBoundaries(t *testing.T) {
	c := &OlfactionConfig{}
	// Sums at run time, as the check computes them (constant folding
	// would round atHi differently).
	lo, hi, eps := 0.3, 0.4, 0.02
	atLo, atHi := lo+eps, hi+eps
	for _, tc := range []struct {
		m    map[string]float64
		flag bool
	}{
		{map[string]float64{"val_accuracy": atLo, "chance_accuracy": 0.1, "majority_accuracy": 0.3}, true},
		{map[string]float64{"val_accuracy": math.Nextafter(atLo, 1), "chance_accuracy": 0.1, "majority_accuracy": 0.3}, false},
		{map[string]float64{"val_accuracy": atHi, "chance_accuracy": 0.4, "majority_accuracy": 0.3}, true},
		{map[string]float64{"val_accuracy": math.Nextafter(atHi, 1), "chance_accuracy": 0.4, "majority_accuracy": 0.3}, false},
		{map[string]float64{"chance_accuracy": 0.4}, false},
	} {
		if got := c.LearntNothing(tc.m) != ""; got != tc.flag {
			t.Errorf("%v: flagged %v, want %v", tc.m, got, tc.flag)
		}
	}
}
