package maes

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/synapse"
)

// The network runs on a sim.Network. Its step is the hand-written step of
// sim.jl (vectorised, in fixed blocks of neurons on the frame's team),
// split into frame parts that call the same kernels in the same order:
//
//	slot 1 inputs       drive: Poisson external events into this step's input (per block, own stream)
//	slot 2 filters      E group, I group: conductances take in the step's input (then cleared)
//	                    plasticity (Filter): the E→E normalisation every normEvery steps, then
//	                    ū, v̄, x from the V of the previous step and the iSTDP trace decay
//	slot 3 update       E group, I group: AdEx update (spikes, reset inside the update)
//	slot 5 propagation  recurrent: the spikes of both groups into next step's input (M, split by sign)
//	slot 6 plasticity   plasticity (Apply): x += spikes, iSTDP, LTD, LTP
//	slot 8 monitors     spike monitors with network-wide indices (E first)
//
// The original step ran the normalisation first, then external events,
// conductances, filters and the update fused per block, then the spike
// exchange, then the rules. The normalisation touches only the E→E
// weights and their running row sums, which nothing reads before
// propagation, so running it in slot 2 changes no arithmetic; the other
// per-neuron phases are independent across neurons, so running them as
// separate passes over the same blocks (each block with its own random
// stream) gives bit-identical results. The one-step recurrent delay of the
// original (a two-slot delay line) is one input buffer per sign: the
// spikes of step n are added in slot 5, the external events of step n+1 in
// slot 1, and the conductances take in and clear the buffer in slot 2 —
// the same additions in the same order.

// maesBlockSize is the target number of neurons per block of the
// per-step parallel work. The blocks depend only on the network sizes,
// never on the thread count, and each has its own random stream, so a
// seed gives the same result for every --threads.
const maesBlockSize = 300

// maesBlock is one fixed range of neurons [lo, hi) (all E or all I, global
// indices) with its external-input stream and the spikes of its last step
// (group-local indices).
type maesBlock struct {
	lo, hi int
	exc    bool
	src    *rand.PCG
	spikes []int32
	events int
	_      [64]byte // keep blocks run by different workers off one cache line
}

// Network is the recurrent E/I network of Maes et al. 2020 on a
// sim.Network: neuron indices 0..NE−1 (network-wide) are excitatory,
// NE..N−1 inhibitory, and one sparse matrix M (post × pre over all N
// neurons, weights in nS·ms) holds every synapse. Build it with
// NewNetwork; add monitors or rules to Frame() before Run. Units: ms, mV,
// pF, nS, pA; external rates in kHz in Ext.
type Network struct {
	// NE and NI are the numbers of excitatory and inhibitory neurons, N
	// their sum, K the number of E clusters.
	NE, NI, N, K int
	// Dt is the time step (ms).
	Dt float64
	// M holds every recurrent synapse (nS·ms); plasticity changes it in place.
	M *connect.Sparse
	// E and I are the excitatory and inhibitory groups (group-local indices).
	E, I *Group
	// Ext is the external Poisson input of every neuron (network-wide
	// indices; rates in kHz, weights in nS·ms); it may be changed between steps.
	Ext *synapse.Poisson
	// Plastic switches the plasticity rules on (they exist only when the
	// network was built with rules); it takes effect at the next step.
	Plastic bool
	// Events counts the external events drawn, Spikes the recurrent spikes
	// of all neurons, SpikesE those of the excitatory neurons.
	Events, Spikes, SpikesE int64

	frame     *sim.Network
	gE, gI    *synapse.CondDiffExp // over all N neurons
	inE, inI  []float64            // summed weights arriving in the step (nS·ms), all N neurons
	stdp      *learn.VoltageSTDP
	istdp     *learn.InhibSTDP
	norm      *learn.Normalizer
	normEvery int

	blocks []maesBlock
	nbE    int // blocks[:nbE] are excitatory
	// phaseN is the per-block pass of the E→E normalisation (shifts from
	// the running row sums that LTP and LTD keep current, new sums formed
	// in the same pass); partial holds one row of those sums per E block,
	// combined in block order. On a Picker like the other phases, so that
	// on a busy machine it can run serially and the team's worker sleeps.
	// phaseA is the one per-block pass of slots 1–3 (see Group.Step).
	phaseA, phaseLTP, phaseN *sim.Picker
	partial                  [][]float64
	t                        float64 // time of the step in progress (ms)
	plastic                  bool    // plasticity acts in the step in progress

	spikes   []int32 // network-wide spikes of the step, E first
	spikesE  int     // spikes[:spikesE] are excitatory
	gathered int     // the step whose spikes are in spikes
	prelude  func(sc *sim.StepContext)
}

// NetworkOptions configure NewNetwork. Zero fields take the values of
// MaesNet (2400 E / 600 I, 30 clusters, p = 0.2) and a built clustered
// matrix.
type NetworkOptions struct {
	// Config holds every constant of the network (neurons, synapses,
	// external input, built weights); nil means MaesNet(). NE, NI,
	// Clusters and P below override its fields when non-zero.
	Config *MaesNetConfig
	// NE and NI are the numbers of excitatory and inhibitory neurons.
	NE, NI int
	// Clusters is the number of equal, contiguous E clusters (must divide NE).
	Clusters int
	// P is the connection probability of every ordered pair (0, 1].
	P float64
	// Matrix is "build" (clustered by construction; the default),
	// "random" (every weight at its initial value) or the path of a
	// MATLAB v5 file holding A (post × pre, nS·ms). Ignored with Weights.
	Matrix string
	// Weights, when not nil, is the recurrent matrix to use (N×N, post ×
	// pre, nS·ms; shared, changed in place by plasticity); Clusters 0
	// then means detect them from its block structure.
	Weights *connect.Sparse
	// Plastic builds the plasticity rules (Rules, or DefaultPlasticity
	// when nil) and switches them on.
	Plastic bool
	// Rules are the plasticity rules; nil means DefaultPlasticity().
	Rules *Plasticity
	// Seed is the seed of every random stream (initial state, matrix,
	// external input).
	Seed uint64
	// Threads is the number of workers (≥ 0; 0 means 1); results do not
	// depend on it.
	Threads int
}

// NewNetwork builds the network the options describe. Close it when done.
func NewNetwork(o NetworkOptions) (*Network, error) {
	c := MaesNet()
	if o.Config != nil {
		c = *o.Config
	}
	if o.NE < 0 || o.NI < 0 || o.Clusters < 0 || o.P < 0 || o.Threads < 0 {
		return nil, fmt.Errorf("network options: NE, NI, Clusters, P and Threads must be >= 0")
	}
	if o.NE > 0 {
		c.NE = o.NE
	}
	if o.NI > 0 {
		c.NI = o.NI
	}
	if o.Clusters > 0 {
		c.Clusters = o.Clusters
	}
	if o.P > 0 {
		c.P = o.P
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m, k := o.Weights, c.Clusters
	if m == nil {
		src := o.Matrix
		if src == "" {
			src = "build"
		}
		var err error
		if m, k, err = maesMatrix(&c, src, sim.Stream(o.Seed, "weights")); err != nil {
			return nil, err
		}
	} else if k == 0 {
		if m.NPre < c.NE {
			return nil, fmt.Errorf("network options: weights have %d presynaptic neurons, network needs %d", m.NPre, c.NE+c.NI)
		}
		k = DetectClusters(m, c.NE)
	}
	var rules *Plasticity
	if o.Plastic {
		r := DefaultPlasticity()
		if o.Rules != nil {
			r = *o.Rules
		}
		if err := r.Validate(); err != nil {
			return nil, err
		}
		rules = &r
	}
	net, err := newMaesNet(&c, m, k, rules, o.Seed, o.Threads)
	if err != nil {
		return nil, err
	}
	net.Plastic = o.Plastic
	return net, nil
}

// newMaesNet builds the network around matrix m with k clusters; plast may
// be nil (no plasticity ever). threads is the number of workers of the
// per-step parallel work (results do not depend on it); Close the network
// when done.
func newMaesNet(c *MaesNetConfig, m *connect.Sparse, k int, plast *Plasticity, seed uint64, threads int) (*Network, error) {
	n := c.NE + c.NI
	if m.NPre != n || m.NPost != n {
		return nil, fmt.Errorf("matrix is %d×%d, network has %d neurons", m.NPost, m.NPre, n)
	}
	if k < 1 || c.NE%k != 0 {
		return nil, fmt.Errorf("%d clusters do not divide %d excitatory neurons", k, c.NE)
	}
	net := &Network{NE: c.NE, NI: c.NI, N: n, K: k, Dt: c.DtMS, M: m, spikes: make([]int32, 0, n),
		inE: make([]float64, n), inI: make([]float64, n)}
	e := neuron.NewAdEx(c.NE, c.DtMS, c.Exc)
	i := neuron.NewAdEx(c.NI, c.DtMS, c.Inh)
	init := sim.Stream(seed, "init")
	e.Init(init)
	i.Init(init)
	var err error
	if net.gE, err = synapse.NewCondDiffExp(n, c.TauRiseE, c.TauDecayE, c.DtMS); err != nil {
		return nil, fmt.Errorf("network: excitatory %w", err)
	}
	if net.gI, err = synapse.NewCondDiffExp(n, c.TauRiseI, c.TauDecayI, c.DtMS); err != nil {
		return nil, fmt.Errorf("network: inhibitory %w", err)
	}
	e.GE, e.GI = net.gE.G[:c.NE], net.gI.G[:c.NE]
	i.GE, i.GI = net.gE.G[c.NE:], net.gI.G[c.NE:]
	if net.Ext, err = synapse.NewPoisson(n, c.DtMS, c.RateExtE, c.WExtE); err != nil {
		return nil, fmt.Errorf("network.rate_ext_e_khz: %w", err)
	}
	for q := c.NE; q < n; q++ {
		if err := net.Ext.SetRate(q, c.RateExtI); err != nil {
			return nil, fmt.Errorf("network.rate_ext_i_khz: %w", err)
		}
		net.Ext.Weight[q] = c.WExtI
	}
	if plast != nil {
		// ū and v̄ start at V_r (the original starts them at 0 mV, a bug).
		if net.stdp, err = learn.NewVoltageSTDP(plast.EE, c.DtMS, m, 0, c.NE, 0, c.NE, c.Exc.VReset); err != nil {
			return nil, err
		}
		if net.istdp, err = learn.NewInhibSTDP(plast.IE, c.DtMS, m, c.NE, n, 0, c.NE); err != nil {
			return nil, err
		}
		if net.norm, err = learn.NewNormalizer(m, 0, c.NE, 0, c.NE, plast.EE.WMin, plast.EE.WMax); err != nil {
			return nil, err
		}
		net.normEvery = max(1, int(math.Round(plast.NormEveryMS/c.DtMS)))
	}
	split := func(lo, hi int, exc bool) {
		nb := max(1, (hi-lo+maesBlockSize/2)/maesBlockSize)
		for b := 0; b < nb; b++ {
			a, z := lo+(hi-lo)*b/nb, lo+(hi-lo)*(b+1)/nb
			net.blocks = append(net.blocks, maesBlock{lo: a, hi: z, exc: exc,
				src: sim.Source(seed, fmt.Sprintf("external/%d", len(net.blocks))), spikes: make([]int32, 0, z-a)})
		}
	}
	split(0, c.NE, true)
	net.nbE = len(net.blocks)
	split(c.NE, n, false)
	if net.frame, err = sim.NewNetwork(sim.NetworkOptions{DtMS: c.DtMS, Threads: max(1, min(threads, len(net.blocks))), Seed: seed}); err != nil {
		return nil, err
	}
	team := net.frame.Team()
	net.E = newGroup(net, e, 0, 0, net.nbE)
	net.I = newGroup(net, i, c.NE, net.nbE, len(net.blocks))
	net.phaseA = sim.NewPicker(team, len(net.blocks), func(b int) { net.blockA(&net.blocks[b]) })
	rec := &recurrent{net: net}
	parts := []error{net.frame.AddGroup("excitatory", net.E), net.frame.AddGroup("inhibitory", net.I),
		net.frame.AddInput(drive{net}), net.frame.AddProjection(rec)}
	if plast != nil {
		net.phaseLTP = sim.NewPicker(team, net.nbE, func(b int) {
			blk := &net.blocks[b]
			net.stdp.LTPRange(blk.lo, blk.hi, e.V)
		})
		net.partial = make([][]float64, net.nbE)
		for b := range net.partial {
			net.partial[b] = make([]float64, n)
		}
		net.phaseN = sim.NewPicker(team, net.nbE, func(b int) {
			p := net.partial[b]
			clear(p)
			net.norm.ShiftSumRange(net.blocks[b].lo, net.blocks[b].hi, p)
		})
		net.stdp.RowSums = net.norm.Running
		parts = append(parts, net.frame.AddRule(plasticity{net}))
	}
	for _, err := range parts {
		if err != nil {
			net.Close()
			return nil, err
		}
	}
	return net, nil
}

// Frame returns the sim.Network the network runs on, to add monitors,
// inputs or rules of one's own (they run after the network's own parts of
// the same slot).
func (net *Network) Frame() *sim.Network { return net.frame }

// Close stops the workers of the network.
func (net *Network) Close() { net.frame.Close() }

// Run advances the network by durationMS (ms, whole steps; the clock
// continues from the previous Run) and checks that the potentials are
// finite at the end.
func (net *Network) Run(ctx context.Context, durationMS float64) error {
	return net.run(ctx, durationMS, sim.RunOptions{Every: 1000})
}

func (net *Network) run(ctx context.Context, durationMS float64, o sim.RunOptions) error {
	if err := net.frame.Run(ctx, durationMS, o); err != nil {
		return err
	}
	return net.CheckFinite(net.frame.Time())
}

// WatchSpikes adds a monitor that records the spikes of both groups in m
// with network-wide indices (E first, I from NE on; times in ms).
func (net *Network) WatchSpikes(m *sim.SpikeMonitor) error {
	return net.frame.AddMonitor(spikeWatch{net, m})
}

// CheckFinite reports a NaN or infinite membrane potential at time t (ms).
func (net *Network) CheckFinite(t float64) error {
	if err := sim.CheckFinite("excitatory membrane potential", net.E.Model.V, t); err != nil {
		return err
	}
	return sim.CheckFinite("inhibitory membrane potential", net.I.Model.V, t)
}

// gather returns the spikes of the step with network-wide indices (E
// first), building them once per step (from slot 4 on), and counts them.
func (net *Network) gather(sc *sim.StepContext) []int32 {
	if net.gathered == sc.Step {
		return net.spikes
	}
	sp := append(net.spikes[:0], sc.Spikes(net.E)...)
	ne := len(sp)
	for _, j := range sc.Spikes(net.I) {
		sp = append(sp, j+int32(net.NE))
	}
	net.spikes, net.spikesE, net.gathered = sp, ne, sc.Step
	net.Spikes += int64(len(sp))
	net.SpikesE += int64(ne)
	return sp
}

// Group is the excitatory or the inhibitory population as a sim.Group: the
// AdEx model with difference-of-exponentials conductances. Its inputs are
// "exc" and "inh", the summed weights (nS·ms) arriving in the step; the
// conductances take them in and clear them just before the update (see
// Step), so input added after the update acts in the next step. The update resets a spiking neuron
// itself (V = V_r, w += b, threshold jump), so Reset is a no-op.
type Group struct {
	// Model is the population (parameters and state; ms, mV, pF, nS, pA).
	Model    *neuron.AdEx
	net      *Network
	off      int // network-wide index of neuron 0
	b0, b1   int // its blocks
	inE, inI []float64
}

func newGroup(net *Network, m *neuron.AdEx, off, b0, b1 int) *Group {
	g := &Group{Model: m, net: net, off: off, b0: b0, b1: b1, inE: net.inE[off : off+m.Len()], inI: net.inI[off : off+m.Len()]}
	return g
}

// Len returns the number of neurons.
func (g *Group) Len() int { return g.Model.Len() }

// Step integrates the neurons over the step and appends the spikers
// (group-local indices, ascending; already reset).
//
// The excitatory group's Step runs one pass over the blocks of both groups
// (the network's phaseA): per block, the external Poisson events of the
// step, the conductances taking in the step's input (which they then
// clear), the plasticity filters from the potentials of the previous step
// when plasticity acts, and the AdEx update; the inhibitory group's Step
// then only collects its spikes. Every block's work is independent of the
// others', so this is the frame's slots 1 (external input), 2 (filters)
// and 3 (update) in order for every neuron, in one hand-off to the workers
// per step instead of five (one per slot and group): measured, separate
// passes cost 18 % of sim_seconds_per_cpu_second on two threads.
func (g *Group) Step(sc *sim.StepContext, spikes []int32) []int32 {
	net := g.net
	if g.b0 == 0 {
		net.t = sc.T
		net.phaseA.Run()
		for b := range net.blocks {
			net.Events += int64(net.blocks[b].events)
		}
	}
	for b := g.b0; b < g.b1; b++ {
		spikes = append(spikes, g.net.blocks[b].spikes...)
	}
	return spikes
}

// Reset does nothing: Step resets.
func (g *Group) Reset([]int32) {}

// Potential returns V (mV).
func (g *Group) Potential() []float64 { return g.Model.V }

// Input returns the buffer of "exc" or "inh" (nS·ms per step).
func (g *Group) Input(name string) ([]float64, error) {
	switch name {
	case "exc":
		return g.inE, nil
	case "inh":
		return g.inI, nil
	}
	return nil, fmt.Errorf("maes group has inputs \"exc\" and \"inh\" (nS·ms), not %q", name)
}

// drive runs the prelude (a stimulus schedule that sets the external rates)
// in slot 1; the external Poisson events themselves are drawn block by
// block, each block with its own stream, in the excitatory group's block
// pass (Group.Step).
type drive struct{ net *Network }

// Inject runs the prelude of the step (slot 1).
func (d drive) Inject(sc *sim.StepContext) {
	net := d.net
	if net.prelude != nil {
		net.prelude(sc)
	}
}

// blockA is slots 1–3 for one block: external events, conductances,
// plasticity filters, update (see Group.Step).
func (net *Network) blockA(blk *maesBlock) {
	lo, hi := blk.lo, blk.hi
	blk.events = net.Ext.Add(blk.src, lo, hi, net.inE)
	net.gE.StepRange(lo, hi, net.inE)
	net.gI.StepRange(lo, hi, net.inI)
	clear(net.inE[lo:hi])
	clear(net.inI[lo:hi])
	if net.plastic {
		net.stdp.FiltersRange(lo, hi, net.E.Model.V)
		net.istdp.DecayRange(lo, hi)
	}
	if blk.exc {
		blk.spikes = net.E.Model.StepRange(lo, hi, net.t, nil, blk.spikes[:0])
		return
	}
	blk.spikes = net.I.Model.StepRange(lo-net.NE, hi-net.NE, net.t, nil, blk.spikes[:0])
}

// recurrent delivers the spikes of both groups through M (slot 5): an
// excitatory presynaptic neuron's row into the "exc" inputs of both
// groups, an inhibitory one's into "inh". For the frame it is a projection
// of the E group onto the I group; it reads the spikes of both.
type recurrent struct{ net *Network }

// Pre returns the E group.
func (r *recurrent) Pre() sim.Group { return r.net.E }

// Post returns the I group.
func (r *recurrent) Post() sim.Group { return r.net.I }

// Propagate adds the rows of M of the step's spikes to the inputs (slot 5).
func (r *recurrent) Propagate(sc *sim.StepContext) {
	net := r.net
	if sp := net.gather(sc); len(sp) > 0 {
		net.M.PropagateSplit(sp, net.NE, net.inE, net.inI)
	}
}

// plasticity runs the rules: normalisation in slot 2 (filters and trace
// decay in the block pass of Group.Step), spikes, iSTDP, LTD and LTP in
// slot 6; Plastic is read once per step, in slot 2.
type plasticity struct{ net *Network }

// Filter latches Plastic and normalises when due (slot 2); the filters and
// trace decay run in the excitatory group's block pass (Group.Step).
func (p plasticity) Filter(sc *sim.StepContext) {
	net := p.net
	net.plastic = net.Plastic
	if !net.plastic {
		return
	}
	if sc.Step%net.normEvery == 0 {
		// Shifts from the running sums, applied block by block while the
		// new sums are formed; partial sums combined in block order.
		net.norm.TrackedShifts()
		net.phaseN.Run()
		net.norm.SetRunning(net.partial)
	}
}

// Apply applies the spikes of the step: traces, iSTDP, LTD, LTP (slot 6).
func (p plasticity) Apply(sc *sim.StepContext) {
	net := p.net
	if !net.plastic {
		return
	}
	sp := net.gather(sc)
	ne := net.spikesE
	net.stdp.PreSpikes(sp[:ne])
	net.istdp.Spikes(sp)
	net.stdp.LTD(sp[:ne])
	net.phaseLTP.Run()
}

// spikeWatch feeds a SpikeMonitor the network-wide spikes (slot 8).
type spikeWatch struct {
	net *Network
	m   *sim.SpikeMonitor
}

// Sample records the step's spikes (slot 8).
func (w spikeWatch) Sample(sc *sim.StepContext) { w.m.Observe(sc.T, w.net.gather(sc)) }

// monitorFunc is a function as a sim.Monitor (slot 8).
type monitorFunc func(sc *sim.StepContext)

// Sample calls f (slot 8).
func (f monitorFunc) Sample(sc *sim.StepContext) { f(sc) }
