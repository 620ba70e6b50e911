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
	Time  float64 // simulation time, in the model's unit
	Limit float64 // magnitude limit that was exceeded (0: the value was not finite)
}

func (e *DivergenceError) Error() string {
	what := ""
	if e.Limit > 0 && !math.IsNaN(e.Value) && !math.IsInf(e.Value, 0) {
		what = fmt.Sprintf(" (beyond the limit ±%g)", e.Limit)
	}
	return fmt.Sprintf("simulation diverged at t=%g: %s[%d] = %v%s; lower the learning rate (alpha), the gains (g, q) or the time step", e.Time, e.What, e.Index, e.Value, what)
}

// CheckFinite returns a *DivergenceError if any element of x is NaN or Inf.
func CheckFinite(what string, x []float64, t float64) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &DivergenceError{What: what, Index: i, Value: v, Time: t}
		}
	}
	return nil
}
