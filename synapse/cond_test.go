package synapse

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spikelab/spikelab/sim"
)

func TestCondDiffExpUnitArea(t *testing.T) {
	c, err := NewCondDiffExp(1, 1, 6, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	in := []float64{2.5}
	area := 0.0
	for k := 0; k < 4000; k++ {
		c.Step(in)
		in[0] = 0
		area += c.G[0] * 0.1
	}
	if math.Abs(area-2.5) > 1e-9 {
		t.Fatalf("∫g dt = %g, want the weight 2.5", area)
	}
	// Step 2 by hand: x_r = 2.5·0.9, x_d = 2.5·(1 − 0.1/6), g = (x_d − x_r)/5.
	c2, _ := NewCondDiffExp(1, 1, 6, 0.1)
	c2.Step([]float64{2.5})
	c2.Step([]float64{0})
	if want := (2.5*(1-0.1/6) - 2.5*0.9) / 5; math.Abs(c2.G[0]-want) > 1e-15 {
		t.Fatalf("g = %g, want %g", c2.G[0], want)
	}
	if _, err := NewCondDiffExp(1, 0.05, 2, 0.1); err == nil {
		t.Fatal("tau_r < dt accepted")
	}
}

func TestDelayOneStep(t *testing.T) {
	d, _ := NewDelay(2, 1)
	d.Now()[0] = 1    // acts now
	d.Ahead(1)[1] = 3 // next step
	if d.Now()[0] != 1 || d.Now()[1] != 0 {
		t.Fatal("current step")
	}
	d.Advance()
	if d.Now()[0] != 0 || d.Now()[1] != 3 {
		t.Fatalf("after one step: %v", d.Now())
	}
	d.Advance()
	if d.Now()[1] != 0 {
		t.Fatal("input delivered twice")
	}
}

func TestPoissonMeanAndVariance(t *testing.T) {
	const n, steps = 200, 500
	p, err := NewPoisson(n, 0.1, 4.5, 1.6)
	if err != nil {
		t.Fatal(err)
	}
	_ = p.SetRate(0, 22.5) // rate·dt = 2.25
	rng := sim.Source(1, "test")
	target := make([]float64, n)
	var sum, sq float64
	for k := 0; k < steps; k++ {
		clear(target)
		p.Add(rng, 1, n, target)
		for i := 1; i < n; i++ {
			c := target[i] / 1.6
			sum += c
			sq += c * c
		}
	}
	m := sum / float64((n-1)*steps)
	v := sq/float64((n-1)*steps) - m*m
	if math.Abs(m-0.45) > 0.01 || math.Abs(v-0.45) > 0.02 {
		t.Fatalf("count mean %g, variance %g; want 0.45 and 0.45", m, v)
	}
	if err := p.SetRate(0, -1); err == nil {
		t.Fatal("negative rate accepted")
	}
}

// The count distribution matches the Poisson pmf, including counts above
// the four cached thresholds (rate·dt = 2.25), and a zero rate never fires.
func TestPoissonCountHistogram(t *testing.T) {
	const n, steps, lam = 100, 2000, 2.25
	p, _ := NewPoisson(n, 0.1, lam/0.1, 1)
	z, _ := NewPoisson(n, 0.1, 0, 1)
	rng := sim.Source(2, "test")
	target := make([]float64, n)
	hist := make([]float64, 12)
	for k := 0; k < steps; k++ {
		clear(target)
		if z.Add(rng, 0, n, target) != 0 {
			t.Fatal("rate 0 produced events")
		}
		p.Add(rng, 0, n, target)
		for _, c := range target {
			hist[min(int(c), 11)]++
		}
	}
	q := math.Exp(-lam)
	for k := 0; k < 8; k++ {
		got := hist[k] / (n * steps)
		sd := math.Sqrt(q * (1 - q) / (n * steps))
		if math.Abs(got-q) > 5*sd+1e-4 {
			t.Fatalf("P(count=%d) = %.4f, want %.4f", k, got, q)
		}
		q *= lam / float64(k+1)
	}
}

// TestCondDiffExpKernelMatchesLoop: StepRange (vector kernel where
// available, unaligned ranges included) equals the plain Euler loop bit
// for bit.
func TestCondDiffExpKernelMatchesLoop(t *testing.T) {
	const n = 103
	c, _ := NewCondDiffExp(n, 1, 6, 0.1)
	rng := rand.New(rand.NewPCG(9, 10))
	xr, xd, s := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range xr {
		xr[i], xd[i] = 10*rng.Float64(), 10*rng.Float64()
	}
	copy(c.XR, xr)
	copy(c.XD, xd)
	ar, ad, inv := 1-c.Dt/c.TauR, 1-c.Dt/c.TauD, 1/(c.TauD-c.TauR) // as StepRange computes them
	for step := 0; step < 20; step++ {
		for i := range s {
			s[i] = 0
			if rng.Float64() < 0.3 {
				s[i] = 5 * rng.Float64()
			}
		}
		c.StepRange(0, 37, s)
		c.StepRange(37, n, s)
		for i := range xr {
			xr[i] = xr[i]*ar + s[i]
			xd[i] = xd[i]*ad + s[i]
			if g := (xd[i] - xr[i]) * inv; c.XR[i] != xr[i] || c.XD[i] != xd[i] || c.G[i] != g {
				t.Fatalf("step %d, %d: (%v %v %v), want (%v %v %v)", step, i, c.XR[i], c.XD[i], c.G[i], xr[i], xd[i], g)
			}
		}
	}
}
