package neuron

import (
	"context"
	"math"
	"testing"

	"github.com/spikelab/spikelab/sim"
)

// alifNet runs one ALIF neuron with bias current i (pA) on the frame for
// durMS and returns its spike times (ms) and its potential at every step.
func alifNet(t *testing.T, p ALIFParams, dt, durMS float64) (spikes []float64, v []float64) {
	t.Helper()
	net, err := sim.NewNetwork(sim.NetworkOptions{DtMS: dt})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	g, err := NewALIF(net.Env(), 1, p)
	if err != nil {
		t.Fatal(err)
	}
	mon := sim.WatchSpikes(g, sim.NewSpikeMonitor(1, 0))
	st, _ := sim.NewStateMonitor(g, sim.StateMonitorOptions{})
	for _, err := range []error{net.AddGroup("alif", g), net.AddMonitor(mon), net.AddMonitor(st)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := net.Run(context.Background(), durMS, sim.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	return mon.Times, st.Column(0)
}

func TestALIFSubthresholdApproachesELPlusRI(t *testing.T) {
	p := DefaultALIF()
	p.IBiasPA = 200 // R·I = 0.08 GΩ · 200 pA = 16 mV: V∞ = −54 mV < θ0
	dt := 0.1
	spikes, v := alifNet(t, p, dt, 200)
	if len(spikes) != 0 {
		t.Fatalf("sub-threshold drive spiked at %v ms", spikes)
	}
	vinf := p.ELMV + p.TauMMS/p.CPF*p.IBiasPA
	for k, got := range v {
		tk := float64(k+1) * dt
		want := vinf + (p.ELMV-vinf)*math.Exp(-tk/p.TauMMS)
		if math.Abs(got-want) > 1e-9 {
			t.Fatalf("V(%g ms) = %.12f mV, closed form %.12f mV", tk, got, want)
		}
	}
}

func TestALIFIntervalsGrowToTheSteadyStateClosedForm(t *testing.T) {
	p := DefaultALIF()
	p.IBiasPA = 400 // V∞ = −38 mV
	p.BetaMV, p.TauThetaMS = 3, 100
	dt := 0.005
	spikes, _ := alifNet(t, p, dt, 3000)
	if len(spikes) < 20 {
		t.Fatalf("%d spikes", len(spikes))
	}
	vinf := p.ELMV + p.TauMMS/p.CPF*p.IBiasPA
	// First spike from rest with θ = θ0: the LIF closed form.
	t1 := p.TauMMS * math.Log((vinf-p.ELMV)/(vinf-p.Theta0MV))
	if math.Abs(spikes[0]-t1) > dt {
		t.Errorf("first spike at %g ms, closed form %g ms", spikes[0], t1)
	}
	// Steady state: the threshold at a crossing, θ* = θ0 + x, repeats:
	// x = (x + β)·e^(−T/τθ), and V reaches it T − t_ref after leaving V_r.
	f := func(T float64) float64 {
		e := math.Exp(-T / p.TauThetaMS)
		x := p.BetaMV * e / (1 - e)
		return vinf + (p.VResetMV-vinf)*math.Exp(-(T-p.TRefMS)/p.TauMMS) - (p.Theta0MV + x)
	}
	lo, hi := p.TRefMS+1e-9, 1000.0
	for range 200 {
		mid := (lo + hi) / 2
		if f(mid) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	tStar := lo
	prev := 0.0
	for k := 1; k < len(spikes); k++ {
		isi := spikes[k] - spikes[k-1]
		if isi < prev-dt-1e-9 {
			t.Errorf("interval %d (%g ms) shorter than interval %d (%g ms)", k, isi, k-1, prev)
		}
		prev = isi
	}
	first := spikes[1] - spikes[0]
	if !(first < tStar-1) {
		t.Errorf("first interval %g ms not shorter than the adapted one %g ms", first, tStar)
	}
	t.Logf("first spike %g ms (closed form %g), intervals %g … %g ms, steady state closed form %g ms", spikes[0], t1, first, prev, tStar)
	if math.Abs(prev-tStar) > 2*dt {
		t.Errorf("steady-state interval %g ms, closed form %g ms", prev, tStar)
	}
}

func TestRegistryHoldsTheModels(t *testing.T) {
	for _, name := range []string{"adex", "alif", "lifexp"} {
		ctor, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		g, err := ctor(sim.Env{DtMS: 0.1}, 10, map[string]float64{"tau_m_ms": 15})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if g.Len() != 10 || len(g.Potential()) != 10 {
			t.Errorf("%s: %d neurons", name, g.Len())
		}
		if _, err := g.Input("exc"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := g.Input("nope"); err == nil {
			t.Errorf("%s: unknown input accepted", name)
		}
		if _, err := ctor(sim.Env{DtMS: 0.1}, 10, map[string]float64{"no_such": 1}); err == nil {
			t.Errorf("%s: unknown parameter accepted", name)
		}
		if _, err := ctor(sim.Env{DtMS: 0.1}, 0, nil); err == nil {
			t.Errorf("%s: empty group accepted", name)
		}
	}
	if _, err := Lookup("nope"); err == nil {
		t.Error("unknown model found")
	}
	if err := Register("alif", newALIFFromParams); err == nil {
		t.Error("duplicate registration accepted")
	}
	if m := Models(); len(m) < 3 || m[0] != "adex" {
		t.Errorf("models %v", m)
	}
}
