package neuron

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/spikelab/spikelab/sim"
)

func TestLIFExpPropagatorIsExact(t *testing.T) {
	// One excitatory kick of ge0 from rest at El: v(t) − El = ge0·τe/(τe−τm)·(e^(−t/τe) − e^(−t/τm)).
	p := benchLIFExp()
	p.VT = 1e9 // never spike
	for _, dt := range []float64{0.1, 1} {
		m := NewLIFExp(1, dt, p, nil)
		m.V[0], m.GE[0] = p.EL, 2
		for i := 1; i <= int(40/dt); i++ {
			m.Step(0, nil, nil)
			tt := float64(i) * dt
			want := p.EL + 2*p.TauE/(p.TauE-p.TauM)*(math.Exp(-tt/p.TauE)-math.Exp(-tt/p.TauM))
			if math.Abs(m.V[0]-want) > 1e-12 {
				t.Fatalf("dt %g, t %g: v %.15g, closed form %.15g", dt, tt, m.V[0], want)
			}
		}
	}
}

func TestLIFExpRateWithRefractoryEqualsClosedForm(t *testing.T) {
	// Constant drive: v relaxes to El+I; ISI = τref + τm·ln((El+I−Vr)/(El+I−Vt)), up to one step.
	p := benchLIFExp()
	const dt = 0.01
	for _, drive := range []float64{5, 15} {
		m := NewLIFExp(1, dt, p, nil)
		m.V[0] = p.VR
		I := []float64{drive}
		var times []float64
		for i := 1; i <= int(2000/dt); i++ {
			if s := m.Step(0, I, nil); len(s) > 0 {
				times = append(times, float64(i)*dt)
			}
		}
		vinf := p.EL + drive
		want := p.TauRef + p.TauM*math.Log((vinf-p.VR)/(vinf-p.VT))
		if got := meanISI(times); math.Abs(got-want) > 2*dt {
			t.Errorf("drive %g mV: ISI %.4f ms, closed form %.4f ms", drive, got, want)
		}
	}
}

func TestLIFExpThreadsGiveSameSpikes(t *testing.T) {
	defer sim.AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
	a := NewLIFExp(13000, 0.1, benchLIFExp(), nil)
	b := NewLIFExp(13000, 0.1, benchLIFExp(), sim.NewTeam(3))
	for i := range a.V {
		a.V[i] = -60 + float64(i%97)/8
		b.V[i] = a.V[i]
	}
	I := make([]float64, 13000)
	for i := range I {
		I[i] = float64(i%13) - 2
	}
	for s := 0; s < 500; s++ {
		sa := a.Step(0, I, nil)
		sb := b.Step(0, I, nil)
		if len(sa) != len(sb) {
			t.Fatalf("step %d: %d vs %d spikes", s, len(sa), len(sb))
		}
		for k := range sa {
			if sa[k] != sb[k] {
				t.Fatalf("step %d: spike order differs", s)
			}
		}
	}
}

func BenchmarkLIFExpStep4000(b *testing.B) { benchLIFExpStep(b, 4000) }

// BenchmarkLIFExpStep64000 is the neuron update of the largest CUBA
// network (the 2-thread question of issue 19): its four float64 state
// arrays (2 MB) do not fit L2; the MB/s (state bytes read and written per
// step) are to be set against the machine's bandwidth (go test ./learn
// -bench MemoryBandwidth).
func BenchmarkLIFExpStep64000(b *testing.B) { benchLIFExpStep(b, 64000) }

func benchLIFExpStep(b *testing.B, n int) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers%d", workers), func(b *testing.B) {
			team := sim.NewTeam(workers)
			defer team.Close()
			b.SetBytes(int64(n) * 4 * 8 * 2) // four float64 arrays read and written
			m := NewLIFExp(n, 0.1, benchLIFExp(), team)
			for i := range m.V {
				m.V[i] = -60 + float64(i%10)
			}
			spikes := make([]int32, 0, n)
			for i := 0; i < b.N; i++ {
				spikes = m.Step(0, nil, spikes[:0])
			}
		})
	}
}

func TestLIFExpVectorKernelEqualsGoLoop(t *testing.T) {
	// With no extra drive the vector kernels run (where the CPU has them:
	// eight lanes with AVX-512, four with AVX2 only); a zero drive takes
	// the Go loop. All must agree bit for bit.
	saved := useAVX512
	defer func() { useAVX512 = saved }()
	const n = 1003 // not a multiple of 4 or 8: exercises both tails
	pops := [3]*LIFExp{}
	for k := range pops {
		pops[k] = NewLIFExp(n, 0.1, benchLIFExp(), nil)
		for i := range pops[k].V {
			pops[k].V[i] = -60 + float64(i%97)/9
			pops[k].GE[i] = float64(i%7) * 0.8
			pops[k].GI[i] = -float64(i%5) * 0.5
		}
	}
	a, a4, b := pops[0], pops[1], pops[2]
	zero := make([]float64, n)
	total := 0
	for s := 0; s < 3000; s++ {
		useAVX512 = saved
		sa := a.Step(0, nil, nil)
		useAVX512 = false
		sa4 := a4.Step(0, nil, nil)
		sb := b.Step(0, zero, nil)
		if !slices.Equal(sa, sb) || !slices.Equal(sa4, sb) {
			t.Fatalf("step %d: spikes %v (8 lanes), %v (4 lanes), %v (Go loop)", s, sa, sa4, sb)
		}
		total += len(sa)
		for i := 0; i < n; i += 37 { // keep the network busy
			for _, p := range pops {
				p.GE[i] += 1.62
			}
		}
	}
	for _, a := range []*LIFExp{a, a4} {
		for i := range a.V {
			same := func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }
			if !same(a.V[i], b.V[i]) || !same(a.GE[i], b.GE[i]) || !same(a.GI[i], b.GI[i]) || !same(a.refr[i], b.refr[i]) {
				t.Fatalf("neuron %d differs: v %v/%v refr %v/%v", i, a.V[i], b.V[i], a.refr[i], b.refr[i])
			}
		}
	}
	if total < 100 {
		t.Fatalf("only %d spikes: the test does not exercise reset and refractoriness", total)
	}
	t.Logf("vector kernels in use: AVX2 %v, AVX-512 %v; %d spikes compared", useAVX, saved, total)
}
