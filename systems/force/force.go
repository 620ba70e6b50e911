package force

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/synapse"
	"github.com/spikelab/spikelab/task"
)

// ForceConfig configures FORCE training of a spiking network (Nicola &
// Clopath 2017): a sparse random recurrent network whose linear readout
// z = φᵀr is trained by recursive least squares and fed back through fixed
// encoders. Times in the config are in ms or s as named; gains (g, q), the
// RLS alpha and the model's parameters are in the model's own units (LIF
// and theta: seconds; Izhikevich: ms, pA), as in the reference code. From
// Go, TargetFunc and Outputs train the network on a function the user
// writes instead of a built-in target (see the userTarget example).
type ForceConfig struct {
	Seed  uint64 `yaml:"seed"`  // seed of every random stream of the run
	Model string `yaml:"model"` // neuron model: lif, izhikevich or theta (a registry; an unknown name's error lists them)
	N     int    `yaml:"n"`     // number of neurons

	P           float64 `yaml:"p"`            // connection probability of the static weights
	G           float64 `yaml:"g"`            // static weight gain G: nonzero weights have std G/(√N·p)
	Q           float64 `yaml:"q"`            // feedback encoder gain Q: encoders are U(−Q, Q)
	BalanceRows bool    `yaml:"balance_rows"` // subtract each neuron's mean incoming weight (LIF and theta code)

	Alpha         float64 `yaml:"alpha"`           // RLS P(0) = alpha·I (model units)
	RLSEverySteps int     `yaml:"rls_every_steps"` // RLS update period (steps)
	RLSForm       string  `yaml:"rls_form"`        // "code" (reference, gain P_old·r) or "textbook" (P_new·r)
	RLSBlock      int     `yaml:"rls_block"`       // rank-1 updates deferred and applied to P together (1 = none)
	// RLSStorage is the number format of the stored P: "float32" (the
	// default) halves the memory traffic of the RLS update, the update's
	// arithmetic staying float64 (P rounded to float32 once per block of
	// rls_block updates); "float16" stores P (scaled by a power of two
	// near alpha/2^14) in IEEE half precision, halving that traffic again
	// (opt-in: see the README's FORCE keys for its accuracy); "float64"
	// keeps P exactly as computed, as the reference code does.
	RLSStorage string `yaml:"rls_storage"`
	// RLSFactoredUpdates keeps the first this many RLS updates as vectors,
	// P = alpha·I − Σ c·cᵀ/(1 + rᵀc), computed exactly in float64, before
	// P is formed in rls_storage (0, the default: from the first block;
	// −1: chosen by FactoredUpdates). P·r then reads those vectors (8·n
	// bytes each) instead of P's triangle, which is cheaper while they
	// are few and avoids P's memory traffic altogether in runs with fewer
	// updates; it holds this many × n float64 values, and changes results
	// at the rounding level (opt-in: see the README's FORCE keys).
	RLSFactoredUpdates int `yaml:"rls_factored_updates"`

	DtMS        float64 `yaml:"dt_ms"`         // time step (ms)
	DurationS   float64 `yaml:"duration_s"`    // simulated time T (s)
	TrainStartS float64 `yaml:"train_start_s"` // RLS runs strictly after this time (s)
	TrainStopS  float64 `yaml:"train_stop_s"`  // ... and strictly before this time (s); test afterwards
	TauRiseMS   float64 `yaml:"tau_rise_ms"`   // synaptic rise time tr (ms); 0 = single exponential
	TauDecayMS  float64 `yaml:"tau_decay_ms"`  // synaptic decay time td (ms)

	LIF        neuron.LIFParams        `yaml:"lif"`        // used when model = lif
	Izhikevich neuron.IzhikevichParams `yaml:"izhikevich"` // used when model = izhikevich

	// DivergenceLimit stops the run when any readout component exceeds it
	// in magnitude (a NaN or Inf always stops it).
	DivergenceLimit float64 `yaml:"divergence_limit"`

	Target TargetConfig `yaml:"target"` // the supervisor
	Input  InputConfig  `yaml:"input"`  // external input (none or hdts)
	Record RecordConfig `yaml:"record"` // what is recorded

	// InitFrom is the model.npz of a FORCE run (same model, n and seed, so
	// the same recurrent weights) whose decoders and RLS matrix P this run
	// starts from, e.g. to re-train on a new target ("" = decoders 0,
	// P = alpha·I). The network's state starts fresh.
	InitFrom string `yaml:"init_from"`

	// CheckpointEveryS is the period of checkpoint.npz, in simulated
	// seconds (spikelab resume continues a stopped run from the last one):
	// 0 (the default) writes one whenever a minute of wall time has passed
	// since the last (a run shorter than that writes none), a value < 0
	// none. Checkpoints change no result.
	CheckpointEveryS float64 `yaml:"checkpoint_every_s"`

	// TargetFunc, when not nil, is the supervisor in place of Target's
	// kind: a function the user writes in Go (it is not a config key) that
	// stores the Outputs components of the target at time tSeconds (s,
	// from the start of the run) in out (len(out) == Outputs). It is
	// called once per step, in step order, at tSeconds = i·dt_ms/1000 for
	// step i = 1, 2, …; target.noise_std still adds noise. The target is
	// taken as aperiodic: no phase-aligned metrics.
	TargetFunc func(tSeconds float64, out []float64) `yaml:"-"`
	// extInput, when not nil, returns an experiment's own input current
	// (force-classify's points), drawing its weights from rng.
	extInput func(rng *rand.Rand) func(i int, I []float64)
	// ownTarget, when not nil, builds the supervisor on the step grid of dt
	// seconds in place of Target's kind (force-panel's presets whose target
	// no kind expresses); target.noise_std still adds noise.
	ownTarget func(dt float64) task.Target
	// owner, when not nil, is the experiment config this one was built
	// from (force-classify, force-panel): model and checkpoint headers
	// record it, resume compares the folder's config with it, and the
	// experiment rebuilds TargetFunc, extInput and ownTarget from it
	// deterministically, so the run checkpoints and resumes. Not a config key.
	owner experiment.Config
	// ownState, when not nil, adds the owner's own arrays (force-classify's
	// schedule) to every checkpoint and checks them on resume.
	ownState ownState
	// Outputs is the number of readout components TargetFunc writes (at
	// least 1 with TargetFunc, 0 without). Not a config key.
	Outputs int `yaml:"-"`
}

// TargetConfig selects and parameterises the FORCE supervisor.
type TargetConfig struct {
	// Kind is sine, triangle, prodsines, vdp, lorenz or song.
	Kind      string  `yaml:"kind"`
	FreqHz    float64 `yaml:"freq_hz"`   // sine/triangle frequency (Hz)
	Amplitude float64 `yaml:"amplitude"` // sine/triangle/prodsines amplitude
	F1Hz      float64 `yaml:"f1_hz"`     // prodsines first frequency (Hz)
	F2Hz      float64 `yaml:"f2_hz"`     // prodsines second frequency (Hz)
	Mu        float64 `yaml:"mu"`        // van der Pol μ
	NoiseStd  float64 `yaml:"noise_std"` // std of fresh Gaussian noise added every step (0 = none)
	// Song is "short" (first bar of Ode to Joy, 16 beats, 5 outputs) or
	// "long" (64 beats; 5 note outputs + 64 HDTS outputs).
	Song           string  `yaml:"song"`
	BeatsPerSecond float64 `yaml:"beats_per_second"` // song tempo (beats/s)

	// File is the supervisor of kind file: a .wav (16-bit PCM, mono or
	// stereo; its log-magnitude spectrogram, see Spectrogram), .npy (samples
	// or samples × outputs), .npz (one such array, Key) or .csv (one sample
	// per line) file, resampled to the step by linear interpolation and
	// repeated with the recording's duration as period.
	File string `yaml:"file"`
	// Dataset, when set, is the dataset folder where a bare file name that
	// does not exist as given is looked up: DataDir, else $SPIKELAB_DATA/<dataset>.
	Dataset      string  `yaml:"dataset"`
	DataDir      string  `yaml:"data_dir"`       // folder of Dataset (empty: $SPIKELAB_DATA/<dataset>)
	SampleRateHz float64 `yaml:"sample_rate_hz"` // sample rate of an .npy/.npz/.csv file (Hz); an .npz's RateKey array wins
	Key          string  `yaml:"key"`            // array of an .npz file (empty: its only array besides RateKey)
	RateKey      string  `yaml:"rate_key"`       // scalar array of an .npz file holding its sample rate (Hz)
	MaxFileMB    float64 `yaml:"max_file_mb"`    // larger files are refused before they are read (MB)
	// Spectrogram turns a .wav file into the supervisor: one output per band.
	Spectrogram task.SpectrogramParams `yaml:"spectrogram"`
	// MoviePx and MovieS are the generated clip of kind movie (task.MovingDot):
	// MoviePx×MoviePx pixels, MovieS seconds at sample_rate_hz frames per second.
	MoviePx int     `yaml:"movie_px"`
	MovieS  float64 `yaml:"movie_s"`
}

// InputConfig is an external input current fed to every FORCE neuron
// besides the recurrent and feedback currents.
type InputConfig struct {
	// Kind is none or hdts: the high-dimensional temporal signal of Figs 4–5,
	// Components half-sine bumps tiling one period, each fed through a fixed
	// random column of gain·U(−1, 1) (the reference code's E2 = WE2·U(−1, 1)).
	Kind string  `yaml:"kind"`
	Gain float64 `yaml:"gain"` // WE2, in the model's current unit (Izhikevich: pA)
	// Components is the number of bumps per period (0: period/bump_ms).
	Components int     `yaml:"components"`
	BumpMS     float64 `yaml:"bump_ms"`  // bump width when components = 0 (ms)
	PeriodS    float64 `yaml:"period_s"` // HDTS period (s); 0: the supervisor's period
}

// RecordConfig says what a FORCE run records.
type RecordConfig struct {
	SampleMS       float64 `yaml:"sample_ms"`       // sampling period of z, target and decoders (ms)
	RasterNeurons  int     `yaml:"raster_neurons"`  // spikes of neurons 0..n-1 are stored
	DecoderNeurons int     `yaml:"decoder_neurons"` // decoders of neurons 0..n-1 are sampled (at most ~10 000 times per run)
	WindowS        float64 `yaml:"window_s"`        // window of the per-window phase-aligned test RMSE (s)
}

func forceBase() *ForceConfig {
	return &ForceConfig{
		Seed: 1, N: 2000, P: 0.1, RLSForm: "code", RLSBlock: 16, RLSStorage: "float32", DivergenceLimit: 1e6,
		DurationS: 15, TrainStartS: 5, TrainStopS: 10, TauRiseMS: 2, TauDecayMS: 20,
		LIF: neuron.DefaultLIF(), Izhikevich: neuron.DefaultIzhikevich(),
		Target: TargetConfig{Kind: "sine", FreqHz: 5, Amplitude: 1, F1Hz: 4, F2Hz: 6, Mu: 0.5, Song: "short", BeatsPerSecond: 4,
			RateKey: "sample_rate_hz", MaxFileMB: 256, MoviePx: 16, MovieS: 8, Spectrogram: task.DefaultSpectrogram()},
		Input:  InputConfig{Kind: "none", BumpMS: 10},
		Record: RecordConfig{SampleMS: 1, RasterNeurons: 50, DecoderNeurons: 10, WindowS: 1},
	}
}

// ForceLIFSine is the LIF sine of LIFFORCESINE.m, the reference Brian2 example.
func ForceLIFSine() *ForceConfig {
	c := forceBase()
	c.Model, c.G, c.Q, c.BalanceRows = "lif", 0.04, 10, true
	c.DtMS, c.RLSEverySteps, c.Alpha = 0.05, 50, 5e-6
	return c
}

// ForceIzhikevichSine is IZFORCESINE.m (b = −2, not row-balanced).
func ForceIzhikevichSine() *ForceConfig {
	c := forceBase()
	c.Model, c.G, c.Q, c.BalanceRows = "izhikevich", 5e3, 5e3, false
	c.DtMS, c.RLSEverySteps, c.Alpha = 0.04, 20, 2
	return c
}

// ForceThetaSine is THETAFORCESINE.m.
func ForceThetaSine() *ForceConfig {
	c := forceBase()
	c.Model, c.G, c.Q, c.BalanceRows = "theta", 10, 1e4, true
	c.DtMS, c.RLSEverySteps, c.Alpha = 0.01, 50, 1e-5
	return c
}

func forceTheta(kind string, g float64) *ForceConfig {
	c := ForceThetaSine()
	c.G, c.Target.Kind = g, kind
	return c
}

// ForceOdeToJoy is IZFORCESONG.m of Fig. 3: the first bar of Ode to Joy.
func ForceOdeToJoy() *ForceConfig {
	c := forceBase()
	c.Model, c.N, c.G, c.Q, c.BalanceRows = "izhikevich", 5000, 1e4, 4e3, false
	c.Izhikevich = neuron.IzhikevichB0()
	c.DtMS, c.RLSEverySteps, c.Alpha = 0.04, 100, 2
	c.DurationS, c.TrainStartS, c.TrainStopS = 1000, 1, 900
	c.Target.Kind = "song"
	c.Record.SampleMS = 4
	c.Record.WindowS = 4
	return c
}

func init() {
	reg := func(name, desc string, f func() *ForceConfig) {
		experiment.Register(experiment.Experiment{Name: name, Description: desc, Defaults: func() experiment.Config { return f() }})
	}
	reg("force-sine", "FORCE: 2000 LIF neurons learn a 5 Hz sine (Nicola & Clopath 2017, Fig. 2; 15 s)", ForceLIFSine)
	reg("force-izhikevich-sine", "FORCE: 2000 Izhikevich neurons learn a 5 Hz sine (Fig. 2; 15 s)", ForceIzhikevichSine)
	reg("force-theta-sine", "FORCE: 2000 theta neurons learn a 5 Hz sine (Fig. 2; 15 s at dt 0.01 ms)", ForceThetaSine)
	reg("force-sawtooth", "FORCE: theta network learns the 5 Hz triangle asin(sin(2π5t)) (Fig. 2)", func() *ForceConfig { return forceTheta("triangle", 10) })
	reg("force-vdp-harmonic", "FORCE: theta network learns the van der Pol oscillator, μ = 0.5 (Fig. 2)", func() *ForceConfig { return forceTheta("vdp", 10) })
	reg("force-vdp-relaxation", "FORCE: theta network learns the van der Pol relaxation oscillator, μ = 5 (Fig. 2)", func() *ForceConfig {
		c := forceTheta("vdp", 15)
		c.Target.Mu = 5
		return c
	})
	reg("force-prodsines", "FORCE: theta network learns sin(2π4t)·sin(2π6t) (Fig. 2; 80 s)", func() *ForceConfig {
		c := forceTheta("prodsines", 25)
		c.DurationS, c.TrainStopS = 80, 55
		return c
	})
	reg("force-noisy-prodsines", "FORCE: theta network learns sin(2π4t)·sin(2π6t) from a supervisor with noise of std 0.05 (Fig. 2; 80 s)", func() *ForceConfig {
		c := forceTheta("prodsines", 15)
		c.DurationS, c.TrainStopS, c.Target.NoiseStd = 80, 55, 0.05
		return c
	})
	reg("force-lorenz", "FORCE: 5000 theta neurons learn the Lorenz attractor (Fig. 2; 100 s, a long run)", func() *ForceConfig {
		c := forceTheta("lorenz", 15)
		c.N, c.DurationS, c.TrainStopS = 5000, 100, 50
		c.Record.WindowS = 5
		return c
	})
	reg("force-songbird", "FORCE: 1000 Izhikevich neurons with an HDTS input replay a bird song's spectrogram (Fig. 4; meadowlark.wav from the maes dataset or target.file=your.wav; 30 s)", ForceSongbird)
	reg("force-movie", "FORCE: 1000 Izhikevich neurons with an HDTS input replay an 8-s movie clip pixel by pixel (Fig. 5; a generated 8×8 clip or target.file=frames; 40 s)", ForceMovie)
	reg("force-ode-to-joy", "FORCE: 5000 Izhikevich neurons learn the first bar of Ode to Joy (Fig. 3; 1000 s, a long run)", ForceOdeToJoy)
}

// seconds reports whether the model works in seconds (else ms; an unknown
// model counts as seconds, Validate rejects it).
func (c *ForceConfig) seconds() bool {
	m, ok := forceModels[c.Model]
	return !ok || m.seconds
}

// timeUnit returns the model's time unit, "s" or "ms", for messages.
func (c *ForceConfig) timeUnit() string {
	if c.seconds() {
		return "s"
	}
	return "ms"
}

// FactoredUpdates returns the length of the RLS's factored phase:
// rls_factored_updates, or for −1 every update of the run (one more than
// its most possible updates, so that P is never formed) when they are at
// most n/4, else the first n/9. The costs behind these: with m vectors a
// P·r reads about 16·m·n bytes against float32 P's 2·n², and forming P
// costs about as much as one pass per rls_block of vectors, so a run with
// at most n/4 updates is cheapest never forming P and a longer one gains
// most from a phase of about n/9 (force-sine, n = 4000, 2400 updates:
// 6.24 against 7.12 loop CPU s, medians of 8 alternating runs; README).
func (c *ForceConfig) FactoredUpdates() int {
	if c.RLSFactoredUpdates != -1 {
		return c.RLSFactoredUpdates
	}
	every := c.DtMS * float64(max(c.RLSEverySteps, 1)) / 1000 // s between updates
	most := math.Ceil(max(c.TrainStopS-c.TrainStartS, 0)/every) + 1
	if most <= float64(c.N)/4 {
		return int(most) + 1
	}
	return c.N / 9
}

// fromMS converts ms to the model's time unit.
func (c *ForceConfig) fromMS(ms float64) float64 {
	if c.seconds() {
		return ms / 1000
	}
	return ms
}

// Validate reports the first unusable field by its yaml key.
func (c *ForceConfig) Validate() error {
	if err := experiment.Guard(c); err != nil {
		return err
	}
	model, err := c.model()
	if err != nil {
		return err
	}
	if model.validate != nil {
		if err := model.validate(c); err != nil {
			return err
		}
	}
	if c.N < 1 {
		return fmt.Errorf("n must be at least 1, got %d", c.N)
	}
	if !(c.P > 0 && c.P <= 1) {
		return fmt.Errorf("p must be in (0, 1], got %g", c.P)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"alpha", c.Alpha}, {"divergence_limit", c.DivergenceLimit}, {"dt_ms", c.DtMS}, {"duration_s", c.DurationS}, {"tau_decay_ms", c.TauDecayMS},
		{"record.sample_ms", c.Record.SampleMS}, {"record.window_s", c.Record.WindowS}} {
		if err := experiment.Positive(f.name, f.v); err != nil {
			return err
		}
	}
	if math.IsNaN(c.CheckpointEveryS) || math.IsInf(c.CheckpointEveryS, 0) {
		return fmt.Errorf("checkpoint_every_s must be a finite number (0: every minute of wall time, < 0: none), got %g", c.CheckpointEveryS)
	}
	if math.IsNaN(c.G) || math.IsInf(c.G, 0) || math.IsNaN(c.Q) || math.IsInf(c.Q, 0) {
		return fmt.Errorf("g and q must be finite numbers")
	}
	if !(c.TauRiseMS >= 0) {
		return fmt.Errorf("tau_rise_ms must be >= 0, got %g", c.TauRiseMS)
	}
	if c.RLSEverySteps < 1 {
		return fmt.Errorf("rls_every_steps must be at least 1, got %d", c.RLSEverySteps)
	}
	if c.RLSBlock < 1 {
		return fmt.Errorf("rls_block must be at least 1, got %d", c.RLSBlock)
	}
	if _, err := learn.ParseRLSForm(c.RLSForm); err != nil {
		return fmt.Errorf("rls_form: %w", err)
	}
	if c.RLSFactoredUpdates < -1 {
		return fmt.Errorf("rls_factored_updates must be ≥ 0 (0: off) or −1 (chosen from n and the run's updates), got %d", c.RLSFactoredUpdates)
	}
	if _, err := learn.ParsePStorage(c.RLSStorage); err != nil {
		return fmt.Errorf("rls_storage: %w", err)
	}
	if !(c.TrainStartS >= 0 && c.TrainStartS < c.TrainStopS && c.TrainStopS <= c.DurationS) {
		return fmt.Errorf("need 0 <= train_start_s < train_stop_s <= duration_s, got %g, %g, %g", c.TrainStartS, c.TrainStopS, c.DurationS)
	}
	if c.Record.RasterNeurons < 0 || c.Record.DecoderNeurons < 0 {
		return fmt.Errorf("record.raster_neurons and record.decoder_neurons must be >= 0")
	}
	if c.Record.SampleMS < c.DtMS {
		return fmt.Errorf("record.sample_ms (%g) must be at least dt_ms (%g)", c.Record.SampleMS, c.DtMS)
	}
	if !(c.Target.NoiseStd >= 0) {
		return fmt.Errorf("target.noise_std must be >= 0, got %g", c.Target.NoiseStd)
	}
	if c.TargetFunc == nil && c.Target.Kind == "file" {
		// The file is read when the network is built (a dataset file need
		// not exist to validate the defaults).
		if err := experiment.Positive("target.max_file_mb", c.Target.MaxFileMB); err != nil {
			return err
		}
		if err := c.Target.Spectrogram.Validate(); err != nil {
			return fmt.Errorf("target.spectrogram.%w", err)
		}
		if c.Input.Kind == "hdts" && c.Input.PeriodS == 0 {
			return nil // the HDTS period is the file's: checked at build
		}
		_, err := c.hdts(task.Sine{Freq: 1, Dt: c.DtMS / 1000})
		return err
	}
	tgt, err := c.target()
	if err != nil {
		return err
	}
	_, err = c.hdts(tgt)
	return err
}

// hdts returns the HDTS of the input section for the supervisor tgt
// (ok false when input.kind is none).
func (c *ForceConfig) hdts(tgt task.Target) (h task.HDTS, err error) {
	in := c.Input
	switch in.Kind {
	case "none", "":
		return task.HDTS{}, nil
	case "hdts":
	default:
		return task.HDTS{}, fmt.Errorf("input.kind %q is unknown: use none or hdts", in.Kind)
	}
	if math.IsNaN(in.Gain) || math.IsInf(in.Gain, 0) {
		return task.HDTS{}, fmt.Errorf("input.gain must be a finite number, got %g", in.Gain)
	}
	period := in.PeriodS
	if period == 0 {
		if period = tgt.Period(); period == 0 {
			return task.HDTS{}, fmt.Errorf("input.period_s: the supervisor has no period; set the HDTS period (s)")
		}
	}
	if !(period > 0) {
		return task.HDTS{}, fmt.Errorf("input.period_s must be >= 0, got %g", in.PeriodS)
	}
	steps := int(math.Round(period * 1000 / c.DtMS))
	m := in.Components
	if m == 0 {
		if err := experiment.Positive("input.bump_ms", in.BumpMS); err != nil {
			return task.HDTS{}, err
		}
		m = max(1, int(math.Round(period*1000/in.BumpMS)))
	}
	if m < 0 {
		return task.HDTS{}, fmt.Errorf("input.components must be >= 0, got %d", m)
	}
	h, err = task.NewHDTS(m, steps)
	if err != nil {
		return task.HDTS{}, fmt.Errorf("input: %w", err)
	}
	return h, nil
}

// target builds the supervisor on the run's step grid: TargetFunc where
// set, else Target's kind, with Target's noise.
func (c *ForceConfig) target() (task.Target, error) {
	dt := c.DtMS / 1000
	var base task.Target
	switch {
	case c.TargetFunc != nil:
		if c.Outputs < 1 {
			return nil, fmt.Errorf("outputs (ForceConfig.Outputs) must be at least 1 with a TargetFunc, got %d", c.Outputs)
		}
		base = funcTarget{f: c.TargetFunc, k: c.Outputs, dt: dt}
	case c.Outputs != 0:
		return nil, fmt.Errorf("outputs (ForceConfig.Outputs) is %d but TargetFunc is nil (Outputs goes with a TargetFunc)", c.Outputs)
	case c.ownTarget != nil:
		base = c.ownTarget(dt)
	default:
		var err error
		if base, err = c.namedTarget(dt); err != nil {
			return nil, err
		}
	}
	if c.Target.NoiseStd > 0 {
		base = task.Noisy{Base: base, Std: c.Target.NoiseStd, Rng: sim.Stream(c.Seed, "target-noise")}
	}
	return base, nil
}

// targetNoise is target with the generator of its noise (nil without
// noise), for checkpoints.
func (c *ForceConfig) targetNoise() (task.Target, *rand.PCG, error) {
	tgt, err := c.target()
	if err != nil {
		return nil, nil, err
	}
	if own, ok := tgt.(interface{ noiseSource() *rand.PCG }); ok {
		return tgt, own.noiseSource(), nil
	}
	if nz, ok := tgt.(task.Noisy); ok {
		// The same stream as sim.Stream(seed, "target-noise"), its
		// generator kept.
		src := sim.Source(c.Seed, "target-noise")
		nz.Rng = rand.New(src)
		return nz, src, nil
	}
	return tgt, nil, nil
}

// funcTarget is a user's target function (TargetFunc) on the step grid.
type funcTarget struct {
	f  func(tSeconds float64, out []float64)
	k  int     // outputs
	dt float64 // step (s)
}

// Dim returns the number of outputs.
func (f funcTarget) Dim() int { return f.k }

// At writes the value at step i (time i·dt s).
func (f funcTarget) At(i int, out []float64) { f.f(float64(i)*f.dt, out) }

// Period returns 0: a user's target is taken as aperiodic.
func (f funcTarget) Period() float64 { return 0 }

// namedTarget builds the supervisor of Target's kind with step dt (s).
func (c *ForceConfig) namedTarget(dt float64) (task.Target, error) {
	t := c.Target
	var base task.Target
	switch t.Kind {
	case "sine":
		if err := experiment.Positive("target.freq_hz", t.FreqHz); err != nil {
			return nil, err
		}
		base = task.Sine{Freq: t.FreqHz, Amp: t.Amplitude, Dt: dt}
	case "triangle":
		if err := experiment.Positive("target.freq_hz", t.FreqHz); err != nil {
			return nil, err
		}
		base = task.Triangle{Freq: t.FreqHz, Amp: t.Amplitude, Dt: dt}
	case "prodsines":
		if err := experiment.Positive("target.f1_hz", t.F1Hz); err != nil {
			return nil, err
		}
		if err := experiment.Positive("target.f2_hz", t.F2Hz); err != nil {
			return nil, err
		}
		base = task.ProdSines{F1: t.F1Hz, F2: t.F2Hz, Amp: t.Amplitude, Dt: dt}
	case "vdp":
		if err := experiment.Positive("target.mu", t.Mu); err != nil {
			return nil, err
		}
		base = task.VanDerPol(t.Mu, dt, c.DurationS)
	case "lorenz":
		base = task.Lorenz(dt)
	case "song":
		var s *task.Song
		var err error
		switch t.Song {
		case "short":
			s, err = task.NewSong(task.OdeToJoyShort, task.OdeToJoyShortHalf, t.BeatsPerSecond, dt, false)
		case "long":
			s, err = task.NewSong(task.OdeToJoyLong, task.OdeToJoyLongHalf, t.BeatsPerSecond, dt, true)
		default:
			return nil, fmt.Errorf("target.song %q is unknown: use short or long", t.Song)
		}
		if err != nil {
			return nil, fmt.Errorf("target: %w", err)
		}
		base = s
	case "file":
		f, err := t.loadFile()
		if err != nil {
			return nil, err
		}
		s, err := task.NewSampled(f.data, f.n, f.k, f.rateHz, dt)
		if err != nil {
			return nil, fmt.Errorf("target.file %s: %w", f.path, err)
		}
		base = s
		if f.h > 0 {
			base = framed{Target: s, h: f.h, w: f.w}
		}
	case "movie":
		if t.MoviePx < 2 || t.MoviePx > 64 {
			return nil, fmt.Errorf("target.movie_px must be in 2…64, got %d", t.MoviePx)
		}
		if err := experiment.Positive("target.movie_s", t.MovieS); err != nil {
			return nil, err
		}
		if err := experiment.Positive("target.sample_rate_hz", t.SampleRateHz); err != nil {
			return nil, err
		}
		frames := int(math.Round(t.MovieS * t.SampleRateHz))
		clip, err := task.MovingDot(t.MoviePx, t.MoviePx, frames)
		if err != nil {
			return nil, fmt.Errorf("target: %w", err)
		}
		s, err := task.NewSampled(clip, frames, t.MoviePx*t.MoviePx, t.SampleRateHz, dt)
		if err != nil {
			return nil, fmt.Errorf("target: %w", err)
		}
		base = framed{Target: s, h: t.MoviePx, w: t.MoviePx}
	default:
		return nil, fmt.Errorf("target.kind %q is unknown: use %s", t.Kind, strings.Join([]string{"sine", "triangle", "prodsines", "vdp", "lorenz", "song", "file", "movie"}, ", "))
	}
	return base, nil
}

// forceNet is a built FORCE network.
type forceNet struct {
	pop    neuron.Population
	w      *connect.CSR
	enc    []float64 // N×K encoders, row-major
	ipsc   *synapse.DoubleExp
	rate   *synapse.DoubleExp
	rls    *learn.RLS
	target task.Target
	noise  *rand.PCG // the target's noise generator (nil: none)
	clock  sim.Clock
	dtS    float64 // step in seconds
	// hdts, when hdtsIn is not nil, is the HDTS input: component q feeds
	// hdtsIn[q*N:(q+1)*N] (the reference code's E2, stored by component).
	hdts   task.HDTS
	hdtsIn []float64
	// input, when not nil, adds the external input current of step i to I
	// (the HDTS, or an experiment's own input).
	input func(i int, I []float64)
}

// build makes the network of the config; readOnly (an evaluation: RLS
// off) leaves the RLS matrix P unallocated until something uses it.
func (c *ForceConfig) build(team *sim.Team, readOnly bool) (*forceNet, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	tgt, noise, err := c.targetNoise()
	if err != nil {
		return nil, err
	}
	n, k := c.N, tgt.Dim()
	dt := c.fromMS(c.DtMS)
	clock, err := sim.NewClock(dt, c.fromMS(c.DurationS*1000))
	if err != nil {
		return nil, err
	}
	model, err := c.model()
	if err != nil {
		return nil, err
	}
	pop, err := model.build(c, n, dt)
	if err != nil {
		return nil, err
	}
	pop.Init(sim.Stream(c.Seed, "init"))

	syn, err := connect.BernoulliGaussian(sim.Stream(c.Seed, "weights"), n, n, c.P, c.G/(math.Sqrt(float64(n))*c.P))
	if err != nil {
		return nil, err
	}
	if c.BalanceRows {
		connect.BalanceRows(n, syn)
	}
	w, err := connect.FromSynapses(n, n, syn)
	if err != nil {
		return nil, err
	}
	enc := make([]float64, n*k)
	re := sim.Stream(c.Seed, "encoders")
	for i := range enc {
		enc[i] = c.Q * (2*re.Float64() - 1)
	}
	tr, td := c.fromMS(c.TauRiseMS), c.fromMS(c.TauDecayMS)
	ipsc, err := synapse.NewDoubleExp(n, tr, td, dt)
	if err != nil {
		return nil, err
	}
	rate, _ := synapse.NewDoubleExp(n, tr, td, dt)
	form, _ := learn.ParseRLSForm(c.RLSForm)
	store, _ := learn.ParsePStorage(c.RLSStorage)
	rls, err := learn.NewRLSWith(learn.RLSOptions{N: n, K: k, Alpha: c.Alpha, Form: form, Block: c.RLSBlock, Store: store, Team: team, LazyP: readOnly})
	if err != nil {
		return nil, err
	}
	if err := rls.SetFactored(c.FactoredUpdates()); err != nil {
		return nil, fmt.Errorf("rls_factored_updates: %w", err)
	}
	net := &forceNet{pop: pop, w: w, enc: enc, ipsc: ipsc, rate: rate, rls: rls, target: tgt, noise: noise, clock: clock, dtS: c.DtMS / 1000}
	if net.hdts, err = c.hdts(tgt); err != nil {
		return nil, err
	}
	if net.hdts.M > 0 {
		net.hdtsIn = make([]float64, net.hdts.M*n)
		rh := sim.Stream(c.Seed, "hdts")
		for j := range net.hdtsIn {
			net.hdtsIn[j] = c.Input.Gain * (2*rh.Float64() - 1)
		}
		net.input = net.addHDTS
	}
	if c.extInput != nil {
		if net.input != nil {
			return nil, fmt.Errorf("input.kind must be none: this experiment feeds an input of its own")
		}
		net.input = c.extInput(sim.Stream(c.Seed, "input"))
	}
	return net, nil
}

// Run trains and tests the network and writes the run folder.
func (c *ForceConfig) Run(ctx context.Context, env *experiment.Env) (map[string]float64, error) {
	m, _, _, err := c.run(ctx, env)
	return m, err
}

// run is Run, also returning the network and what it recorded.
func (c *ForceConfig) run(ctx context.Context, env *experiment.Env) (map[string]float64, *forceNet, *forceResult, error) {
	start := time.Now()
	team := sim.NewTeam(env.Threads)
	defer team.Close()
	net, err := c.build(team, false)
	if err != nil {
		return nil, nil, nil, err
	}
	// P's allocation is set-up (the loop's CPU time would otherwise
	// count the background page faults it overlaps with).
	net.rls.Wait()
	built, builtCPU := time.Now(), experiment.CPUSeconds()
	st, err := c.restore(env, net)
	if err != nil {
		return nil, nil, nil, err
	}
	res, err := c.simulate(ctx, net, env, st)
	if err != nil {
		return nil, nil, nil, err
	}
	res.loop, res.loopCPU = time.Since(built), experiment.CPUSeconds()-builtCPU
	res.wall = time.Since(start)
	m := c.metrics(net, res)
	if env.Out != nil {
		if err := c.write(env, net, res, m); err != nil {
			return nil, nil, nil, err
		}
		if err := c.saveModel(env, net, res); err != nil {
			return nil, nil, nil, err
		}
		experiment.RemoveCheckpoint(env)
	}
	m["output_seconds"] = time.Since(start).Seconds() - m["wall_seconds"]
	return m, net, res, nil
}

// forceFused enables the fused step (tests switch it off to compare). The
// package doc says why the fused step stays rather than running FORCE on
// sim.Network's separate slots: the unfused serial path costs 15–20 % more
// loop time on force-sine (measured there).
var forceFused = true

// forceNetBlocks is the fixed number of neuron blocks of the fused step;
// it does not depend on the worker count, so results are the same for any
// number of threads.
const forceNetBlocks = 4

// fusedStep returns, for a LIF network with one output and double-
// exponential synapses, a function that does steps 1–6 of the time step
// ending at t in one pass over the neurons, block-parallel on the run's
// team, and returns the readout z. It first applies the previous step's
// spikes (*spikes): their recurrent input (step 4), their rate events
// (step 5) and the reset (step 8), which the serial order does at the end
// of that step and nothing reads before this one; each block applies them
// to its own neurons. Each neuron sees the same operations in the same
// order as the serial step; only z is summed block by block. *spikes
// holds the step's spikes on return. It returns nil where it does not
// apply.
func (c *ForceConfig) fusedStep(net *forceNet, z []float64, spikes *[]int32) func(t float64) float64 {
	plain, ok := net.pop.(*neuron.LIF)
	if !ok || !forceFused || len(z) != 1 || net.ipsc.Tr == 0 || net.rate.Tr == 0 || net.input != nil {
		return nil
	}
	n := c.N
	var bounds [forceNetBlocks + 1]int
	for b := 1; b < forceNetBlocks; b++ {
		bounds[b] = (n * b / forceNetBlocks) &^ 3
	}
	bounds[forceNetBlocks] = n
	lif := newFusedLIF(plain)
	split, err := net.w.Split(bounds[:])
	if err != nil {
		return nil
	}
	filter := func(f *synapse.DoubleExp) Filter {
		er, ed := f.Factors()
		return Filter{S: f.S, H: f.H, Er: er, Ed: ed, Dt: f.Dt}
	}
	in, out := filter(net.ipsc), filter(net.rate)
	inJump, outJump, reset := net.ipsc.Jump(), net.rate.Jump(), lif.P.VReset
	var partial [forceNetBlocks]float64
	var t float64
	team := net.rls.Team()
	block := func(b int) {
		lo, hi := bounds[b], bounds[b+1]
		if prev := *spikes; len(prev) > 0 {
			net.w.PropagateBlock(split, b, prev, in.H, inJump)
			for _, j := range prev {
				if int(j) >= lo && int(j) < hi {
					out.H[j] += outJump
					lif.V[j] = reset
				}
			}
		}
		partial[b] = lif.StepFused(t, lo, hi, in, net.enc, z[0], out, net.rls.Phi)
	}
	// Alone, one pass over the whole rows propagates the spikes (each
	// neuron receives them in the same order as block by block).
	all := func() {
		if prev := *spikes; len(prev) > 0 {
			net.w.Propagate(prev, in.H, inJump)
			for _, j := range prev {
				out.H[j] += outJump
				lif.V[j] = reset
			}
		}
		for b := range forceNetBlocks {
			partial[b] = lif.StepFused(t, bounds[b], bounds[b+1], in, net.enc, z[0], out, net.rls.Phi)
		}
	}
	pick := sim.NewPickerSerial(team, forceNetBlocks, block, all)
	return func(tt float64) float64 {
		t = tt
		pick.Run()
		*spikes = lif.Flagged((*spikes)[:0])
		// The next step propagates these spikes first: start loading
		// their rows now.
		net.w.Prefetch(*spikes)
		sum := 0.0
		for _, p := range partial {
			sum += p
		}
		return sum
	}
}
