package learn

import (
	"fmt"
	"math"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/vec"
)

// TraceSTDPParams are the parameters of pair-based STDP with traces.
// Weights are in the unit of the input the projection feeds.
type TraceSTDPParams struct {
	APlus      float64 // potentiation per pair at Δt → 0⁺ (weight unit, ≥ 0)
	AMinus     float64 // depression per pair at Δt → 0⁻ (weight unit, ≥ 0; subtracted)
	TauPlusMS  float64 // presynaptic trace time constant τ₊ (ms, > 0)
	TauMinusMS float64 // postsynaptic trace time constant τ₋ (ms, > 0)
	WMin, WMax float64 // hard bounds of the weights (WMin ≤ WMax)
}

// Validate reports the first unusable parameter.
func (p TraceSTDPParams) Validate() error {
	switch {
	case !(p.APlus >= 0) || !(p.AMinus >= 0) || math.IsInf(p.APlus, 0) || math.IsInf(p.AMinus, 0):
		return sim.BadParam("TraceSTDP", []string{"APlus", "AMinus"}, "{0} and {1} must be finite and >= 0, got %g, %g", p.APlus, p.AMinus)
	case !(p.TauPlusMS > 0) || !(p.TauMinusMS > 0):
		return sim.BadParam("TraceSTDP", []string{"TauPlusMS", "TauMinusMS"}, "{0} and {1} must be > 0, got %g, %g ms", p.TauPlusMS, p.TauMinusMS)
	case !(p.WMin <= p.WMax):
		return sim.BadParam("TraceSTDP", []string{"WMin", "WMax"}, "{0} (%g) must be <= {1} (%g)", p.WMin, p.WMax)
	}
	return nil
}

// TraceSTDP is additive pair-based STDP (all-to-all pairing) as a sim.Rule.
// Every presynaptic neuron j has a trace x_j, every postsynaptic neuron i a
// trace y_i; they decay by e^(−dt/τ₊), e^(−dt/τ₋) per step (slot 2) and jump
// by 1 at each spike of their neuron. In slot 6, first each presynaptic
// spike of j raises x_j and depresses every synapse j→i by A₋·y_i (then
// w ≥ WMin); then each postsynaptic spike of i raises y_i and potentiates
// every synapse j→i by A₊·x_j (then w ≤ WMax). One pair with the
// postsynaptic spike Δt = t_post − t_pre > 0 after the presynaptic one thus
// changes w by A₊·e^(−Δt/τ₊), with Δt < 0 by −A₋·e^(Δt/τ₋); simultaneous
// spikes count as Δt = 0⁺.
type TraceSTDP struct {
	P         TraceSTDPParams
	M         *connect.Sparse
	Pre, Post sim.Group
	X, Y      []float64 // presynaptic and postsynaptic traces
	ex, ey    float64
}

// NewTraceSTDP returns the rule on the weights of m (Post.Len()×Pre.Len();
// a connect.Projection of &m.CSR reads them).
func NewTraceSTDP(env sim.Env, pre, post sim.Group, m *connect.Sparse, p TraceSTDPParams) (*TraceSTDP, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if pre == nil || post == nil || m == nil {
		return nil, fmt.Errorf("trace STDP needs its groups and matrix")
	}
	if m.NPre != pre.Len() || m.NPost != post.Len() {
		return nil, fmt.Errorf("trace STDP matrix is %d×%d, the groups need %d×%d (post×pre)", m.NPost, m.NPre, post.Len(), pre.Len())
	}
	if !(env.DtMS > 0) {
		return nil, fmt.Errorf("trace STDP needs a time step > 0, got %g ms", env.DtMS)
	}
	return &TraceSTDP{P: p, M: m, Pre: pre, Post: post, X: make([]float64, m.NPre), Y: make([]float64, m.NPost),
		ex: math.Exp(-env.DtMS / p.TauPlusMS), ey: math.Exp(-env.DtMS / p.TauMinusMS)}, nil
}

// Filter decays the traces (slot 2).
func (r *TraceSTDP) Filter(*sim.StepContext) {
	vec.Scale(r.X, r.ex)
	vec.Scale(r.Y, r.ey)
}

// Apply applies the spikes of the step (slot 6).
func (r *TraceSTDP) Apply(sc *sim.StepContext) {
	m, W := r.M, r.M.W
	for _, j := range sc.Spikes(r.Pre) {
		r.X[j]++
		for k := m.Start[j]; k < m.Start[j+1]; k++ {
			W[k] = max(W[k]-r.P.AMinus*r.Y[m.Post[k]], r.P.WMin)
		}
	}
	for _, i := range sc.Spikes(r.Post) {
		r.Y[i]++
		for k := m.PostStart[i]; k < m.PostStart[i+1]; k++ {
			p := m.Idx[k]
			W[p] = min(W[p]+r.P.APlus*r.X[m.Pre[k]], r.P.WMax)
		}
	}
}
