package experiment

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"time"

	gplot "gonum.org/v1/plot"

	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/plot"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/task"
)

// LTTSWalkingConfig configures the walking task of LTTS (Muratore et al.
// 2021, Fig. 4): the network learns the 56 joint angles of a CMU
// motion-capture walk (the paper's data are not published; this uses an
// ASF/AMC recording, by default CMU subject 35 trial 01) over the first
// train_bins bins, from a short input kick at the start only, and then
// runs free to total_bins; the generated gait is compared with the
// continued recording. One bin = one step = one frame (120 fps) unless
// bins_per_frame says otherwise. A qualitative benchmark: the paper's
// trial, sampling and constants for this task are unknown.
type LTTSWalkingConfig struct {
	Seed    uint64           `yaml:"seed"`     // seed of every random stream
	Net     learn.LTTSParams `yaml:"net"`      // network constants
	DataDir string           `yaml:"data_dir"` // folder of the ASF/AMC files ("" = $SPIKELAB_DATA/mocap)
	ASF     string           `yaml:"asf"`      // skeleton file in data_dir
	AMC     string           `yaml:"amc"`      // motion file in data_dir
	// BinsPerFrame resamples the recording linearly (1 = one bin per
	// frame; 7/6 stretches a stride to the ≈ 157 bins of the paper's figure).
	BinsPerFrame float64 `yaml:"bins_per_frame"`
	TrainBins    int     `yaml:"train_bins"` // bins trained (teacher window)
	TotalBins    int     `yaml:"total_bins"` // bins run free at test time
	// LoopStart and LoopEnd (frames) give a stride of the recording that is
	// tiled after its last frame, so that the test target continues the
	// gait when total_bins outlasts the recording (CMU 35_01: frames 26 to
	// 162, the closest pair one stride apart).
	LoopStart int `yaml:"loop_start"`
	LoopEnd   int `yaml:"loop_end"`
	// SigmaTeach is the std of the teacher projections of the 56 z-scored
	// channels (the teacher current's std is about σ_teach·√(active channels)).
	SigmaTeach float64 `yaml:"sigma_teach"`
	SigmaKick  float64 `yaml:"sigma_kick"` // std of the projections of the start kick
	KickSteps  int     `yaml:"kick_steps"` // the input is 1 for the first kick_steps steps, then 0
	Alpha      float64 `yaml:"alpha"`      // Adam learning rate of J
	AlphaOut   float64 `yaml:"alpha_out"`  // Adam learning rate of the readout ("adam" readout)
	Epochs     int     `yaml:"epochs"`     // training epochs
	Online     bool    `yaml:"online"`     // online rule or exact gradient
	Drop       float64 `yaml:"drop"`       // step decay factor of the learning rates (online: every epochs/5 epochs)
	Readout    string  `yaml:"readout"`    // "ridge" (default) or "adam"
	// RidgeLambda is the ridge penalty of the "ridge" readout.
	RidgeLambda float64 `yaml:"ridge_lambda"`
	EvalEvery   int     `yaml:"eval_every"` // epochs between free-running evaluations
}

func init() {
	Register(Experiment{Name: "ltts-walking", Description: "LTTS: 56-dimensional walking dynamics from a CMU mocap walk, trained 150 bins, free-running to 600 (Muratore et al. 2021, Fig. 4; qualitative)",
		Defaults: func() Config { return LTTSWalking() }})
}

// LTTSWalking returns the walking-task defaults (3D-task network constants,
// N = 500; the paper gives none for this task).
func LTTSWalking() *LTTSWalkingConfig {
	return &LTTSWalkingConfig{Seed: 1, ASF: "35.asf", AMC: "35_01.amc", BinsPerFrame: 1, TrainBins: 150, TotalBins: 600, LoopStart: 26, LoopEnd: 162,
		SigmaTeach: 0.6, SigmaKick: 4, KickSteps: 5, Alpha: 0.01, AlphaOut: 0.02, Epochs: 300, Online: true, Drop: 0.9,
		Readout: ReadoutRidge, RidgeLambda: 1e-3, EvalEvery: 10,
		Net: learn.LTTSParams{N: 500, TauM: 8, TauS: 2, TauRO: 20, Dv: 0.05, H: -4, V0: -4, SInh: 20}}
}

// Validate reports the first unusable field.
func (c *LTTSWalkingConfig) Validate() error {
	if err := c.Net.Validate(); err != nil {
		return fmt.Errorf("net: %w", err)
	}
	switch {
	case c.ASF == "" || c.AMC == "":
		return fmt.Errorf("asf and amc must name the skeleton and motion files")
	case !(c.BinsPerFrame > 0) || math.IsInf(c.BinsPerFrame, 0):
		return fmt.Errorf("bins_per_frame must be a positive number, got %g", c.BinsPerFrame)
	case c.TrainBins < 10:
		return fmt.Errorf("train_bins must be at least 10, got %d", c.TrainBins)
	case c.TotalBins <= c.TrainBins:
		return fmt.Errorf("total_bins (%d) must exceed train_bins (%d)", c.TotalBins, c.TrainBins)
	case c.LoopStart < 0 || c.LoopEnd <= c.LoopStart+1:
		return fmt.Errorf("need 0 <= loop_start < loop_end - 1 (frames), got %d, %d", c.LoopStart, c.LoopEnd)
	case c.KickSteps < 1 || c.KickSteps >= c.TrainBins:
		return fmt.Errorf("kick_steps must be in [1, train_bins)")
	case c.Epochs < 1 || c.EvalEvery < 1:
		return fmt.Errorf("epochs and eval_every must be at least 1")
	}
	for _, f := range []struct {
		n string
		v float64
	}{{"alpha", c.Alpha}, {"alpha_out", c.AlphaOut}, {"drop", c.Drop}, {"sigma_teach", c.SigmaTeach}, {"sigma_kick", c.SigmaKick}} {
		if err := positive(f.n, f.v); err != nil {
			return err
		}
	}
	return validReadout(c.Readout, c.RidgeLambda)
}

// walkTarget is the motion as a target: joint angles in degrees per bin
// (recording continued by tiling a stride), z-scored with the training
// window's statistics.
type walkTarget struct {
	channels  []string
	deg, z    [][]float64 // [bin][channel]
	mean, sd  []float64   // per channel (sd 1 for constant channels)
	recorded  int         // bins covered by the recording itself
	frames    int
	activeChs int
}

func (c *LTTSWalkingConfig) loadTarget() (*walkTarget, error) {
	dir, err := task.FindDataset("mocap", c.DataDir, c.ASF, c.AMC)
	if err != nil {
		return nil, err
	}
	m, err := task.LoadMocap(filepath.Join(dir, c.ASF), filepath.Join(dir, c.AMC))
	if err != nil {
		return nil, err
	}
	return c.target(m.WithoutRoot())
}

func (c *LTTSWalkingConfig) target(m *task.Motion) (*walkTarget, error) {
	F := len(m.Frames)
	K := len(m.Channels)
	if K == 0 {
		return nil, fmt.Errorf("the motion has no joint channels")
	}
	if c.LoopEnd > F {
		return nil, fmt.Errorf("loop_end %d is past the recording's %d frames", c.LoopEnd, F)
	}
	// frame returns the (fractional) frame x of the recording continued
	// by tiling [LoopStart, LoopEnd) after its end.
	frame := func(x float64) []float64 {
		if x > float64(F-1) {
			L := float64(c.LoopEnd - c.LoopStart)
			// Map beyond the end onto the loop, phase-continuous with frame F−1.
			x = float64(c.LoopStart) + math.Mod(x-float64(F-1)+float64(F-1-c.LoopStart), L)
		}
		a := int(math.Floor(x))
		f := x - float64(a)
		out := make([]float64, K)
		b := min(a+1, F-1)
		for k := range out {
			out[k] = (1-f)*m.Frames[a][k] + f*m.Frames[b][k]
		}
		return out
	}
	w := &walkTarget{channels: m.Channels, frames: F}
	for t := 0; t < c.TotalBins; t++ {
		x := float64(t) / c.BinsPerFrame
		if x <= float64(F-1) {
			w.recorded = t + 1
		}
		w.deg = append(w.deg, frame(x))
	}
	if w.recorded < c.TrainBins {
		return nil, fmt.Errorf("the recording covers %d bins, fewer than train_bins %d", w.recorded, c.TrainBins)
	}
	w.mean, w.sd = make([]float64, K), make([]float64, K)
	for k := 0; k < K; k++ {
		col := make([]float64, c.TrainBins)
		for t := range col {
			col[t] = w.deg[t][k]
		}
		w.mean[k], w.sd[k] = meanStd(col)
		if w.sd[k] < 1e-6 {
			w.sd[k] = 1 // a constant channel: z = 0
		} else {
			w.activeChs++
		}
	}
	for _, row := range w.deg {
		z := make([]float64, K)
		for k, v := range row {
			z[k] = (v - w.mean[k]) / w.sd[k]
		}
		w.z = append(w.z, z)
	}
	return w, nil
}

// Run loads the motion, trains and runs free.
func (c *LTTSWalkingConfig) Run(ctx context.Context, env *Env) (map[string]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	w, err := c.loadTarget()
	if err != nil {
		return nil, err
	}
	return c.run(ctx, env, w)
}

func (c *LTTSWalkingConfig) run(ctx context.Context, env *Env, w *walkTarget) (map[string]float64, error) {
	start := time.Now()
	N, K, Tr, Tt := c.Net.N, len(w.channels), c.TrainBins, c.TotalBins
	net, err := learn.NewLTTSNet(c.Net)
	if err != nil {
		return nil, err
	}
	rng := sim.Stream(c.Seed, "ltts-walking-task")
	jk, jt := make([]float64, N), make([]float64, N*K)
	for i := range jk {
		jk[i] = c.SigmaKick * rng.NormFloat64()
	}
	for i := range jt {
		jt[i] = c.SigmaTeach * rng.NormFloat64()
	}
	in := make([][]float64, Tt) // the kick, then nothing
	for t := 0; t < c.KickSteps; t++ {
		in[t] = jk
	}
	teach := make([][]float64, Tr)
	for t := range teach {
		teach[t] = make([]float64, N)
		for i := 0; i < N; i++ {
			d := 0.0
			for k, z := range w.z[t] {
				d += jt[i*K+k] * z
			}
			if in[t] != nil {
				d += in[t][i]
			}
			teach[t][i] = d
		}
	}
	Sstar := net.Run(teach)
	samples := []lttsSample{{In: in[:Tr], Y: w.z[:Tr], Sstar: Sstar, Rstar: learn.ReadoutTrace(Sstar, c.Net.TauRO)}}
	team := sim.NewTeam(env.Threads)
	defer team.Close()
	dropTime := 0
	if c.Online {
		dropTime = max(1, c.Epochs/5) * Tr
	}
	tr, err := newLTTSTrainer(net, samples, c.Online, c.Readout, c.RidgeLambda, c.Alpha, c.AlphaOut, c.Drop, dropTime, c.Seed, team)
	if err != nil {
		return nil, err
	}
	var ep, trainC, testC, dsC []float64
	var Sgen, y [][]float64
	evaluate := func(e int) error {
		Sgen = net.Run(in)
		y = tr.output(Sgen)
		a, b := mseFrom(y[:Tr], w.z[:Tr], 0), mseFrom(y[Tr:], w.z[Tr:], 0)
		if math.IsNaN(a+b) || math.IsInf(a+b, 0) {
			return fmt.Errorf("diverged by epoch %d; lower alpha", e)
		}
		ep, trainC, testC = append(ep, float64(e)), append(trainC, a), append(testC, b)
		dsC = append(dsC, learn.SpikeMismatch(Sstar, Sgen[:Tr]))
		return nil
	}
	prog := progressOf(env, int64(c.Epochs), "epochs")
	defer prog.Finish()
	if err := evaluate(0); err != nil {
		return nil, err
	}
	for e := 1; e <= c.Epochs; e++ {
		tr.epoch(samples)
		if e%c.EvalEvery == 0 || e == c.Epochs {
			if err := evaluate(e); err != nil {
				return nil, err
			}
		}
		prog.Set(int64(e))
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	last := len(ep) - 1
	m := map[string]float64{"train_mse": trainC[last], "test_mse": testC[last], "spike_mismatch": dsC[last],
		"mse_target_spikes": mseFrom(tr.output(Sstar), w.z[:Tr], 0), "channels": float64(K), "active_channels": float64(w.activeChs),
		"wall_seconds": time.Since(start).Seconds()}
	if w.recorded > Tr {
		m["test_mse_recorded"] = mseFrom(y[Tr:w.recorded], w.z[Tr:w.recorded], 0)
	}
	// RMS error in degrees over the test bins, and the generated output's
	// own RMS about its mean (≈ 0 if the gait stopped).
	se, act := 0.0, 0.0
	for t := Tr; t < Tt; t++ {
		for k := range w.channels {
			d := (y[t][k] - w.z[t][k]) * w.sd[k]
			se += d * d
			act += y[t][k] * y[t][k]
		}
	}
	m["test_rmse_deg"] = math.Sqrt(se / float64((Tt-Tr)*K))
	m["test_output_rms"] = math.Sqrt(act / float64((Tt-Tr)*max(1, w.activeChs)))
	rate := 0.0
	for _, r := range Sstar {
		for _, v := range r {
			rate += v
		}
	}
	m["target_rate_per_step"] = rate / float64(N*Tr)
	if env.Out != nil {
		if err := c.write(env, w, y, Sstar, Sgen, ep, trainC, testC, dsC); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// walkPlotChannels are the channels drawn (legs and arms: the gait).
var walkPlotChannels = []string{"rfemur.rx", "lfemur.rx", "rtibia.rx", "ltibia.rx", "rhumerus.rx", "lhumerus.rx"}

func (c *LTTSWalkingConfig) write(env *Env, w *walkTarget, y, Sstar, Sgen [][]float64, ep, trainC, testC, dsC []float64) error {
	Tt, K := c.TotalBins, len(w.channels)
	yd, td := make([]float64, Tt*K), make([]float64, Tt*K)
	for t := 0; t < Tt; t++ {
		for k := 0; k < K; k++ {
			yd[t*K+k] = y[t][k]*w.sd[k] + w.mean[k]
			td[t*K+k] = w.deg[t][k]
		}
	}
	st, si := spikeRaster(Sstar, 100)
	gt, gi := spikeRaster(Sgen, 100)
	if err := runio.WriteNPZ(env.Out.File("recordings.npz"), []runio.Array{
		{Name: "angles_generated_deg", Shape: []int{Tt, K}, Data: yd}, {Name: "angles_target_deg", Shape: []int{Tt, K}, Data: td},
		{Name: "eval_epoch", Shape: []int{len(ep)}, Data: ep}, {Name: "train_mse", Shape: []int{len(ep)}, Data: trainC},
		{Name: "test_mse", Shape: []int{len(ep)}, Data: testC}, {Name: "spike_mismatch", Shape: []int{len(ep)}, Data: dsC},
		{Name: "target_spike_t", Shape: []int{len(st)}, Data: st}, {Name: "target_spike_i", Shape: []int{len(si)}, Data: si},
		{Name: "spike_t", Shape: []int{len(gt)}, Data: gt}, {Name: "spike_i", Shape: []int{len(gi)}, Data: gi},
	}); err != nil {
		return err
	}
	tt := make([]float64, Tt)
	for t := range tt {
		tt[t] = float64(t)
	}
	var series []plot.Series
	col := 0
	for _, name := range walkPlotChannels {
		k := -1
		for q, ch := range w.channels {
			if ch == name {
				k = q
			}
		}
		if k < 0 {
			continue
		}
		a, b := make([]float64, Tt), make([]float64, Tt)
		for t := 0; t < Tt; t++ {
			a[t], b[t] = td[t*K+k], yd[t*K+k]
		}
		series = append(series, plot.Series{Label: name + " target", X: tt, Y: a, Dash: true, Color: plot.Palette[col%len(plot.Palette)]},
			plot.Series{Label: name + " generated", X: tt, Y: b, Color: plot.Palette[col%len(plot.Palette)]})
		col++
	}
	if len(series) == 0 { // another skeleton: the first channels
		for k := 0; k < min(K, 4); k++ {
			a, b := make([]float64, Tt), make([]float64, Tt)
			for t := 0; t < Tt; t++ {
				a[t], b[t] = td[t*K+k], yd[t*K+k]
			}
			series = append(series, plot.Series{Label: w.channels[k] + " target", X: tt, Y: a, Dash: true, Color: plot.Palette[k]},
				plot.Series{Label: w.channels[k] + " generated", X: tt, Y: b, Color: plot.Palette[k]})
		}
	}
	// A vertical line at the end of the training window.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, v := range s.Y {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	Tr := float64(c.TrainBins)
	series = append(series, plot.Series{X: []float64{Tr, Tr}, Y: []float64{lo, hi}, Color: plot.Palette[7]})
	p1, err := plot.Lines(fmt.Sprintf("joint angles: target (dashed; recording to bin %d, then a tiled stride) vs generated; trained to bin %d", w.recorded, c.TrainBins),
		"t (bin)", "θ (degrees)", series...)
	if err != nil {
		return err
	}
	p2, err := plot.Lines("free-running MSE (z-scored angles)", "epoch", "MSE (log)", plot.Series{Label: "train bins", X: ep, Y: trainC},
		plot.Series{Label: "test bins", X: ep, Y: testC})
	if err != nil {
		return err
	}
	if positiveAll(trainC) && positiveAll(testC) {
		p2.Y.Scale = gplot.LogScale{}
		p2.Y.Tick.Marker = gplot.LogTicks{Prec: -1}
	}
	p3, err := plot.Lines("spike mismatch ΔS on the trained bins", "epoch", "ΔS", plot.Series{X: ep, Y: dsC})
	if err != nil {
		return err
	}
	r1, err := plot.Raster("target spikes (units 0–99)", "t (bin)", st, si)
	if err != nil {
		return err
	}
	r1.X.Max = float64(Tt)
	r2, err := plot.Raster("generated spikes (units 0–99)", "t (bin)", gt, gi)
	if err != nil {
		return err
	}
	r2.X.Max = float64(Tt)
	return plot.SavePNG(env.Out.File("summary.png"), 11, 2.6, p1, p2, p3, r1, r2)
}

func positiveAll(x []float64) bool {
	for _, v := range x {
		if !(v > 0) {
			return false
		}
	}
	return true
}
