package ltts

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/plot"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/sim"
)

// LTTSFastConfig configures the fast-convergence comparison of the online
// rule and the exact gradient (Muratore et al. 2021, Fig. 3B): the 3D
// trajectory task shortened to T = 50 steps, a readout fitted once by ridge
// regression on the target spikes and then held fixed, and the free-running
// MSE after each of the first iterations, over several seeds.
type LTTSFastConfig struct {
	LTTSConfig `yaml:",inline"`
	Seeds      int `yaml:"seeds"` // repetitions (seeds Seed, Seed+1, ...)
}

func init() {
	experiment.Register(experiment.Experiment{Name: "ltts-fast", Description: "LTTS: online rule vs exact gradient over the first 13 iterations on a 50-step 3D task, 5 seeds (Fig. 3B)",
		Defaults: func() experiment.Config {
			return &LTTSFastConfig{Seeds: 5, LTTSConfig: LTTSConfig{Seed: 1, T: 50, SigmaTeach: 2, SigmaClock: 4, Alpha: 0.01, AlphaOut: 0.02,
				Epochs: 13, OffT: 2, Online: true, Drop: 0.9, Readout: ReadoutRidge, RidgeLambda: 1e-3,
				Net: LTTSParams{N: 500, TauM: 8, TauS: 2, TauRO: 3, Dv: 0.05, H: -4, V0: -4, SInh: 20, HeavisideBelow: ReferenceHeavisideBelow}}}
		}})
}

// Validate reports the first unusable field.
func (c *LTTSFastConfig) Validate() error {
	if err := noModel(&c.LTTSConfig, "ltts-fast"); err != nil {
		return err
	}
	if err := c.LTTSConfig.Validate(); err != nil {
		return err
	}
	if c.Seeds < 1 {
		return fmt.Errorf("seeds must be at least 1")
	}
	if c.Readout != ReadoutRidge {
		return fmt.Errorf("readout must be %q here: the readout is fitted once on the target spikes and held fixed", ReadoutRidge)
	}
	return nil
}

// Run trains with both rules from the same start for every seed.
func (c *LTTSFastConfig) Run(ctx context.Context, env *experiment.Env) (map[string]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	team := sim.NewTeam(env.Threads)
	defer team.Close()
	E := c.Epochs
	curves := map[bool][][]float64{}
	prog := experiment.ProgressOf(env, int64(2*c.Seeds), "runs")
	defer prog.Finish()
	for s := 0; s < c.Seeds; s++ {
		for _, online := range []bool{true, false} {
			curve, err := c.fastCurve(s, online, team)
			if err != nil {
				return nil, err
			}
			curves[online] = append(curves[online], curve)
			prog.Set(int64(2*s + 1))
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	m := map[string]float64{"wall_seconds": time.Since(start).Seconds()}
	onM, onS := meanCurve(curves[true], E)
	exM, exS := meanCurve(curves[false], E)
	for e := 0; e < E; e++ {
		m[fmt.Sprintf("mse_online_iter%d", e+1)] = onM[e]
		m[fmt.Sprintf("mse_exact_iter%d", e+1)] = exM[e]
	}
	if env.Out != nil {
		if err := c.write(env, onM, onS, exM, exS); err != nil {
			return nil, err
		}
	}
	if math.IsNaN(onM[E-1]) || math.IsNaN(exM[E-1]) {
		return nil, fmt.Errorf("diverged (NaN MSE)")
	}
	return m, nil
}

// fastCurve trains one network (seed index s) for the epochs, with the
// online rule or the exact gradient, against a ridge readout of its target
// spikes, and returns the free-running MSE after every iteration.
func (c *LTTSFastConfig) fastCurve(s int, online bool, team *sim.Team) ([]float64, error) {
	cfg := c.LTTSConfig
	cfg.Seed = c.Seed + uint64(s)
	net, err := NewLTTSNet(cfg.Net)
	if err != nil {
		return nil, err
	}
	clock, target, Sstar := cfg.lttsTask(net)
	Jout, err := RidgeReadout(ReadoutTrace(Sstar, cfg.Net.TauRO), target, c.RidgeLambda)
	if err != nil {
		return nil, err
	}
	opt := newAscent(len(net.J), cfg.Alpha, cfg.Drop, 0, cfg.Net.N, team)
	curve := make([]float64, c.Epochs)
	for e := range curve {
		if online {
			net.TrainOnline(Sstar, clock, opt.adam, opt.rate, opt.team)
		} else {
			G, _ := net.LikelihoodGradient(Sstar, clock, nil)
			opt.step(net.J, G)
			net.ZeroDiagonal()
		}
		_, curve[e] = ReadoutGradient(Jout, ReadoutTrace(net.Run(clock), cfg.Net.TauRO), target, cfg.OffT)
	}
	return curve, nil
}

// meanCurve returns the mean and standard deviation over curves of each of
// the first E entries.
func meanCurve(curves [][]float64, E int) (mean, sd []float64) {
	for e := 0; e < E; e++ {
		var col []float64
		for _, cv := range curves {
			col = append(col, cv[e])
		}
		mu, s := experiment.MeanStd(col)
		mean, sd = append(mean, mu), append(sd, s)
	}
	return mean, sd
}

// write saves the mean curves (recordings.npz) and their plot (summary.png).
func (c *LTTSFastConfig) write(env *experiment.Env, onM, onS, exM, exS []float64) error {
	E := len(onM)
	it := make([]float64, E)
	for i := range it {
		it[i] = float64(i + 1)
	}
	if err := runio.WriteNPZ(env.Out.File("recordings.npz"), []runio.Array{
		{Name: "iteration", Shape: []int{E}, Data: it},
		{Name: "mse_online_mean", Shape: []int{E}, Data: onM}, {Name: "mse_online_sd", Shape: []int{E}, Data: onS},
		{Name: "mse_exact_mean", Shape: []int{E}, Data: exM}, {Name: "mse_exact_sd", Shape: []int{E}, Data: exS},
	}); err != nil {
		return err
	}
	p, err := plot.Lines(fmt.Sprintf("free-running MSE, mean over %d seeds", c.Seeds), "iteration", "MSE",
		plot.Series{Label: "online approximation", X: it, Y: onM}, plot.Series{Label: "exact gradient", X: it, Y: exM})
	if err != nil {
		return err
	}
	plot.IntegerX(p)
	if positiveAll(onM) && positiveAll(exM) {
		plot.LogY(p)
		p.Y.Label.Text = "MSE (log scale)"
	}
	return plot.SavePNG(env.Out.File("summary.png"), 8, 4, p)
}
