package sim

import (
	"fmt"
	"math"
)

// DivergenceError reports a NaN or Inf found in a state or weight array.
type DivergenceError struct {
	What  string  // which array, e.g. "readout z"
	Index int     // first offending element
	Value float64 // its value
	Time  float64 // simulation time, in Unit
	Unit  string  // unit of Time: "ms", "s", or a count such as "epoch" ("" = the model's unit, unnamed)
	Limit float64 // magnitude limit that was exceeded (0: the value was not finite)
}

func (e *DivergenceError) Error() string {
	what := ""
	if e.Limit > 0 && !math.IsNaN(e.Value) && !math.IsInf(e.Value, 0) {
		what = fmt.Sprintf(" (beyond the limit ±%g)", e.Limit)
	}
	return fmt.Sprintf("simulation diverged %s: %s[%d] = %v%s; lower the learning rate (alpha), the gains (g, q) or the time step", At(e.Time, e.Unit), e.What, e.Index, e.Value, what)
}

// At formats a time for messages: "at t = 5.0001 s" for the time units
// s and ms (ten significant digits, so float noise such as
// 5.000100000000001 is not shown), "at epoch 3" for a count, and "at
// t = 5" without a unit.
func At(t float64, unit string) string {
	switch unit {
	case "":
		return fmt.Sprintf("at t = %.10g", t)
	case "s", "ms", "min", "h":
		return fmt.Sprintf("at t = %.10g %s", t, unit)
	}
	return fmt.Sprintf("at %s %.10g", unit, t)
}

// CheckFinite returns a *DivergenceError if any element of x is NaN or
// Inf, at time t in ms (the frame's unit).
func CheckFinite(what string, x []float64, t float64) error {
	return CheckFiniteAt(what, x, t, "ms")
}

// CheckFiniteAt is CheckFinite at time t in unit ("s", "ms", or a count
// such as "epoch").
func CheckFiniteAt(what string, x []float64, t float64, unit string) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &DivergenceError{What: what, Index: i, Value: v, Time: t, Unit: unit}
		}
	}
	return nil
}
