package sim

import (
	"fmt"
	"math"
)

// Clock is a fixed-step simulation clock. Step indices are 1-based as in
// the reference MATLAB code: step i covers time t = i·Dt.
type Clock struct {
	// Dt is the time step in the model's own time unit (s or ms).
	Dt float64
	// Steps is the number of steps of the run.
	Steps int
}

// NewClock returns a clock for a run of duration T with step dt (same unit).
// It rejects non-positive or non-finite values.
func NewClock(dt, T float64) (Clock, error) {
	if !(dt > 0) || math.IsInf(dt, 0) {
		return Clock{}, fmt.Errorf("time step must be positive and finite, got %g", dt)
	}
	if !(T > 0) || math.IsInf(T, 0) {
		return Clock{}, fmt.Errorf("duration must be positive and finite, got %g", T)
	}
	n := int(math.Round(T / dt))
	if n < 1 {
		return Clock{}, fmt.Errorf("duration %g is shorter than one step %g", T, dt)
	}
	return Clock{Dt: dt, Steps: n}, nil
}

// Index converts a time (same unit as Dt) to the nearest step index, the
// way the reference code does with round(t/dt).
func (c Clock) Index(t float64) int { return int(math.Round(t / c.Dt)) }

// Time returns the time of step i.
func (c Clock) Time(i int) float64 { return float64(i) * c.Dt }
