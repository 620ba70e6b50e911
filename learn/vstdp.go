package learn

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/vec"
)

// VoltageSTDPParams are the constants of the voltage-based STDP rule of
// Clopath et al. 2010 in the form of the Maes et al. 2020 code. Voltages in
// mV, times in ms; amplitudes are per ms (they are multiplied by dt).
type VoltageSTDPParams struct {
	ALTP     float64 `yaml:"a_ltp"`        // LTP amplitude A_LTP (1/(mV²·ms)); 0.0008
	ALTD     float64 `yaml:"a_ltd"`        // LTD amplitude A_LTD (1/(mV·ms)); 0.0014
	ThetaLTP float64 `yaml:"theta_ltp_mv"` // LTP voltage threshold θ_LTP (mV); −49
	ThetaLTD float64 `yaml:"theta_ltd_mv"` // LTD threshold θ_LTD (mV); −70
	TauU     float64 `yaml:"tau_u_ms"`     // LTD filter ū of the postsynaptic V (ms); 10
	TauV     float64 `yaml:"tau_v_ms"`     // LTP filter v̄ of the postsynaptic V (ms); 7
	TauX     float64 `yaml:"tau_x_ms"`     // presynaptic trace x (ms); 3.5 (5 for the read-out)
	WMin     float64 `yaml:"w_min"`        // hard lower bound; 1.45 (0 for the read-out)
	WMax     float64 `yaml:"w_max"`        // upper bound; 32.68 (25 for the read-out)
	// SoftBound scales LTP by (w_max − w)/w_max (the read-out's variant)
	// instead of clipping at w_max.
	SoftBound bool `yaml:"soft_bound"`
}

// DefaultVoltageSTDP returns the visual-cortex constants of Clopath et al.
// 2010 (A_LTP = 8·10⁻⁵ /mV², A_LTD = 14·10⁻⁵ /mV, θ+ = −45.3 mV,
// θ− = −70.6 mV, τ− = 10 ms, τ+ = 7 ms, τx = 15 ms), weights in [0, 1].
func DefaultVoltageSTDP() VoltageSTDPParams {
	return VoltageSTDPParams{ALTP: 8e-5, ALTD: 14e-5, ThetaLTP: -45.3, ThetaLTD: -70.6, TauU: 10, TauV: 7, TauX: 15, WMin: 0, WMax: 1}
}

// Validate reports the first unusable parameter (a *sim.ParamError).
func (p VoltageSTDPParams) Validate() error {
	for _, f := range []struct {
		n string
		v float64
	}{{"TauU", p.TauU}, {"TauV", p.TauV}, {"TauX", p.TauX}} {
		if !(f.v > 0) {
			return sim.BadParam("VoltageSTDP", []string{f.n}, "{0} must be > 0, got %g", f.v)
		}
	}
	if !(p.ALTP >= 0) || !(p.ALTD >= 0) {
		return sim.BadParam("VoltageSTDP", []string{"ALTP", "ALTD"}, "{0} and {1} must be >= 0")
	}
	if !(p.WMax > p.WMin) {
		return sim.BadParam("VoltageSTDP", []string{"WMax", "WMin"}, "{0} (%g) must exceed {1} (%g)", p.WMax, p.WMin)
	}
	return nil
}

// VoltageSTDP is the voltage-based STDP rule acting on the block
// [PreLo, PreHi) → [PostLo, PostHi) of a sparse matrix, as implemented in
// the Maes et al. 2020 code:
//
//   - ū and v̄ low-pass filter the postsynaptic V of the previous step
//     (Filters, before the neuron update); x is a presynaptic trace, decayed
//     in Filters and incremented by 1 per presynaptic spike (PreSpikes).
//   - LTD, on each presynaptic spike of j, for every synapse j→i:
//     w −= dt·A_LTD·[ū_i − θ_LTD]₊, then w ≥ w_min.
//   - LTP, every step, for each postsynaptic i with V_i > θ_LTP and
//     v̄_i > θ_LTD (V_i after this step's update, so a neuron that spiked
//     and was reset does not potentiate), for every synapse j→i:
//     w += dt·A_LTP·x_j·(V_i − θ_LTP)·(v̄_i − θ_LTD), then w ≤ w_max
//     (or the increment scaled by (w_max − w)/w_max with SoftBound).
//
// Only existing synapses change; none is created or removed.
type VoltageSTDP struct {
	P                            VoltageSTDPParams
	Dt                           float64 // step (ms)
	M                            *connect.Sparse
	PreLo, PreHi, PostLo, PostHi int
	U, VBar                      []float64 // ū and v̄ of each postsynaptic neuron (index = post index; mV)
	X                            []float64 // presynaptic trace of each presynaptic neuron (index = pre index)
	// RowSums, when not nil (index = post index), receives every weight
	// change of LTD and LTP: RowSums[i] += w_new − w_old for a synapse
	// onto i (a Normalizer's Running sums).
	RowSums         []float64
	preSeg, postSeg []int64
}

// NewVoltageSTDP returns the rule on block [preLo, preHi) → [postLo,
// postHi) of m, with ū = v̄ = u0 (mV) and x = 0.
func NewVoltageSTDP(p VoltageSTDPParams, dt float64, m *connect.Sparse, preLo, preHi, postLo, postHi int, u0 float64) (*VoltageSTDP, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if preLo < 0 || preHi > m.NPre || preLo > preHi || postLo < 0 || postHi > m.NPost || postLo > postHi {
		return nil, fmt.Errorf("stdp block [%d,%d)→[%d,%d) outside a %d×%d matrix", preLo, preHi, postLo, postHi, m.NPost, m.NPre)
	}
	r := &VoltageSTDP{P: p, Dt: dt, M: m, PreLo: preLo, PreHi: preHi, PostLo: postLo, PostHi: postHi,
		U: make([]float64, m.NPost), VBar: make([]float64, m.NPost), X: make([]float64, m.NPre),
		preSeg: m.Segments(false, postLo, postHi), postSeg: m.Segments(true, preLo, preHi)}
	for i := postLo; i < postHi; i++ {
		r.U[i], r.VBar[i] = u0, u0
	}
	return r, nil
}

// Filters advances ū and v̄ with the postsynaptic potentials v (index =
// post index; the V of the previous step) and decays x by one step.
func (r *VoltageSTDP) Filters(v []float64) {
	r.FiltersRange(0, max(r.PostHi, r.PreHi), v)
}

// FiltersRange is Filters restricted to the neuron indices [lo, hi): ū and
// v̄ of the postsynaptic neurons and x of the presynaptic neurons in that
// range (disjoint ranges can run in parallel). With AVX2, ū and v̄ of groups
// of four are updated by a vector kernel with the same operations.
func (r *VoltageSTDP) FiltersRange(lo, hi int, v []float64) {
	ku, kv, kx := r.Dt/r.P.TauU, r.Dt/r.P.TauV, 1-r.Dt/r.P.TauX
	if a, b := max(lo, r.PostLo), min(hi, r.PostHi); a < b {
		if n4 := (b - a) &^ 3; useAVX2 && n4 > 0 {
			_, _, _ = r.U[a+n4-1], r.VBar[a+n4-1], v[a+n4-1] // bounds (the kernel does not check them)
			filtersAVX(&r.U[a], &r.VBar[a], &v[a], n4, ku, kv)
			a += n4
		}
		u, vb := r.U[a:b], r.VBar[a:b]
		for i, vi := range v[a:b] {
			u[i] += float64(ku * (vi - u[i])) // float64(): no fused multiply-add, as the kernel
			vb[i] += float64(kv * (vi - vb[i]))
		}
	}
	if a, b := max(lo, r.PreLo), min(hi, r.PreHi); a < b {
		vec.Scale(r.X[a:b], kx)
	}
}

// PreSpikes adds 1 to x of every spiking neuron in the presynaptic block.
func (r *VoltageSTDP) PreSpikes(spikes []int32) {
	for _, j := range spikes {
		if int(j) >= r.PreLo && int(j) < r.PreHi {
			r.X[j]++
		}
	}
}

// LTD depresses the outgoing synapses of every spiking presynaptic neuron.
func (r *VoltageSTDP) LTD(spikes []int32) {
	c := r.Dt * r.P.ALTD
	th, wmin := r.P.ThetaLTD, r.P.WMin
	W, post, u, rs := r.M.W, r.M.Post, r.U, r.RowSums
	for _, j := range spikes {
		if int(j) < r.PreLo || int(j) >= r.PreHi {
			continue
		}
		a, b := r.preSeg[2*j], r.preSeg[2*j+1]
		for k := a; k < b; k++ {
			i := post[k]
			d := u[i] - th
			if d > 0 {
				w := W[k] - c*d
				if w < wmin {
					w = wmin
				}
				if rs != nil {
					rs[i] += w - W[k]
				}
				W[k] = w
			}
		}
	}
}

// LTP potentiates the incoming synapses of every postsynaptic neuron whose
// potential v (index = post index; this step's V) is above θ_LTP while v̄
// is above θ_LTD. It returns the number of neurons that potentiated.
func (r *VoltageSTDP) LTP(v []float64) int {
	return r.LTPRange(r.PostLo, r.PostHi, v)
}

// LTPRange is LTP for the postsynaptic neurons [lo, hi) only (blocks of
// postsynaptic neurons touch disjoint weights and can run in parallel).
//
// With hard bounds and w_min > 0, a synapse whose increment f·x_j is below
// half the floating-point spacing of w_min (2^(e−53) for w_min in
// [2^e, 2^(e+1))) is skipped without reading its weight: adding it would
// round back to the same weight for every w ≥ w_min, so the result is
// bit-identical to updating every synapse (weights below w_min, which only
// an initialisation below the bound can create, could miss increments
// smaller than 2^(e−53)). Most presynaptic traces are that small: x decays
// by e^(−dt/τ_x) per step and stays above the cut only for about 100 ms
// after a spike.
func (r *VoltageSTDP) LTPRange(lo, hi int, v []float64) int {
	thP, thD := r.P.ThetaLTP, r.P.ThetaLTD
	half := 0.0 // increments below half are no-ops for every w ≥ w_min
	if r.P.WMin > 0 && !r.P.SoftBound {
		_, e := math.Frexp(r.P.WMin) // w_min in [2^(e−1), 2^e)
		half = math.Ldexp(1, e-1-53)
	}
	n, i := 0, lo
	if (useAVX512F || useLTPAVX) && hi-lo >= 8 {
		// The potentiating neurons of groups of eight from a vector
		// comparison (flag bits), then each in order.
		_, _ = v[hi-1], r.VBar[hi-1]
		var flags [64]uint8
		for hi-i >= 8 {
			m := min(hi-i, 8*len(flags)) &^ 7
			if useAVX512F {
				ltpPostsAVX512(&v[i], &r.VBar[i], m, thP, thD, &flags[0])
			} else {
				ltpPostsAVX(&v[i], &r.VBar[i], m, thP, thD, &flags[0])
			}
			for g, f := range flags[:m/8] {
				for ; f != 0; f &= f - 1 {
					n++
					r.ltpPost(i+8*g+bits.TrailingZeros8(f), v[i+8*g+bits.TrailingZeros8(f)], half)
				}
			}
			i += m
		}
	}
	for ; i < hi; i++ {
		if v[i] > thP && r.VBar[i] > thD {
			n++
			r.ltpPost(i, v[i], half)
		}
	}
	return n
}

// ltpPost potentiates the inputs of postsynaptic neuron i (potential vi
// above θ_LTP, v̄ above θ_LTD) as LTPRange describes.
func (r *VoltageSTDP) ltpPost(i int, vi, half float64) {
	c := r.Dt * r.P.ALTP
	thP, thD, wmax := r.P.ThetaLTP, r.P.ThetaLTD, r.P.WMax
	W, pre, idx, x := r.M.W, r.M.Pre, r.M.Idx, r.X
	f := c * (vi - thP) * (r.VBar[i] - thD)
	a, b := r.postSeg[2*i], r.postSeg[2*i+1]
	ds := 0.0
	if r.P.SoftBound {
		g := f / wmax
		for k := a; k < b; k++ {
			p := idx[k]
			dw := g * x[pre[k]] * (wmax - W[p])
			W[p] += dw
			ds += dw
		}
	} else {
		// x_j < cut implies f·x_j < half (the factor keeps the strict
		// inequality through the rounding of the division and product).
		cut := half / f * (1 - 1e-9)
		k := a
		if (useAVX512F || useLTPAVX) && b-a >= 16 {
			// The inputs at or above the cut, selected in order by a
			// vector kernel (chunks of up to 256), then updated.
			_, _ = pre[b-1], idx[b-1]
			var sIdx [256]int32
			var sX [256]float64
			for b-k >= 16 {
				m := min(b-k, int64(len(sIdx))) &^ 15
				var cnt int
				if useAVX512F {
					cnt = ltpSelectAVX512(&pre[k], &idx[k], int(m), &x[0], cut, &sIdx[0], &sX[0])
				} else {
					cnt = ltpSelectAVX(&pre[k], &idx[k], int(m), &x[0], cut, &sIdx[0], &sX[0])
				}
				for q, p := range sIdx[:cnt] {
					old := W[p]
					w := old + f*sX[q]
					if w > wmax {
						w = wmax
					}
					ds += w - old
					W[p] = w
				}
				k += m
			}
		}
		for ; k < b; k++ {
			xj := x[pre[k]]
			if xj < cut {
				continue
			}
			p := idx[k]
			old := W[p]
			w := old + f*xj
			if w > wmax {
				w = wmax
			}
			ds += w - old
			W[p] = w
		}
	}
	if r.RowSums != nil {
		r.RowSums[i] += ds
	}
}
