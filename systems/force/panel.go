package force

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/task"
)

// panelPreset is one script of the supplementary oscillator panel of
// Nicola & Clopath 2017 (Supp. Fig. 2; ModelDB 190565, folder "CODE FOR
// SUPPLEMENTARY OSCILLATOR PANEL"; specs/force.md §4.2). Every script has
// N = 2000 and tr = 2 ms; LIF: dt = 0.05 ms, RLS every 50 steps, row
// balanced; theta: dt = 0.01 ms, every 50 steps, row balanced; Izhikevich:
// b = −2, dt = 0.04 ms, every 20 steps, P0 = 2, not balanced.
type panelPreset struct {
	name   string
	script string  // folder / script of the reference code
	model  string  // lif, theta or izhikevich
	tdMS   float64 // synaptic decay time td (ms): the folder's number
	durS   float64 // T (s)
	trainS [2]float64
	p0     float64 // RLS alpha; LIF and theta: a multiple of dt (s), Izhikevich: absolute
	g, q   float64
	target string // sine, triangle, prodsines, vdp-harmonic, vdp-relaxation, complex
	// noise is the supervisor's noise: "" none, "randn" 0.05·N(0, 1) or
	// "rand" 0.05·U(0, 1) (a positive offset, as written in the LIF 10 and
	// Izhikevich scripts), fresh every step.
	noise string
}

// panelPresets is the table of specs/force.md §4.2, one row per script.
var panelPresets = []panelPreset{
	{"lif10-prodsine", "LIF MODEL 10/LIFFORCEPRODSINE", "lif", 10, 60, [2]float64{5, 30}, 0.05, 0.1, 30, "prodsines", ""},
	{"lif10-prodsine-noise", "LIF MODEL 10/LIFFORCEPRODSINENOISE", "lif", 10, 60, [2]float64{5, 30}, 0.05, 0.1, 30, "prodsines", "rand"},
	{"lif20-sine", "LIF MODEL 20/LIFFORCESINE", "lif", 20, 15, [2]float64{5, 10}, 0.05, 0.1, 30, "sine", ""},
	{"lif20-sawtooth", "LIF MODEL 20/LIFFORCESAWTOOTH", "lif", 20, 15, [2]float64{5, 10}, 0.05, 0.1, 30, "triangle", ""},
	{"lif20-prodsine", "LIF MODEL 20/LIFFORCEPRODSINE", "lif", 20, 60, [2]float64{5, 30}, 0.05, 0.1, 30, "prodsines", ""},
	{"lif20-prodsine-noise", "LIF MODEL 20/LIFFORCEPRODSINENOISE", "lif", 20, 60, [2]float64{5, 30}, 0.05, 0.1, 30, "prodsines", "randn"},
	{"lif20-vdp-harmonic", "LIF MODEL 20/LIFFORCEVDPHARMONIC", "lif", 20, 15, [2]float64{5, 10}, 0.05, 0.05, 30, "vdp-harmonic", ""},
	{"lif20-vdp-relaxation", "LIF MODEL 20/LIFFORCEVDPRELAXATION", "lif", 20, 15, [2]float64{5, 10}, 0.05, 0.05, 30, "vdp-relaxation", ""},
	{"lif30-sine", "LIF MODEL 30/LIFFORCESINE", "lif", 30, 15, [2]float64{5, 10}, 0.1, 0.05, 10, "sine", ""},
	{"lif30-sawtooth", "LIF MODEL 30/LIFFORCESAWTOOTH", "lif", 30, 15, [2]float64{5, 10}, 0.05, 0.1, 20, "triangle", ""},
	{"lif30-prodsine", "LIF MODEL 30/LIFFORCEPRODSINE", "lif", 30, 60, [2]float64{5, 25}, 0.05, 0.1, 30, "prodsines", ""},
	{"lif30-prodsine-noise", "LIF MODEL 30/LIFFORCEPRODSINENOISE", "lif", 30, 60, [2]float64{5, 30}, 0.05, 0.1, 30, "prodsines", "randn"},
	{"lif30-vdp-harmonic", "LIF MODEL 30/LIFFORCEVDPHARMONIC", "lif", 30, 15, [2]float64{5, 10}, 0.05, 0.05, 30, "vdp-harmonic", ""},
	{"lif30-vdp-relaxation", "LIF MODEL 30/LIFFORCEVDPRELAXATION", "lif", 30, 15, [2]float64{5, 10}, 0.05, 0.05, 30, "vdp-relaxation", ""},
	{"theta20-prodsine", "THETA MODEL 20/THETAPRODSINES", "theta", 20, 80, [2]float64{5, 55}, 1, 25, 1e4, "prodsines", ""},
	{"theta20-prodsine-noise", "THETA MODEL 20/THETANOISYPRODSINES", "theta", 20, 80, [2]float64{5, 55}, 1, 15, 1e4, "prodsines", "randn"},
	{"theta50-sine", "THETA MODEL 50/THETAFORCESINE", "theta", 50, 15, [2]float64{5, 10}, 10, 50, 2e4, "sine", ""},
	{"theta50-sawtooth", "THETA MODEL 50/THETAFORCESAWTOOTH", "theta", 50, 15, [2]float64{5, 10}, 10, 50, 2e4, "triangle", ""},
	{"theta50-prodsine", "THETA MODEL 50/THETAFORCEPRODSINE", "theta", 50, 70, [2]float64{5, 55}, 10, 50, 2e4, "prodsines", ""},
	{"theta50-prodsine-noise", "THETA MODEL 50/THETAFORCEPRODSINENOISE", "theta", 50, 70, [2]float64{5, 55}, 10, 50, 2e4, "prodsines", "randn"},
	{"theta50-vdp-harmonic", "THETA MODEL 50/THETAFORCEVDPHARMONIC", "theta", 50, 15, [2]float64{5, 10}, 2, 10, 1e4, "vdp-harmonic", ""},
	{"theta50-vdp-relaxation", "THETA MODEL 50/THETAFORCEVDPRELAX", "theta", 50, 15, [2]float64{5, 10}, 2, 10, 1e4, "vdp-relaxation", ""},
	{"izh20-sine", "IZHIKEVICH 20/IZFORCESINE", "izhikevich", 20, 15, [2]float64{5, 10}, 2, 5e3, 5e3, "sine", ""},
	{"izh20-sawtooth", "IZHIKEVICH 20/IZFORCESAWTOOTH", "izhikevich", 20, 15, [2]float64{5, 10}, 2, 5e3, 4e3, "triangle", ""},
	{"izh20-prodsine", "IZHIKEVICH 20/IZFORCEPRODSINE", "izhikevich", 20, 20, [2]float64{5, 10}, 2, 1e4, 9e3, "prodsines", ""},
	{"izh20-prodsine-noise", "IZHIKEVICH 20/IZFORCEPRODSINENOISE", "izhikevich", 20, 20, [2]float64{5, 10}, 2, 1e4, 8e3, "prodsines", "rand"},
	{"izh20-vdp-harmonic", "IZHIKEVICH 20/IZFORCEVDPHARDMONIC", "izhikevich", 20, 15, [2]float64{5, 10}, 2, 1e4, 9e3, "vdp-harmonic", ""},
	{"izh20-vdp-relaxation", "IZHIKEVICH 20/IZFORCEVDPRELAX", "izhikevich", 20, 15, [2]float64{5, 10}, 2, 1e4, 2e4, "vdp-relaxation", ""},
	{"izh20-complex", "IZHIKEVICH 20/IZFORCECOMPLEXOSCILLATOR1", "izhikevich", 20, 50, [2]float64{5, 25}, 2, 1e4, 1e4, "complex", ""},
}

// PanelPresets returns the names of force-panel's presets in table order.
func PanelPresets() []string {
	names := make([]string, len(panelPresets))
	for i, p := range panelPresets {
		names[i] = p.name
	}
	return names
}

func lookupPanelPreset(name string) (panelPreset, error) {
	for _, p := range panelPresets {
		if p.name == name {
			return p, nil
		}
	}
	msg := fmt.Sprintf("preset %q is unknown", name)
	if s := experiment.Suggest(name, PanelPresets()); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	return panelPreset{}, fmt.Errorf("%s; presets: %s", msg, strings.Join(PanelPresets(), ", "))
}

// PanelPreset returns the full-length FORCE config of a preset of the
// supplementary oscillator panel (PanelPresets), seed 1.
func PanelPreset(name string) (*ForceConfig, error) {
	p, err := lookupPanelPreset(name)
	if err != nil {
		return nil, err
	}
	return p.config(), nil
}

// config builds the preset's ForceConfig on the Fig. 2 network of its model.
func (p panelPreset) config() *ForceConfig {
	var c *ForceConfig
	switch p.model {
	case "lif":
		c = ForceLIFSine()
	case "theta":
		c = ForceThetaSine()
	default:
		c = ForceIzhikevichSine()
	}
	c.TauDecayMS, c.G, c.Q = p.tdMS, p.g, p.q
	c.DurationS, c.TrainStartS, c.TrainStopS = p.durS, p.trainS[0], p.trainS[1]
	c.Alpha = p.p0
	if p.model != "izhikevich" {
		c.Alpha = p.p0 * c.DtMS / 1000 // P0 is a multiple of dt (s)
	}
	switch p.target {
	case "vdp-harmonic":
		c.Target.Kind, c.Target.Mu = "vdp", 0.5
	case "vdp-relaxation":
		c.Target.Kind, c.Target.Mu = "vdp", 5
	case "complex":
		// sin(2π2t)·sin(2π3t)·sin(2π7t): no target kind has three factors.
		c.Target.Kind = "complex"
		c.ownTarget = func(dt float64) task.Target { return prodSines3{f: [3]float64{2, 3, 7}, dt: dt} }
	default:
		c.Target.Kind = p.target
	}
	switch p.noise {
	case "randn":
		c.Target.NoiseStd = 0.05
	case "rand":
		c.Target.Kind += "+uniform-noise"
		c.ownTarget = func(dt float64) task.Target {
			base := task.ProdSines{F1: c.Target.F1Hz, F2: c.Target.F2Hz, Amp: c.Target.Amplitude, Dt: dt}
			// The stream of sim.Stream(seed, "target-noise"), its generator
			// kept for checkpoints.
			src := sim.Source(c.Seed, "target-noise")
			return uniformNoise{base: base, amp: 0.05, rng: rand.New(src), src: src}
		}
	}
	return c
}

// prodSines3 is sin(2π·f0·t)·sin(2π·f1·t)·sin(2π·f2·t) with integer
// frequencies (Hz): period 1 s.
type prodSines3 struct {
	f  [3]float64
	dt float64 // step (s)
}

func (s prodSines3) Dim() int { return 1 }

func (s prodSines3) At(i int, out []float64) {
	t := float64(i) * s.dt
	out[0] = math.Sin(2*math.Pi*s.f[0]*t) * math.Sin(2*math.Pi*s.f[1]*t) * math.Sin(2*math.Pi*s.f[2]*t)
}

func (s prodSines3) Period() float64 { return 1 }

// uniformNoise adds amp·U(0, 1) to every component at every step (MATLAB's
// 0.05*rand: a positive noise of mean amp/2).
type uniformNoise struct {
	base task.Target
	amp  float64
	rng  *rand.Rand
	src  *rand.PCG // rng's generator (checkpoints save its state)
}

// noiseSource returns the noise generator, which checkpoints save.
func (s uniformNoise) noiseSource() *rand.PCG { return s.src }

func (s uniformNoise) Dim() int { return s.base.Dim() }

func (s uniformNoise) At(i int, out []float64) {
	s.base.At(i, out)
	for k := range out[:s.base.Dim()] {
		out[k] += s.amp * s.rng.Float64()
	}
}

func (s uniformNoise) Period() float64 { return s.base.Period() }

// PanelConfig is force-panel: one script of the supplementary oscillator
// panel (Supp. Fig. 2), chosen by preset, with its model, td, G, Q, P0, T,
// training window and target as in the reference code (specs/force.md
// §4.2). The run folder's force_config.yaml is the preset's full FORCE
// config: `spikelab run force-sine --config force_config.yaml` runs it with
// any key changed (except the complex oscillator and the uniform-noise
// targets, which no target.kind names).
type PanelConfig struct {
	Seed   uint64 `yaml:"seed"`   // seed of every random stream of the run
	Preset string `yaml:"preset"` // the script, e.g. lif20-prodsine (an unknown name's error lists them); all: every script, drawn in panel.png
	// N is the number of neurons (0: the scripts' 2000).
	N int `yaml:"n"`
	// DurationScale multiplies T and the training window (1: the script's;
	// e.g. 0.1 for a quick look).
	DurationScale float64 `yaml:"duration_scale"`
	// CheckpointEveryS is FORCE's checkpoint_every_s: a checkpoint every
	// this many simulated seconds, 0 whenever a minute of wall time has
	// passed, < 0 none (spikelab resume continues the run).
	CheckpointEveryS float64 `yaml:"checkpoint_every_s"`
}

// ForcePanel returns force-panel's defaults: preset lif20-prodsine.
func ForcePanel() *PanelConfig {
	return &PanelConfig{Seed: 1, Preset: "lif20-prodsine", DurationScale: 1}
}

// RunSeed returns the seed key.
func (c *PanelConfig) RunSeed() uint64 { return c.Seed }

// SetRunSeed sets the seed key.
func (c *PanelConfig) SetRunSeed(s uint64) { c.Seed = s }

// force returns the preset's FORCE config with the panel's keys applied.
func (c *PanelConfig) force() (*ForceConfig, error) {
	p, err := lookupPanelPreset(c.Preset)
	if err != nil {
		return nil, err
	}
	if c.N < 0 {
		return nil, fmt.Errorf("n must be >= 0 (0: the script's 2000), got %d", c.N)
	}
	if err := experiment.Positive("duration_scale", c.DurationScale); err != nil {
		return nil, err
	}
	f := p.config()
	f.Seed = c.Seed
	if c.N > 0 {
		f.N = c.N
	}
	f.DurationS *= c.DurationScale
	f.TrainStartS *= c.DurationScale
	f.TrainStopS *= c.DurationScale
	f.CheckpointEveryS = c.CheckpointEveryS
	// Model and checkpoint headers record the panel's config, which
	// rebuilds this one (eval, resume).
	f.owner = c
	return f, nil
}

// Eval runs the preset's FORCE test phase on a saved model (ForceConfig.Eval).
func (c *PanelConfig) Eval(ctx context.Context, env *experiment.Env, md *runio.Model) (map[string]float64, error) {
	if c.Preset == PanelAll {
		return nil, fmt.Errorf("preset %s saves no model to evaluate", PanelAll)
	}
	f, err := c.force()
	if err != nil {
		return nil, err
	}
	return f.Eval(ctx, env, md)
}

// Resumable reports that force-panel checkpoints and resumes as FORCE does.
func (c *PanelConfig) Resumable() bool {
	if c.Preset == PanelAll {
		return false
	}
	f, err := c.force()
	return err == nil && f.Resumable()
}

// Validate checks the keys and the preset's resulting FORCE config.
func (c *PanelConfig) Validate() error {
	if c.Preset == PanelAll {
		return c.validateAll()
	}
	f, err := c.force()
	if err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return fmt.Errorf("preset %s: %w", c.Preset, err)
	}
	return nil
}

// Estimate is the preset's FORCE estimate.
func (c *PanelConfig) Estimate() (experiment.Estimate, error) {
	if c.Preset == PanelAll {
		return c.estimateAll()
	}
	f, err := c.force()
	if err != nil {
		return experiment.Estimate{}, err
	}
	return f.Estimate()
}

// LearntNothing is FORCE's test (test_rmse ≥ 0.9 × target_rms).
func (c *PanelConfig) LearntNothing(m map[string]float64) string {
	return (&ForceConfig{}).LearntNothing(m)
}

// Run writes force_config.yaml (the resolved FORCE config) and runs it.
func (c *PanelConfig) Run(ctx context.Context, env *experiment.Env) (map[string]float64, error) {
	if c.Preset == PanelAll {
		return c.runAll(ctx, env)
	}
	f, err := c.force()
	if err != nil {
		return nil, err
	}
	if env.Out != nil {
		b, err := experiment.Marshal(f)
		if err != nil {
			return nil, err
		}
		p, _ := lookupPanelPreset(c.Preset)
		head := fmt.Sprintf("# force-panel preset %s: %s (Nicola & Clopath 2017, Supp. Fig. 2; specs/force.md §4.2)\n", p.name, p.script)
		if f.ownTarget != nil {
			head += fmt.Sprintf("# target.kind %s is not a FORCE target kind: force-sine cannot run this file as is\n", f.Target.Kind)
		}
		if err := env.Out.WriteFile("force_config.yaml", append([]byte(head), b...)); err != nil {
			return nil, err
		}
	}
	return f.Run(ctx, env)
}

func init() {
	experiment.Register(experiment.Experiment{Name: "force-panel",
		Description: "FORCE: the supplementary oscillator panel (Supp. Fig. 2): LIF td 10/20/30 ms, theta 20/50 ms, Izhikevich 20 ms scripts with their G, Q, P0 (--set preset=NAME, default lif20-prodsine; studies/force-panel.yaml runs them all)",
		Defaults:    func() experiment.Config { return ForcePanel() }})
}
