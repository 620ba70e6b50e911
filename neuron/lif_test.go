package neuron

import (
	"testing"
)

// The defaults are LIFFORCESINE.m's constants; the FORCE presets, the
// regression values and the README's force-sine figures rest on them.
func TestDefaultLIFIsTheReferenceCode(t *testing.T) {
	want := LIFParams{TauM: 0.01, TauRef: 0.002, VReset: -65, VPeak: -40, Bias: -40, VInitHigh: 30}
	if got := DefaultLIF(); got != want {
		t.Fatalf("DefaultLIF() = %+v, want %+v", got, want)
	}
	if err := DefaultLIF().Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestLIFRefractoryBoundary: the membrane is frozen while t ≤ tlast + τref
// and integrates from the first step with t > tlast + τref. With dt and τref
// binary fractions every step time is exact: a neuron that spikes at step 1
// stays at VReset through step 1 + τref/dt (the boundary step itself) and
// takes one Euler step, v = VReset + (dt/τm)(I + BIAS − VReset), at the next.
// Five neurons cover the vector kernel (4) and the scalar tail (1).
func TestLIFRefractoryBoundary(t *testing.T) {
	const dt = 1.0 / 1024 // s
	p := DefaultLIF()
	p.TauRef = 2 * dt
	m := NewLIF(5, dt, p)
	I := make([]float64, 5)
	for i := range m.V {
		m.V[i], m.TLast[i], I[i] = p.VPeak, -1, 3
	}
	step := func(n int) []int32 {
		s := m.Step(float64(n)*dt, I, nil)
		m.Reset(s)
		return s
	}
	if s := step(1); len(s) != 5 {
		t.Fatalf("step 1: %d spikes, want 5", len(s))
	}
	for n := 2; n <= 3; n++ { // t = 2dt, 3dt ≤ dt + τref = 3dt: frozen
		step(n)
		for i, v := range m.V {
			if v != p.VReset {
				t.Fatalf("step %d (t ≤ tlast + τref): neuron %d at %g mV, want VReset %g", n, i, v, p.VReset)
			}
		}
	}
	step(4)
	want := p.VReset + dt/p.TauM*(I[0]+p.Bias-p.VReset)
	for i, v := range m.V {
		if v != want {
			t.Fatalf("step 4 (first after τref): neuron %d at %.17g mV, want %.17g", i, v, want)
		}
	}
}
