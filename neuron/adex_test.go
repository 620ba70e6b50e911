package neuron

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAdExEulerStepByHand(t *testing.T) {
	p := excAdEx()
	m := NewAdEx(1, 0.1, p)
	m.V[0], m.VT[0], m.W[0], m.TLast[0] = -55, -50, 200, -100
	m.GE[0], m.GI[0] = 3, 2
	m.Step(0.1, nil, nil)
	// V_T and w first (from the old V), then V with the new V_T and w.
	vt := -50 + 0.1*(-52+50)/30.0
	w := 200 + 0.1*(0-200)/100.0
	dv := (-70+55)/20.0 + 2*math.Exp((-55-vt)/2)/20 + (3*(0+55)+2*(-75+55)-w)/300
	if got, want := m.V[0], -55+0.1*dv; math.Abs(got-want) > 1e-12 {
		t.Fatalf("V = %.15g, want %.15g", got, want)
	}
	if math.Abs(m.VT[0]-vt) > 1e-12 || math.Abs(m.W[0]-w) > 1e-12 {
		t.Fatalf("V_T = %g (want %g), w = %g (want %g)", m.VT[0], vt, m.W[0], w)
	}
}

func TestAdExSpikeResetAndRefractory(t *testing.T) {
	p := excAdEx()
	m := NewAdEx(1, 0.1, p)
	m.V[0], m.TLast[0] = 19.9, -100 // the exponential term carries it past V_peak
	sp := m.Step(0.1, nil, nil)
	if len(sp) != 1 || m.V[0] != p.VReset || m.VT[0] != p.VT0+p.AT || m.W[0] != p.B || m.TLast[0] != 0.1 {
		t.Fatalf("after spike: spikes %v V %g V_T %g w %g tlast %g", sp, m.V[0], m.VT[0], m.W[0], m.TLast[0])
	}
	m.GE[0] = 1000             // a huge drive must not move V while refractory (t ≤ tlast + 5 ms)
	for k := 2; k <= 50; k++ { // t = 5.1 (k = 51) is past t_last + 5 in floating point, as in sim.jl
		if sp := m.Step(0.1*float64(k), nil, nil); len(sp) != 0 || m.V[0] != p.VReset {
			t.Fatalf("step %d (t=%g): V = %g during the refractory period", k, 0.1*float64(k), m.V[0])
		}
	}
	if m.Step(0.1*float64(51), nil, nil); m.V[0] == p.VReset {
		t.Fatalf("V still clamped after the refractory period")
	}
	// Threshold relaxes back: V_T − V_T0 decays by (1 − dt/τ_T) per step.
	if want := p.AT * math.Pow(1-0.1/30, 50); math.Abs(m.VT[0]-p.VT0-want) > 1e-9 {
		t.Fatalf("V_T − V_T0 = %g, want %g", m.VT[0]-p.VT0, want)
	}
}

func TestCondLIFThreshold(t *testing.T) {
	p := inhAdEx()
	m := NewAdEx(2, 0.1, p)
	m.V[0], m.V[1] = -52.05, -52.5
	m.TLast[0], m.TLast[1] = -100, -100
	// No input: dV = (E_L − V)/τ·dt = (−62 + 52.05)/20·0.1 < 0, so neuron 0
	// falls; with g_E = 10 nS it rises by 0.1·(10·52.05/300 − 0.4975) > 0.05.
	m.GE[0] = 10
	sp := m.Step(0.1, nil, nil)
	if len(sp) != 1 || sp[0] != 0 || m.V[0] != p.VReset {
		t.Fatalf("spikes %v, V %v", sp, m.V)
	}
	if want := -52.5 + 0.1*(-62+52.5)/20; math.Abs(m.V[1]-want) > 1e-12 {
		t.Fatalf("V1 = %g, want %g", m.V[1], want)
	}
}

// TestAdExVectorMatchesScalar runs the AVX2 kernel (where available) and
// the scalar loop on the same random states, for the excitatory AdEx, the
// conductance LIF and an incrementing threshold, including refractory,
// spiking and unaligned blocks, and requires bit-identical states.
func TestAdExVectorMatchesScalar(t *testing.T) {
	inc := excAdEx()
	inc.SetT, inc.A = false, 4
	for name, p := range map[string]AdExParams{"exc": excAdEx(), "inh": inhAdEx(), "increment": inc} {
		const n = 203
		a, b := NewAdEx(n, 0.1, p), NewAdEx(n, 0.1, p)
		rng := rand.New(rand.NewPCG(3, 4))
		for i := 0; i < n; i++ {
			a.V[i] = -75 + 95*rng.Float64()
			a.VT[i] = -52 + 10*rng.Float64()
			a.W[i] = 500 * rng.Float64()
			a.TLast[i] = -10 * rng.Float64() // some still refractory at t = 0.1
			a.GE[i], a.GI[i] = 20*rng.Float64(), 20*rng.Float64()
		}
		copy(b.V, a.V)
		copy(b.VT, a.VT)
		copy(b.W, a.W)
		copy(b.TLast, a.TLast)
		copy(b.GE, a.GE)
		copy(b.GI, a.GI)
		spikes := 0
		for k := 1; k <= 200; k++ {
			tt := 0.1 * float64(k)
			sa := a.StepRange(0, 101, tt, nil, nil)
			sa = a.StepRange(101, n, tt, nil, sa)
			sb := b.stepScalar(0, n, tt, nil, nil)
			if len(sa) != len(sb) {
				t.Fatalf("%s step %d: spikes %v (vector) vs %v (scalar)", name, k, sa, sb)
			}
			for q := range sa {
				if sa[q] != sb[q] {
					t.Fatalf("%s step %d: spikes %v (vector) vs %v (scalar)", name, k, sa, sb)
				}
			}
			spikes += len(sa)
			for i := 0; i < n; i++ {
				if a.V[i] != b.V[i] || a.VT[i] != b.VT[i] || a.W[i] != b.W[i] || a.TLast[i] != b.TLast[i] {
					t.Fatalf("%s step %d neuron %d: vector (%v %v %v %v) scalar (%v %v %v %v)", name, k, i,
						a.V[i], a.VT[i], a.W[i], a.TLast[i], b.V[i], b.VT[i], b.W[i], b.TLast[i])
				}
			}
		}
		if spikes == 0 {
			t.Fatalf("%s: no spikes, the test exercises nothing", name)
		}
	}
}

func BenchmarkAdExStep3000(b *testing.B) {
	p := excAdEx()
	m := NewAdEx(3000, 0.1, p)
	rng := rand.New(rand.NewPCG(1, 2))
	m.Init(rng)
	for i := range m.GE {
		m.GE[i], m.GI[i] = 2*rng.Float64(), 5*rng.Float64()
	}
	var sp []int32
	k := 0
	for b.Loop() {
		k++
		sp = m.StepRange(0, 3000, 0.1*float64(k), nil, sp[:0])
	}
}
