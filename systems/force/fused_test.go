package force

import (
	"math/rand/v2"
	"testing"

	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/synapse"
)

// TestStepFusedEqualsSeparateSteps checks the fused FORCE step against
// DecayAffine, Step and DecayDot one after the other, bit for bit, for a
// whole-range call and for ranges (the readout sum then only to rounding).
func TestStepFusedEqualsSeparateSteps(t *testing.T) {
	const n, dt = 2003, 5e-5
	for _, ranges := range [][]int{{0, n}, {0, 1000, 1604, n}} {
		rng := rand.New(rand.NewPCG(3, 4))
		mk := func() (*fusedLIF, *synapse.DoubleExp, *synapse.DoubleExp) {
			m := newFusedLIF(neuron.NewLIF(n, dt, neuron.DefaultLIF()))
			m.Init(rand.New(rand.NewPCG(1, 2)))
			in, _ := synapse.NewDoubleExp(n, 0.002, 0.02, dt)
			out, _ := synapse.NewDoubleExp(n, 0.002, 0.02, dt)
			return m, in, out
		}
		m1, in1, out1 := mk()
		m2, in2, out2 := mk()
		enc, w := make([]float64, n), make([]float64, n)
		for i := range enc {
			enc[i] = 20 * (rng.Float64() - 0.5)
			w[i] = rng.NormFloat64() * 1e-3
			in1.H[i] = 400 * rng.Float64()
			out1.H[i] = 1e4 * rng.Float64()
		}
		copy(in2.H, in1.H)
		copy(out2.H, out1.H)
		I := make([]float64, n)
		var sp1, sp2 []int32
		filt := func(f *synapse.DoubleExp) Filter {
			er, ed := f.Factors()
			return Filter{S: f.S, H: f.H, Er: er, Ed: ed, Dt: f.Dt}
		}
		total := 0
		for step := 1; step <= 400; step++ {
			tt := float64(step) * dt
			z := 0.3 * float64(step%7)
			in1.DecayAffine(I, enc, z)
			sp1 = m1.Step(tt, I, sp1[:0])
			z1 := out1.DecayDot(w)
			m1.Reset(sp1)
			z2 := 0.0
			for r := 0; r+1 < len(ranges); r++ {
				z2 += m2.StepFused(tt, ranges[r], ranges[r+1], filt(in2), enc, z, filt(out2), w)
			}
			sp2 = m2.Flagged(sp2[:0])
			m2.Reset(sp2)
			if len(sp1) != len(sp2) {
				t.Fatalf("step %d: %d spikes vs %d fused", step, len(sp1), len(sp2))
			}
			for i := range sp1 {
				if sp1[i] != sp2[i] {
					t.Fatalf("step %d: spike %d is neuron %d vs %d fused", step, i, sp1[i], sp2[i])
				}
			}
			total += len(sp1)
			if len(ranges) == 2 && z1 != z2 {
				t.Fatalf("step %d: readout %v vs %v fused", step, z1, z2)
			} else if d := z1 - z2; d > 1e-12 || d < -1e-12 {
				t.Fatalf("step %d: readout %v vs %v fused", step, z1, z2)
			}
		}
		for i := 0; i < n; i++ {
			if m1.V[i] != m2.V[i] || m1.TLast[i] != m2.TLast[i] || in1.S[i] != in2.S[i] || in1.H[i] != in2.H[i] || out1.S[i] != out2.S[i] || out1.H[i] != out2.H[i] {
				t.Fatalf("neuron %d: state differs after 400 steps", i)
			}
		}
		if total == 0 {
			t.Fatal("no spikes: the test exercises nothing")
		}
	}
}

// TestStepFusedAVX512EqualsAVX2 checks the eight-lane kernel against the
// four-lane one bit for bit (state, spikes and readout sum), with ranges
// whose length is not a multiple of eight.
func TestStepFusedAVX512EqualsAVX2(t *testing.T) {
	if !useAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	const n, dt = 2003, 5e-5
	rng := rand.New(rand.NewPCG(5, 6))
	mk := func() (*fusedLIF, Filter, Filter) {
		m := newFusedLIF(neuron.NewLIF(n, dt, neuron.DefaultLIF()))
		m.Init(rand.New(rand.NewPCG(1, 2)))
		in, _ := synapse.NewDoubleExp(n, 0.002, 0.02, dt)
		out, _ := synapse.NewDoubleExp(n, 0.002, 0.02, dt)
		er, ed := in.Factors()
		return m, Filter{S: in.S, H: in.H, Er: er, Ed: ed, Dt: dt}, Filter{S: out.S, H: out.H, Er: er, Ed: ed, Dt: dt}
	}
	m1, in1, out1 := mk()
	m2, in2, out2 := mk()
	enc, w := make([]float64, n), make([]float64, n)
	for i := range enc {
		enc[i] = 20 * (rng.Float64() - 0.5)
		w[i] = rng.NormFloat64() * 1e-3
		in1.H[i] = 400 * rng.Float64()
		out1.H[i] = 1e4 * rng.Float64()
	}
	copy(in2.H, in1.H)
	copy(out2.H, out1.H)
	ranges := []int{0, 1004, 1608, n}
	defer func() { useAVX512 = true }()
	var sp1, sp2 []int32
	spikes := 0
	for step := 1; step <= 300; step++ {
		tt := float64(step) * dt
		z := 0.3 * float64(step%7)
		var s1, s2 float64
		for r := 0; r+1 < len(ranges); r++ {
			useAVX512 = false
			s1 += m1.StepFused(tt, ranges[r], ranges[r+1], in1, enc, z, out1, w)
			useAVX512 = true
			s2 += m2.StepFused(tt, ranges[r], ranges[r+1], in2, enc, z, out2, w)
		}
		sp1, sp2 = m1.Flagged(sp1[:0]), m2.Flagged(sp2[:0])
		m1.Reset(sp1)
		m2.Reset(sp2)
		if s1 != s2 || len(sp1) != len(sp2) {
			t.Fatalf("step %d: sum %v vs %v, %d vs %d spikes", step, s1, s2, len(sp1), len(sp2))
		}
		for i := range sp1 {
			if sp1[i] != sp2[i] {
				t.Fatalf("step %d: spike %d is neuron %d vs %d", step, i, sp1[i], sp2[i])
			}
		}
		spikes += len(sp1)
		for i := range m1.V {
			if m1.V[i] != m2.V[i] || m1.TLast[i] != m2.TLast[i] || in1.S[i] != in2.S[i] || in1.H[i] != in2.H[i] || out1.S[i] != out2.S[i] || out1.H[i] != out2.H[i] {
				t.Fatalf("step %d: neuron %d differs", step, i)
			}
		}
	}
	if spikes == 0 {
		t.Fatal("no spikes: the comparison did not cover the spike path")
	}
	t.Logf("%d spikes compared", spikes)
}
