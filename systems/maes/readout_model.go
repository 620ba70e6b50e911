package maes

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/synapse"
)

// Model files of maes-readout: the whole state of the simulation at the
// end of training (the step train_s), from which eval runs the read-out
// test: end_w (read-out weights, E-major as the sparse matrix stores them,
// nS·ms) and, for the test to continue exactly, the clock network
// (end_clock_e_*, end_clock_i_*: AdEx v, v_t, w, t_last; conductances
// *_xr, *_xd, *_g; pending inputs end_clock_in_e, end_clock_in_i; the
// external input generators end_clock_rng_K), the read-out, supervisor and
// interneuron populations (end_r_*, end_s_*, end_h_*), the rule's traces
// (end_rule_u, end_rule_vbar, end_rule_x), the Poisson rates and
// generators, the trigger bookkeeping and the read-out spikes so far
// (end_mon_t, end_mon_i). Checkpoints (checkpoint_every_s) hold the same
// state, unprefixed, at their step.

// popArrays lists an AdEx population's state arrays with its
// conductances.
func popArrays(prefix string, m *neuron.AdEx, gE, gI *synapse.CondDiffExp) (names []string, vecs [][]float64) {
	names = []string{prefix + "v", prefix + "v_t", prefix + "w", prefix + "t_last",
		prefix + "ge_xr", prefix + "ge_xd", prefix + "ge_g", prefix + "gi_xr", prefix + "gi_xd", prefix + "gi_g"}
	vecs = [][]float64{m.V, m.VT, m.W, m.TLast, gE.XR, gE.XD, gE.G, gI.XR, gI.XD, gI.G}
	return names, vecs
}

// stateVecs returns every float64 state array of the simulation (aliases)
// by name.
func (s *readoutSim) stateVecs() (names []string, vecs [][]float64) {
	add := func(n []string, v [][]float64) { names, vecs = append(names, n...), append(vecs, v...) }
	net := s.net
	n1, v1 := popArrays("clock_e_", net.E.Model, sliceCond(net.gE, 0, net.NE), sliceCond(net.gI, 0, net.NE))
	add(n1, v1)
	n2, v2 := popArrays("clock_i_", net.I.Model, sliceCond(net.gE, net.NE, net.N), sliceCond(net.gI, net.NE, net.N))
	add(n2, v2)
	add([]string{"clock_in_e", "clock_in_i"}, [][]float64{net.inE, net.inI})
	for _, p := range []struct {
		name string
		pop  *readoutPop
	}{{"r_", s.R}, {"s_", s.S}, {"h_", s.H}} {
		n, v := popArrays(p.name, p.pop.N, p.pop.gE, p.pop.gI)
		add(n, v)
		add([]string{p.name + "in_e_now", p.name + "in_e_next", p.name + "in_i_now", p.name + "in_i_next"},
			[][]float64{p.pop.inE.Now(), p.pop.inE.Ahead(1), p.pop.inI.Now(), p.pop.inI.Ahead(1)})
	}
	add([]string{"w", "rule_u", "rule_vbar", "rule_x", "rate_sup", "rate_int", "rate_inh"},
		[][]float64{s.W.W, s.rule.U, s.rule.VBar, s.rule.X, s.supIn.Rate, s.intIn.Rate, s.inhIn.Rate})
	return names, vecs
}

// sliceCond views neurons [lo, hi) of a conductance.
func sliceCond(g *synapse.CondDiffExp, lo, hi int) *synapse.CondDiffExp {
	return &synapse.CondDiffExp{TauR: g.TauR, TauD: g.TauD, Dt: g.Dt, XR: g.XR[lo:hi], XD: g.XD[lo:hi], G: g.G[lo:hi]}
}

// generators returns the simulation's random generators by name.
func (s *readoutSim) generators() (names []string, srcs []*rand.PCG) {
	for b := range s.net.blocks {
		names, srcs = append(names, fmt.Sprintf("clock_rng_%d", b)), append(srcs, s.net.blocks[b].src)
	}
	return append(names, "rng_poisson", "rng_delete"), append(srcs, s.rng, s.delSrc)
}

// addState appends the simulation's state after step (names with prefix).
// It copies every array, so the snapshot may be kept.
func (s *readoutSim) addState(ms *experiment.ModelState, prefix string, step int) error {
	names, vecs := s.stateVecs()
	for i, v := range vecs {
		ms.Add(prefix+names[i], "state (see the model file's doc)", append([]float64(nil), v...))
	}
	gn, gs := s.generators()
	for i, g := range gs {
		if err := ms.AddRNG(prefix+gn[i], g); err != nil {
			return err
		}
	}
	ints := func(name, unit string, v []int64) {
		ms.Arrays = append(ms.Arrays, runio.Array{Name: prefix + name, Shape: []int{len(v)}, Data: v})
		ms.Units[prefix+name] = unit
	}
	trig := s.trig
	ring := make([]int64, len(trig.ring))
	for i, v := range trig.ring {
		ring[i] = int64(v)
	}
	sum := make([]int64, len(trig.sum))
	for i, v := range trig.sum {
		sum[i] = int64(v)
	}
	ints("trig_ring", "cluster spike counts of the trigger window (window × clusters)", ring)
	ints("trig_sum", "their sums per cluster", sum)
	ints("scalars", "[step, target start step (−1: none), selected sequence, trigger window position, clock events, clock spikes, clock E spikes, read-out spikes]",
		[]int64{int64(step), int64(s.tBegin), int64(s.selected), int64(trig.pos), s.net.Events, s.net.Spikes, s.net.SpikesE, s.monR.Count})
	toI := func(v []int) []int64 {
		out := make([]int64, len(v))
		for i, x := range v {
			out[i] = int64(x)
		}
		return out
	}
	ints("train_triggers", "steps of the training triggers", toI(s.trainTrig))
	ints("test_triggers", "steps of the test triggers", toI(s.testTrig))
	ms.Add(prefix+"mon_t", "read-out spike times (ms)", append([]float64(nil), s.monR.Times...))
	idx := make([]int64, len(s.monR.Index))
	for i, v := range s.monR.Index {
		idx[i] = int64(v)
	}
	ints("mon_i", "read-out spike neurons", idx)
	return nil
}

// loadState restores a state saved with prefix and returns its step.
func (s *readoutSim) loadState(m *runio.Model, prefix string) (int, error) {
	names, vecs := s.stateVecs()
	rates := map[string]*synapse.Poisson{"rate_sup": s.supIn, "rate_int": s.intIn, "rate_inh": s.inhIn}
	for i, v := range vecs {
		if p, ok := rates[names[i]]; ok {
			r, err := m.Float64(prefix+names[i], len(v))
			if err != nil {
				return 0, err
			}
			for q, x := range r {
				if err := p.SetRate(q, x); err != nil {
					return 0, fmt.Errorf("model file %s: %s%s: %w", m.Path, prefix, names[i], err)
				}
			}
			continue
		}
		if err := m.CopyFloat64(prefix+names[i], v); err != nil {
			return 0, err
		}
	}
	gn, gs := s.generators()
	for i, g := range gs {
		if err := experiment.LoadRNG(m, prefix+gn[i], g); err != nil {
			return 0, err
		}
	}
	trig := s.trig
	ring, err := m.Int64(prefix+"trig_ring", len(trig.ring))
	if err != nil {
		return 0, err
	}
	for i, v := range ring {
		trig.ring[i] = int32(v)
	}
	sum, err := m.Int64(prefix+"trig_sum", len(trig.sum))
	if err != nil {
		return 0, err
	}
	for i, v := range sum {
		trig.sum[i] = int32(v)
	}
	sc, err := m.Int64(prefix+"scalars", 8)
	if err != nil {
		return 0, err
	}
	if sc[3] < 0 || sc[3] >= int64(trig.win) {
		return 0, fmt.Errorf("model file %s: trigger position %d of %d", m.Path, sc[3], trig.win)
	}
	s.tBegin, s.selected, trig.pos = int(sc[1]), int(sc[2]), int(sc[3])
	s.net.Events, s.net.Spikes, s.net.SpikesE, s.monR.Count = sc[4], sc[5], sc[6], sc[7]
	getInts := func(name string) ([]int, error) {
		v, err := m.Int64(prefix+name, -1)
		out := make([]int, len(v))
		for i, x := range v {
			out[i] = int(x)
		}
		return out, err
	}
	if s.trainTrig, err = getInts("train_triggers"); err != nil {
		return 0, err
	}
	if s.testTrig, err = getInts("test_triggers"); err != nil {
		return 0, err
	}
	t, err := m.Float64(prefix+"mon_t", -1)
	if err != nil {
		return 0, err
	}
	idx, err := m.Int64(prefix+"mon_i", len(t))
	if err != nil {
		return 0, err
	}
	s.monR.Times = append(s.monR.Times[:0], t...)
	s.monR.Index = s.monR.Index[:0]
	for _, v := range idx {
		if v < 0 || v >= int64(s.nR) {
			return 0, fmt.Errorf("model file %s: %smon_i holds read-out %d of %d", m.Path, prefix, v, s.nR)
		}
		s.monR.Index = append(s.monR.Index, int32(v))
	}
	step := int(sc[0])
	if step < 1 || step >= s.trainSteps+s.testSteps {
		return 0, fmt.Errorf("model file %s: step %d of %d", m.Path, step, s.trainSteps+s.testSteps)
	}
	return step, s.net.frame.SetSteps(step)
}

// Resumable reports that maes-readout checkpoints (checkpoint_every_s).
func (c *MaesReadoutConfig) Resumable() bool { return true }

// Eval runs the read-out test of a saved maes-readout run (spikelab eval):
// from the state at the end of training, supervisors and interneurons off,
// the read-out synapses deleted at delete_at_s. With the config unchanged
// its metrics (readout_error, readout_error_deleted, test_triggers, …)
// equal the run's.
func (c *MaesReadoutConfig) Eval(ctx context.Context, env *experiment.Env, md *runio.Model) (map[string]float64, error) {
	if _, ok := md.Arrays["end_w"]; !ok {
		return nil, fmt.Errorf("%s holds no state at the end of training (written by an older version): run it again to evaluate it", md.Path)
	}
	s, err := c.build(env)
	if err != nil {
		return nil, err
	}
	defer s.net.Close()
	step, err := s.loadState(md, "end_")
	if err != nil {
		return nil, err
	}
	if step != s.trainSteps {
		return nil, fmt.Errorf("%s: the state is after step %d, the end of training is step %d", md.Path, step, s.trainSteps)
	}
	s.eval = true
	wall, err := s.simulate(ctx, env)
	if err != nil {
		return nil, err
	}
	m, err := s.report(env, wall)
	if err != nil {
		return nil, err
	}
	delete(m, "sim_seconds_per_wall_second")
	m["eval_seconds"] = wall
	return m, nil
}

// checkpointDue reports whether a checkpoint follows step i.
func (s *readoutSim) checkpointDue(i int) bool {
	if s.eval || s.env == nil || s.env.Out == nil || s.c.CheckpointEveryS <= 0 || i >= s.trainSteps+s.testSteps {
		return false
	}
	every := max(1, int(s.c.CheckpointEveryS*1000/s.dt+0.5))
	return i%every == 0
}

// checkpoint writes checkpoint.npz after step i (with the end-of-training
// state once taken).
func (s *readoutSim) checkpoint(i int) error {
	ms := &experiment.ModelState{Progress: float64(i) * s.dt / 1000, ProgressUnit: "s", Units: map[string]string{}}
	if err := s.addState(ms, "", i); err != nil {
		return err
	}
	if s.end != nil {
		ms.Arrays = append(ms.Arrays, s.end.Arrays...)
		for k, v := range s.end.Units {
			ms.Units[k] = v
		}
	}
	return experiment.SaveCheckpoint(s.env, s.c, ms)
}
