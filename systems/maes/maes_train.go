package maes

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/plot"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/sim"
)

// MaesTrainConfig configures the sequential-stimulation protocol of Maes et
// al. 2020 (runsim.jl) that forms the feedforward cluster structure: blocks
// of stimulated training with plasticity, then spontaneous activity with
// plasticity (consolidation), then a replay test with plasticity off.
// The defaults are the scaled network of spec §7.2 (1200 E / 300 I, 15
// clusters of 80, weights × √2) for 20 simulated minutes of training and
// 20 of consolidation (the consolidation is what turns the trained
// structure into clean forward replay: after 2 minutes the replay test gives
// 0.72 forward, after 20 minutes 0.95); `--set network.n_exc=2400 ...` and train_min=60, spont_min=60 give the
// full protocol (see the README).
type MaesTrainConfig struct {
	Seed    uint64        `yaml:"seed"`    // seed of every random stream
	Network MaesNetConfig `yaml:"network"` // network (matrix: random, every E→E at w_ee_init)
	Rules   Plasticity    `yaml:"rules"`   // plasticity rules

	TrainMin float64 `yaml:"train_min"` // stimulated training (simulated minutes); full protocol 60
	SpontMin float64 `yaml:"spont_min"` // spontaneous consolidation with plasticity (minutes); full 60
	BlockS   float64 `yaml:"block_s"`   // length of one sim() call (s): state re-initialised, normalisation targets recaptured, checkpoint written; 120

	StimOnMS       float64 `yaml:"stim_on_ms"`       // each cluster ON for (ms); 9 (the code; the paper says 10)
	StimPeriodMS   float64 `yaml:"stim_period_ms"`   // onset-to-onset per cluster (ms); 15
	StimFirstMS    float64 `yaml:"stim_first_ms"`    // first onset, of cluster 2 (ms); 16 (order 2, 3, …, K, 1)
	StimRateKHz    float64 `yaml:"stim_rate_khz"`    // extra Poisson rate of the stimulated cluster (kHz); 18
	TrainExtUnstim float64 `yaml:"train_ext_unstim"` // weight of the external events of non-stimulated E neurons during training (the code's undocumented trick); −0.8
	PlasticAfterS  float64 `yaml:"plastic_after_s"`  // in consolidation blocks, plasticity starts after (s); 1

	ReplayS float64      `yaml:"replay_s"` // final replay test, plasticity off (s); 3
	Replay  ReplayParams `yaml:"replay"`   // dominant-cluster analysis

	// Resume is a checkpoint.npz of an earlier run of the same config to
	// continue from ("" = start fresh): an alias of spikelab resume that
	// writes into a new folder. Every other key must equal the
	// checkpoint's. The CLI takes it out of the config (TakeResume), so the
	// new folder's config.yaml records the protocol.
	Resume     string `yaml:"resume"`
	HeatmapBin int    `yaml:"heatmap_bin"` // neurons per heat-map cell; 20
	// InitFrom is a model.npz or checkpoint.npz of maes-train whose
	// weights (same network and seed) this run starts from ("" = the
	// initial weights).
	InitFrom string `yaml:"init_from"`
}

// MaesTrain returns the scaled default.
func MaesTrain() *MaesTrainConfig {
	n := MaesNet()
	f := math.Sqrt2
	n.NE, n.NI, n.Clusters = 1200, 300, 15
	n.WEE0, n.WIE0, n.WEI, n.WII = 2.83*f, 62.87*f, 1.96*f, 20.91*f
	return &MaesTrainConfig{Seed: 1, Network: n, Rules: DefaultPlasticity(), TrainMin: 20, SpontMin: 20, BlockS: 120,
		StimOnMS: 9, StimPeriodMS: 15, StimFirstMS: 16, StimRateKHz: 18, TrainExtUnstim: -0.8, PlasticAfterS: 1,
		ReplayS: 3, Replay: DefaultReplayParams(), HeatmapBin: 20}
}

func init() {
	experiment.Register(experiment.Experiment{Name: "maes-train", Description: "Maes et al. 2020: sequential stimulation + voltage STDP/iSTDP form a feedforward clock (scaled: 1200 E / 300 I, 20 min simulated)",
		Defaults: func() experiment.Config { return MaesTrain() }})
}

// Validate reports the first unusable field.
func (c *MaesTrainConfig) Validate() error {
	if err := experiment.Guard(c); err != nil {
		return err
	}
	if err := c.Network.Validate(); err != nil {
		return err
	}
	if err := c.Rules.Validate(); err != nil {
		return err
	}
	if !(c.TrainMin >= 0) || !(c.SpontMin >= 0) || c.TrainMin+c.SpontMin == 0 {
		return fmt.Errorf("train_min and spont_min must be >= 0, not both 0")
	}
	for _, f := range []struct {
		n string
		v float64
	}{{"block_s", c.BlockS}, {"stim_on_ms", c.StimOnMS}, {"stim_period_ms", c.StimPeriodMS}, {"replay_s", c.ReplayS}} {
		if err := experiment.Positive(f.n, f.v); err != nil {
			return err
		}
	}
	if c.StimOnMS > c.StimPeriodMS {
		return fmt.Errorf("stim_on_ms (%g) must be <= stim_period_ms (%g)", c.StimOnMS, c.StimPeriodMS)
	}
	if !(c.StimRateKHz >= 0) || !(c.StimFirstMS >= 0) || !(c.PlasticAfterS >= 0) {
		return fmt.Errorf("stim_rate_khz, stim_first_ms and plastic_after_s must be >= 0")
	}
	if c.HeatmapBin < 1 {
		return fmt.Errorf("heatmap_bin must be >= 1")
	}
	return c.Replay.validate()
}

// ResumeHint returns the command that continues an interrupted run in
// folder dir from its last checkpoint ("" when none was written).
func (c *MaesTrainConfig) ResumeHint(name, dir string) string {
	if _, err := os.Stat(filepath.Join(dir, experiment.CheckpointFile)); err != nil {
		return ""
	}
	return "spikelab resume " + dir
}

// Resumable reports that maes-train checkpoints after every block.
func (c *MaesTrainConfig) Resumable() bool { return true }

// TakeResume returns the resume key and clears it (the CLI turns it into
// a resumed run into a new folder).
func (c *MaesTrainConfig) TakeResume() string {
	r := c.Resume
	c.Resume = ""
	return r
}

func (c *MaesTrainConfig) blocks() (train, spont int) {
	return int(math.Ceil(c.TrainMin * 60 / c.BlockS)), int(math.Ceil(c.SpontMin * 60 / c.BlockS))
}

// Run executes the protocol block by block.
func (c *MaesTrainConfig) Run(ctx context.Context, env *experiment.Env) (map[string]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m, k, err := maesMatrix(&c.Network, "random", sim.Stream(c.Seed, "weights"))
	if err != nil {
		return nil, err
	}
	nTrain, nSpont := c.blocks()
	start := 0
	var hist []float64 // per record: t_min, within, forward, backward, other, ie, rate_e, rate_i
	var simS, wallS, cpuS float64
	renv := *env
	if c.Resume != "" { // the alias: the run's files record the protocol, not the pointer
		cc := *c
		if renv.Resume == "" {
			renv.Resume = cc.TakeResume()
		}
		cc.Resume = ""
		c = &cc
	}
	ck, err := experiment.LoadCheckpoint(&renv, c)
	if err != nil {
		return nil, err
	}
	if ck != nil {
		if err := loadMaesWeights(ck, m); err != nil {
			return nil, err
		}
		start = int(ck.Header.Progress)
		if start < 1 || start > nTrain+nSpont {
			return nil, fmt.Errorf("checkpoint %s: %d blocks done, the protocol has %d", ck.Path, start, nTrain+nSpont)
		}
		h, err := ck.Float64("history", start+1, 8)
		if err != nil {
			return nil, err
		}
		hist = append(hist, h...)
		tot, err := ck.Float64("totals", 3)
		if err != nil {
			return nil, err
		}
		simS, wallS, cpuS = tot[0], tot[1], tot[2]
		fmt.Fprintf(env.Log, "resumed from %s after block %d\n", ck.Path, start)
	} else if c.InitFrom != "" {
		im, err := experiment.LoadInitModel(c.InitFrom, "maes-train")
		if err != nil {
			return nil, err
		}
		if err := loadMaesWeights(im, m); err != nil {
			return nil, fmt.Errorf("init_from: %w", err)
		}
	}
	if len(hist) == 0 {
		b := maesBlockMeans(m, c.Network.NE, k)
		hist = append(hist, 0, b.Within, b.Forward, b.Backward, b.Other, b.IE, 0, 0)
	}
	fmt.Fprintf(env.Log, "maes-train: %d E / %d I, %d clusters, %d synapses; %d training + %d consolidation blocks of %g s\n",
		c.Network.NE, c.Network.NI, k, m.NNZ(), nTrain, nSpont, c.BlockS)
	total := nTrain + nSpont
	for blk := start; blk < total; blk++ {
		training := blk < nTrain
		dur := c.BlockS
		if training && float64(blk+1)*c.BlockS > c.TrainMin*60 {
			dur = c.TrainMin*60 - float64(blk)*c.BlockS
		} else if !training && float64(blk-nTrain+1)*c.BlockS > c.SpontMin*60 {
			dur = c.SpontMin*60 - float64(blk-nTrain)*c.BlockS
		}
		net, err := NewNetwork(NetworkOptions{Config: &c.Network, Weights: m, Clusters: k, Plastic: true, Rules: &c.Rules,
			Seed: c.Seed + uint64(blk)*1000003, Threads: env.Threads})
		if err != nil {
			return nil, err
		}
		t0, cpu0 := time.Now(), experiment.CPUSeconds()
		re, ri, err := c.runBlock(ctx, env, net, training, dur, blk, total)
		net.Close()
		if err != nil {
			return nil, err
		}
		wallS += time.Since(t0).Seconds()
		cpuS += experiment.CPUSeconds() - cpu0
		simS += dur
		b := maesBlockMeans(m, c.Network.NE, k)
		tMin := hist[len(hist)-8] + dur/60
		hist = append(hist, tMin, b.Within, b.Forward, b.Backward, b.Other, b.IE, re, ri)
		fmt.Fprintf(env.Log, "block %d/%d (%s) t=%.1f min: within %.2f fwd %.2f bwd %.2f other %.2f I→E %.1f; E %.2f Hz I %.2f Hz; %.2f sim s/wall s, %.2f sim s/CPU s\n",
			blk+1, total, map[bool]string{true: "training", false: "spontaneous"}[training], tMin, b.Within, b.Forward, b.Backward, b.Other, b.IE, re, ri, dur/time.Since(t0).Seconds(), dur/(experiment.CPUSeconds()-cpu0))
		s := maesState(m, hist)
		s.Progress, s.ProgressUnit = float64(blk+1), "block"
		s.Add("totals", "[simulated s, wall s, CPU s] of the blocks done", []float64{simS, wallS, cpuS})
		if err := experiment.SaveCheckpoint(env, c, s); err != nil {
			return nil, err
		}
	}
	met, mon, err := c.replayTest(ctx, env, m, k)
	if err != nil {
		return nil, err
	}
	met["simulated_training_s"] = simS // over the whole run, resumed parts included
	if wallS > 0 {
		met["sim_seconds_per_wall_second"] = simS / wallS
		met["wall_seconds"] = wallS
	}
	if cpuS > 0 {
		met["sim_seconds_per_cpu_second"] = simS / cpuS // all threads together
	}
	if env.Out != nil {
		if err := c.write(env, m, hist, mon, c.Network.NE, c.Network.NE+c.Network.NI, k); err != nil {
			return nil, err
		}
		s := maesState(m, hist)
		s.Progress, s.ProgressUnit = float64(total), "block"
		if err := experiment.SaveFinalModel(env, c, s); err != nil {
			return nil, err
		}
	}
	return met, nil
}

// replayTest runs the replay test on matrix m (plasticity off) and
// returns its metrics (with the block means of m) and spikes.
func (c *MaesTrainConfig) replayTest(ctx context.Context, env *experiment.Env, m *connect.Sparse, k int) (map[string]float64, *sim.SpikeMonitor, error) {
	net, err := NewNetwork(NetworkOptions{Config: &c.Network, Weights: m, Clusters: k, Seed: c.Seed + 999331, Threads: env.Threads})
	if err != nil {
		return nil, nil, err
	}
	defer net.Close()
	clock, err := sim.NewClock(c.Network.DtMS, c.ReplayS*1000)
	if err != nil {
		return nil, nil, err
	}
	mon := sim.NewSpikeMonitor(net.N, int(float64(net.N)*c.ReplayS*20))
	if _, err := runMaes(ctx, env, net, clock, mon, "replay test"); err != nil {
		return nil, nil, err
	}
	burn := math.Min(200, c.ReplayS*500)
	st := AnalyseReplay(mon.Times, mon.Index, k, c.Network.NE/k, burn, c.ReplayS*1000, c.Replay)
	per, _ := st.Period()
	ff := st.ForwardFraction()
	b := maesBlockMeans(m, c.Network.NE, k)
	return map[string]float64{
		"w_within": b.Within, "w_forward": b.Forward, "w_backward": b.Backward, "w_other": b.Other, "w_ie": b.IE,
		"forward_backward_ratio": b.Forward / b.Backward,
		"forward_fraction":       zeroNaN(ff),
		"transitions":            float64(st.Transitions),
		"period_ms":              zeroNaN(per),
		"rate_e_hz":              float64(net.SpikesE) / (float64(net.NE) * c.ReplayS),
		"rate_i_hz":              float64(net.Spikes-net.SpikesE) / (float64(net.NI) * c.ReplayS),
		"clusters":               float64(k),
	}, mon, nil
}

// Eval runs the replay test on a saved matrix (spikelab eval): its
// metrics equal the replay metrics of the run that saved it.
func (c *MaesTrainConfig) Eval(ctx context.Context, env *experiment.Env, md *runio.Model) (map[string]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m, k, err := maesMatrix(&c.Network, "random", sim.Stream(c.Seed, "weights"))
	if err != nil {
		return nil, err
	}
	if err := loadMaesWeights(md, m); err != nil {
		return nil, err
	}
	met, mon, err := c.replayTest(ctx, env, m, k)
	if err != nil {
		return nil, err
	}
	if env.Out != nil {
		if err := writeMaesRaster(env, "raster.png", fmt.Sprintf("replay test of %s", md.Path), mon, c.Network.NE, c.Network.NE+c.Network.NI, 0, c.ReplayS*1000); err != nil {
			return nil, err
		}
	}
	return met, nil
}

func zeroNaN(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return x
}

// runBlock simulates one sim() call and returns the mean E and I rates (Hz).
func (c *MaesTrainConfig) runBlock(ctx context.Context, env *experiment.Env, net *Network, training bool, durS float64, blk, total int) (float64, float64, error) {
	clock, err := sim.NewClock(c.Network.DtMS, durS*1000)
	if err != nil {
		return 0, 0, err
	}
	net.norm.Capture()
	ne := net.NE
	size := ne / net.K
	wExt := c.Network.WExtE
	setStim := func(cl int) error { // cl < 0: no cluster stimulated
		for i := 0; i < ne; i++ {
			rate, w := c.Network.RateExtE, c.TrainExtUnstim
			if i/size == cl {
				rate, w = c.Network.RateExtE+c.StimRateKHz, wExt
			}
			if err := net.Ext.SetRate(i, rate); err != nil {
				return err
			}
			net.Ext.Weight[i] = w
		}
		return nil
	}
	cur := -2
	net.Plastic = training
	plasticFrom := int(math.Round(c.PlasticAfterS * 1000 / c.Network.DtMS))
	prog := experiment.ProgressOf(env, int64(clock.Steps), fmt.Sprintf("block %d/%d", blk+1, total))
	defer prog.Finish()
	// The stimulus schedule and the switch-on of plasticity run at the
	// start of every step (slot 1, before the external input is drawn).
	var stimErr error
	net.prelude = func(sc *sim.StepContext) {
		i, t := sc.Step, sc.T
		if training {
			// Row r ≥ 1 stimulates cluster r mod K (0-based) during
			// [first + period·(r−1), … + on).
			cl := -1
			if x := t - c.StimFirstMS; x >= 0 {
				r := int(x / c.StimPeriodMS)
				if x-float64(r)*c.StimPeriodMS < c.StimOnMS {
					cl = (r + 1) % net.K
				}
			}
			if cl != cur && stimErr == nil {
				stimErr = setStim(cl)
				cur = cl
			}
		} else if i == plasticFrom+1 {
			net.Plastic = true
		}
	}
	err = net.run(ctx, clock.Time(clock.Steps), sim.RunOptions{Every: 1000, Progress: func(done, _ int64) { prog.Set(done) }})
	if err != nil && ctx.Err() != nil {
		return 0, 0, fmt.Errorf("stopped in block %d (the checkpoint of the last finished block can be resumed): %w", blk+1, err)
	}
	if err == nil {
		err = stimErr
	}
	if err != nil {
		return 0, 0, err
	}
	if err := sim.CheckFinite("weights", net.M.W, clock.Time(clock.Steps)); err != nil {
		return 0, 0, err
	}
	return float64(net.SpikesE) / (float64(ne) * durS), float64(net.Spikes-net.SpikesE) / (float64(net.NI) * durS), nil
}

// Model files of maes-train: w (the weights of the sparse recurrent
// matrix in its CSR order, pF-free model units as in the network's
// config: E→E and I→E plastic), start (int64, row pointers by
// presynaptic neuron) and post (int32, postsynaptic indices) to check the
// structure against, history (records × 8: t_min, block means within,
// forward, backward, other, I→E, E rate Hz, I rate Hz). A checkpoint adds
// totals ([simulated s, wall s, CPU s] of the blocks done); its progress
// is the number of blocks done. Every block starts a fresh network (its
// own seed), so the weights are the whole state.
func maesState(m *connect.Sparse, hist []float64) *experiment.ModelState {
	s := &experiment.ModelState{}
	s.Add("w", "weight (the network config's units)", m.W)
	s.Arrays = append(s.Arrays, runio.Array{Name: "start", Shape: []int{len(m.Start)}, Data: m.Start},
		runio.Array{Name: "post", Shape: []int{len(m.Post)}, Data: m.Post})
	s.Units["start"], s.Units["post"] = "CSR row pointers (by presynaptic neuron)", "postsynaptic neuron of each weight"
	s.Add("history", "t_min, within, forward, backward, other, I→E, rate E Hz, rate I Hz", hist, len(hist)/8, 8)
	return s
}

// loadMaesWeights copies the weights of a maes-train model or checkpoint
// into m after checking that its synapse structure is m's.
func loadMaesWeights(md *runio.Model, m *connect.Sparse) error {
	w, err := md.Float64("w", -1)
	if err != nil {
		return err
	}
	st, ok2 := md.Arrays["start"].Data.([]int64)
	post, ok3 := md.Arrays["post"].Data.([]int32)
	if !ok2 || !ok3 {
		return fmt.Errorf("%s: no synapse structure (start int64, post int32)", md.Path)
	}
	if len(w) != len(m.W) || len(st) != len(m.Start) || len(post) != len(m.Post) {
		return fmt.Errorf("%s has %d synapses, this config builds %d; use the config (network, seed) of the run that wrote it", md.Path, len(w), len(m.W))
	}
	for q := range st {
		if st[q] != m.Start[q] {
			return fmt.Errorf("%s: synapse structure differs from this config's (same network and seed needed)", md.Path)
		}
	}
	for q := range post {
		if post[q] != m.Post[q] {
			return fmt.Errorf("%s: synapse structure differs from this config's (same network and seed needed)", md.Path)
		}
	}
	copy(m.W, w)
	return nil
}

func (c *MaesTrainConfig) write(env *experiment.Env, m *connect.Sparse, hist []float64, mon *sim.SpikeMonitor, ne, n, k int) error {
	rows := len(hist) / 8
	col := func(q int) []float64 {
		out := make([]float64, rows)
		for r := range out {
			out[r] = hist[r*8+q]
		}
		return out
	}
	tm := col(0)
	names := []string{"within", "forward k→k+1", "backward k+1→k", "other"}
	var ser []plot.Series
	for q, nm := range names {
		if y := col(q + 1); !math.IsNaN(y[0]) { // a block can be empty (e.g. "other" with 3 clusters)
			ser = append(ser, plot.Series{Label: nm, X: tm, Y: y})
		}
	}
	p1, err := plot.Lines("E→E block means", "simulated time (min)", "weight (nS·ms)", ser...)
	if err != nil {
		return err
	}
	p2, err := plot.Lines("I→E mean", "simulated time (min)", "weight (nS·ms)", plot.Series{Label: "I→E", X: tm, Y: col(5)})
	if err != nil {
		return err
	}
	if err := plot.SavePNG(env.Out.File("blocks.png"), 8, 3.5, p1, p2); err != nil {
		return err
	}
	if err := writeMaesHeatmap(env, "weights.png", m, c.HeatmapBin, "trained recurrent weights"); err != nil {
		return err
	}
	if err := writeMaesRaster(env, "raster.png", fmt.Sprintf("replay test after training, %d clusters", k), mon, ne, n, 0, c.ReplayS*1000); err != nil {
		return err
	}
	ts := scaled(mon.Times, 1e-3)
	return runio.WriteNPZ(env.Out.File("recordings.npz"), []runio.Array{
		{Name: "history", Shape: []int{rows, 8}, Data: hist},
		{Name: "spike_t", Shape: []int{len(ts)}, Data: ts},
		{Name: "spike_i", Shape: []int{len(mon.Index)}, Data: mon.Index},
	})
}
