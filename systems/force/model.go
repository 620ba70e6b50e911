package force

import (
	"context"
	"fmt"
	"time"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/sim"
)

// Model files of the FORCE experiments (written at the end of the run):
// phi (N × K decoders: readout per filtered rate, the model's units),
// enc (N × K encoders Q·U(−1, 1)), p (the RLS inverse correlation matrix,
// N × N symmetric, float32 when rls_storage is float32 (as stored) or
// float16 (rounded: the stored halves plus alpha on the diagonal)), the
// static recurrent weights as CSR by presynaptic neuron: w (weights,
// G/(√N·p) scale), w_start (int64 row pointers), w_post (int32 targets),
// and the network's state at the end of training (step train_stop_s),
// from which eval runs the test phase: end_v, end_tlast (LIF), end_v,
// end_u (Izhikevich) or end_theta (theta), the filters end_ipsc_s,
// end_ipsc_h, end_rate_s, end_rate_h, the readout end_z, the spikes not
// yet applied end_spikes and end_fused (1: the fused LIF step's state).

func (c *ForceConfig) saveModel(env *experiment.Env, net *forceNet, res *forceResult) error {
	n, k := c.N, len(net.rls.Phi)/c.N
	s := &experiment.ModelState{Progress: c.DurationS, ProgressUnit: "s"}
	s.Add("phi", "decoder: readout per filtered rate", net.rls.Phi, n, k)
	s.Add("enc", "encoder: feedback weight per readout unit", net.enc, n, k)
	if c.RLSStorage == "float32" || c.RLSStorage == "float16" {
		s.Arrays = append(s.Arrays, runio.Array{Name: "p", Shape: []int{n, n}, Data: net.rls.P32()})
		s.Units["p"] = "RLS inverse correlation matrix (model units)"
	} else {
		s.Add("p", "RLS inverse correlation matrix (model units)", net.rls.P(), n, n)
	}
	s.Add("w", "recurrent weight (CSR order)", net.w.W)
	s.Arrays = append(s.Arrays, runio.Array{Name: "w_start", Shape: []int{len(net.w.Start)}, Data: net.w.Start},
		runio.Array{Name: "w_post", Shape: []int{len(net.w.Post)}, Data: net.w.Post})
	s.Units["w_start"], s.Units["w_post"] = "CSR row pointers (by presynaptic neuron)", "postsynaptic neuron of each weight"
	if res != nil && res.end != nil {
		res.end.add(s, "end_")
	}
	return experiment.SaveModel(env, c.saved(), s)
}

// sameWeights checks that md's recurrent weights are net's (the same
// model, n, p, g and seed).
func (c *ForceConfig) sameWeights(md *runio.Model, net *forceNet) error {
	w, err := md.Float64("w", -1)
	if err != nil {
		return err
	}
	if len(w) != len(net.w.W) {
		return fmt.Errorf("%s: its recurrent weights are not this network's (%d weights, here %d: same model, n, p, g and seed needed)", md.Path, len(w), len(net.w.W))
	}
	for i, v := range w {
		if v != net.w.W[i] {
			return fmt.Errorf("%s: its recurrent weights are not this network's (weight %d differs: same model, n, p, g and seed needed)", md.Path, i)
		}
	}
	return nil
}

// initFrom loads the decoders and P of init_from into net.
func (c *ForceConfig) initFrom(net *forceNet) error {
	if c.InitFrom == "" {
		return nil
	}
	md, err := experiment.LoadInitModel(c.InitFrom, "")
	if err != nil {
		return err
	}
	if err := c.sameWeights(md, net); err != nil {
		return fmt.Errorf("init_from %w", err)
	}
	if err := md.CopyFloat64("phi", net.rls.Phi); err != nil {
		return fmt.Errorf("init_from: %w (same number of outputs needed)", err)
	}
	n := c.N
	var set func() error
	var size int
	switch a := md.Arrays["p"].Data.(type) {
	case []float32:
		set, size = func() error { return net.rls.SetP32(a) }, len(a)
	case []float64:
		set, size = func() error { return net.rls.SetP(a) }, len(a)
	default:
		return fmt.Errorf("init_from %s: no RLS matrix p", md.Path)
	}
	if size != n*n {
		return fmt.Errorf("init_from %s: p has %d values, this network needs %d×%d", md.Path, size, n, n)
	}
	return set()
}

// evalDrop are the metrics of a run that eval does not compute: timings,
// totals over the whole run and the training phase's.
var evalDrop = []string{"wall_seconds", "loop_seconds", "loop_cpu_seconds", "setup_seconds", "sim_seconds_per_wall_second",
	"rls_updates", "spikes_total", "rate_pre_hz", "rate_train_hz", "train_rmse"}

// Eval runs the test phase of a saved FORCE network (spikelab eval): from
// the state at the end of training with the learnt decoders, the readout
// runs freely (RLS off) to duration_s. With the config unchanged its test
// metrics (test_rmse, rate_hz, the phase-aligned and signal metrics, …)
// equal the run's. Its recordings and figures cover the test phase.
func (c *ForceConfig) Eval(ctx context.Context, env *experiment.Env, md *runio.Model) (map[string]float64, error) {
	return c.eval(ctx, env, md, nil)
}

// eval is Eval; after, when not nil, sees the test phase's network,
// recordings (from the start of the run, zero readout before the end of
// training) and metrics before they are written (force-classify's
// decisions).
func (c *ForceConfig) eval(ctx context.Context, env *experiment.Env, md *runio.Model,
	after func(net *forceNet, res *forceResult, m map[string]float64) error) (map[string]float64, error) {
	start := time.Now()
	if !c.Resumable() {
		return nil, fmt.Errorf("this FORCE experiment feeds an input of its own: no eval")
	}
	team := sim.NewTeam(env.Threads)
	defer team.Close()
	// RLS off: P is never used, so never allocated (LazyP).
	net, err := c.build(team, true)
	if err != nil {
		return nil, err
	}
	if err := c.sameWeights(md, net); err != nil {
		return nil, err
	}
	if err := md.CopyFloat64("phi", net.rls.Phi); err != nil {
		return nil, err
	}
	if _, ok := md.Arrays["end_z"]; !ok {
		return nil, fmt.Errorf("%s holds no network state at the end of training (written by an older version): run it again to evaluate it", md.Path)
	}
	ph := c.phases(net.clock)
	if ph.icrit >= net.clock.Steps {
		return nil, fmt.Errorf("no test phase: train_stop_s (%g) is duration_s (%g)", c.TrainStopS, c.DurationS)
	}
	st, err := net.load(md, "end_", ph.icrit+1)
	if err != nil {
		return nil, err
	}
	st.eval = true
	// The target up to the end of training, as the run drew it (its noise
	// included); the phase-aligned error compares the test readout with it.
	res := c.newResult(net)
	k := net.target.Dim()
	tgt, zero := make([]float64, k), make([]float64, k)
	for i := 1; i <= ph.icrit; i++ {
		net.target.At(i, tgt)
		if res.zs.Due(i) {
			ts := float64(i) * net.dtS
			res.zs.Add(ts, zero)
			res.targets.Add(ts, tgt)
		}
	}
	st.res = res
	built := time.Now()
	if res, err = c.simulate(ctx, net, env, st); err != nil {
		return nil, err
	}
	res.loop, res.wall = time.Since(built), time.Since(start)
	m := c.metrics(net, res)
	for _, key := range evalDrop {
		delete(m, key)
	}
	if after != nil {
		if err := after(net, res, m); err != nil {
			return nil, err
		}
	}
	m["eval_seconds"] = time.Since(start).Seconds()
	if env.Out == nil {
		return m, nil
	}
	// Recordings and figures of the test phase only.
	from := 0
	for from < res.zs.Len() && res.zs.T[from] <= c.TrainStopS+1e-12 {
		from++
	}
	w := res.zs.Width
	res.zs.T, res.zs.Data = res.zs.T[from:], res.zs.Data[from*w:]
	res.targets.T, res.targets.Data = res.targets.T[from:], res.targets.Data[from*w:]
	return m, c.write(env, net, res, map[string]float64{})
}
