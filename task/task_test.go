package task

import (
	"math"
	"testing"
)

func TestSineTriangleProdSines(t *testing.T) {
	out := make([]float64, 1)
	s := Sine{Freq: 5, Amp: 1, Dt: 1e-3}
	s.At(50, out) // t = 0.05 s: quarter period
	if math.Abs(out[0]-1) > 1e-12 {
		t.Errorf("sin at quarter period = %g", out[0])
	}
	tri := Triangle{Freq: 5, Amp: 1, Dt: 1e-3}
	tri.At(50, out)
	if math.Abs(out[0]-math.Pi/2) > 1e-6 {
		t.Errorf("triangle peak = %g, want π/2", out[0])
	}
	tri.At(25, out)
	if math.Abs(out[0]-math.Pi/4) > 1e-6 {
		t.Errorf("triangle is not linear: at 1/8 period %g, want π/4", out[0])
	}
	if p := (ProdSines{F1: 4, F2: 6, Amp: 1, Dt: 1e-3}).Period(); math.Abs(p-0.5) > 1e-12 {
		t.Errorf("prod-sines period %g, want 0.5 s", p)
	}
}

func TestRK4IsFourthOrder(t *testing.T) {
	f := func(x, d []float64) { d[0] = -x[0] }
	errAt := func(h float64) float64 {
		x := []float64{1}
		scratch := make([]float64, 5)
		for i := 0; i < int(math.Round(1/h)); i++ {
			RK4(f, x, h, scratch)
		}
		return math.Abs(x[0] - math.Exp(-1))
	}
	ratio := errAt(0.1) / errAt(0.05)
	if ratio < 14 || ratio > 18 {
		t.Errorf("halving h divides the error by %g, want ≈ 16", ratio)
	}
}

func TestVanDerPolIsALimitCycle(t *testing.T) {
	const dt = 1e-4
	v := VanDerPol(0.5, dt, 5)
	p := v.Period()
	if p <= 0 {
		t.Fatal("no period found")
	}
	// One period later the state repeats.
	a, b := make([]float64, 2), make([]float64, 2)
	v.At(1000, a)
	v.At(1000+int(math.Round(p/dt)), b)
	if math.Hypot(a[0]-b[0], a[1]-b[1]) > 0.02*math.Hypot(a[0], a[1])+1e-3 {
		t.Errorf("state after one period %v differs from %v", b, a)
	}
	// Restarting reproduces the same values.
	c := make([]float64, 2)
	v.At(1000, c)
	if c[0] != a[0] || c[1] != a[1] {
		t.Error("At is not reproducible after a restart")
	}
}

func TestLorenzStaysOnAttractor(t *testing.T) {
	l := Lorenz(1e-4)
	out := make([]float64, 3)
	for i := 1; i <= 100000; i++ {
		l.At(i, out)
	}
	// The scaled attractor lives within |x|,|y| < 30/70 and 0 < z < 50/70.
	if math.Abs(out[0]) > 0.45 || math.Abs(out[1]) > 0.45 || out[2] < 0 || out[2] > 0.75 {
		t.Errorf("state %v left the scaled Lorenz attractor", out)
	}
}

func TestOdeToJoySupervisor(t *testing.T) {
	const dt = 4e-5 // s (0.04 ms)
	s, err := NewSong(OdeToJoyShort, OdeToJoyShortHalf, 4, dt, false)
	if err != nil {
		t.Fatal(err)
	}
	if s.Dim() != 5 || math.Abs(s.Period()-4) > 1e-9 {
		t.Fatalf("dim %d period %g, want 5 and 4 s", s.Dim(), s.Period())
	}
	out := make([]float64, 5)
	bs := 6250
	// Middle of beat 1 (E): a full bump on E only.
	s.At(bs/2, out)
	if math.Abs(out[2]-1) > 1e-6 || out[0]+out[1]+out[3]+out[4] != 0 {
		t.Errorf("mid beat 1: %v, want E = 1 only", out)
	}
	// Middle of beat 9 (C).
	s.At(8*bs+bs/2, out)
	if math.Abs(out[0]-1) > 1e-6 {
		t.Errorf("mid beat 9: %v, want C = 1", out)
	}
	// Beat 15 starts a half note on D: one bump over beats 15–16 peaking at their border.
	s.At(15*bs, out)
	if math.Abs(out[1]-1) > 1e-3 {
		t.Errorf("half note peak: D = %g, want 1", out[1])
	}
	s.At(14*bs+bs/2, out)
	if math.Abs(out[1]-math.Sin(math.Pi/4)) > 1e-3 {
		t.Errorf("half note at a quarter: D = %g, want sin(π/4)", out[1])
	}
	// Tiled: one period later the value repeats.
	a, b := make([]float64, 5), make([]float64, 5)
	s.At(1234, a)
	s.At(1234+16*bs, b)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("song is not periodic: %v vs %v", a, b)
		}
	}
	long, err := NewSong(OdeToJoyLong, OdeToJoyLongHalf, 4, dt, true)
	if err != nil {
		t.Fatal(err)
	}
	if long.Dim() != 69 {
		t.Fatalf("long song dim %d, want 69", long.Dim())
	}
	out = make([]float64, 69)
	long.At(3*bs+bs/2, out) // beat 4: G, HDTS component 3
	if math.Abs(out[4]-1) > 1e-6 || math.Abs(out[5+3]-1) > 1e-6 {
		t.Errorf("long song beat 4: G = %g, HDTS[3] = %g", out[4], out[8])
	}
	if _, err := NewSong("EEX", nil, 4, dt, false); err == nil {
		t.Error("bad note accepted")
	}
}
