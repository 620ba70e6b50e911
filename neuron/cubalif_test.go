package neuron

import (
	"math"
	"testing"
)

// The CUBA-LIF update order, worked by hand for ϑ = 1.25, α_u = 0.25,
// α_v = 0.03 and inputs 1, 0, 0.5, 0 from rest:
//
//	t0: u = 1,        v' = 1                      → no spike, v = 1
//	t1: u = 0.75,     v' = 0.97 + 0.75 = 1.72     → spike, v = 0
//	t2: u = 1.0625,   v' = 1.0625                 → no spike
//	t3: u = 0.796875, v' = 1.030625 + 0.796875    → spike
func TestCUBALIFHandComputedSteps(t *testing.T) {
	p := DecolleCUBAParams()
	u, v, vp, s := []float64{0}, []float64{0}, []float64{0}, []float64{0}
	in := []float64{1, 0, 0.5, 0}
	wantU := []float64{1, 0.75, 1.0625, 0.796875}
	wantVP := []float64{1, 1.72, 1.0625, 1.8275}
	wantS := []float64{0, 1, 0, 1}
	for k, z := range in {
		n := p.Step([]float64{z}, u, v, vp, s)
		if math.Abs(u[0]-wantU[k]) > 1e-12 || math.Abs(vp[0]-wantVP[k]) > 1e-12 || s[0] != wantS[k] || n != int(wantS[k]) {
			t.Fatalf("step %d: u=%g v'=%g s=%g n=%d, want u=%g v'=%g s=%g", k, u[0], vp[0], s[0], n, wantU[k], wantVP[k], wantS[k])
		}
		if wantS[k] == 1 && v[0] != 0 {
			t.Fatalf("step %d: v = %g after a spike, want 0", k, v[0])
		}
		if wantS[k] == 0 && v[0] != vp[0] {
			t.Fatalf("step %d: v = %g, want v' = %g", k, v[0], vp[0])
		}
	}
	if err := (CUBALIFParams{Threshold: 1, CurrentDecay: 1.5}).Validate(); err == nil {
		t.Error("current_decay 1.5 accepted")
	}
}
