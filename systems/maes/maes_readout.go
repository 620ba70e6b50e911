package maes

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	gplot "gonum.org/v1/plot"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/plot"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/synapse"
	"github.com/spikelab/spikelab/task"
)

// MaesReadoutConfig configures the Hebbian read-out of Maes et al. 2020
// (clockActionNetwork.m, trainer.m, generateSequence.m): a frozen clock
// network drives read-out neurons through plastic all-to-all synapses
// (voltage STDP, soft upper bound); during training, each read-out is
// forced by its supervisor (Poisson-driven, target rate phase-locked to
// cluster 1 of the clock) and limited by its own interneuron. In the test,
// supervisors and interneurons are removed and a third of the read-out
// synapses is deleted half-way.
type MaesReadoutConfig struct {
	Seed    uint64        `yaml:"seed"`     // seed of every random stream
	Network MaesNetConfig `yaml:"network"`  // the clock network (frozen)
	Matrix  string        `yaml:"matrix"`   // clock matrix: build (30 clusters, period ≈ 445 ms), nc160, nc200, a .mat path or a maes-train model.npz
	DataDir string        `yaml:"data_dir"` // ModelDB 257609 files ("" = $SPIKELAB_DATA/maes)
	// Target is abcba (3 read-outs), parallel (ABCBA + DEDED, 5 read-outs,
	// alternating every switch_s in training) or song (45 read-outs, the
	// meadowlark spectrogram of supervisor_600.mat).
	Target string `yaml:"target"`
	// SongFile is the song target: "" = the copy embedded in spikelab
	// (supervisor_600.mat quantised to 8 bits, task.MaesSong), or the path
	// of a supervisor_600.mat to read at full precision.
	SongFile   string  `yaml:"song_file"`
	TrainS     float64 `yaml:"train_s"`     // training time (s); 12 (24 for parallel, 6 for song in the paper)
	SwitchS    float64 `yaml:"switch_s"`    // parallel: the presented sequence alternates every (s); 2
	TestS      float64 `yaml:"test_s"`      // test time (s); 2
	DeleteAtS  float64 `yaml:"delete_at_s"` // test time at which read-out synapses are deleted (s); 1
	DeleteFrac float64 `yaml:"delete_frac"` // fraction deleted (each independently); 1/3

	Readout     neuron.AdExParams       `yaml:"readout"`       // read-out neuron R
	Supervisor  neuron.AdExParams       `yaml:"supervisor"`    // supervisor neuron S
	Inter       neuron.AdExParams       `yaml:"interneuron"`   // interneuron H (LIF)
	Rule        learn.VoltageSTDPParams `yaml:"rule"`          // read-out plasticity
	WOneToOne   float64                 `yaml:"w_one_to_one"`  // S→R, R→H, H→R weights; 200
	WPoisson    float64                 `yaml:"w_poisson"`     // Poisson weight onto S and H; 1.78
	RateBaseKHz float64                 `yaml:"rate_base_khz"` // supervisor baseline and interneuron Poisson rate (kHz); 1
	RateOnKHz   float64                 `yaml:"rate_on_khz"`   // supervisor rate for an "on" element / song amplitude 1 (kHz); 10
	SuperMS     float64                 `yaml:"super_ms"`      // target length after a trigger (ms); 400 (600 for song)
	TriggerMS   float64                 `yaml:"trigger_ms"`    // cluster-1 dominance window (ms); 10
	BurnInMS    float64                 `yaml:"burn_in_ms"`    // no trigger before (ms); 50
	KernelMS2   float64                 `yaml:"kernel_ms2"`    // rate kernel exp(−t²/kernel) (ms²); 250
	ErrorLagMS  float64                 `yaml:"error_lag_ms"`  // the error window starts this long after a test trigger (ms); 35
	// CheckpointEveryS is the period of checkpoint.npz in simulated seconds
	// (spikelab resume continues a stopped run from the last one; 0: none).
	CheckpointEveryS float64 `yaml:"checkpoint_every_s"`
}

// MaesReadout returns the ABCBA defaults.
func MaesReadout() *MaesReadoutConfig {
	r := ExcitatoryNeuron()
	r.TauRef, r.A, r.B, r.TauW, r.SetT = 1, 0, 0, 10, false // read-out code: V_T += A_T
	s := r
	h := InhibitoryNeuron()
	h.TauRef = 1
	return &MaesReadoutConfig{Seed: 1, Network: MaesNet(), Matrix: "build", Target: "abcba", TrainS: 12, SwitchS: 2, TestS: 2,
		DeleteAtS: 1, DeleteFrac: 1.0 / 3, Readout: r, Supervisor: s, Inter: h, Rule: ReadoutRule(),
		WOneToOne: 200, WPoisson: 1.78, RateBaseKHz: 1, RateOnKHz: 10, SuperMS: 400, TriggerMS: 10, BurnInMS: 50, KernelMS2: 250, ErrorLagMS: 35,
		CheckpointEveryS: 2}
}

func init() {
	experiment.Register(experiment.Experiment{Name: "maes-readout", Description: "Maes et al. 2020: Hebbian read-out of a frozen clock network learns ABCBA (12 s), tested with a third of its synapses deleted",
		Defaults: func() experiment.Config { return MaesReadout() }})
}

// Validate reports the first unusable field.
func (c *MaesReadoutConfig) Validate() error {
	if err := experiment.Guard(c); err != nil {
		return err
	}
	if err := c.Network.Validate(); err != nil {
		return err
	}
	switch c.Target {
	case "abcba", "parallel", "song":
	default:
		return fmt.Errorf("target must be abcba, parallel or song, got %q", c.Target)
	}
	for _, f := range []struct {
		n string
		v float64
	}{{"train_s", c.TrainS}, {"switch_s", c.SwitchS}, {"test_s", c.TestS}, {"super_ms", c.SuperMS}, {"trigger_ms", c.TriggerMS}, {"kernel_ms2", c.KernelMS2}, {"w_one_to_one", c.WOneToOne}} {
		if err := experiment.Positive(f.n, f.v); err != nil {
			return err
		}
	}
	if !(c.DeleteFrac >= 0 && c.DeleteFrac <= 1) || !(c.DeleteAtS >= 0 && c.DeleteAtS <= c.TestS) {
		return fmt.Errorf("delete_frac must be in [0, 1] and delete_at_s in [0, test_s]")
	}
	if !(c.CheckpointEveryS >= 0) || math.IsInf(c.CheckpointEveryS, 0) {
		return fmt.Errorf("checkpoint_every_s must be >= 0 and finite (0: no checkpoints), got %g", c.CheckpointEveryS)
	}
	if !(c.RateBaseKHz >= 0 && c.RateOnKHz >= 0 && c.WPoisson >= 0 && c.BurnInMS >= 0 && c.ErrorLagMS >= 0) {
		return fmt.Errorf("rate_base_khz, rate_on_khz, w_poisson, burn_in_ms and error_lag_ms must be >= 0")
	}
	for _, e := range []error{experiment.Keyed("readout", c.Readout, c.Readout.Validate()), experiment.Keyed("supervisor", c.Supervisor, c.Supervisor.Validate()),
		experiment.Keyed("interneuron", c.Inter, c.Inter.Validate()), experiment.Keyed("rule", c.Rule, c.Rule.Validate())} {
		if e != nil {
			return e
		}
	}
	return nil
}

// maesTargets returns the target rates (kHz) as rows × samples at dt, and
// for each row the sequence it belongs to.
func (c *MaesReadoutConfig) maesTargets() ([][]float64, []int, error) {
	dt := c.Network.DtMS
	n := int(math.Round(c.SuperMS / dt))
	on := func(ivs ...[2]float64) []float64 {
		r := make([]float64, n)
		for s := range r {
			t := float64(s) * dt
			r[s] = c.RateBaseKHz
			for _, iv := range ivs {
				if t >= iv[0] && t < iv[1] {
					r[s] = c.RateOnKHz
				}
			}
		}
		return r
	}
	abcba := [][]float64{on([2]float64{25, 100}, [2]float64{325, 400}), on([2]float64{100, 175}, [2]float64{250, 325}), on([2]float64{175, 250})}
	switch c.Target {
	case "abcba":
		return abcba, []int{0, 0, 0}, nil
	case "parallel":
		ded := [][]float64{on([2]float64{25, 100}, [2]float64{175, 250}, [2]float64{325, 400}), on([2]float64{100, 175}, [2]float64{250, 325})}
		return append(abcba, ded...), []int{0, 0, 0, 1, 1}, nil
	}
	var song [][]float64
	if c.SongFile == "" {
		var err error
		if song, err = task.MaesSong(); err != nil {
			return nil, nil, fmt.Errorf("target song: embedded copy: %w", err)
		}
	} else {
		vars, err := task.LoadMAT(c.SongFile)
		if err != nil {
			return nil, nil, fmt.Errorf("song_file: %w", err)
		}
		a, ok := vars["supervisor"]
		if !ok || len(a.Dims) != 2 || a.Dims[0] < 1 || a.Dims[1] < 2 || len(a.Data) != a.Len() || a.Imag != nil {
			return nil, nil, fmt.Errorf("song_file %s has no 2-D variable supervisor (bands × samples of 0.1 ms)", c.SongFile)
		}
		song = make([][]float64, a.Dims[0])
		for i := range song {
			song[i] = make([]float64, a.Dims[1])
			for s := range song[i] {
				song[i][s] = a.At(i, s)
			}
		}
	}
	rows, cols := len(song), len(song[0])
	out := make([][]float64, rows)
	seq := make([]int, rows)
	for i := range out {
		out[i] = make([]float64, n)
		for s := range out[i] {
			// The values in [0, 1] are scaled to [0, rate_on_khz]
			// (the MATLAB script fed them as kHz directly; a rate of 0 stalls its exprnd).
			out[i][s] = c.RateOnKHz * song[i][min(s, cols-1)]
		}
	}
	return out, seq, nil
}

// readoutPop is one population of read-out circuit neurons with its own
// conductances and one-step delayed inputs.
type readoutPop struct {
	N        *neuron.AdEx
	gE, gI   *synapse.CondDiffExp
	inE, inI *synapse.Delay
	sp       []int32
}

func newReadoutPop(n int, p neuron.AdExParams, c *MaesNetConfig, rng *rand.Rand) (*readoutPop, error) {
	r := &readoutPop{N: neuron.NewAdEx(n, c.DtMS, p)}
	r.N.Init(rng)
	var err error
	if r.gE, err = synapse.NewCondDiffExp(n, c.TauRiseE, c.TauDecayE, c.DtMS); err != nil {
		return nil, err
	}
	if r.gI, err = synapse.NewCondDiffExp(n, c.TauRiseI, c.TauDecayI, c.DtMS); err != nil {
		return nil, err
	}
	r.N.GE, r.N.GI = r.gE.G, r.gI.G
	r.inE, _ = synapse.NewDelay(n, 1)
	r.inI, _ = synapse.NewDelay(n, 1)
	return r, nil
}

func (r *readoutPop) step(t float64) []int32 {
	r.gE.Step(r.inE.Now())
	r.gI.Step(r.inI.Now())
	r.sp = r.N.Step(t, nil, r.sp[:0])
	return r.sp
}

func (r *readoutPop) advance() { r.inE.Advance(); r.inI.Advance() }

// trigger tracks the per-cluster spike counts of the last window and
// reports when cluster 0 is the (strict, non-empty) argmax.
type trigger struct {
	k, size, win, pos int
	ring              []int32 // win × k counts
	sum               []int32
}

func newTrigger(k, size, win int) *trigger {
	return &trigger{k: k, size: size, win: win, ring: make([]int32, win*k), sum: make([]int32, k)}
}

func (g *trigger) observe(spikes []int32) bool {
	row := g.ring[g.pos*g.k : (g.pos+1)*g.k]
	for c, v := range row {
		g.sum[c] -= v
		row[c] = 0
	}
	for _, j := range spikes {
		if c := int(j) / g.size; c < g.k {
			row[c]++
			g.sum[c]++
		}
	}
	g.pos = (g.pos + 1) % g.win
	best, arg := int32(0), -1
	for c, v := range g.sum {
		if v > best {
			best, arg = v, c
		}
	}
	// All-zero counts select nothing (the MATLAB find(max) picks cluster 1 then).
	return arg == 0
}

// readoutSim is the read-out experiment's network, read-out circuit and
// bookkeeping, made by build, advanced by simulate, summarised by report.
type readoutSim struct {
	c                                       *MaesReadoutConfig
	net                                     *Network
	R, S, H                                 *readoutPop
	W                                       *connect.Sparse
	rule                                    *learn.VoltageSTDP
	rng                                     *rand.PCG
	supIn, intIn, inhIn                     *synapse.Poisson
	target                                  [][]float64
	seqOf                                   []int
	nR, k, nSeq                             int
	dt                                      float64
	superSteps, trainSteps, testSteps, burn int
	trig                                    *trigger
	monR                                    *sim.SpikeMonitor
	trainTrig, testTrig                     []int
	tBegin, selected                        int
	delRng                                  *rand.Rand
	delSrc                                  *rand.PCG // delRng's generator
	deleteAt                                int
	spE                                     []int32

	env        *experiment.Env
	eval       bool                   // spikelab eval: the test only, no checkpoints
	end        *experiment.ModelState // the state at the end of training (model.npz)
	err        error                  // a checkpoint's error, returned at the next poll
	ltpF, ltdF []float64              // plasticity: per read-out LTP and LTD factors of the step
	spiked     []bool                 // plasticity: the presynaptic neurons that spiked this step
}

// Run trains and tests the read-out.
func (c *MaesReadoutConfig) Run(ctx context.Context, env *experiment.Env) (map[string]float64, error) {
	s, err := c.build(env)
	if err != nil {
		return nil, err
	}
	defer s.net.Close()
	ck, err := experiment.LoadCheckpoint(env, c)
	if err != nil {
		return nil, err
	}
	if ck != nil {
		if _, ok := ck.Arrays["end_w"]; ok {
			// The end-of-training state passes through the simulation to
			// be snapshot as the run took it; the current state follows.
			if _, err := s.loadState(ck, "end_"); err != nil {
				return nil, err
			}
			s.end = &experiment.ModelState{Units: map[string]string{}}
			if err := s.addState(s.end, "end_", s.trainSteps); err != nil {
				return nil, err
			}
		}
		if _, err := s.loadState(ck, ""); err != nil {
			return nil, err
		}
	}
	wall, err := s.simulate(ctx, env)
	if err != nil {
		return nil, err
	}
	m, err := s.report(env, wall)
	if err != nil {
		return nil, err
	}
	if env.Out != nil && s.end != nil {
		s.end.Progress, s.end.ProgressUnit = c.TrainS, "s"
		if err := experiment.SaveFinalModel(env, c, s.end); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// build makes the network (plasticity off), the read-out, supervisor and
// interneuron populations, the read-out weights and rule, and the inputs.
func (c *MaesReadoutConfig) build(env *experiment.Env) (*readoutSim, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	target, seqOf, err := c.maesTargets()
	if err != nil {
		return nil, err
	}
	nR := len(target)
	m, k, err := loadMaesMatrix(&c.Network, c.Matrix, c.DataDir, c.Seed)
	if err != nil {
		return nil, err
	}
	net, err := NewNetwork(NetworkOptions{Config: &c.Network, Weights: m, Clusters: k, Seed: c.Seed, Threads: env.Threads})
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			net.Close()
		}
	}()
	ne := c.Network.NE
	dt := c.Network.DtMS
	init := sim.Stream(c.Seed, "readout-init")
	R, err := newReadoutPop(nR, c.Readout, &c.Network, init)
	if err != nil {
		return nil, err
	}
	S, _ := newReadoutPop(nR, c.Supervisor, &c.Network, init)
	H, _ := newReadoutPop(nR, c.Inter, &c.Network, init)
	// All-to-all read-out weights from the E neurons, initially 0.
	syn := make([]connect.Synapse, 0, ne*nR)
	for j := 0; j < ne; j++ {
		for i := 0; i < nR; i++ {
			syn = append(syn, connect.Synapse{Pre: int32(j), Post: int32(i)})
		}
	}
	W, err := connect.NewSparse(nR, ne, syn)
	if err != nil {
		return nil, err
	}
	rule, err := learn.NewVoltageSTDP(c.Rule, dt, W, 0, ne, 0, nR, 0)
	if err != nil {
		return nil, err
	}
	for i := 0; i < nR; i++ {
		rule.U[i] = c.Readout.VInitLo + init.Float64()*(c.Readout.VInitHi-c.Readout.VInitLo)
		rule.VBar[i] = c.Readout.VInitLo + init.Float64()*(c.Readout.VInitHi-c.Readout.VInitLo)
	}
	rng := sim.Source(c.Seed, "readout-poisson")
	supIn, _ := synapse.NewPoisson(nR, dt, c.RateBaseKHz, c.WPoisson)
	intIn, _ := synapse.NewPoisson(nR, dt, c.RateBaseKHz, c.WPoisson)
	inhIn, _ := synapse.NewPoisson(nR, dt, 0, c.WOneToOne) // parallel: inhibition of the non-selected read-outs
	trainSteps := int(math.Round(c.TrainS * 1000 / dt))
	testSteps := int(math.Round(c.TestS * 1000 / dt))
	burn := int(math.Round(c.BurnInMS / dt))
	trig := newTrigger(k, ne/k, max(1, int(math.Round(c.TriggerMS/dt))))
	monR := sim.NewSpikeMonitor(nR, 1<<16)
	deleteAt := trainSteps + int(math.Round(c.DeleteAtS*1000/dt))
	delSrc := sim.Source(c.Seed, "delete") // sim.Stream's generator
	ok = true
	return &readoutSim{c: c, net: net, R: R, S: S, H: H, W: W, rule: rule, rng: rng, supIn: supIn, intIn: intIn, inhIn: inhIn,
		target: target, seqOf: seqOf, nR: nR, k: k, nSeq: seqOf[len(seqOf)-1] + 1, dt: dt,
		superSteps: len(target[0]), trainSteps: trainSteps, testSteps: testSteps, burn: burn, trig: trig, monR: monR,
		tBegin: -1, delRng: rand.New(delSrc), delSrc: delSrc, deleteAt: deleteAt, env: env}, nil
}

// step is one step of the read-out circuit. It runs as a monitor of the
// network (slot 8): it sees the E spikes of the step after the network's
// update and propagation, as it saw them after the network's Step before.
func (s *readoutSim) step(sc *sim.StepContext) {
	c, net, trig := s.c, s.net, s.trig
	R, S, H, W, rule, rng := s.R, s.S, s.H, s.W, s.rule, s.rng
	supIn, intIn, inhIn := s.supIn, s.intIn, s.inhIn
	nR, target, seqOf, nSeq := s.nR, s.target, s.seqOf, s.nSeq
	trainSteps, superSteps, burn, deleteAt, delRng := s.trainSteps, s.superSteps, s.burn, s.deleteAt, s.delRng
	i, t := sc.Step, sc.T
	training := i <= trainSteps
	if i == trainSteps+1 {
		s.tBegin = -1
		for q := range trig.sum { // the test restarts the trigger bookkeeping
			trig.sum[q] = 0
		}
		clear(trig.ring)
	}
	if nSeq > 1 {
		ts := t / 1000
		if training {
			s.selected = int(ts/c.SwitchS) % nSeq
		} else {
			s.selected = 0
		}
	}
	// Trigger: cluster 1 dominant over the last window, no target running.
	s.spE = append(s.spE[:0], sc.Spikes(net.E)...)
	dominant := trig.observe(s.spE)
	length := superSteps
	if !training {
		length = int(0.95 * float64(superSteps))
	}
	if s.tBegin >= 0 && i-s.tBegin >= length {
		s.tBegin = -1
	}
	if i > burn+ifElse(training, 0, trainSteps) && dominant && s.tBegin < 0 {
		s.tBegin = i
		if training {
			s.trainTrig = append(s.trainTrig, i)
		} else {
			s.testTrig = append(s.testTrig, i)
		}
	}
	if training {
		for r := 0; r < nR; r++ {
			rate := c.RateBaseKHz
			if s.tBegin >= 0 && seqOf[r] == s.selected {
				rate = target[r][i-s.tBegin]
			}
			_ = supIn.SetRate(r, rate)
			if nSeq > 1 {
				inh := 0.0
				if seqOf[r] != s.selected {
					inh = c.RateBaseKHz
				}
				_ = inhIn.SetRate(r, inh)
			}
		}
		supIn.Add(rng, 0, nR, S.inE.Now())
		intIn.Add(rng, 0, nR, H.inE.Now())
	} else if nSeq > 1 {
		for r := 0; r < nR; r++ {
			inh := 0.0
			if seqOf[r] != s.selected {
				inh = c.RateBaseKHz
			}
			_ = inhIn.SetRate(r, inh)
		}
	}
	if nSeq > 1 {
		inhIn.Add(rng, 0, nR, R.inI.Now())
	}
	if i == deleteAt {
		for q := range W.W {
			if delRng.Float64() < c.DeleteFrac {
				W.W[q] = 0
			}
		}
	}
	rule.Filters(R.N.V)
	spR := R.step(t)
	var spS, spH []int32
	if training {
		spS = S.step(t)
		spH = H.step(t)
	}
	s.monR.Observe(t, spR)
	W.Propagate(s.spE, R.inE.Ahead(1), 1)
	for _, r := range spS {
		R.inE.Ahead(1)[r] += c.WOneToOne
	}
	for _, r := range spH {
		R.inI.Ahead(1)[r] += c.WOneToOne
	}
	if training {
		for _, r := range spR {
			H.inE.Ahead(1)[r] += c.WOneToOne
		}
		rule.PreSpikes(s.spE)
		s.plasticity(rule, s.spE, R.N.V)
	} else {
		rule.PreSpikes(s.spE)
	}
	R.advance()
	S.advance()
	H.advance()
	if i == trainSteps && !s.eval && s.env != nil && s.env.Out != nil {
		s.end = &experiment.ModelState{Units: map[string]string{}}
		if err := s.addState(s.end, "end_", i); err != nil && s.err == nil {
			s.err = err
		}
	}
	if s.err == nil && s.checkpointDue(i) {
		s.err = s.checkpoint(i)
	}
}

// plasticity is the read-out rule's weight update of one step as the spec
// gives it (trainer.m): for every synapse j→i, one update
// W += dt·(LTP − LTD), then W := max(W, w_min), with
//
//	LTP = A_LTP·(w_max − W)/w_max·x_j·[V_i − θ_LTP]₊·[v̄_i − θ_LTD]₊  (soft bound; W before the update)
//	LTD = A_LTD·s_j·[ū_i − θ_LTD]₊                                     (s_j = 1 if j spiked this step)
//
// (with a hard bound, LTP has no (w_max − W)/w_max factor and W is also
// clipped at w_max). learn.VoltageSTDP's LTD and LTP apply LTD and clip
// it before LTP; with a lower bound of 0 and weights starting at 0 that
// loses the LTP of a step in which a synapse at 0 is also depressed.
// v is this step's V of the read-outs; rule.X already holds this step's
// presynaptic spikes.
func (s *readoutSim) plasticity(rule *learn.VoltageSTDP, spikes []int32, v []float64) {
	p, dt, M := rule.P, rule.Dt, rule.M
	if len(s.ltpF) != M.NPost {
		s.ltpF, s.ltdF = make([]float64, M.NPost), make([]float64, M.NPost)
		s.spiked = make([]bool, M.NPre)
	}
	anyLTP := false
	for i := range s.ltpF {
		s.ltpF[i], s.ltdF[i] = 0, 0
		if v[i] > p.ThetaLTP && rule.VBar[i] > p.ThetaLTD {
			s.ltpF[i] = p.ALTP * (v[i] - p.ThetaLTP) * (rule.VBar[i] - p.ThetaLTD)
			anyLTP = true
		}
		if d := rule.U[i] - p.ThetaLTD; d > 0 {
			s.ltdF[i] = p.ALTD * d
		}
	}
	update := func(j int, spiked bool) {
		x := rule.X[j]
		for q := M.Start[j]; q < M.Start[j+1]; q++ {
			i := M.Post[q]
			w := M.W[q]
			ltp := s.ltpF[i] * x
			if p.SoftBound {
				ltp *= (p.WMax - w) / p.WMax
			}
			ltd := 0.0
			if spiked {
				ltd = s.ltdF[i]
			}
			if ltp == 0 && ltd == 0 {
				continue
			}
			w += dt * (ltp - ltd)
			if w < p.WMin {
				w = p.WMin
			}
			if !p.SoftBound && w > p.WMax {
				w = p.WMax
			}
			M.W[q] = w
		}
	}
	if !anyLTP { // only the synapses of this step's presynaptic spikes change
		for _, j := range spikes {
			update(int(j), true)
		}
		return
	}
	for _, j := range spikes {
		s.spiked[j] = true
	}
	for j := 0; j < M.NPre; j++ {
		update(j, s.spiked[j])
	}
	for _, j := range spikes {
		s.spiked[j] = false
	}
}

// simulate runs the network with the read-out circuit and returns the wall
// time of the run (s).
func (s *readoutSim) simulate(ctx context.Context, env *experiment.Env) (float64, error) {
	steps := s.trainSteps + s.testSteps
	done := s.net.Frame().Steps() // resumed or evaluated: the steps before
	prog := experiment.ProgressOf(env, int64(steps), "read-out")
	defer prog.Finish()
	if err := s.net.Frame().AddMonitor(monitorFunc(s.step)); err != nil {
		return 0, err
	}
	t0 := time.Now()
	err := s.net.run(ctx, float64(steps-done)*s.dt, sim.RunOptions{Every: 1000, Progress: func(d, _ int64) { prog.Set(int64(done) + d) },
		Checkpoint: func(int) error { return s.err }})
	if err == nil {
		err = s.err
	}
	if err != nil {
		return 0, err
	}
	wall := time.Since(t0).Seconds()
	return wall, sim.CheckFinite("read-out weights", s.W.W, float64(steps)*s.dt)
}

// report computes the read-out errors and metrics and writes the figures.
func (s *readoutSim) report(env *experiment.Env, wall float64) (map[string]float64, error) {
	c, W, k, dt, nR := s.c, s.W, s.k, s.dt, s.nR
	target, seqOf, monR := s.target, s.seqOf, s.monR
	trainSteps, testSteps, superSteps, deleteAt := s.trainSteps, s.testSteps, s.superSteps, s.deleteAt
	trainTrig, testTrig := s.trainTrig, s.testTrig
	// Rates of the read-outs on the step grid over the test.
	rates := maesKernelRates(monR, nR, trainSteps, testSteps, dt, c.KernelMS2)
	lag := int(math.Round(c.ErrorLagMS / dt))
	rows := make([]int, 0, nR)
	for r := range seqOf {
		if seqOf[r] == 0 {
			rows = append(rows, r)
		}
	}
	errAt := func(trig int) float64 {
		a := trig - trainSteps + lag
		if trig < 0 || a+superSteps > testSteps {
			return math.NaN()
		}
		return maesReadoutError(target, rates, rows, a, superSteps)
	}
	e2, eDel := math.NaN(), math.NaN()
	if len(testTrig) >= 2 {
		e2 = errAt(testTrig[1])
	}
	for _, tr := range testTrig {
		if tr >= deleteAt {
			eDel = errAt(tr)
			break
		}
	}
	if math.IsNaN(e2) || math.IsNaN(eDel) {
		return nil, fmt.Errorf("read-out test: cluster 1 triggered %d times in %g s (need a second trigger, and one after delete_at_s with %g ms of test left); the clock does not cycle — check the matrix (maes-replay) or lengthen test_s", len(testTrig), c.TestS, c.SuperMS+c.ErrorLagMS)
	}
	// The error of a silent read-out (all rates 0): the reference point.
	zero := make([][]float64, nR)
	for r := range zero {
		zero[r] = make([]float64, superSteps)
	}
	eSilent := maesReadoutError(target, zero, rows, 0, superSteps)
	wsum, wn := 0.0, 0
	for _, w := range W.W {
		wsum += w
		wn++
	}
	met := map[string]float64{
		"readout_error":               e2,
		"readout_error_deleted":       eDel,
		"readout_error_silent":        eSilent,
		"train_triggers":              float64(len(trainTrig)),
		"test_triggers":               float64(len(testTrig)),
		"readout_rate_hz":             float64(monR.Count) / (float64(nR) * (c.TrainS + c.TestS)),
		"w_readout_mean":              wsum / float64(wn),
		"wall_seconds":                wall,
		"sim_seconds_per_wall_second": (c.TrainS + c.TestS) / wall,
	}
	if env.Out != nil {
		if err := c.write(env, W, k, target, rates, rows, testTrig, trainSteps, lag, superSteps, dt); err != nil {
			return nil, err
		}
	}
	return met, nil
}

func ifElse(b bool, x, y int) int {
	if b {
		return x
	}
	return y
}

// maesKernelRates convolves the read-out spikes of the test (steps
// trainSteps+1 …) with exp(−t²/kernel) on the step grid: out[r][s].
func maesKernelRates(mon *sim.SpikeMonitor, nR, trainSteps, testSteps int, dt, kernel float64) [][]float64 {
	out := make([][]float64, nR)
	for r := range out {
		out[r] = make([]float64, testSteps)
	}
	half := int(math.Ceil(math.Sqrt(kernel*30) / dt)) // exp(−30) ≈ 1e−13
	for q, t := range mon.Times {
		s := int(math.Round(t/dt)) - trainSteps - 1
		if s < -half || s >= testSteps+half {
			continue
		}
		row := out[mon.Index[q]]
		for d := max(-half, -s); d <= half && s+d < testSteps; d++ {
			x := float64(d) * dt
			row[s+d] += math.Exp(-x * x / kernel)
		}
	}
	return out
}

// maesReadoutError is the spec's normalised mean absolute error: the
// read-out rates in [a, a+n) and the target, each min-max normalised over
// its whole matrix (the given rows), then mean |T − L|.
func maesReadoutError(target, rates [][]float64, rows []int, a, n int) float64 {
	norm := func(get func(r, s int) float64) []float64 {
		v := make([]float64, 0, len(rows)*n)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, r := range rows {
			for s := 0; s < n; s++ {
				x := get(r, s)
				v = append(v, x)
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
		}
		for q := range v {
			if hi > lo {
				v[q] = (v[q] - lo) / (hi - lo)
			} else {
				v[q] = 0
			}
		}
		return v
	}
	T := norm(func(r, s int) float64 { return target[r][s] })
	L := norm(func(r, s int) float64 { return rates[r][a+s] })
	sum := 0.0
	for q := range T {
		sum += math.Abs(T[q] - L[q])
	}
	return sum / float64(len(T))
}

func (c *MaesReadoutConfig) write(env *experiment.Env, W *connect.Sparse, k int, target, rates [][]float64, rows []int, testTrig []int, trainSteps, lag, n int, dt float64) error {
	// Read-out rates over the whole test, with the target after each trigger.
	testSteps := len(rates[0])
	tt := make([]float64, testSteps)
	for s := range tt {
		tt[s] = float64(s+1) * dt / 1000
	}
	var pl []*gplot.Plot
	for _, r := range rows {
		if len(pl) >= 6 {
			break
		}
		tg := make([]float64, testSteps)
		for _, tr := range testTrig {
			a := tr - trainSteps + lag
			for s := 0; s < n && a+s < testSteps; s++ {
				if a+s >= 0 {
					tg[a+s] = target[r][s]
				}
			}
		}
		mx := 0.0
		for _, v := range rates[r] {
			mx = math.Max(mx, v)
		}
		for s := range tg {
			tg[s] *= math.Max(mx, 1e-9) / c.RateOnKHz
		}
		g, err := plot.Lines(fmt.Sprintf("read-out %d: rate (kernel sum) vs target (scaled); synapses deleted at %g s", r, c.DeleteAtS), "test time (s)", "rate (kernel sum, a.u.)",
			plot.Series{Label: "read-out", X: tt, Y: rates[r]}, plot.Series{Label: "target", X: tt, Y: tg, Dash: true})
		if err != nil {
			return err
		}
		pl = append(pl, g)
	}
	if err := plot.SavePNG(env.Out.File("readout.png"), 10, 2.2, pl...); err != nil {
		return err
	}
	// Read-out weights binned by cluster (rows: read-outs).
	nR := W.NPost
	z := make([]float64, nR*k)
	size := W.NPre / k
	for j := 0; j < W.NPre; j++ {
		for q := W.Start[j]; q < W.Start[j+1]; q++ {
			z[int(W.Post[q])*k+j/size] += W.W[q] / float64(size)
		}
	}
	h, err := plot.HeatMap("read-out weights (mean per clock cluster; deleted synapses count as 0)", "clock cluster", "read-out", "mean weight (nS·ms)", z, nR, k)
	if err != nil {
		return err
	}
	if err := plot.SavePNG(env.Out.File("readout_weights.png"), 8, 3, h); err != nil {
		return err
	}
	flat := make([]float64, 0, len(rates)*testSteps)
	for _, r := range rates {
		flat = append(flat, r...)
	}
	trig := make([]float64, len(testTrig))
	for q, v := range testTrig {
		trig[q] = float64(v-trainSteps) * dt / 1000
	}
	return runio.WriteNPZ(env.Out.File("recordings.npz"), []runio.Array{
		{Name: "rates", Shape: []int{len(rates), testSteps}, Data: flat},
		{Name: "rate_t", Shape: []int{testSteps}, Data: tt},
		{Name: "test_trigger_t", Shape: []int{len(trig)}, Data: trig},
		{Name: "readout_weights", Shape: []int{nR, W.NPre}, Data: W.Dense()},
	})
}
