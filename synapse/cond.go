package synapse

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
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
	Dt     float64   // step (ms)
	Rate   []float64 // rate per neuron (kHz); read-only, use SetRate
	Weight []float64 // weight per event (e.g. nS·ms for a conductance)
	// thr holds the thresholds in groups of four neurons: u ≥
	// thr[16(i/4) + 4k + i%4] ⇔ count of neuron i > k, for a uniform u in
	// [0, 2³²) (see thrAt).
	thr []uint64
}

// thrAt is the index in thr of threshold k of neuron i.
func thrAt(i, k int) int { return (i>>2)*16 + k*4 + i&3 }

// NewPoisson returns n Poisson inputs with a common rate (kHz) and weight.
func NewPoisson(n int, dt, rate, weight float64) (*Poisson, error) {
	if !(dt > 0) {
		return nil, fmt.Errorf("poisson input needs dt > 0, got %g", dt)
	}
	p := &Poisson{Dt: dt, Rate: make([]float64, n), Weight: make([]float64, n), thr: make([]uint64, 16*((n+3)/4))}
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
	if p.Rate[i] == rate && p.thr[thrAt(i, 0)] != 0 {
		return nil
	}
	p.Rate[i] = rate
	lam := rate * p.Dt
	q := math.Exp(-lam)
	cum := 0.0
	for k := 0; k < 4; k++ {
		cum += q
		p.thr[thrAt(i, k)] = toThreshold(cum)
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
// count·Weight to target. It returns the number of events. It draws
// ⌈(hi−lo)/2⌉ values from src, each giving the uniforms of two neurons (low
// half first), exactly as that many src.Uint64 calls would: the generator
// (math/rand/v2's PCG-DXSM) is stepped inline with its state in registers
// and stored back into src at the end. With AVX2 and an even lo, groups of
// four neurons run in a vector kernel (same draws, same roundings).
func (p *Poisson) Add(src *rand.PCG, lo, hi int, target []float64) int {
	if hi <= lo {
		return 0
	}
	_, _ = target[hi-1], p.Weight[hi-1]
	var st [2]uint64
	st[0], st[1] = pcgState(src)
	events, i := 0, lo
	if useAVX && lo&1 == 0 {
		if i&3 != 0 && i+2 <= hi { // to a group boundary (one draw)
			events += p.addScalar(&st, i, i+2, target)
			i += 2
		}
		// Chunks of up to 64 neurons, with the draws and the tail flags of
		// each group in scratch.
		var scratch [3 * 16]uint64
		for i+4 <= hi {
			g := min((hi-i)>>2, 16)
			ev, tails := poissonAVX2(&st, &p.thr[thrAt(i, 0)], &p.Weight[i], &target[i], &scratch[0], g)
			events += ev
			if tails != 0 {
				for q := 0; q < g; q++ {
					m := scratch[3*q+2]
					for m != 0 {
						l := bits.TrailingZeros64(m)
						m &= m - 1
						u := (scratch[3*q+l>>1] >> (32 * (l & 1))) & math.MaxUint32
						n := i + 4*q + l
						k := p.tail(n, u)
						target[n] += float64(k) * p.Weight[n]
						events += k
					}
				}
			}
			i += 4 * g
		}
	}
	events += p.addScalar(&st, i, hi, target)
	src.Seed(st[0], st[1])
	return events
}

// addScalar is Add's loop for neurons [lo, hi) with the generator state st.
func (p *Poisson) addScalar(st *[2]uint64, lo, hi int, target []float64) int {
	events := 0
	sh, sl := st[0], st[1]
	var r uint64
	for i := lo; i < hi; i++ {
		if (i-lo)&1 == 0 {
			sh, sl, r = pcgNext(sh, sl)
		} else {
			r >>= 32
		}
		u := r & math.MaxUint32
		t := p.thr[thrAt(i, 0):]
		k := b2i(u >= t[0]) + b2i(u >= t[4]) + b2i(u >= t[8]) + b2i(u >= t[12])
		if k == 4 {
			k = p.tail(i, u)
		}
		target[i] += float64(k) * p.Weight[i]
		events += k
	}
	st[0], st[1] = sh, sl
	return events
}

// pcgState returns the 128-bit state (high, low word) of src.
func pcgState(src *rand.PCG) (hi, lo uint64) {
	var buf [20]byte
	b, _ := src.AppendBinary(buf[:0]) // "pcg:" + hi + lo, big-endian
	return binary.BigEndian.Uint64(b[4:]), binary.BigEndian.Uint64(b[12:])
}

// pcgNext advances the PCG state (hi, lo) once and returns the new state
// and the output, as math/rand/v2's (*PCG).Uint64 does (128-bit LCG, DXSM
// output); TestPCGNextMatchesRand checks it against the library.
func pcgNext(hi, lo uint64) (nhi, nlo, out uint64) {
	const (
		mulHi    = 2549297995355413924
		mulLo    = 4865540595714422341
		incHi    = 6364136223846793005
		incLo    = 1442695040888963407
		cheapMul = 0xda942042e4dd58b5
	)
	h, l := bits.Mul64(lo, mulLo)
	h += hi*mulLo + lo*mulHi
	l, c := bits.Add64(l, incLo, 0)
	h, _ = bits.Add64(h, incHi, c)
	o := h
	o ^= o >> 32
	o *= cheapMul
	o ^= o >> 48
	o *= l | 1
	return h, l, o
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
