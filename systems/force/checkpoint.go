package force

import (
	"fmt"
	"time"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/runio"
)

// Checkpoints of the FORCE experiments (checkpoint.npz, every
// checkpoint_every_s) hold everything the time loop carries from one step
// to the next, so that spikelab resume ends bit-identical to an
// uninterrupted run: the step done (step), the network state (netSnap's
// arrays), the decoders phi, the RLS matrix exactly as stored (rls_p: its
// upper triangle row by row, float64, float32 or float16 as rls_storage
// says, so a resume with another rls_storage is refused; rls_pend: the deferred
// rank-1 updates, all of them while rls_factored_updates keeps P at
// alpha·I; rls_updates; with rls_storage float16, rls_p holds
// P/rls_p_scale in NumPy float16 with zeros on the diagonal, which is
// rls_p_diag in float64), the target noise generator, the
// recordings so far (rec_*) and, once training has ended, the state at its
// end (end_*), which model.npz keeps for eval.

// netSnap is a copy of the network's state after a step: neuron state,
// synaptic filters, readout z and the spikes not yet applied.
type netSnap struct {
	names, units []string
	vecs         [][]float64
	z            []float64
	spikes       []int32
	fused        bool
}

// stateVecs returns the network's state arrays (aliases) with their
// names and units: the neuron model's variables, then the IPSC and rate
// filters (s: output, h: rise variable).
func (net *forceNet) stateVecs() (names, units []string, vecs [][]float64) {
	add := func(name, unit string, v []float64) {
		names, units, vecs = append(names, name), append(units, unit), append(vecs, v)
	}
	switch p := net.pop.(type) {
	case *neuron.LIF:
		add("v", "membrane potential (mV)", p.V)
		add("tlast", "time of the last spike (s)", p.TLast)
	case *neuron.Izhikevich:
		add("v", "membrane potential (mV)", p.V)
		add("u", "adaptation current (pA)", p.U)
	case *neuron.Theta:
		add("theta", "phase (rad)", p.Theta)
	}
	add("ipsc_s", "filtered recurrent current (model units)", net.ipsc.S)
	add("ipsc_h", "rise variable of the current filter", net.ipsc.H)
	add("rate_s", "filtered rate r (1/model time unit)", net.rate.S)
	add("rate_h", "rise variable of the rate filter", net.rate.H)
	return names, units, vecs
}

// snap copies the state after a step with readout z and the step's
// spikes (pending when fused).
func (net *forceNet) snap(z []float64, spikes []int32, fused bool) *netSnap {
	names, units, vecs := net.stateVecs()
	s := &netSnap{names: names, units: units, z: append([]float64(nil), z...), fused: fused}
	for _, v := range vecs {
		s.vecs = append(s.vecs, append([]float64(nil), v...))
	}
	if fused {
		s.spikes = append([]int32(nil), spikes...)
	}
	return s
}

// add appends the snapshot to ms, each name with prefix.
func (s *netSnap) add(ms *experiment.ModelState, prefix string) {
	for i, v := range s.vecs {
		ms.Add(prefix+s.names[i], s.units[i], v)
	}
	ms.Add(prefix+"z", "readout of the step", s.z)
	sp := make([]int64, len(s.spikes))
	for i, j := range s.spikes {
		sp[i] = int64(j)
	}
	fused := 0.0
	if s.fused {
		fused = 1
	}
	ms.Arrays = append(ms.Arrays, runio.Array{Name: prefix + "spikes", Shape: []int{len(sp)}, Data: sp})
	ms.Units[prefix+"spikes"] = "neurons that spiked in the step, not yet propagated (fused step)"
	ms.Add(prefix+"fused", "1: saved by the fused LIF step", []float64{fused})
}

// load restores a snapshot saved with prefix into net and returns the
// state to simulate on from step start.
func (net *forceNet) load(m *runio.Model, prefix string, start int) (*simState, error) {
	names, _, vecs := net.stateVecs()
	for i, v := range vecs {
		if err := m.CopyFloat64(prefix+names[i], v); err != nil {
			return nil, err
		}
	}
	st := &simState{start: start, z: make([]float64, net.target.Dim())}
	if err := m.CopyFloat64(prefix+"z", st.z); err != nil {
		return nil, err
	}
	sp, err := m.Int64(prefix+"spikes", -1)
	if err != nil {
		return nil, err
	}
	for _, j := range sp {
		if j < 0 || j >= int64(len(vecs[0])) {
			return nil, fmt.Errorf("model file %s: %sspikes holds neuron %d of %d", m.Path, prefix, j, len(vecs[0]))
		}
		st.spikes = append(st.spikes, int32(j))
	}
	f, err := m.Scalar(prefix + "fused")
	if err != nil {
		return nil, err
	}
	st.fused = f == 1
	return st, nil
}

// Resumable reports whether the config checkpoints: a config-file run
// (not a Go TargetFunc or an experiment's own input), or one an
// experiment built from its own config (owner), which rebuilds its
// target and input deterministically.
func (c *ForceConfig) Resumable() bool {
	return (c.TargetFunc == nil && c.extInput == nil) || c.owner != nil
}

// ownState is an owner experiment's own state in checkpoints: add appends
// its arrays, check compares them with a checkpoint's on resume.
type ownState interface {
	add(s *experiment.ModelState)
	check(m *runio.Model) error
}

// saved is the config that model and checkpoint headers record: the
// owner's where an experiment built this one.
func (c *ForceConfig) saved() experiment.Config {
	if c.owner != nil {
		return c.owner
	}
	return c
}

// checkpointer says when the run writes a checkpoint.
type checkpointer struct {
	steps int       // every this many steps (> 0), else by wall time
	last  time.Time // the last checkpoint's (or the start's) wall time
	off   bool
}

// checkpointer returns the schedule of checkpoint_every_s (none in eval,
// without a run folder or when the config does not resume).
func (c *ForceConfig) checkpointer(env *experiment.Env, st *simState) *checkpointer {
	ck := &checkpointer{last: time.Now()}
	ck.off = env == nil || env.Out == nil || (st != nil && st.eval) || !c.Resumable() || c.CheckpointEveryS < 0
	if c.CheckpointEveryS > 0 {
		ck.steps = max(1, int(c.CheckpointEveryS*1000/c.DtMS+0.5))
	}
	return ck
}

// wallPeriod is the wall time between checkpoints with checkpoint_every_s 0.
const wallPeriod = time.Minute

// due reports whether a checkpoint is due after step i.
func (ck *checkpointer) due(i int) bool {
	switch {
	case ck.off:
		return false
	case ck.steps > 0:
		return i%ck.steps == 0
	case i%64 != 0:
		return false
	}
	if time.Since(ck.last) < wallPeriod {
		return false
	}
	ck.last = time.Now()
	return true
}

// saveCheckpoint writes checkpoint.npz after step i.
func (c *ForceConfig) saveCheckpoint(env *experiment.Env, net *forceNet, res *forceResult, i int, z []float64, spikes []int32, fused bool) error {
	s := &experiment.ModelState{Progress: float64(i) * c.DtMS / 1000, ProgressUnit: "s"}
	s.Arrays = append(s.Arrays, runio.Array{Name: "step", Shape: []int{1}, Data: []int64{int64(i)}})
	s.Units = map[string]string{"step": "time steps done"}
	s.Add("w_fingerprint", "[weights, Σw, Σ position·w] of the recurrent weights (rebuilt from the seed on resume)", net.weightPrint())
	net.snap(z, spikes, fused).add(s, "")
	if res.end != nil {
		res.end.add(s, "end_")
	}
	k := len(z)
	s.Add("phi", "decoder: readout per filtered rate", net.rls.Phi, c.N, k)
	tri, pend := net.rls.State()
	s.Units["rls_p"] = "RLS matrix P as stored: upper triangle row by row"
	if h, ok := tri.(learn.HalfP); ok {
		tri = runio.Float16(h.Tri)
		s.Units["rls_p"] = "RLS matrix P as stored (float16): P/rls_p_scale, upper triangle row by row, diagonal in rls_p_diag"
		s.Add("rls_p_scale", "power of two dividing P in rls_p (model units)", []float64{net.rls.PScale()})
		s.Add("rls_p_diag", "diagonal of the RLS matrix P (model units)", h.Diag)
	}
	s.Arrays = append(s.Arrays, runio.Array{Name: "rls_p", Shape: []int{c.N * (c.N + 1) / 2}, Data: tri})
	s.Add("rls_pend", "deferred rank-1 updates of P (pending vectors)", pend, len(pend)/c.N, c.N)
	s.Arrays = append(s.Arrays, runio.Array{Name: "rls_updates", Shape: []int{1}, Data: []int64{int64(net.rls.Updates)}})
	s.Units["rls_updates"] = "RLS updates done"
	s.Add("rec_t", "sample times of z and target (s)", res.zs.T)
	s.Add("rec_z", "readout samples", res.zs.Data)
	s.Add("rec_target", "target samples", res.targets.Data)
	s.Add("rec_decoder_t", "sample times of the decoders (s)", res.decoders.T)
	s.Add("rec_decoders", "decoder samples", res.decoders.Data)
	s.Add("rec_spike_t", "raster spike times (model time unit)", res.spikes.Times)
	idx := make([]int64, len(res.spikes.Index))
	for j, v := range res.spikes.Index {
		idx[j] = int64(v)
	}
	s.Arrays = append(s.Arrays,
		runio.Array{Name: "rec_spike_i", Shape: []int{len(idx)}, Data: idx},
		runio.Array{Name: "rec_counts", Shape: []int{6}, Data: []int64{res.spikes.Count, int64(res.nTrain), int64(res.nTest), res.spikesPre, res.spikesTrn, res.spikesTest}})
	s.Units["rec_spike_i"] = "raster spike neurons"
	s.Units["rec_counts"] = "[spikes, train error terms, test error terms, spikes before, during and after training]"
	s.Add("rec_sums", "[sum of squared training errors, of test errors]", []float64{res.sumSqTrain, res.sumSqTest})
	if net.noise != nil {
		if err := s.AddRNG("rng_target_noise", net.noise); err != nil {
			return err
		}
	}
	if c.ownState != nil {
		c.ownState.add(s)
	}
	return experiment.SaveCheckpoint(env, c.saved(), s)
}

// restore continues from the checkpoint env.Resume (returning where to
// start), else loads init_from's decoders and P and starts fresh (nil).
func (c *ForceConfig) restore(env *experiment.Env, net *forceNet) (*simState, error) {
	ck, err := experiment.LoadCheckpoint(env, c.saved())
	if err != nil {
		return nil, err
	}
	if ck == nil {
		return nil, c.initFrom(net)
	}
	if c.ownState != nil {
		if err := c.ownState.check(ck); err != nil {
			return nil, err
		}
	}
	fp, err := ck.Float64("w_fingerprint", 3)
	if err != nil {
		return nil, err
	}
	if got := net.weightPrint(); fp[0] != got[0] || fp[1] != got[1] || fp[2] != got[2] {
		return nil, fmt.Errorf("checkpoint %s: its recurrent weights are not this network's (fingerprint %v, here %v: another version?)", ck.Path, fp, got)
	}
	step, err := ck.Int64("step", 1)
	if err != nil {
		return nil, err
	}
	if step[0] < 1 || step[0] >= int64(net.clock.Steps) {
		return nil, fmt.Errorf("checkpoint %s: step %d of %d", ck.Path, step[0], net.clock.Steps)
	}
	// The state at the end of training (once reached) goes through the
	// live arrays first; the current state is loaded over it.
	var end *netSnap
	if _, ok := ck.Arrays["end_z"]; ok {
		e, err := net.load(ck, "end_", 0)
		if err != nil {
			return nil, err
		}
		end = net.snap(e.z, e.spikes, e.fused)
	}
	st, err := net.load(ck, "", int(step[0])+1)
	if err != nil {
		return nil, err
	}
	res := c.newResult(net)
	st.res, res.end = res, end
	if err := ck.CopyFloat64("phi", net.rls.Phi); err != nil {
		return nil, err
	}
	pend, err := ck.Float64("rls_pend", -1)
	if err != nil {
		return nil, err
	}
	tri, ok := ck.Arrays["rls_p"]
	if !ok {
		return nil, fmt.Errorf("checkpoint %s: no array \"rls_p\"", ck.Path)
	}
	data := tri.Data
	if h, ok := data.(runio.Float16); ok {
		sc, err := ck.Float64("rls_p_scale", 1)
		if err != nil {
			return nil, err
		}
		if sc[0] != net.rls.PScale() {
			return nil, fmt.Errorf("checkpoint %s: rls_p_scale %g, this run's %g (another alpha?)", ck.Path, sc[0], net.rls.PScale())
		}
		diag, err := ck.Float64("rls_p_diag", c.N)
		if err != nil {
			return nil, err
		}
		data = learn.HalfP{Tri: []uint16(h), Diag: diag}
	}
	if err := net.rls.SetState(data, pend); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", ck.Path, err)
	}
	upd, err := ck.Int64("rls_updates", 1)
	if err != nil {
		return nil, err
	}
	net.rls.Updates = int(upd[0])
	var recErr error
	get := func(name string) []float64 {
		v, err := ck.Float64(name, -1)
		if err != nil && recErr == nil {
			recErr = err
		}
		return v
	}
	res.zs.T = append(res.zs.T, get("rec_t")...)
	res.zs.Data = append(res.zs.Data, get("rec_z")...)
	res.targets.T = append(res.targets.T, get("rec_t")...)
	res.targets.Data = append(res.targets.Data, get("rec_target")...)
	res.decoders.T = append(res.decoders.T, get("rec_decoder_t")...)
	res.decoders.Data = append(res.decoders.Data, get("rec_decoders")...)
	res.spikes.Times = append(res.spikes.Times, get("rec_spike_t")...)
	sums := get("rec_sums")
	if recErr != nil {
		return nil, recErr
	}
	if len(sums) != 2 || len(res.zs.Data) != len(res.zs.T)*res.zs.Width || len(res.targets.Data) != len(res.zs.Data) ||
		len(res.decoders.Data) != len(res.decoders.T)*res.decoders.Width {
		return nil, fmt.Errorf("checkpoint %s: its recordings do not fit this run's outputs and decoders", ck.Path)
	}
	res.sumSqTrain, res.sumSqTest = sums[0], sums[1]
	idx, err := ck.Int64("rec_spike_i", len(res.spikes.Times))
	if err != nil {
		return nil, err
	}
	for _, v := range idx {
		res.spikes.Index = append(res.spikes.Index, int32(v))
	}
	cnt, err := ck.Int64("rec_counts", 6)
	if err != nil {
		return nil, err
	}
	res.spikes.Count, res.nTrain, res.nTest, res.spikesPre, res.spikesTrn, res.spikesTest = cnt[0], int(cnt[1]), int(cnt[2]), cnt[3], cnt[4], cnt[5]
	if net.noise != nil {
		if err := experiment.LoadRNG(ck, "rng_target_noise", net.noise); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// weightPrint is a fingerprint of the recurrent weights, which a resumed
// run rebuilds from the seed: their number, sum and position-weighted sum.
func (net *forceNet) weightPrint() []float64 {
	var sum, pos float64
	for i, w := range net.w.W {
		sum += w
		pos += float64(i+1) * w
	}
	return []float64{float64(len(net.w.W)), sum, pos}
}
