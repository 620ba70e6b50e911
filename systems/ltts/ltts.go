package ltts

import (
	"context"
	"fmt"
	"math"
	"time"

	gplot "gonum.org/v1/plot"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/plot"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/sim"
)

// LTTSConfig configures learning through target spikes on the 3D
// trajectory task (Muratore, Capone & Paolucci 2021, Fig. 1; reference
// src/test.py): a 5-channel clock drives N binary units whose recurrent
// weights learn to reproduce the spikes of a teacher-driven network, and a
// linear readout of the spikes draws three smooth trajectories.
type LTTSConfig struct {
	Seed       uint64     `yaml:"seed"`        // seed of every random stream
	Net        LTTSParams `yaml:"net"`         // network constants
	T          int        `yaml:"t_steps"`     // sequence length (steps = ms)
	SigmaTeach float64    `yaml:"sigma_teach"` // teacher projection std σ_teach
	SigmaClock float64    `yaml:"sigma_clock"` // clock projection std σ_clock
	Alpha      float64    `yaml:"alpha"`       // Adam learning rate of J
	AlphaOut   float64    `yaml:"alpha_out"`   // Adam learning rate of the readout
	Epochs     int        `yaml:"epochs"`      // training iterations over the one sample
	OffT       int        `yaml:"off_t"`       // first steps ignored in the MSE (target zero there)
	Online     bool       `yaml:"online"`      // online rule (update every step) or exact (one step per epoch)
	Drop       float64    `yaml:"drop"`        // step decay factor of the learning rates
	// Readout is "adam" (the reference: one Adam step per epoch on the
	// filtered target spikes, rate alpha_out) or "ridge" (closed-form ridge
	// regression on the filtered target spikes, once before training).
	Readout     string  `yaml:"readout"`
	RidgeLambda float64 `yaml:"ridge_lambda"` // ridge penalty of the "ridge" readout
	// InitFrom is a model.npz (or checkpoint.npz) of ltts-trajectory to
	// start from: J, the readout and both optimisers' state ("" = J = 0).
	InitFrom string `yaml:"init_from"`
	// CheckpointEveryEpochs writes checkpoint.npz every this many epochs
	// (0 = never), for spikelab resume.
	CheckpointEveryEpochs int `yaml:"checkpoint_every_epochs"`
}

func init() {
	experiment.Register(experiment.Experiment{Name: "ltts-trajectory", Description: "LTTS: 500 binary units learn a 3D trajectory from target spikes (Muratore et al. 2021, Fig. 1; 1000 epochs)",
		Defaults: func() experiment.Config {
			return &LTTSConfig{Seed: 1, T: 1000, SigmaTeach: 2, SigmaClock: 4, Alpha: 0.01, AlphaOut: 0.02, Epochs: 1000, OffT: 20, Online: true, Drop: 0.9,
				Readout: ReadoutAdam, RidgeLambda: 1e-3, CheckpointEveryEpochs: 200,
				Net: LTTSParams{N: 500, TauM: 8, TauS: 2, TauRO: 20, Dv: 0.05, H: -4, V0: -4, SInh: 20, HeavisideBelow: ReferenceHeavisideBelow}}
		}})
}

// Validate reports the first unusable field.
func (c *LTTSConfig) Validate() error {
	if err := experiment.Guard(c); err != nil {
		return err
	}
	if err := c.Net.Validate(); err != nil {
		return fmt.Errorf("net: %w", err)
	}
	if c.T < 10 || c.Epochs < 1 || c.OffT < 0 || c.OffT >= c.T {
		return fmt.Errorf("need t_steps >= 10, epochs >= 1 and 0 <= off_t < t_steps")
	}
	if c.CheckpointEveryEpochs < 0 {
		return fmt.Errorf("checkpoint_every_epochs must be >= 0 (0: no checkpoints), got %d", c.CheckpointEveryEpochs)
	}
	for _, f := range []struct {
		n string
		v float64
	}{{"alpha", c.Alpha}, {"alpha_out", c.AlphaOut}, {"drop", c.Drop}} {
		if err := experiment.Positive(f.n, f.v); err != nil {
			return err
		}
	}
	return validReadout(c.Readout, c.RidgeLambda)
}

// lttsTask builds the clock input, the target trajectory and the teacher's spikes.
func (c *LTTSConfig) lttsTask(net *LTTSNet) (clock, target, Sstar [][]float64) {
	N, T := c.Net.N, c.T
	rng := sim.Stream(c.Seed, "ltts-task")
	target = make([][]float64, T)
	for t := range target {
		target[t] = make([]float64, 3)
	}
	for k := 0; k < 3; k++ {
		var amp, phase [4]float64
		for m := range amp {
			amp[m], phase[m] = 0.5+1.5*rng.Float64(), 2*math.Pi*rng.Float64()
		}
		omega := [4]float64{1, 2, 3, 5}
		hi := math.Inf(-1)
		for t := 0; t < T; t++ {
			x := float64(t) / float64(T-1)
			v := 0.0
			for m := range amp {
				v += amp[m] * math.Cos(2*math.Pi*omega[m]*x+phase[m])
			}
			target[t][k] = v
			hi = math.Max(hi, v)
		}
		for t := 0; t < T; t++ {
			target[t][k] /= hi // divided by the maximum over time, as the reference
			if t < c.OffT {
				target[t][k] = 0
			}
		}
	}
	wc, wt := make([]float64, N*5), make([]float64, N*3)
	for i := range wc {
		wc[i] = c.SigmaClock * rng.NormFloat64()
	}
	for i := range wt {
		wt[i] = c.SigmaTeach * rng.NormFloat64()
	}
	clock = make([][]float64, T)
	teach := make([][]float64, T)
	for t := 0; t < T; t++ {
		clock[t], teach[t] = make([]float64, N), make([]float64, N)
		ch := min(t*5/T, 4)
		for i := 0; i < N; i++ {
			clock[t][i] = wc[i*5+ch]
			teach[t][i] = clock[t][i]
			for k := 0; k < 3; k++ {
				teach[t][i] += wt[i*3+k] * target[t][k]
			}
		}
	}
	return clock, target, net.Run(teach)
}

// Run trains the network and writes the run folder.
func (c *LTTSConfig) Run(ctx context.Context, env *experiment.Env) (map[string]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	net, err := NewLTTSNet(c.Net)
	if err != nil {
		return nil, err
	}
	clock, target, Sstar := c.lttsTask(net)
	N, T := c.Net.N, c.T
	team := sim.NewTeam(env.Threads)
	defer team.Close()
	samples := []lttsSample{{In: clock, Y: target, Sstar: Sstar, Rstar: ReadoutTrace(Sstar, c.Net.TauRO)}}
	tr, err := newLTTSTrainer(net, samples, c.Online, c.Readout, c.RidgeLambda, c.Alpha, c.AlphaOut, c.Drop, c.dropTime(), c.Seed, team)
	if err != nil {
		return nil, err
	}
	var mseCurve, dsCurve []float64
	first, err := c.restore(env, tr, &mseCurve, &dsCurve)
	if err != nil {
		return nil, err
	}
	prog := experiment.ProgressOf(env, int64(c.Epochs), "epochs")
	defer prog.Finish()
	Sgen := NewSpikes(T, N) // the free run of every epoch, overwritten
	loop0, cpu0 := time.Now(), experiment.CPUSeconds()
	for e := first; e < c.Epochs; e++ {
		tr.epoch(samples)
		net.RunInto(Sgen, clock)
		mse := mseFrom(tr.output(Sgen), target, c.OffT)
		if math.IsNaN(mse) || math.IsInf(mse, 0) {
			return nil, fmt.Errorf("diverged in epoch %d (MSE %g); lower alpha or alpha_out", e+1, mse)
		}
		mseCurve = append(mseCurve, mse)
		dsCurve = append(dsCurve, SpikeMismatch(Sstar, Sgen))
		prog.Set(int64(e + 1))
		if err := c.save(env, tr, mseCurve, dsCurve, e); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	// Per epoch (training plus the free-running evaluation): wall time and
	// process CPU time (all threads together; 0 where not known), over the
	// epochs this process ran.
	perEpoch := time.Since(loop0).Seconds() / float64(c.Epochs-first)
	cpuPerEpoch := (experiment.CPUSeconds() - cpu0) / float64(c.Epochs-first)
	Jout := tr.Jout
	m := map[string]float64{"mse": mseCurve[len(mseCurve)-1], "spike_mismatch": dsCurve[len(dsCurve)-1],
		"mse_epoch_1": mseCurve[0], "spike_mismatch_epoch_1": dsCurve[0], "wall_seconds": time.Since(start).Seconds(),
		"seconds_per_epoch": perEpoch, "cpu_seconds_per_epoch": cpuPerEpoch}
	if len(mseCurve) >= 150 {
		m["mse_epoch_150"] = mseCurve[149]
	}
	for e, v := range mseCurve {
		if v <= 0.005 { // the paper's level: the reference reaches 0.0049 at epoch 150
			m["first_epoch_mse_below_0.005"] = float64(e + 1)
			break
		}
	}
	rate := 0.0
	for _, r := range Sstar {
		for _, v := range r {
			rate += v
		}
	}
	m["target_rate_per_step"] = rate / float64(N*T)
	// The readout on the target spikes themselves: the floor a perfect copy of S* reaches.
	m["mse_target_spikes"] = mseFrom(tr.output(Sstar), target, c.OffT)
	if env.Out != nil {
		if err := c.write(env, mseCurve, dsCurve, target, Jout, Sstar, Sgen); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// dropTime is the reference's decay period in Adam steps: (epochs/5)·T in
// the online mode (never below one epoch), never in the exact mode.
func (c *LTTSConfig) dropTime() int {
	if !c.Online {
		return 0
	}
	return max(1, c.Epochs/5) * c.T
}

// ascent is Adam ascent with the reference's step decay (the rate is
// multiplied by drop before every dropTime-th step). Adam is odd in the
// gradient, so ascent is a descent step with the rate negated. Rows of
// rowLen parameters are shared among the team's workers.
type ascent struct {
	adam     *learn.Adam
	lr, drop float64
	every, t int
	rowLen   int
	team     *sim.Team
}

// newAscent returns Adam ascent over n parameters at rate lr, multiplied by
// drop every every steps (0: never).
func newAscent(n int, lr, drop float64, every, rowLen int, team *sim.Team) *ascent {
	return &ascent{adam: learn.NewAdam(n, 0.9, 0.999, 1e-8), lr: lr, drop: drop, every: every, rowLen: rowLen, team: team}
}

// rate starts a step and returns its Adam learning rate: −lr, as ascent
// is descent with the rate negated (LTTSNet.TrainOnline calls it
// once per time step).
func (a *ascent) rate() float64 {
	a.tick()
	return -a.lr
}

// tick counts one step, applying the step decay when due.
func (a *ascent) tick() {
	a.t++
	if a.every > 0 && a.t%a.every == 0 {
		a.lr *= a.drop
	}
}

// step takes one ascent step of p along the gradient g.
func (a *ascent) step(p, g []float64) {
	a.tick()
	a.adam.StepTeam(p, g, -a.lr, a.rowLen, a.team)
}

// write saves the recordings and the summary figure of a trajectory run.
func (c *LTTSConfig) write(env *experiment.Env, mse, ds []float64, target [][]float64, Jout []float64, Sstar, Sgen [][]float64) error {
	N, T := c.Net.N, c.T
	ep := make([]float64, len(mse))
	for i := range ep {
		ep[i] = float64(i + 1)
	}
	R := ReadoutTrace(Sgen, c.Net.TauRO)
	y := make([]float64, T*3)
	tgt := make([]float64, T*3)
	tt := make([]float64, T)
	for t := 0; t < T; t++ {
		tt[t] = float64(t)
		for k := 0; k < 3; k++ {
			d := 0.0
			for i := 0; i < N; i++ {
				d += Jout[k*N+i] * R[t][i]
			}
			y[t*3+k], tgt[t*3+k] = d, target[t][k]
		}
	}
	var st, gt []float64
	var si, gi []int32
	for t := 0; t < T; t++ {
		for i := 0; i < min(N, 100); i++ {
			if Sstar[t][i] > 0 {
				st, si = append(st, float64(t)), append(si, int32(i))
			}
			if Sgen[t][i] > 0 {
				gt, gi = append(gt, float64(t)), append(gi, int32(i))
			}
		}
	}
	if err := runio.WriteNPZ(env.Out.File("recordings.npz"), []runio.Array{
		{Name: "epoch", Shape: []int{len(ep)}, Data: ep}, {Name: "mse", Shape: []int{len(mse)}, Data: mse},
		{Name: "spike_mismatch", Shape: []int{len(ds)}, Data: ds},
		{Name: "y", Shape: []int{T, 3}, Data: y}, {Name: "target", Shape: []int{T, 3}, Data: tgt},
		{Name: "target_spike_t", Shape: []int{len(st)}, Data: st}, {Name: "target_spike_i", Shape: []int{len(si)}, Data: si},
		{Name: "spike_t", Shape: []int{len(gt)}, Data: gt}, {Name: "spike_i", Shape: []int{len(gi)}, Data: gi},
	}); err != nil {
		return err
	}
	var series []plot.Series
	for k := 0; k < 3; k++ {
		yk, tk := make([]float64, T), make([]float64, T)
		for t := 0; t < T; t++ {
			yk[t], tk[t] = y[t*3+k], tgt[t*3+k]
		}
		series = append(series, plot.Series{Label: fmt.Sprintf("target %d", k), X: tt, Y: tk, Dash: true, Color: plot.Palette[2*k+1]},
			plot.Series{Label: fmt.Sprintf("output %d", k), X: tt, Y: yk, Color: plot.Palette[2*k]})
	}
	out, err := plot.Lines("free-running output vs target", "time (steps)", "y", series...)
	if err != nil {
		return err
	}
	r1, err := plot.Raster("target spikes (units 0–99)", "time (steps)", st, si)
	if err != nil {
		return err
	}
	r2, err := plot.Raster("generated spikes (units 0–99)", "time (steps)", gt, gi)
	if err != nil {
		return err
	}
	if len(mse) < 2 { // an evaluation: one free run, no learning curves
		return plot.SavePNG(env.Out.File("summary.png"), 10, 2.6, out, r1, r2)
	}
	curves, err := plot.Lines("free-running MSE", "epoch", "MSE (log)", plot.Series{X: ep, Y: mse})
	if err != nil {
		return err
	}
	curves.Y.Scale = gplot.LogScale{} // the MSE is a mean of squares: positive
	curves.Y.Tick.Marker = gplot.LogTicks{Prec: -1}
	dsp, err := plot.Lines("spike mismatch ΔS", "epoch", "ΔS", plot.Series{X: ep, Y: ds})
	if err != nil {
		return err
	}
	return plot.SavePNG(env.Out.File("summary.png"), 10, 2.6, out, curves, dsp, r1, r2)
}
