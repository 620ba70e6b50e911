package synapse

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// CondDiffExp is a bank of difference-of-exponentials conductances in the
// Euler form of Litwin-Kumar & Doiron 2014 and Maes et al. 2020:
//
//	x_r += −dt·x_r/τ_r + S      x_d += −dt·x_d/τ_d + S      g = (x_d − x_r)/(τ_d − τ_r)
//
// where S is the summed weight arriving in the step. One event of weight w
// gives ∫g dt = w (exactly, for the Euler recursion), so weights are in
// nS·ms and g in nS. The conductance drives V towards a reversal potential
// in the neuron model (neuron.AdEx).
type CondDiffExp struct {
	TauR, TauD, Dt float64   // rise and decay time constants and step (ms); τ_d > τ_r ≥ dt
	XR, XD         []float64 // rise and decay states (nS·ms/ms… i.e. summed weight)
	G              []float64 // conductance after the last Step (nS)
}

// NewCondDiffExp returns n conductances. It needs τ_d > τ_r > 0 and dt < τ_r
// (the Euler recursion is unstable otherwise).
func NewCondDiffExp(n int, tauR, tauD, dt float64) (*CondDiffExp, error) {
	if !(tauR > 0) || !(tauD > tauR) || !(dt > 0) || !(dt < tauR) {
		return nil, fmt.Errorf("conductance needs tau_d > tau_r > dt > 0 (got tau_r=%g ms, tau_d=%g ms, dt=%g ms)", tauR, tauD, dt)
	}
	return &CondDiffExp{TauR: tauR, TauD: tauD, Dt: dt, XR: make([]float64, n), XD: make([]float64, n), G: make([]float64, n)}, nil
}

// Step advances every conductance by one step with the inputs S (summed
// weight per neuron arriving this step; len ≥ n) and updates G.
func (c *CondDiffExp) Step(S []float64) { c.StepRange(0, len(c.G), S) }

// StepRange is Step restricted to [lo, hi).
func (c *CondDiffExp) StepRange(lo, hi int, S []float64) {
	ar, ad := 1-c.Dt/c.TauR, 1-c.Dt/c.TauD
	inv := 1 / (c.TauD - c.TauR)
	xr, xd, g, s := c.XR[lo:hi], c.XD[lo:hi], c.G[lo:hi], S[lo:hi]
	for i := range g {
		r := xr[i]*ar + s[i]
		d := xd[i]*ad + s[i]
		xr[i], xd[i] = r, d
		g[i] = (d - r) * inv
	}
}

// Delay is a ring of input buffers that delivers summed synaptic input a
// fixed number of steps after it was added: events added to Ahead(d) during
// step n are in Now() during step n+d. Now() itself holds the inputs of the
// current step (e.g. external events, which act at once). Advance clears the
// consumed buffer and moves to the next step.
type Delay struct {
	slots [][]float64
	head  int
}

// NewDelay returns a delay line for n neurons that can hold inputs up to
// maxDelay steps ahead (maxDelay ≥ 1; 1 is the one-step recurrent delay).
func NewDelay(n, maxDelay int) (*Delay, error) {
	if maxDelay < 1 {
		return nil, fmt.Errorf("delay line needs maxDelay >= 1 step, got %d", maxDelay)
	}
	d := &Delay{slots: make([][]float64, maxDelay+1)}
	for k := range d.slots {
		d.slots[k] = make([]float64, n)
	}
	return d, nil
}

// Now returns the inputs that arrive in the current step.
func (d *Delay) Now() []float64 { return d.slots[d.head] }

// Ahead returns the buffer delivered `steps` steps from now (1 ≤ steps ≤ maxDelay).
func (d *Delay) Ahead(steps int) []float64 { return d.slots[(d.head+steps)%len(d.slots)] }

// Advance zeroes the current buffer and moves to the next step.
func (d *Delay) Advance() {
	clear(d.slots[d.head])
	d.head = (d.head + 1) % len(d.slots)
}

// Poisson is per-neuron Poisson external input: neuron i receives events at
// Rate[i] (kHz, i.e. events per ms), each of weight Weight[i]. Per step the
// number of events is drawn from Poisson(Rate·dt) by inversion with one
// uniform draw; this is statistically equivalent to exponential
// inter-event intervals. Set rates with SetRate (it caches e^(−Rate·dt)).
type Poisson struct {
	Dt     float64   // step (ms)
	Rate   []float64 // rate per neuron (kHz); read-only, use SetRate
	Weight []float64 // weight per event (e.g. nS·ms for a conductance)
	p0     []float64 // e^(−Rate·dt)
}

// NewPoisson returns n Poisson inputs with a common rate (kHz) and weight.
func NewPoisson(n int, dt, rate, weight float64) (*Poisson, error) {
	if !(dt > 0) {
		return nil, fmt.Errorf("poisson input needs dt > 0, got %g", dt)
	}
	p := &Poisson{Dt: dt, Rate: make([]float64, n), Weight: make([]float64, n), p0: make([]float64, n)}
	for i := range p.Rate {
		if err := p.SetRate(i, rate); err != nil {
			return nil, err
		}
		p.Weight[i] = weight
	}
	return p, nil
}

// SetRate sets the rate of neuron i (kHz, ≥ 0, with rate·dt ≤ 50).
func (p *Poisson) SetRate(i int, rate float64) error {
	if !(rate >= 0) || rate*p.Dt > 50 {
		return fmt.Errorf("poisson rate must be >= 0 and rate·dt <= 50, got %g kHz", rate)
	}
	p.Rate[i] = rate
	p.p0[i] = math.Exp(-rate * p.Dt)
	return nil
}

// Add draws the events of one step for neurons [lo, hi) and adds
// count·Weight to target. It returns the number of events.
func (p *Poisson) Add(rng *rand.Rand, lo, hi int, target []float64) int {
	events := 0
	for i := lo; i < hi; i++ {
		u := rng.Float64()
		q := p.p0[i]
		if u < q {
			continue
		}
		k, cum, lam := 1, q, p.Rate[i]*p.Dt
		q *= lam
		cum += q
		for u >= cum && k < 1000 {
			k++
			q *= lam / float64(k)
			cum += q
		}
		target[i] += float64(k) * p.Weight[i]
		events += k
	}
	return events
}
