package learn

import (
	"fmt"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/vec"
)

// InhibSTDPParams are the constants of the inhibitory plasticity rule of
// Vogels et al. 2011 as used by Maes et al. 2020 (sim.jl).
type InhibSTDPParams struct {
	Eta  float64 `yaml:"eta"`      // learning rate η (weight units per unit trace); 1 (code; the paper says 1e-5)
	R0   float64 `yaml:"r0_khz"`   // target postsynaptic rate r0 (kHz); 0.003
	TauY float64 `yaml:"tau_y_ms"` // spike trace time constant τ_y (ms); 20
	WMin float64 `yaml:"w_min"`    // lower bound; 48.7
	WMax float64 `yaml:"w_max"`    // upper bound; 243
}

// DefaultInhibSTDP returns a neutral inhibitory rule: target rate 5 Hz
// (0.005 kHz), trace τ_y = 20 ms, η = 0.01, weights in [0, 100].
func DefaultInhibSTDP() InhibSTDPParams {
	return InhibSTDPParams{Eta: 0.01, R0: 0.005, TauY: 20, WMin: 0, WMax: 100}
}

// Validate reports the first unusable parameter (a *sim.ParamError).
func (p InhibSTDPParams) Validate() error {
	switch {
	case !(p.TauY > 0):
		return sim.BadParam("InhibSTDP", []string{"TauY"}, "{0} must be > 0, got %g", p.TauY)
	case !(p.Eta >= 0):
		return sim.BadParam("InhibSTDP", []string{"Eta"}, "{0} must be >= 0, got %g", p.Eta)
	case !(p.R0 >= 0):
		return sim.BadParam("InhibSTDP", []string{"R0"}, "{0} must be >= 0, got %g", p.R0)
	case !(p.WMax > p.WMin):
		return sim.BadParam("InhibSTDP", []string{"WMax", "WMin"}, "{0} (%g) must exceed {1} (%g)", p.WMax, p.WMin)
	}
	return nil
}

// InhibSTDP is the symmetric inhibitory STDP rule of Vogels et al. 2011
// on the block [ILo, IHi) → [ELo, EHi) of a square matrix whose pre and
// post indices are the same neurons. Every neuron has a trace y (τ_y, +1
// per spike). When postsynaptic neuron i spikes, each synapse j→i gains
// η·y_j (then w ≤ w_max); when presynaptic j spikes, each synapse j→i
// changes by η·(y_i − 2·r0·τ_y) (then clipped to [w_min, w_max]). The
// constant 2·r0·τ_y sets the postsynaptic rate at the fixed point to r0.
type InhibSTDP struct {
	P                  InhibSTDPParams
	Dt                 float64
	M                  *connect.Sparse
	ILo, IHi, ELo, EHi int
	Y                  []float64 // trace of every neuron
	preSeg, postSeg    []int64
}

// NewInhibSTDP returns the rule on block [iLo, iHi) → [eLo, eHi) of the square matrix m.
func NewInhibSTDP(p InhibSTDPParams, dt float64, m *connect.Sparse, iLo, iHi, eLo, eHi int) (*InhibSTDP, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if m.NPre != m.NPost {
		return nil, fmt.Errorf("istdp needs a square matrix (shared neuron indices), got %d×%d", m.NPost, m.NPre)
	}
	if iLo < 0 || iHi > m.NPre || iLo > iHi || eLo < 0 || eHi > m.NPost || eLo > eHi {
		return nil, fmt.Errorf("istdp block [%d,%d)→[%d,%d) outside a %d×%d matrix", iLo, iHi, eLo, eHi, m.NPost, m.NPre)
	}
	return &InhibSTDP{P: p, Dt: dt, M: m, ILo: iLo, IHi: iHi, ELo: eLo, EHi: eHi, Y: make([]float64, m.NPre),
		preSeg: m.Segments(false, eLo, eHi), postSeg: m.Segments(true, iLo, iHi)}, nil
}

// Decay decays every trace by one step (call before Spikes).
func (r *InhibSTDP) Decay() { r.DecayRange(0, len(r.Y)) }

// DecayRange is Decay for the neurons [lo, hi) only.
func (r *InhibSTDP) DecayRange(lo, hi int) {
	vec.Scale(r.Y[lo:hi], 1-r.Dt/r.P.TauY)
}

// Spikes increments the traces of the spiking neurons and applies the
// weight changes they trigger.
func (r *InhibSTDP) Spikes(spikes []int32) {
	for _, s := range spikes {
		r.Y[s]++
	}
	W, post, pre, idx, y := r.M.W, r.M.Post, r.M.Pre, r.M.Idx, r.Y
	eta, wmin, wmax := r.P.Eta, r.P.WMin, r.P.WMax
	off := 2 * r.P.R0 * r.P.TauY
	for _, s := range spikes {
		i := int(s)
		if i >= r.ELo && i < r.EHi {
			a, b := r.postSeg[2*i], r.postSeg[2*i+1]
			for k := a; k < b; k++ {
				p := idx[k]
				w := W[p] + eta*y[pre[k]]
				if w > wmax {
					w = wmax
				}
				W[p] = w
			}
		}
		if i >= r.ILo && i < r.IHi {
			a, b := r.preSeg[2*i], r.preSeg[2*i+1]
			for k := a; k < b; k++ {
				w := W[k] + eta*(y[post[k]]-off)
				W[k] = min(max(w, wmin), wmax)
			}
		}
	}
}

// Normalizer is additive synaptic normalisation of the incoming weights of
// each postsynaptic neuron in [PostLo, PostHi) from presynaptic neurons in
// [PreLo, PreHi): Apply subtracts (S_i − S_i⁰)/N_i from every such
// synapse onto i, where S_i is their current sum, S_i⁰ the sum captured
// by Capture and N_i their number, then clips to [WMin, WMax]. Both passes
// stream through the weights in their by-pre storage order (the by-post
// view would make every access an indirect one).
//
// The tracked form needs one pass instead of two: Running holds S_i, kept
// current by the plasticity rules that change the block's weights
// (VoltageSTDP with RowSums = Running), so TrackedShifts needs no sum
// pass, and ShiftSumRange applies the shifts while it re-forms the exact
// sums of the new weights (SetRunning), which clears the rounding that the
// running updates accumulate between normalisations.
type Normalizer struct {
	M                            *connect.Sparse
	PreLo, PreHi, PostLo, PostHi int
	WMin, WMax                   float64
	Target                       []float64 // S_i⁰ per postsynaptic neuron
	// Running is S_i per postsynaptic neuron for the tracked form: set by
	// Capture, Resum and SetRunning; every other change of a weight of the
	// block must be added to it (or Resum called) before TrackedShifts.
	Running    []float64
	preSeg     []int64
	count, sum []float64 // N_i, and S_i then the shift per postsynaptic neuron
	// post16 holds the post indices of the block's synapses as 16 bits
	// (same positions as M.Post; nil unless the assembly loop is used and
	// every index fits), for a tenth less memory traffic per normalisation.
	post16 []uint16
}

// NewNormalizer returns the normaliser of block [preLo, preHi) → [postLo,
// postHi) of m, with the targets captured from the current weights.
func NewNormalizer(m *connect.Sparse, preLo, preHi, postLo, postHi int, wmin, wmax float64) (*Normalizer, error) {
	if preLo < 0 || preHi > m.NPre || preLo > preHi || postLo < 0 || postHi > m.NPost || postLo > postHi {
		return nil, fmt.Errorf("normalisation block [%d,%d)→[%d,%d) outside a %d×%d matrix", preLo, preHi, postLo, postHi, m.NPost, m.NPre)
	}
	if !(wmax > wmin) {
		return nil, fmt.Errorf("normalisation bounds: w_max (%g) must exceed w_min (%g)", wmax, wmin)
	}
	n := &Normalizer{M: m, PreLo: preLo, PreHi: preHi, PostLo: postLo, PostHi: postHi, WMin: wmin, WMax: wmax,
		Target: make([]float64, m.NPost), preSeg: m.Segments(false, postLo, postHi),
		count: make([]float64, m.NPost), sum: make([]float64, m.NPost), Running: make([]float64, m.NPost)}
	post := m.Post
	for j := preLo; j < preHi; j++ {
		for k := n.preSeg[2*j]; k < n.preSeg[2*j+1]; k++ {
			n.count[post[k]]++
		}
	}
	if useNormAsm && m.NPost <= 1<<16 && wmin > 0 {
		n.post16 = make([]uint16, len(post))
		for j := preLo; j < preHi; j++ {
			for k := n.preSeg[2*j]; k < n.preSeg[2*j+1]; k++ {
				n.post16[k] = uint16(post[k])
			}
		}
	}
	n.Capture()
	return n, nil
}

// sums sets sum[i] = S_i for every postsynaptic neuron of the block.
func (n *Normalizer) sums() {
	clear(n.sum[n.PostLo:n.PostHi])
	n.AddSums(n.PreLo, n.PreHi, n.sum)
}

// AddSums adds to dst[i] the weights onto each postsynaptic neuron i of
// the block from the presynaptic neurons [lo, hi) ∩ [PreLo, PreHi)
// (partial sums of disjoint presynaptic ranges can be formed in parallel;
// see Shifts).
func (n *Normalizer) AddSums(lo, hi int, dst []float64) {
	W, post := n.M.W, n.M.Post
	for j := max(lo, n.PreLo); j < min(hi, n.PreHi); j++ {
		a, b := n.preSeg[2*j], n.preSeg[2*j+1]
		for k, i := range post[a:b] {
			dst[i] += W[a+int64(k)]
		}
	}
}

// Capture sets every S_i⁰ (and Running) to the current sum of incoming weights.
func (n *Normalizer) Capture() {
	n.sums()
	copy(n.Target[n.PostLo:n.PostHi], n.sum[n.PostLo:n.PostHi])
	copy(n.Running[n.PostLo:n.PostHi], n.sum[n.PostLo:n.PostHi])
}

// Resum sets Running to the current sums of incoming weights (after
// weights were changed without updating it).
func (n *Normalizer) Resum() {
	n.sums()
	copy(n.Running[n.PostLo:n.PostHi], n.sum[n.PostLo:n.PostHi])
}

// TrackedShifts sets the shift (S_i − S_i⁰)/N_i of every postsynaptic
// neuron from Running (no pass over the weights); ShiftSumRange then
// applies it.
func (n *Normalizer) TrackedShifts() {
	copy(n.sum[n.PostLo:n.PostHi], n.Running[n.PostLo:n.PostHi])
	n.shifts()
}

// ShiftSumRange is ShiftRange that also adds the new weights onto each
// postsynaptic neuron to dst (partial sums of disjoint presynaptic ranges,
// to be combined by SetRunning).
//
// On amd64 with w_min > 0 (so that no bound is a signed zero and the
// machine's max/min equal Go's), each presynaptic row runs in an assembly
// loop with the same operations per weight (about a third less time: Go's
// min/max and the bounds checks cost more instructions than the memory
// traffic of this pass).
func (n *Normalizer) ShiftSumRange(lo, hi int, dst []float64) {
	W, post, d := n.M.W, n.M.Post, n.sum
	wlo, whi := n.WMin, n.WMax
	vec := useNormAsm && wlo > 0 && n.PostHi > n.PostLo
	if vec {
		_, _ = d[n.PostHi-1], dst[n.PostHi-1] // the kernel does not check the post indices
	}
	for j := max(lo, n.PreLo); j < min(hi, n.PreHi); j++ {
		a, b := n.preSeg[2*j], n.preSeg[2*j+1]
		if vec {
			if b > a {
				if n.post16 != nil {
					normShiftSum16Asm(&W[a], &n.post16[a], int(b-a), &d[0], &dst[0], wlo, whi)
				} else {
					normShiftSumAsm(&W[a], &post[a], int(b-a), &d[0], &dst[0], wlo, whi)
				}
			}
			continue
		}
		w := W[a:b]
		for k, i := range post[a:b] {
			x := min(max(w[k]-d[i], wlo), whi)
			w[k] = x
			dst[i] += x
		}
	}
}

// SetRunning sets Running to the sum of the partial sums (ShiftSumRange
// or AddSums of disjoint presynaptic ranges covering the block), added in
// the order given.
func (n *Normalizer) SetRunning(partial [][]float64) {
	s := n.Running[n.PostLo:n.PostHi]
	clear(s)
	for _, p := range partial {
		for i, v := range p[n.PostLo:n.PostHi] {
			s[i] += v
		}
	}
}

// Apply normalises every postsynaptic neuron once.
func (n *Normalizer) Apply() {
	n.sums()
	n.shifts()
	n.ShiftRange(n.PreLo, n.PreHi)
}

// Shifts sets the shift (S_i − S_i⁰)/N_i of every postsynaptic neuron from
// partial sums (AddSums of disjoint presynaptic ranges covering the block),
// added in the order given, so a fixed split gives the same result however
// the partial sums were scheduled. ShiftRange then applies it.
func (n *Normalizer) Shifts(partial [][]float64) {
	s := n.sum[n.PostLo:n.PostHi]
	clear(s)
	for _, p := range partial {
		for i, v := range p[n.PostLo:n.PostHi] {
			s[i] += v
		}
	}
	n.shifts()
}

func (n *Normalizer) shifts() {
	d := n.sum
	for i := n.PostLo; i < n.PostHi; i++ {
		if n.count[i] > 0 {
			d[i] = (d[i] - n.Target[i]) / n.count[i]
		}
	}
}

// ShiftRange subtracts the shifts set by Apply or Shifts from the synapses
// of the presynaptic neurons [lo, hi) ∩ [PreLo, PreHi) and clips them.
func (n *Normalizer) ShiftRange(lo, hi int) {
	W, post, d := n.M.W, n.M.Post, n.sum
	wlo, whi := n.WMin, n.WMax
	for j := max(lo, n.PreLo); j < min(hi, n.PreHi); j++ {
		a, b := n.preSeg[2*j], n.preSeg[2*j+1]
		w := W[a:b]
		for k, i := range post[a:b] {
			w[k] = min(max(w[k]-d[i], wlo), whi)
		}
	}
}
