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

// TestCUBAStepVectorEqualsScalar checks Step with each vector kernel this
// CPU has (AVX-512, and AVX2 with AVX-512 turned off, so that CPUs with
// AVX-512 test the AVX2 kernel too) against the scalar Go loop, bit for
// bit, over random states and inputs with NaN, ±Inf, −0 and inputs that
// land exactly on the threshold, for lengths around the groups of four and
// eight.
func TestCUBAStepVectorEqualsScalar(t *testing.T) {
	p := lavaLIF()
	rng := rand.New(rand.NewPCG(21, 22))
	savedAVX, savedAVX512 := useAVX, useAVX512
	defer func() { useAVX, useAVX512 = savedAVX, savedAVX512 }()
	type mode struct {
		name        string
		avx, avx512 bool
	}
	modes := []mode{{"AVX2", savedAVX, false}, {"AVX-512", savedAVX, savedAVX512}}
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), p.Threshold}
	for _, n := range []int{1, 3, 4, 5, 7, 8, 12, 13, 50, 500, 503} {
		mk := func() [5][]float64 {
			var a [5][]float64
			for k := range a {
				a[k] = make([]float64, n)
			}
			return a
		}
		ref := mk() // the Go loop's states
		got := make([][5][]float64, len(modes))
		for m := range modes {
			got[m] = mk()
		}
		for step := 0; step < 20; step++ {
			for i := 0; i < n; i++ {
				ref[0][i] = rng.NormFloat64()
				if rng.IntN(50) == 0 {
					ref[0][i] = special[rng.IntN(len(special))]
				}
				for m := range modes {
					got[m][0][i] = ref[0][i]
				}
			}
			if step == 10 { // some neurons back to a clean state after NaN/Inf
				for k := 1; k < 5; k++ {
					clear(ref[k][:n/2])
					for m := range modes {
						clear(got[m][k][:n/2])
					}
				}
			}
			useAVX, useAVX512 = false, false
			nRef := p.Step(ref[0], ref[1], ref[2], ref[3], ref[4])
			for m, md := range modes {
				useAVX, useAVX512 = md.avx, md.avx512
				a := got[m]
				if nm := p.Step(a[0], a[1], a[2], a[3], a[4]); nm != nRef {
					t.Fatalf("%s, n=%d step %d: %d spikes, Go loop %d", md.name, n, step, nm, nRef)
				}
				for k := 1; k < 5; k++ {
					for i := 0; i < n; i++ {
						if math.Float64bits(a[k][i]) != math.Float64bits(ref[k][i]) {
							t.Fatalf("%s, n=%d step %d: array %d entry %d: %v, Go loop %v", md.name, n, step, k, i, a[k][i], ref[k][i])
						}
					}
				}
			}
		}
	}
	t.Logf("vector kernels: AVX2 %v, AVX-512 %v", savedAVX && hasPOPCNT, savedAVX512)
}

// BenchmarkCUBAStep advances 2000 neurons (a batch of DECOLLE layers) by
// one step with the Go loop and each vector kernel this CPU has.
func BenchmarkCUBAStep(b *testing.B) {
	p := lavaLIF()
	rng := rand.New(rand.NewPCG(23, 24))
	const n = 2000
	var a [5][]float64
	for k := range a {
		a[k] = make([]float64, n)
	}
	z := make([]float64, n)
	for i := range z {
		z[i] = rng.NormFloat64() * 0.5
	}
	savedAVX, savedAVX512 := useAVX, useAVX512
	defer func() { useAVX, useAVX512 = savedAVX, savedAVX512 }()
	for _, m := range []struct {
		name        string
		avx, avx512 bool
	}{{"go", false, false}, {"avx2", true, false}, {"avx512", true, true}} {
		if (m.avx && !(savedAVX && hasPOPCNT)) || (m.avx512 && !savedAVX512) {
			continue
		}
		useAVX, useAVX512 = m.avx, m.avx512
		b.Run(m.name, func(b *testing.B) {
			for b.Loop() {
				p.Step(z, a[1], a[2], a[3], a[4])
			}
		})
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
