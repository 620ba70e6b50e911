package force

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/sim"
)

// forceResult holds what a FORCE run recorded.
type forceResult struct {
	zs, targets, decoders *sim.Trace
	spikes                *sim.SpikeMonitor
	sumSqTrain, sumSqTest float64
	nTrain, nTest         int
	spikesPre, spikesTrn  int64
	spikesTest            int64
	wall                  time.Duration // set-up and simulation
	loop                  time.Duration // simulation (time loop) only
	loopCPU               float64       // CPU seconds of the process during the loop
	// end is the network's state at the end of training (step icrit),
	// saved in model.npz for eval.
	end *netSnap
}

// forcePhases are the step indices that divide a run: RLS runs strictly
// between imin and icrit, the training error is summed strictly between
// imid and icrit, the test error after icrit.
type forcePhases struct{ imin, icrit, imid int }

// phases returns the config's phase boundaries on the net's clock.
func (c *ForceConfig) phases(clk sim.Clock) forcePhases {
	imin := clk.Index(c.fromMS(c.TrainStartS * 1000))
	icrit := clk.Index(c.fromMS(c.TrainStopS * 1000))
	return forcePhases{imin: imin, icrit: icrit, imid: (imin + icrit) / 2}
}

// newResult returns the empty recorders of a run of net.
func (c *ForceConfig) newResult(net *forceNet) *forceResult {
	n, k := c.N, net.target.Dim()
	clk := net.clock
	sampleEvery := max(1, int(math.Round(c.Record.SampleMS/c.DtMS)))
	nd := min(c.Record.DecoderNeurons, n)
	return &forceResult{
		zs:      sim.NewTrace(k, sampleEvery, clk.Steps),
		targets: sim.NewTrace(k, sampleEvery, clk.Steps),
		// Decoders change slowly: at most about 10 000 samples per run.
		decoders: sim.NewTrace(nd*k, max(sampleEvery, (clk.Steps/10000+sampleEvery-1)/sampleEvery*sampleEvery), clk.Steps),
		spikes:   sim.NewSpikeMonitor(min(c.Record.RasterNeurons, n), 1024),
	}
}

// simState is where a simulation starts: after step start−1, with the
// readout z of that step, its spikes not yet applied (the fused step's)
// and the recordings so far. A nil *simState is a fresh run.
type simState struct {
	start  int
	z      []float64
	spikes []int32
	fused  bool // spikes are pending (saved by the fused step)
	res    *forceResult
	// eval: no checkpoints (spikelab eval's test phase).
	eval bool
}

// simulate runs the time loop in the reference code's order: steps 1–6
// (serialStep, or the fused step), the readout error, 7 (RLS) and 8 (reset),
// then the step's recording (record) and, now and then, checkpoint; from
// st (nil: from step 1) on. It snapshots the state at the end of training
// into res.end and writes checkpoint.npz as checkpoint_every_s says.
func (c *ForceConfig) simulate(ctx context.Context, net *forceNet, env *experiment.Env, st *simState) (*forceResult, error) {
	n, k := c.N, net.target.Dim()
	clk := net.clock
	ph := c.phases(clk)
	every := c.RLSEverySteps
	res := c.newResult(net)
	I := make([]float64, n)
	z := make([]float64, k)
	tgt := make([]float64, k)
	e := make([]float64, k)
	spikes := make([]int32, 0, n)
	first := 1
	if st != nil {
		first, res = st.start, st.res
		copy(z, st.z)
		spikes = append(spikes, st.spikes...)
	}
	prog := experiment.Progress(experiment.NopProgress{})
	if env != nil && env.Progress != nil {
		prog = env.Progress(int64(clk.Steps), "simulating")
		prog.Set(int64(first - 1))
	}
	defer prog.Finish()
	report := max(1, clk.Steps/200)
	step := c.fusedStep(net, z, &spikes)
	if st != nil && st.fused != (step != nil) {
		return nil, fmt.Errorf("the saved state was written by the other FORCE step (fused %v, here %v)", st.fused, step != nil)
	}
	ck := c.checkpointer(env, st)
	for i := first; i <= clk.Steps; i++ {
		t := clk.Time(i)
		if step != nil {
			// Steps 1–6 (and the previous step's 8) in one parallel pass.
			z[0] = step(t)
		} else {
			spikes = net.serialStep(i, t, I, z, spikes)
		}
		net.target.At(i, tgt)
		if err := c.readoutError(z, tgt, e, t); err != nil {
			return nil, err
		}
		// 7. RLS
		if i > ph.imin && i < ph.icrit && i%every == 1%every {
			if err := net.rls.Update(net.rate.S, e); err != nil {
				return nil, fmt.Errorf("%s: %w", sim.At(t, c.timeUnit()), err)
			}
		}
		// 8. reset (done by the next fused step, else now)
		if step == nil {
			net.pop.Reset(spikes)
		}
		res.record(net, ph, i, t, spikes, z, tgt, e)
		if i == ph.icrit {
			res.end = net.snap(z, spikes, step != nil)
		}
		if ck.due(i) && i < clk.Steps {
			if err := c.saveCheckpoint(env, net, res, i, z, spikes, step != nil); err != nil {
				return nil, err
			}
		}
		if i%report == 0 {
			prog.Set(int64(i))
			if err := checkpoint(ctx, net, t, c.timeUnit()); err != nil {
				return nil, err
			}
		} else if i%sim.ContextEvery == 0 && ctx.Err() != nil {
			// Between reports (0.5 % of the run: 12 s of a 40-min run)
			// an interrupt is heard within sim.ContextEvery steps.
			return nil, fmt.Errorf("stopped %s: %w", sim.At(t, c.timeUnit()), ctx.Err())
		}
	}
	if step != nil {
		// The last step's spikes: its deferred steps 4–5 and 8.
		net.w.Propagate(spikes, net.ipsc.Target(), net.ipsc.Jump())
		net.rate.AddEvents(spikes)
		net.pop.Reset(spikes)
	}
	prog.Set(int64(clk.Steps))
	return res, nil
}

// serialStep does steps 1–6 of the time step ending at t, one after the
// other: input current I from the filtered recurrent current and the
// feedback of the previous step's readout z, membrane and threshold,
// synaptic filters, and the new readout, written to z. It returns the
// step's spikes (appended to spikes[:0]). i is the step's index (for the
// HDTS input).
func (net *forceNet) serialStep(i int, t float64, I, z []float64, spikes []int32) []int32 {
	k := len(z)
	pop, ipsc, rate, rls, w, enc := net.pop, net.ipsc, net.rate, net.rls, net.w, net.enc
	// 1. input current with the previous step's z (for one output,
	// fused with step 5's decay of the IPSC filter, which I does not see)
	if k == 1 {
		ipsc.DecayAffine(I, enc, z[0])
	} else {
		for j, s := range ipsc.S {
			v := s
			for q, zq := range z {
				v += enc[j*k+q] * zq
			}
			I[j] = v
		}
	}
	if net.input != nil {
		net.input(i, I)
	}
	// 2–3. membrane and threshold
	spikes = pop.Step(t, I, spikes[:0])
	// 4–5. synaptic filters: IPSC from the recurrent weights, r from the
	// spikes (this step's spikes reach h and hr, not yet IPSC and r)
	if k != 1 {
		ipsc.Decay()
	}
	if len(spikes) > 0 {
		w.Propagate(spikes, ipsc.Target(), ipsc.Jump())
	}
	// 6. readout (for one output fused with the decay of r)
	if k == 1 {
		z[0] = rate.DecayDot(rls.Phi)
		rate.AddEvents(spikes)
	} else {
		rate.Decay()
		rate.AddEvents(spikes)
		rls.Readout(rate.S, z)
	}
	return spikes
}

// readoutError writes the error e = z − tgt of the step ending at t and
// stops the run when a readout component leaves ±DivergenceLimit (or is
// not a number).
func (c *ForceConfig) readoutError(z, tgt, e []float64, t float64) error {
	for q := range e {
		e[q] = z[q] - tgt[q]
		if !(math.Abs(z[q]) <= c.DivergenceLimit) {
			return &sim.DivergenceError{What: "readout z", Index: q, Value: z[q], Time: t, Unit: c.timeUnit(), Limit: c.DivergenceLimit}
		}
	}
	return nil
}

// record adds step i (ending at t, in the model's time unit) to the
// recordings: its spikes, spike counts and squared errors by phase, and
// the sampled readout, target and decoders.
func (res *forceResult) record(net *forceNet, ph forcePhases, i int, t float64, spikes []int32, z, tgt, e []float64) {
	k := len(z)
	res.spikes.Observe(t, spikes)
	switch {
	case i <= ph.imin:
		res.spikesPre += int64(len(spikes))
	case i <= ph.icrit:
		res.spikesTrn += int64(len(spikes))
	default:
		res.spikesTest += int64(len(spikes))
	}
	if i > ph.imid && i < ph.icrit {
		for _, v := range e {
			res.sumSqTrain += v * v
		}
		res.nTrain += k
	} else if i > ph.icrit {
		for _, v := range e {
			res.sumSqTest += v * v
		}
		res.nTest += k
	}
	if res.zs.Due(i) {
		ts := float64(i) * net.dtS
		res.zs.Add(ts, z)
		res.targets.Add(ts, tgt)
		if nd := res.decoders.Width / k; nd > 0 && res.decoders.Due(i) {
			res.decoders.Add(ts, net.rls.Phi[:nd*k])
		}
	}
}

// checkpoint stops the run at t (in unit) when a membrane potential is
// not finite or ctx is done.
func checkpoint(ctx context.Context, net *forceNet, t float64, unit string) error {
	if err := sim.CheckFiniteAt("membrane potential", net.pop.Potential(), t, unit); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("stopped %s: %w", sim.At(t, unit), err)
	}
	return nil
}

// addHDTS adds the HDTS input of step i to I: the active component's
// column times its bump.
func (net *forceNet) addHDTS(i int, I []float64) {
	q, v := net.hdts.Active(i)
	col := net.hdtsIn[q*len(I) : (q+1)*len(I)]
	for j, e := range col {
		I[j] += e * v
	}
}
