package sim

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Network is the frame that advances a spiking network step by step: it
// owns the clock and the worker Team, holds the parts registered with it
// (groups of neurons, projections between them, external inputs, plasticity
// rules and monitors) and calls each part in one fixed schedule, so that the
// step order is the frame's job and never the user's.
//
// # Units
//
// Everything the frame and the parts built for it (package neuron's groups,
// connect.Projection, synapse.PoissonInput, package learn's rules) show a
// user follows one convention: time in ms, voltage in mV, current in pA,
// conductance in nS, rate in Hz. A weight is in the unit of the group input
// it feeds (each group documents its inputs: mV for the current-based CUBA
// group's "exc"/"inh", nS·ms for a conductance input, pA for a current).
// Models keep their own internal units; the adapters convert.
//
// # Step schedule
//
// Step n (1-based; it ends at time T = n·Dt ms) runs these slots, in this
// order. Within a slot, parts run in the order they were added.
//
//  1. Inputs: every Input's Inject adds its external drive for this step to
//     group input buffers. It acts in this step's update.
//  2. Filters: every group, then every rule, that implements Filter has its
//     Filter called: synaptic currents and conductances decay and take in
//     their buffered input; rule traces decay. The potentials are still
//     those of step n−1.
//  3. Update: every group's Step integrates its neurons over the step and
//     reports the neurons that crossed threshold.
//  4. Threshold: the frame publishes each group's spikes of step n in the
//     StepContext (before slot 4, Spikes returns the spikes of step n−1).
//  5. Propagation: every Projection delivers the spikes of its source group
//     (of this step, or of an earlier step with a delay) into an input of
//     its target group. Delivered input acts from step n+1 on.
//  6. Plasticity: every Rule's Apply sees this step's spikes and the
//     potentials as Step left them.
//  7. Reset: every group's Reset is called with its spikes of step n.
//  8. Monitors: every Monitor's Sample records.
//
// # Reset contract
//
// A group's Step integrates and detects threshold crossings; refractoriness
// is the group's own business. The frame calls Reset(spikes) after
// propagation and plasticity, so a rule that reads potentials may see the
// values before the reset, and monitors see them after it (as in Brian2,
// whose monitors record at the start of the next step). A model whose
// reference code resets inside the integration (the CUBA LIFExp and AdEx
// models, like Brian2 and NEST) does so in Step and has a no-op Reset; the
// group documents which it does.
//
// # Fused steps
//
// Fuse asks the frame to run a group's update (slot 3) and the propagation
// into it (slot 5) as one job of the team per step, each worker owning a
// range of the group's neurons; the deliveries of step n then happen at
// the start of step n+1's update, with the same arithmetic in the same
// order, so results do not change (see Fuse for the conditions).
//
// Between steps the frame checks every CheckEvery steps that the groups'
// potentials are finite. Run does not allocate in its time loop once the
// parts are built (the parts must not either; a monitor that stores spikes
// or samples grows its storage only past the capacity reserved for it).
//
// # Parts
//
// Groups: neuron.NewLIFExpGroup (CUBA), neuron.NewAdExGroup,
// neuron.NewALIF, or any registered model by name (neuron.Lookup).
// Projections: connect.NewProjection (CSR weights, optional delay). Inputs:
// synapse.NewPoissonInput. Rules: learn.NewTraceSTDP,
// learn.NewVoltageSTDPRule, learn.NewInhibSTDPRule. Monitors: WatchSpikes
// (a SpikeMonitor of one group; times in ms) and NewStateMonitor. Any type
// with the methods of an interface below is a part; nothing else needs to
// change. ExampleNetwork builds a whole network.
type Network struct {
	opt      NetworkOptions
	team     *Team
	step     int
	groups   []Group
	names    []string
	what     []string  // names of the potentials, for divergence errors
	spikes   [][]int32 // published spikes of each group
	next     [][]int32 // spikes being collected in slot 3
	filters  []Filter
	projs    []Projection
	inputs   []Input
	rules    []Rule
	monitors []Monitor
	sc       StepContext
	closed   bool
	// Fused steps (Fuse): the fused groups, the projections slot 5 runs
	// (those into groups not fused in this Run), and the team jobs.
	fused    []*fusion
	plain    []Projection
	anyFused bool
	prepared bool
	fusedFn  func(w int)
	flushFn  func(w int)
}

// NetworkOptions configure a Network.
type NetworkOptions struct {
	// DtMS is the time step (ms); required, > 0.
	DtMS float64
	// Threads is the number of workers of the network's Team (≥ 1; 0 means
	// 1). Parts may split their work among them; results never depend on it
	// for the parts of this module.
	Threads int
	// Seed is the seed parts draw their random streams from (see Env).
	Seed uint64
	// CheckEvery is the number of steps between two checks that every
	// group's potential is finite; 0 means 1000, a negative value never.
	CheckEvery int
}

// Env is what a part needs from the network it will join: the time step,
// the worker team and the seed. Build parts with Network.Env().
type Env struct {
	DtMS float64 // time step (ms)
	Team *Team   // worker team (nil: run on the caller)
	Seed uint64  // seed of the network's random streams
}

// StepContext is what every part sees during one step.
type StepContext struct {
	// Step is the 1-based index of the step; it ends at time T.
	Step int
	// T is the time at the end of the step (ms): T = Step·Dt.
	T float64
	// Dt is the time step (ms).
	Dt float64
	// Team is the network's worker team, for parts that split their work.
	Team *Team

	groups []Group
	spikes [][]int32
}

// Spikes returns the indices (ascending within the group, for the groups
// of this module) of the neurons of g that spiked in this step, from slot 4
// on, or in the previous step before it. It returns nil for a group that is
// not in the network. The slice belongs to the frame: read it, keep no
// reference past the step.
func (sc *StepContext) Spikes(g Group) []int32 {
	for k, h := range sc.groups {
		if h == g {
			return sc.spikes[k]
		}
	}
	return nil
}

// Group is a population of neurons of one model.
type Group interface {
	// Len returns the number of neurons.
	Len() int
	// Step integrates every neuron over the step sc describes, appends
	// the indices of the neurons that crossed threshold to spikes in
	// ascending order, and returns it. It must not allocate when spikes
	// has capacity Len().
	Step(sc *StepContext, spikes []int32) []int32
	// Reset applies the after-spike reset to the given neurons (slot 7);
	// a no-op for models that reset inside Step.
	Reset(spikes []int32)
	// Potential returns the membrane potential of every neuron (mV),
	// aliasing the state.
	Potential() []float64
	// Input returns the buffer behind the named input ("exc", "inh",
	// "current", ...), len Len(), which projections and inputs add to, in
	// the unit the group documents; an unknown name is an error. The buffer
	// stays the same slice for the life of the group.
	Input(name string) ([]float64, error)
}

// Filter is implemented by groups and rules that have state to advance in
// slot 2 (synaptic filters, traces), before the neurons are updated.
type Filter interface {
	Filter(sc *StepContext)
}

// Projection delivers the spikes of its source group into an input of its
// target group (slot 5).
type Projection interface {
	// Pre returns the source group, Post the target group.
	Pre() Group
	Post() Group
	// Propagate delivers the spikes (sc.Spikes(Pre())) into the target input.
	Propagate(sc *StepContext)
}

// Input adds external drive to group inputs (slot 1).
type Input interface {
	Inject(sc *StepContext)
}

// Rule is a plasticity rule (slot 6). It may also implement Filter.
type Rule interface {
	Apply(sc *StepContext)
}

// Monitor records what it observes at the end of every step (slot 8).
type Monitor interface {
	Sample(sc *StepContext)
}

// NewNetwork returns an empty network and starts its Team.
func NewNetwork(o NetworkOptions) (*Network, error) {
	if !(o.DtMS > 0) || math.IsInf(o.DtMS, 0) {
		return nil, fmt.Errorf("network time step must be positive and finite, got %g ms", o.DtMS)
	}
	if o.Threads < 0 {
		return nil, fmt.Errorf("network threads must be >= 0, got %d", o.Threads)
	}
	if o.CheckEvery == 0 {
		o.CheckEvery = 1000
	}
	n := &Network{opt: o, team: NewTeam(max(1, o.Threads))}
	n.sc = StepContext{Dt: o.DtMS, Team: n.team}
	n.fusedFn, n.flushFn = n.fusedWork, n.flushWork
	return n, nil
}

// Env returns the time step, team and seed that parts of this network are built with.
func (n *Network) Env() Env { return Env{DtMS: n.opt.DtMS, Team: n.team, Seed: n.opt.Seed} }

// Team returns the network's worker team.
func (n *Network) Team() *Team { return n.team }

// Dt returns the time step (ms).
func (n *Network) Dt() float64 { return n.opt.DtMS }

// Steps returns the number of steps run so far.
func (n *Network) Steps() int { return n.step }

// Time returns the simulated time so far (ms).
func (n *Network) Time() float64 { return float64(n.step) * n.opt.DtMS }

// Close stops the network's Team. The network must not be run afterwards.
func (n *Network) Close() {
	if !n.closed {
		n.closed = true
		n.team.Close()
	}
}

var errNil = errors.New("nil part")

func (n *Network) has(g Group) bool {
	for _, h := range n.groups {
		if h == g {
			return true
		}
	}
	return false
}

// AddGroup adds a group under a name (used in error messages). A group
// can be added once; names must be unique.
func (n *Network) AddGroup(name string, g Group) error {
	if g == nil {
		return fmt.Errorf("group %q: %w", name, errNil)
	}
	if n.has(g) {
		return fmt.Errorf("group %q is already in the network", name)
	}
	for _, s := range n.names {
		if s == name {
			return fmt.Errorf("a group named %q is already in the network", name)
		}
	}
	if g.Len() < 0 || len(g.Potential()) != g.Len() {
		return fmt.Errorf("group %q: %d potentials for %d neurons", name, len(g.Potential()), g.Len())
	}
	n.groups = append(n.groups, g)
	n.names = append(n.names, name)
	n.what = append(n.what, name+" potential")
	n.spikes = append(n.spikes, make([]int32, 0, g.Len()))
	n.next = append(n.next, make([]int32, 0, g.Len()))
	n.sc.groups, n.sc.spikes = n.groups, n.spikes
	return nil
}

// AddProjection adds a projection; its groups must be in the network.
func (n *Network) AddProjection(p Projection) error {
	if p == nil {
		return fmt.Errorf("projection: %w", errNil)
	}
	if !n.has(p.Pre()) || !n.has(p.Post()) {
		return fmt.Errorf("projection between groups that are not in the network: add the groups first")
	}
	n.projs = append(n.projs, p)
	n.prepared = false
	return nil
}

// AddInput adds an external input.
func (n *Network) AddInput(in Input) error {
	if in == nil {
		return fmt.Errorf("input: %w", errNil)
	}
	n.inputs = append(n.inputs, in)
	n.prepared = false
	return nil
}

// AddRule adds a plasticity rule (and its Filter, if it has one).
func (n *Network) AddRule(r Rule) error {
	if r == nil {
		return fmt.Errorf("rule: %w", errNil)
	}
	n.rules = append(n.rules, r)
	n.prepared = false
	return nil
}

// AddMonitor adds a monitor.
func (n *Network) AddMonitor(m Monitor) error {
	if m == nil {
		return fmt.Errorf("monitor: %w", errNil)
	}
	n.monitors = append(n.monitors, m)
	return nil
}

// RunOptions configure one Run.
type RunOptions struct {
	// Progress, when not nil, is called every Every steps and at the end
	// with the steps done and the steps of this run.
	Progress func(done, total int64)
	// Every is the number of steps between progress reports, checkpoints
	// and checks for cancellation; 0 means 1% of the run (at least 1).
	Every int
	// Checkpoint, when not nil, is called every Every steps (and at the
	// end) with the network's step count; an error stops the run.
	Checkpoint func(step int) error
}

// Run advances the network by durationMS (rounded to whole steps). The
// clock continues from the previous Run. It stops with an error that
// wraps ctx.Err() and names the time when ctx is cancelled, and with a
// *DivergenceError when a group's potential is no longer finite.
func (n *Network) Run(ctx context.Context, durationMS float64, o RunOptions) error {
	if n.closed {
		return errors.New("network is closed")
	}
	if !(durationMS > 0) || math.IsInf(durationMS, 0) {
		return fmt.Errorf("run duration must be positive and finite, got %g ms", durationMS)
	}
	steps := int(math.Round(durationMS / n.opt.DtMS))
	if steps < 1 {
		return fmt.Errorf("run duration %g ms is shorter than one step of %g ms", durationMS, n.opt.DtMS)
	}
	if o.Every < 0 {
		return fmt.Errorf("run options: every must be >= 0, got %d", o.Every)
	}
	// Filters: groups first, then rules, each in the order added.
	n.filters = n.filters[:0]
	for _, g := range n.groups {
		if f, ok := g.(Filter); ok {
			n.filters = append(n.filters, f)
		}
	}
	for _, r := range n.rules {
		if f, ok := r.(Filter); ok {
			n.filters = append(n.filters, f)
		}
	}
	if err := n.prepareFusion(); err != nil {
		return err
	}
	// Leave no delivery pending: between Runs the state is the plain schedule's.
	defer n.flush()
	every := o.Every
	if every == 0 {
		every = max(1, steps/100)
	}
	for i := 1; i <= steps; i++ {
		n.advance()
		if i%every == 0 || i == steps {
			if err := n.poll(ctx, i, steps, o); err != nil {
				return err
			}
		}
		if n.opt.CheckEvery > 0 && n.step%n.opt.CheckEvery == 0 {
			if err := n.checkFinite(); err != nil {
				return err
			}
		}
		if i%ContextEvery == 0 && i%every != 0 {
			// Between progress reports (every 1 % of the run by default) a
			// cancelled ctx is heard within ContextEvery steps.
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("network stopped at t=%g ms: %w", n.Time(), err)
			}
		}
	}
	return nil
}

// ContextEvery is the number of steps between two looks at a run's
// context between its progress reports (Network.Run, and loops of their
// own such as FORCE's): an interrupt is heard within it.
const ContextEvery = 1024

func (n *Network) poll(ctx context.Context, i, steps int, o RunOptions) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("network stopped at t=%g ms: %w", n.Time(), err)
	}
	if o.Progress != nil {
		o.Progress(int64(i), int64(steps))
	}
	if o.Checkpoint != nil {
		n.flush()
		if err := o.Checkpoint(n.step); err != nil {
			return fmt.Errorf("checkpoint at t=%g ms: %w", n.Time(), err)
		}
	}
	return nil
}

// checkFinite checks every group's potential.
func (n *Network) checkFinite() error {
	for k, g := range n.groups {
		if err := CheckFinite(n.what[k], g.Potential(), n.Time()); err != nil {
			return err
		}
	}
	return nil
}

// advance runs one step of the schedule.
func (n *Network) advance() {
	n.step++
	sc := &n.sc
	sc.Step = n.step
	sc.T = float64(n.step) * n.opt.DtMS
	for _, in := range n.inputs { // 1. inputs
		in.Inject(sc)
	}
	for _, f := range n.filters { // 2. filters
		f.Filter(sc)
	}
	if n.anyFused { // 3. update (fused groups: with the last step's deliveries)
		n.stepFused()
	}
	for k, g := range n.groups {
		if !n.anyFused || !n.fusedOn(g) {
			n.next[k] = g.Step(sc, n.next[k][:0])
		}
	}
	for k := range n.groups { // 4. threshold: publish
		n.spikes[k], n.next[k] = n.next[k], n.spikes[k]
	}
	for _, p := range n.plain { // 5. propagation (into fused groups: in the next step's update)
		p.Propagate(sc)
	}
	for _, r := range n.rules { // 6. plasticity
		r.Apply(sc)
	}
	for k, g := range n.groups { // 7. reset
		if len(n.spikes[k]) > 0 {
			g.Reset(n.spikes[k])
		}
	}
	for _, m := range n.monitors { // 8. monitors
		m.Sample(sc)
	}
}

// SetSteps sets the number of steps done, for a network whose parts'
// state was restored from a checkpoint taken after step k (at its end):
// the next Run continues with step k+1 at time (k+1)·dt.
func (n *Network) SetSteps(k int) error {
	if k < 0 {
		return fmt.Errorf("steps done must be >= 0, got %d", k)
	}
	n.step = k
	return nil
}
