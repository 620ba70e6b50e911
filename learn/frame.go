package learn

import (
	"fmt"

	"github.com/spikelab/spikelab/sim"
)

// VoltageSTDPRule runs a VoltageSTDP as a sim.Rule of a sim.Network: in
// slot 2 (Filter) ū, v̄ and x advance with the postsynaptic potentials of
// the previous step; in slot 6 (Apply) the presynaptic spikes of the step
// raise x and cause LTD, and LTP reads the potentials as Step left them
// (after the reset for groups that reset inside Step, as in Maes et al.
// 2020). Weights change in the rule's connect.Sparse, which a
// connect.Projection of the same matrix (&M.CSR) reads.
type VoltageSTDPRule struct {
	R         *VoltageSTDP
	Pre, Post sim.Group
}

// NewVoltageSTDPRule checks that the rule's matrix is Post.Len()×Pre.Len().
func NewVoltageSTDPRule(r *VoltageSTDP, pre, post sim.Group) (*VoltageSTDPRule, error) {
	if r == nil || pre == nil || post == nil {
		return nil, fmt.Errorf("voltage STDP rule needs the rule and its groups")
	}
	if r.M.NPre != pre.Len() || r.M.NPost != post.Len() {
		return nil, fmt.Errorf("voltage STDP matrix is %d×%d, the groups need %d×%d (post×pre)", r.M.NPost, r.M.NPre, post.Len(), pre.Len())
	}
	return &VoltageSTDPRule{R: r, Pre: pre, Post: post}, nil
}

// Filter advances the filters with the potentials of the previous step (slot 2).
func (a *VoltageSTDPRule) Filter(*sim.StepContext) { a.R.Filters(a.Post.Potential()) }

// Apply applies the presynaptic traces, LTD and LTP of the step (slot 6).
func (a *VoltageSTDPRule) Apply(sc *sim.StepContext) {
	sp := sc.Spikes(a.Pre)
	a.R.PreSpikes(sp)
	a.R.LTD(sp)
	a.R.LTP(a.Post.Potential())
}

// InhibSTDPRule runs an InhibSTDP as a sim.Rule on one group whose neuron
// indices are both the pre- and postsynaptic indices of the rule's square
// matrix (its blocks [ILo, IHi) → [ELo, EHi) select the inhibitory and
// excitatory neurons): traces decay in slot 2, spikes update traces and
// weights in slot 6.
type InhibSTDPRule struct {
	R *InhibSTDP
	G sim.Group
}

// NewInhibSTDPRule checks that the rule's matrix is G.Len()×G.Len().
func NewInhibSTDPRule(r *InhibSTDP, g sim.Group) (*InhibSTDPRule, error) {
	if r == nil || g == nil {
		return nil, fmt.Errorf("inhibitory STDP rule needs the rule and its group")
	}
	if r.M.NPre != g.Len() {
		return nil, fmt.Errorf("inhibitory STDP matrix is %d×%d, the group has %d neurons", r.M.NPost, r.M.NPre, g.Len())
	}
	return &InhibSTDPRule{R: r, G: g}, nil
}

// Filter decays the traces (slot 2).
func (a *InhibSTDPRule) Filter(*sim.StepContext) { a.R.Decay() }

// Apply applies the spikes of the step (slot 6).
func (a *InhibSTDPRule) Apply(sc *sim.StepContext) { a.R.Spikes(sc.Spikes(a.G)) }
