package cuba

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/plot"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/sim"
)

// CUBAConfig configures the Vogels–Abbott current-based benchmark network
// exactly as in Brian2's CUBA example: NExc excitatory and NInh inhibitory
// LIF neurons with exponential synaptic currents, random connections with
// probability P (self-connections allowed), no delays. Larger networks
// (`--set n_exc=51200 --set n_inh=12800 --set p=0.00125`) hold n²·p
// synapses, ≈ 4 bytes each (the resource estimate
// says so before anything is allocated); with several threads and at least
// sim.FuseNeurons neurons, each thread updates its own range of neurons and
// delivers the spikes into it, one hand-off per step (sim.Network.Fuse);
// below that the update and large steps' propagation are split apart.
type CUBAConfig struct {
	Seed uint64 `yaml:"seed"`  // seed of every random stream
	NExc int    `yaml:"n_exc"` // excitatory neurons (first indices)
	NInh int    `yaml:"n_inh"` // inhibitory neurons
	// P is the connection probability of every ordered pair, in (0, 1]. The
	// weights stay w_e_mv and w_i_mv whatever p is, as in Brian2's example
	// (and bench/brian2_cuba.py --p): the input per neuron, and with it the
	// rate, changes with p (4000 neurons at 0.02: 5.9 Hz; 16 000 at 0.02:
	// 2.5 Hz; p = 80/n keeps 80 inputs per neuron and ≈ 5.8 Hz).
	P         float64             `yaml:"p"`
	WeMV      float64             `yaml:"w_e_mv"`     // excitatory weight we (mV) added to ge
	WiMV      float64             `yaml:"w_i_mv"`     // inhibitory weight wi (mV) added to gi
	DtMS      float64             `yaml:"dt_ms"`      // time step (ms)
	DurationS float64             `yaml:"duration_s"` // simulated time (s)
	Neuron    neuron.LIFExpParams `yaml:"neuron"`     // neuron and synapse time constants, potentials
	// RasterNeurons is the number of neurons (from index 0) whose spikes are
	// stored; the older name of record.neurons, used when that is -1.
	RasterNeurons int `yaml:"raster_neurons"`
	// Record chooses what is recorded.
	Record RecordConfig `yaml:"record"`
}

// RecordConfig chooses which spikes a CUBA run stores (in recordings.npz
// and the raster of summary.png). Unrecorded spikes are still counted.
type RecordConfig struct {
	// Spikes switches spike storage on (default) or off (then no
	// recordings.npz and no summary.png are written).
	Spikes bool `yaml:"spikes"`
	// From is the first recorded neuron (index, default 0).
	From int `yaml:"from"`
	// Neurons is the number of neurons from From that are recorded; -1
	// (the default) takes raster_neurons.
	Neurons int `yaml:"neurons"`
	// Stride keeps every stride-th of those neurons (default 1: all).
	Stride int `yaml:"stride"`
}

// CUBA returns the parameters of Brian2's CUBA example.
func CUBA() *CUBAConfig {
	return &CUBAConfig{Seed: 1, NExc: 3200, NInh: 800, P: 0.02, WeMV: 60 * 0.27 / 10, WiMV: -20 * 4.5 / 10,
		DtMS: 0.1, DurationS: 1, Neuron: NeuronParams(), RasterNeurons: 4000,
		Record: RecordConfig{Spikes: true, Neurons: -1, Stride: 1}}
}

func init() {
	experiment.Register(experiment.Experiment{Name: "cuba", Description: "Vogels–Abbott CUBA benchmark network, 4000 LIF neurons, 1 s (as Brian2's CUBA example)",
		Defaults: func() experiment.Config { return CUBA() }})
}

// Validate reports the first unusable field.
func (c *CUBAConfig) Validate() error {
	if err := experiment.Guard(c); err != nil {
		return err
	}
	if c.NExc < 0 || c.NInh < 0 || c.NExc+c.NInh < 1 {
		return fmt.Errorf("n_exc and n_inh must be >= 0 with at least one neuron")
	}
	if c.NExc > 1<<30 || c.NInh > 1<<30 {
		return fmt.Errorf("n_exc and n_inh must be at most 2³⁰ each, got %d and %d", c.NExc, c.NInh)
	}
	if !(c.P > 0 && c.P <= 1) {
		return fmt.Errorf("p must be in (0, 1], got %g", c.P)
	}
	for _, f := range []struct {
		n string
		v float64
	}{{"dt_ms", c.DtMS}, {"duration_s", c.DurationS}} {
		if err := experiment.Positive(f.n, f.v); err != nil {
			return err
		}
	}
	if c.RasterNeurons < 0 {
		return fmt.Errorf("raster_neurons must be >= 0, got %d", c.RasterNeurons)
	}
	if c.Record.From < 0 || c.Record.From > c.NExc+c.NInh {
		return fmt.Errorf("record.from must be in [0, n_exc + n_inh], got %d", c.Record.From)
	}
	if c.Record.Neurons < -1 {
		return fmt.Errorf("record.neurons must be >= 0 (or -1: raster_neurons), got %d", c.Record.Neurons)
	}
	if c.Record.Stride < 1 {
		return fmt.Errorf("record.stride must be >= 1, got %d", c.Record.Stride)
	}
	return experiment.Keyed("neuron", c.Neuron, c.Neuron.Validate())
}

// Run builds the network on a sim.Network (one LIFExp group, an
// excitatory and an inhibitory projection without delay, a spike monitor
// and a synaptic-event counter) and simulates it. wall_seconds is the time
// of the simulation loop alone; setup_seconds covers building the network.
func (c *CUBAConfig) Run(ctx context.Context, env *experiment.Env) (map[string]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	t0 := time.Now()
	b, err := c.build(env.Threads, sim.FuseOptions{})
	if err != nil {
		return nil, err
	}
	defer b.net.Close()
	n, net, pop, mon, events, exc, inh := c.NExc+c.NInh, b.net, b.pop, b.mon, b.events, b.exc, b.inh
	clock, err := sim.NewClock(c.DtMS, c.DurationS*1000)
	if err != nil {
		return nil, err
	}
	// Collect the setup's garbage now: a collection still under way when
	// the loop starts finds every P held by a spinning worker of the team
	// and stalls it until the runtime preempts one (10 ms).
	runtime.GC()
	setup := time.Since(t0)
	prog := experiment.ProgressOf(env, int64(clock.Steps), "simulating")
	t1, cpu1 := time.Now(), experiment.CPUSeconds()
	err = net.Run(ctx, c.DurationS*1000, sim.RunOptions{Every: max(1, clock.Steps/100), Progress: func(done, _ int64) { prog.Set(done) }})
	wall, cpu := time.Since(t1), experiment.CPUSeconds()-cpu1
	prog.Finish()
	if err != nil {
		return nil, err
	}
	if err := sim.CheckFinite("membrane potential", pop.Potential(), clock.Time(clock.Steps)); err != nil {
		return nil, err
	}
	m := map[string]float64{
		"rate_hz":                     float64(mon.Count) / (float64(n) * c.DurationS),
		"spikes":                      float64(mon.Count),
		"synapses":                    float64(exc.NNZ() + inh.NNZ()),
		"synaptic_events":             float64(events.n),
		"wall_seconds":                wall.Seconds(),
		"loop_cpu_seconds":            cpu,
		"setup_seconds":               setup.Seconds(),
		"synaptic_events_per_second":  float64(events.n) / wall.Seconds(),
		"sim_seconds_per_wall_second": c.DurationS / wall.Seconds(),
	}
	if env.Out != nil && mon.Recorded() > 0 {
		t2, cpu2 := time.Now(), experiment.CPUSeconds()
		if err := c.write(env, mon); err != nil {
			return nil, err
		}
		m["output_seconds"], m["output_cpu_seconds"] = time.Since(t2).Seconds(), experiment.CPUSeconds()-cpu2
	}
	return m, nil
}

// network is a built CUBA network and the parts Run reads.
type network struct {
	net      *sim.Network
	pop      *neuron.LIFExpGroup
	exc, inh *connect.CSR
	mon      *sim.SpikeRecorder
	events   *eventCounter
}

// build makes the network on a team of the given number of threads (one
// LIFExp group, an excitatory and an inhibitory projection without delay,
// both split over the team, a spike recorder and a synaptic-event
// counter). The group and its projections run as one fused job per step
// (sim.Network.Fuse) when the team and the group are large enough for fo.
// The caller closes b.net.
func (c *CUBAConfig) build(threads int, fo sim.FuseOptions) (b *network, err error) {
	n := c.NExc + c.NInh
	net, err := sim.NewNetwork(sim.NetworkOptions{DtMS: c.DtMS, Threads: threads, Seed: c.Seed})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			net.Close()
		}
	}()
	pop, err := neuron.NewLIFExpGroup(net.Env(), n, c.Neuron)
	if err != nil {
		return nil, experiment.Keyed("neuron", c.Neuron, err)
	}
	pop.Init(sim.Stream(c.Seed, "init"))
	rng := sim.Stream(c.Seed, "weights")
	// Straight into uniform CSR matrices (the synapses of
	// connect.Bernoulli, one weight per projection as in Brian2's
	// on_pre="ge += we"): 4 bytes per synapse, 28 for a synapse list.
	exc, err := connect.BernoulliUniformCSR(rng, n, n, 0, c.NExc, c.P, c.WeMV)
	if err != nil {
		return nil, err
	}
	inh, err := connect.BernoulliUniformCSR(rng, n, n, c.NExc, n, c.P, c.WiMV)
	if err != nil {
		return nil, err
	}
	pe, err := connect.NewProjection(connect.ProjectionOptions{Pre: pop, Post: pop, Input: "exc", Weights: exc, Team: net.Team(), FixedWeights: true})
	if err != nil {
		return nil, err
	}
	pi, err := connect.NewProjection(connect.ProjectionOptions{Pre: pop, Post: pop, Input: "inh", Weights: inh, Team: net.Team(), FixedWeights: true})
	if err != nil {
		return nil, err
	}
	from, to := c.recorded()
	mon, err := sim.NewSpikeRecorder(pop, sim.SpikeRecorderOptions{Off: !c.Record.Spikes, From: from, To: to, Stride: c.Record.Stride,
		// Room for 10 Hz (the network fires at ≈ 6 Hz).
		Capacity: int(float64((to-from+c.Record.Stride-1)/c.Record.Stride) * c.DurationS * 10)})
	if err != nil {
		return nil, err
	}
	// Synaptic events: every spike delivers one event per outgoing synapse.
	events := &eventCounter{g: pop, exc: exc, inh: inh}
	for _, err := range []error{net.AddGroup("cuba", pop), net.AddProjection(pe), net.AddProjection(pi),
		net.AddMonitor(mon), net.AddMonitor(events), net.Fuse(pop, fo)} {
		if err != nil {
			return nil, err
		}
	}
	net.Fused(pop) // split the projections for a fused step now, not in the timed Run
	return &network{net: net, pop: pop, exc: exc, inh: inh, mon: mon, events: events}, nil
}

// eventCounter is a sim.Monitor that counts the synaptic events of a
// group's spikes: one per outgoing synapse of each projection.
type eventCounter struct {
	g        sim.Group
	exc, inh *connect.CSR
	n        int64
}

// Sample adds the out-degrees of the step's spikers (slot 8).
func (e *eventCounter) Sample(sc *sim.StepContext) {
	for _, j := range sc.Spikes(e.g) {
		e.n += e.exc.Start[j+1] - e.exc.Start[j] + e.inh.Start[j+1] - e.inh.Start[j]
	}
}

// recorded returns the range [from, to) of recorded neurons.
func (c *CUBAConfig) recorded() (from, to int) {
	n := c.NExc + c.NInh
	k := c.Record.Neurons
	if k < 0 {
		k = c.RasterNeurons
	}
	return c.Record.From, min(n, c.Record.From+k)
}

// write saves the recorded spikes and the population rate of the recorded
// neurons (recordings.npz, written concurrently with the figure) and
// summary.png (raster and rate).
func (c *CUBAConfig) write(env *experiment.Env, mon *sim.SpikeRecorder) error {
	ts := mon.Times(c.DtMS)
	for i := range ts {
		ts[i] /= 1000
	}
	// Population rate of the recorded neurons in 1 ms bins.
	bins := int(c.DurationS * 1000)
	rate := make([]float64, bins)
	tb := make([]float64, bins)
	for b := range tb {
		tb[b] = (float64(b) + 0.5) / 1000
	}
	for _, t := range ts {
		if b := int(t * 1000); b >= 0 && b < bins {
			rate[b]++
		}
	}
	for b := range rate {
		rate[b] /= float64(mon.Recorded()) * 1e-3
	}
	npz := make(chan error, 1)
	go func() {
		npz <- runio.WriteNPZ(env.Out.File("recordings.npz"), []runio.Array{
			{Name: "spike_t", Shape: []int{len(ts)}, Data: ts},
			{Name: "spike_i", Shape: []int{len(mon.Index)}, Data: mon.Index},
			{Name: "rate_t", Shape: []int{bins}, Data: tb},
			{Name: "rate_hz", Shape: []int{bins}, Data: rate},
		})
	}()
	err := c.figure(env, mon, ts, tb, rate)
	return errors.Join(<-npz, err)
}

// figure draws summary.png: the raster of the recorded spikes (times ts in
// s) and their population rate.
func (c *CUBAConfig) figure(env *experiment.Env, mon *sim.SpikeRecorder, ts, tb, rate []float64) error {
	from, to := c.recorded()
	title := fmt.Sprintf("CUBA: spikes of neurons %d–%d", from, to-1)
	if c.Record.Stride > 1 {
		title = fmt.Sprintf("CUBA: spikes of every %d. neuron of %d–%d", c.Record.Stride, from, to-1)
	}
	r, err := plot.Raster(title, "time (s)", ts, mon.Index)
	if err != nil {
		return err
	}
	pr, err := plot.Lines("population rate (1 ms bins)", "time (s)", "rate (Hz)", plot.Series{X: tb, Y: rate})
	if err != nil {
		return err
	}
	return plot.SavePNG(env.Out.File("summary.png"), 10, 3, r, pr)
}
