package synapse

import (
	"math"
	"testing"
)

func TestDoubleExpIntegratesToOnePerSpike(t *testing.T) {
	for _, tc := range []struct{ tr, td, dt float64 }{{2e-3, 20e-3, 5e-6}, {0, 20e-3, 5e-6}, {2, 20, 0.004}} {
		f, err := NewDoubleExp(1, tc.tr, tc.td, tc.dt)
		if err != nil {
			t.Fatal(err)
		}
		f.AddEvents([]int32{0})
		integral := 0.0
		for i := 0; i < int(20*tc.td/tc.dt); i++ {
			f.Decay()
			integral += f.S[0] * tc.dt
		}
		if math.Abs(integral-1) > 2e-3 {
			t.Errorf("tr=%g td=%g: integral of one spike = %.6f, want 1", tc.tr, tc.td, integral)
		}
	}
}

func TestDoubleExpKernelShape(t *testing.T) {
	const tr, td, dt = 2e-3, 20e-3, 1e-6
	f, _ := NewDoubleExp(1, tr, td, dt)
	f.AddEvents([]int32{0})
	for i := 1; i <= 40000; i++ {
		f.Decay()
		if i%5000 == 0 {
			tt := float64(i) * dt
			want := (math.Exp(-tt/td) - math.Exp(-tt/tr)) / (td - tr)
			if math.Abs(f.S[0]-want) > 1e-3*want+1e-6 {
				t.Errorf("t=%g: S=%g, closed form %g", tt, f.S[0], want)
			}
		}
	}
}

func TestDoubleExpDenseEqualsEvents(t *testing.T) {
	a, _ := NewDoubleExp(4, 2, 20, 0.05)
	b, _ := NewDoubleExp(4, 2, 20, 0.05)
	a.AddEvents([]int32{1, 3})
	b.Add([]float64{0, 1, 0, 1})
	for i := 0; i < 10; i++ {
		a.Decay()
		b.Decay()
	}
	for i := range a.S {
		if a.S[i] != b.S[i] {
			t.Fatalf("filter %d: %g vs %g", i, a.S[i], b.S[i])
		}
	}
}

func TestDoubleExpRejectsBadTimes(t *testing.T) {
	if _, err := NewDoubleExp(1, 2, 0, 0.1); err == nil {
		t.Error("td = 0 accepted")
	}
	if _, err := NewDoubleExp(1, -1, 20, 0.1); err == nil {
		t.Error("tr < 0 accepted")
	}
}

func TestDecayVectorKernelEqualsGoLoop(t *testing.T) {
	a, _ := NewDoubleExp(1003, 2e-3, 20e-3, 5e-5)
	b, _ := NewDoubleExp(1003, 2e-3, 20e-3, 5e-5)
	for i := range a.S {
		a.S[i], a.H[i] = float64(i%17)*3.1, float64(i%11)*250
		b.S[i], b.H[i] = a.S[i], a.H[i]
	}
	saved := useAVX
	defer func() { useAVX = saved }()
	for s := 0; s < 100; s++ {
		useAVX = saved
		a.Decay()
		useAVX = false
		b.Decay()
	}
	for i := range a.S {
		if a.S[i] != b.S[i] || a.H[i] != b.H[i] {
			t.Fatalf("filter %d: S %v vs %v, H %v vs %v", i, a.S[i], b.S[i], a.H[i], b.H[i])
		}
	}
}

func TestDecayAffineAndDecayDotEqualSeparateSteps(t *testing.T) {
	for _, tr := range []float64{2e-3, 0} {
		testFusedDecays(t, tr)
	}
}

func testFusedDecays(t *testing.T, tr float64) {
	const n = 1003
	a, _ := NewDoubleExp(n, tr, 20e-3, 5e-5)
	b, _ := NewDoubleExp(n, tr, 20e-3, 5e-5)
	enc, w := make([]float64, n), make([]float64, n)
	for i := range a.S {
		a.S[i], a.H[i] = float64(i%17)*3.1, float64(i%11)*250
		b.S[i], b.H[i] = a.S[i], a.H[i]
		enc[i], w[i] = float64(i%5)-2, float64(i%3)*1e-4
	}
	out1, out2 := make([]float64, n), make([]float64, n)
	for s := 0; s < 50; s++ {
		a.DecayAffine(out1, enc, 0.37)
		for i := range out2 {
			out2[i] = b.S[i] + float64(0.37*enc[i])
		}
		b.Decay()
		for i := range out1 {
			if out1[i] != out2[i] || a.S[i] != b.S[i] || a.H[i] != b.H[i] {
				t.Fatalf("DecayAffine step %d, filter %d differs", s, i)
			}
		}
		d := a.DecayDot(w)
		b.Decay()
		want := 0.0
		for i := range w {
			want += w[i] * b.S[i]
		}
		if math.Abs(d-want) > 1e-12*math.Abs(want) {
			t.Fatalf("DecayDot = %v, separate dot %v", d, want)
		}
		for i := range a.S {
			if a.S[i] != b.S[i] {
				t.Fatalf("DecayDot changed the decay of filter %d", i)
			}
		}
	}
}
