package neuron

import (
	"math"
	"math/rand/v2"
	"testing"
)

// countSpikes drives n identical neurons with constant input I for steps
// steps and returns the spike times of neuron 0.
func spikeTimes(p Population, dt float64, steps int, input float64) []float64 {
	I := make([]float64, p.Len())
	for i := range I {
		I[i] = input
	}
	var times []float64
	buf := make([]int32, 0, p.Len())
	for i := 1; i <= steps; i++ {
		t := float64(i) * dt
		buf = p.Step(t, I, buf[:0])
		for _, j := range buf {
			if j == 0 {
				times = append(times, t)
			}
		}
		p.Reset(buf)
	}
	return times
}

func meanISI(times []float64) float64 {
	return (times[len(times)-1] - times[1]) / float64(len(times)-2)
}

func TestLIFRateUnderConstantCurrentEqualsClosedForm(t *testing.T) {
	p := DefaultLIF()
	const dt = 1e-6                              // s
	for _, drive := range []float64{5, 20, 60} { // mV above threshold bias
		m := NewLIF(3, dt, p)
		for i := range m.V {
			m.V[i] = p.VReset
		}
		times := spikeTimes(m, dt, int(1/dt), drive)
		// v relaxes to I+BIAS from VReset; ISI = τref + τm·ln((I+b−vr)/(I+b−vpeak)).
		vinf := drive + p.Bias
		want := p.TauRef + p.TauM*math.Log((vinf-p.VReset)/(vinf-p.VPeak))
		got := meanISI(times)
		if math.Abs(got-want) > 2*dt+1e-3*want {
			t.Errorf("drive %g mV: ISI %.6g s, closed form %.6g s", drive, got, want)
		}
	}
}

func TestLIFSilentBelowThreshold(t *testing.T) {
	m := NewLIF(1, 5e-5, DefaultLIF())
	m.V[0] = -65
	if n := len(spikeTimes(m, 5e-5, 20000, -0.5)); n != 0 {
		t.Fatalf("LIF below threshold fired %d spikes", n)
	}
}

func TestLIFRefractoryFreezesMembrane(t *testing.T) {
	p := DefaultLIF()
	m := NewLIF(1, 5e-5, p)
	m.V[0] = -50
	I := []float64{100}
	m.Step(1e-3, I, nil) // t ≤ tlast(0) + τref: frozen
	if m.V[0] != -50 {
		t.Fatalf("membrane moved during the initial refractory period: %g", m.V[0])
	}
	m.Step(2.05e-3, I, nil)
	if m.V[0] == -50 {
		t.Fatal("membrane frozen after the refractory period")
	}
}

func TestIzhikevichQuadraticISIEqualsClosedForm(t *testing.T) {
	// With a = d = 0 (u ≡ 0) the model is a quadratic integrate-and-fire
	// neuron: C v' = k((v−m)² + ω²) with m = (vr+vt)/2, ω² = I/k − ((vt−vr)/2)².
	// Its ISI is C/(kω)·[atan((vpeak−m)/ω) − atan((vreset−m)/ω)].
	p := IzhikevichB0()
	p.A, p.D, p.Bias = 0, 0, 0
	const dt = 1e-4 // ms
	for _, I := range []float64{1200, 2000, 4000} {
		m := NewIzhikevich(1, dt, p)
		m.V[0] = p.VReset
		times := spikeTimes(m, dt, int(400/dt), I)
		mid, half := (p.VR+p.VT)/2, (p.VT-p.VR)/2
		w := math.Sqrt(I/p.K - half*half)
		want := p.C / (p.K * w) * (math.Atan((p.VPeak-mid)/w) - math.Atan((p.VReset-mid)/w))
		got := meanISI(times)
		if math.Abs(got-want) > 0.01*want {
			t.Errorf("I = %g pA: ISI %.5g ms, closed form %.5g ms", I, got, want)
		}
	}
}

func TestIzhikevichRheobase(t *testing.T) {
	// Without adaptation the rheobase is k(vt−vr)²/4 = 1000 pA for the paper's parameters.
	p := IzhikevichB0()
	p.A, p.D, p.Bias = 0, 0, 0
	rh := p.K * (p.VT - p.VR) * (p.VT - p.VR) / 4
	m := NewIzhikevich(1, 0.04, p)
	m.V[0] = p.VR
	if n := len(spikeTimes(m, 0.04, 25000, 0.98*rh)); n != 0 {
		t.Errorf("fired %d spikes below rheobase", n)
	}
	m.V[0] = p.VR
	if n := len(spikeTimes(m, 0.04, 25000, 1.05*rh)); n == 0 {
		t.Error("silent above rheobase")
	}
}

func TestIzhikevichDefaultsMatchReferenceCode(t *testing.T) {
	p := DefaultIzhikevich()
	if math.Abs(p.VT-(-19.2)) > 1e-12 || p.B != -2 {
		t.Errorf("Fig. 2 code has b = −2, vt = −19.2; got b = %g, vt = %g", p.B, p.VT)
	}
	if q := IzhikevichB0(); q.VT != -20 || q.B != 0 {
		t.Errorf("paper has b = 0, vt = −20; got b = %g, vt = %g", q.B, q.VT)
	}
}

func TestThetaRateIsSqrtI(t *testing.T) {
	const dt = 1e-6
	for _, I := range []float64{4, 25, 100} {
		m := NewTheta(1, dt)
		m.Theta[0] = -math.Pi
		times := spikeTimes(m, dt, int(1/dt), I)
		got := 1 / meanISI(times)
		want := math.Sqrt(I)
		if math.Abs(got-want) > 0.01*want {
			t.Errorf("I = %g: rate %.4g Hz, want √I = %.4g Hz", I, got, want)
		}
	}
}

func TestInitDrawsReferenceRanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	l := NewLIF(5000, 5e-5, DefaultLIF())
	l.Init(rng)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range l.V {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if lo < -65 || hi > 30 || lo > -64 || hi < 29 {
		t.Errorf("LIF init range [%g, %g], want U(−65, 30)", lo, hi)
	}
	th := NewTheta(5000, 1e-5)
	th.Init(rng)
	for _, v := range th.Theta {
		if v < -math.Pi || v > math.Pi {
			t.Fatalf("theta init %g outside [−π, π]", v)
		}
	}
}

func BenchmarkLIFStep2000(b *testing.B) {
	m := NewLIF(2000, 5e-5, DefaultLIF())
	m.Init(rand.New(rand.NewPCG(1, 1)))
	I := make([]float64, 2000)
	spikes := make([]int32, 0, 2000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		spikes = m.Step(float64(i)*5e-5, I, spikes[:0])
		m.Reset(spikes)
	}
}

func TestLIFVectorKernelEqualsGoLoop(t *testing.T) {
	const n, dt = 1003, 5e-5
	a, b := NewLIF(n, dt, DefaultLIF()), NewLIF(n, dt, DefaultLIF())
	rng := rand.New(rand.NewPCG(3, 3))
	a.Init(rng)
	copy(b.V, a.V)
	I := make([]float64, n)
	saved := useAVX
	defer func() { useAVX = saved }()
	total := 0
	for s := 1; s <= 4000; s++ {
		for i := range I {
			I[i] = 30 * math.Sin(float64(i+s)/50)
		}
		useAVX = saved
		sa := a.Step(float64(s)*dt, I, nil)
		useAVX = false
		sb := b.Step(float64(s)*dt, I, nil)
		if len(sa) != len(sb) {
			t.Fatalf("step %d: %d vs %d spikes", s, len(sa), len(sb))
		}
		for k := range sa {
			if sa[k] != sb[k] {
				t.Fatalf("step %d: spikes differ", s)
			}
		}
		a.Reset(sa)
		b.Reset(sb)
		total += len(sa)
	}
	for i := range a.V {
		if a.V[i] != b.V[i] || a.TLast[i] != b.TLast[i] {
			t.Fatalf("neuron %d: v %v vs %v", i, a.V[i], b.V[i])
		}
	}
	if total < 1000 {
		t.Fatalf("only %d spikes", total)
	}
}
