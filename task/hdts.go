package task

import (
	"fmt"
	"math"
)

// HDTS is the high-dimensional temporal signal of Nicola & Clopath 2017
// (Figs 4–5): M half-sine bumps tiling one period of PeriodSteps steps.
// Component q (0-based) is |sin(π·τ/w)| while q·w < τ < (q+1)·w and 0
// otherwise, with τ = j·dt the time within the period (step j = 1 … P of
// the period) and w = P·dt/M the bump width, so exactly one component is
// active at a time.
type HDTS struct {
	M           int // number of components
	PeriodSteps int // steps of one period
}

// NewHDTS returns m bumps over a period of periodSteps steps (each bump
// at least 2 steps long).
func NewHDTS(m, periodSteps int) (HDTS, error) {
	if m < 1 {
		return HDTS{}, fmt.Errorf("hdts: needs at least 1 component, got %d", m)
	}
	if periodSteps < 2*m {
		return HDTS{}, fmt.Errorf("hdts: %d components over %d steps: each bump needs at least 2 steps", m, periodSteps)
	}
	return HDTS{M: m, PeriodSteps: periodSteps}, nil
}

// Active returns the component active at step i ≥ 1 and its value.
func (h HDTS) Active(i int) (q int, v float64) {
	j := (i-1)%h.PeriodSteps + 1 // step within the period, 1 … P
	x := float64(j) * float64(h.M) / float64(h.PeriodSteps)
	q = min(int(x), h.M-1)
	return q, math.Abs(math.Sin(math.Pi * x))
}
