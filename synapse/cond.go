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

// StepRange is Step restricted to [lo, hi). With AVX2, groups of four run
// in a vector kernel with the same operations (bit-identical results).
func (c *CondDiffExp) StepRange(lo, hi int, S []float64) {
	ar, ad := 1-c.Dt/c.TauR, 1-c.Dt/c.TauD
	inv := 1 / (c.TauD - c.TauR)
	if n4 := (hi - lo) &^ 3; useAVX && n4 > 0 {
		_, _, _, _ = c.XR[lo+n4-1], c.XD[lo+n4-1], c.G[lo+n4-1], S[lo+n4-1] // bounds (the kernel does not check them)
		condStepAVX(&c.XR[lo], &c.XD[lo], &c.G[lo], &S[lo], n4, ar, ad, inv)
		lo += n4
	}
	if lo >= hi {
		return
	}
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
// number of events is drawn from Poisson(Rate·dt) by inversion of one
// 32-bit uniform (half of one 64-bit PCG draw): the counts 0–3 come from a
// comparison with four cached cumulative thresholds (no branch), larger
// counts from continuing the inversion in float64. This is statistically
// equivalent to exponential inter-event intervals; the probabilities are
// exact to 2⁻³². Set rates with SetRate (it recomputes the thresholds).
type Poisson struct {
	Dt     float64     // step (ms)
	Rate   []float64   // rate per neuron (kHz); read-only, use SetRate
	Weight []float64   // weight per event (e.g. nS·ms for a conductance)
	thr    [][4]uint64 // u ≥ thr[k] ⇔ count > k, for a uniform u in [0, 2³²)
}

// NewPoisson returns n Poisson inputs with a common rate (kHz) and weight.
func NewPoisson(n int, dt, rate, weight float64) (*Poisson, error) {
	if !(dt > 0) {
		return nil, fmt.Errorf("poisson input needs dt > 0, got %g", dt)
	}
	p := &Poisson{Dt: dt, Rate: make([]float64, n), Weight: make([]float64, n), thr: make([][4]uint64, n)}
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
	if p.Rate[i] == rate && p.thr[i][0] != 0 {
		return nil
	}
	p.Rate[i] = rate
	lam := rate * p.Dt
	q := math.Exp(-lam)
	cum := 0.0
	for k := 0; k < 4; k++ {
		cum += q
		p.thr[i][k] = toThreshold(cum)
		q *= lam / float64(k+1)
	}
	return nil
}

// toThreshold maps a cumulative probability c to the threshold t with
// P(u ≥ t) = 1 − c for u uniform on the integers [0, 2³²); t = 2³² (never
// reached) when c rounds to 1.
func toThreshold(c float64) uint64 {
	return uint64(min(math.Round(c*(1<<32)), 1<<32))
}

// b2i is 1 for true, 0 for false (compiled to a flag move, no branch).
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Add draws the events of one step for neurons [lo, hi) from src and adds
// count·Weight to target. It returns the number of events.
func (p *Poisson) Add(src *rand.PCG, lo, hi int, target []float64) int {
	events := 0
	thr, w, tg := p.thr[lo:hi], p.Weight[lo:hi], target[lo:hi]
	var bits uint64
	for i := range thr {
		if i&1 == 0 {
			bits = src.Uint64()
		} else {
			bits >>= 32
		}
		u := bits & math.MaxUint32
		t := &thr[i]
		k := b2i(u >= t[0]) + b2i(u >= t[1]) + b2i(u >= t[2]) + b2i(u >= t[3])
		if k == 4 {
			k = p.tail(lo+i, u)
		}
		tg[i] += float64(k) * w[i]
		events += k
	}
	return events
}

// tail continues the inversion beyond a count of 3 (rare at the small
// rate·dt of external input).
func (p *Poisson) tail(i int, u uint64) int {
	lam := p.Rate[i] * p.Dt
	x := (float64(u) + 0.5) / (1 << 32)
	q := math.Exp(-lam)
	cum := q
	k := 0
	for x >= cum && k < 1000 {
		k++
		q *= lam / float64(k)
		cum += q
	}
	return max(k, 4)
}
