package neuron

import (
	"math"
	"math/rand/v2"
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
	p := lavaLIF()
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

// TestCUBAStepVectorEqualsScalar checks the AVX-512 kernel against the
// scalar loop bit for bit over random states and inputs.
func TestCUBAStepVectorEqualsScalar(t *testing.T) {
	if !useAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	p := lavaLIF()
	rng := rand.New(rand.NewPCG(21, 22))
	defer func() { useAVX512 = true }()
	for _, n := range []int{1, 8, 13, 50, 500, 503} {
		mk := func() [5][]float64 {
			var a [5][]float64
			for k := range a {
				a[k] = make([]float64, n)
			}
			return a
		}
		a, b := mk(), mk()
		for step := 0; step < 20; step++ {
			for i := 0; i < n; i++ {
				a[0][i] = rng.NormFloat64()
				b[0][i] = a[0][i]
			}
			useAVX512 = true
			na := p.Step(a[0], a[1], a[2], a[3], a[4])
			useAVX512 = false
			nb := p.Step(b[0], b[1], b[2], b[3], b[4])
			if na != nb {
				t.Fatalf("n=%d step %d: %d vs %d spikes", n, step, na, nb)
			}
			for k := 1; k < 5; k++ {
				for i := 0; i < n; i++ {
					if math.Float64bits(a[k][i]) != math.Float64bits(b[k][i]) {
						t.Fatalf("n=%d step %d: array %d entry %d: %v vs %v", n, step, k, i, a[k][i], b[k][i])
					}
				}
			}
		}
	}
}

// StepOffset with theta 0 is Step bit for bit; with theta 0.5 (threshold
// 1.75) the hand-computed inputs above give t0 v' = 1, t1 v' = 1.72 (no
// spike now), t2 v' = 0.97·1.72 + 1.0625 = 2.7309 (spike), t3 v' = u =
// 0.796875 after the reset.
func TestCUBALIFStepOffset(t *testing.T) {
	p := lavaLIF()
	in := []float64{1, 0, 0.5, 0}
	u1, v1, vp1, s1 := []float64{0}, []float64{0}, []float64{0}, []float64{0}
	u2, v2, vp2, s2 := []float64{0}, []float64{0}, []float64{0}, []float64{0}
	for _, z := range in {
		n1 := p.Step([]float64{z}, u1, v1, vp1, s1)
		n2 := p.StepOffset([]float64{z}, u2, v2, vp2, s2, []float64{0})
		if n1 != n2 || u1[0] != u2[0] || v1[0] != v2[0] || vp1[0] != vp2[0] || s1[0] != s2[0] {
			t.Fatalf("theta 0 differs from Step: %v %v %v %v / %v %v %v %v", u1, v1, vp1, s1, u2, v2, vp2, s2)
		}
	}
	u, v, vp, s := []float64{0}, []float64{0}, []float64{0}, []float64{0}
	wantS := []float64{0, 0, 1, 0}
	wantVP := []float64{1, 1.72, 0.97*1.72 + 1.0625, 0.796875}
	for k, z := range in {
		p.StepOffset([]float64{z}, u, v, vp, s, []float64{0.5})
		if s[0] != wantS[k] || math.Abs(vp[0]-wantVP[k]) > 1e-12 {
			t.Fatalf("step %d: v'=%g s=%g, want v'=%g s=%g", k, vp[0], s[0], wantVP[k], wantS[k])
		}
	}
}
