package all_test

// The regression check: every registered experiment runs in a short
// configuration and its metrics are compared with stored values, bit for
// bit. Timing metrics are excluded. The stored values depend on the
// arithmetic kernels the machine selects (AVX-512, AVX2, pure Go), so they
// are kept per kernel set in testdata/regress-<kernels>.json. To rewrite
// them deliberately (a change meant to alter results):
//
//	go test ./systems/all -run TestRegression -update
//
// and list each changed metric's old and new value in the commit message.

import (
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/internal/testgen"

	"golang.org/x/sys/cpu"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
	_ "github.com/spikelab/spikelab/systems/all"
	"github.com/spikelab/spikelab/task"
)

var update = flag.Bool("update", false, "rewrite the stored regression metrics")

// regressCase is one experiment's short configuration: --set overrides and,
// where the experiment reads data, a function that prepares it and returns
// more overrides.
type regressCase struct {
	sets []string
	data func(t *testing.T) []string
	// exp is the experiment of a variant case (one more configuration of
	// an experiment, stored under the case's own name); "" for the
	// experiment of the case's name.
	exp string
	// storedOn lists the kernel sets (kernels()) the case's metrics are
	// stored for when not all: a case added on a machine without AVX-512
	// is skipped, with a message, on one with it until `-update` there
	// stores it (and adds the set here). nil: every set.
	storedOn []string
}

var forceShort = []string{"n=300", "duration_s=1.2", "train_start_s=0.2", "train_stop_s=1"}
var thetaShort = []string{"n=300", "duration_s=0.6", "train_start_s=0.1", "train_stop_s=0.5"}
var olfShort = []string{"data.n_or=10", "data.n_class=4", "data.n_train=320", "data.n_val=200",
	"snn.orn_tiling=4", "snn.n_pn=30", "snn.n_kc=60", "snn.steps=20", "snn.burn_in=5", "snn.batch=16", "snn.epochs=1",
	"ann.orn_tiling=4", "ann.n_pn=30", "ann.n_kc=60", "ann.epochs=2", "raster_samples=2"}
var maesNet = []string{"network.n_exc=240", "network.n_inh=60", "network.clusters=6"}

var regressCases = map[string]regressCase{
	"cuba": {sets: []string{"n_exc=1600", "n_inh=400", "duration_s=0.2", "raster_neurons=100"}},
	// 8200 neurons, ≈ 6800 synaptic events per step: the update and the
	// propagation both split over the 2 threads the check runs on.
	"cuba-split": {exp: "cuba", sets: []string{"n_exc=6560", "n_inh=1640", "p=0.05", "w_i_mv=-4", "duration_s=0.05", "raster_neurons=100"}},
	"force-sine": {sets: forceShort},
	// P stored in float16 (opt-in).
	"force-sine-float16": {exp: "force-sine", sets: []string{"n=300", "duration_s=1.2", "train_start_s=0.2", "train_stop_s=1", "rls_storage=float16"}},
	// The first 100 of 320 RLS updates kept factored (opt-in), then P
	// formed in float32.
	"force-sine-factored": {exp: "force-sine", sets: []string{"n=300", "duration_s=1.2", "train_start_s=0.2", "train_stop_s=1", "rls_factored_updates=100"},
		storedOn: []string{"amd64-avx2", "amd64-purego"}},
	"force-izhikevich-sine": {sets: forceShort},
	"force-theta-sine":      {sets: thetaShort},
	"force-sawtooth":        {sets: thetaShort},
	"force-vdp-harmonic":    {sets: thetaShort},
	"force-vdp-relaxation":  {sets: thetaShort},
	"force-prodsines":       {sets: thetaShort},
	"force-noisy-prodsines": {sets: thetaShort},
	"force-lorenz":          {sets: thetaShort},
	"force-ode-to-joy":      {sets: []string{"n=300", "duration_s=1.5", "train_start_s=0.2", "train_stop_s=1"}},
	"force-classify":        {sets: []string{"n=300", "duration_s=3", "train_stop_s=2", "data=generated"}},
	"force-panel":           {sets: []string{"n=300", "duration_scale=0.02"}},
	"force-movie": {sets: []string{"n=300", "duration_s=1.5", "train_start_s=0.2", "train_stop_s=1",
		"target.movie_px=4", "target.movie_s=0.5", "input.components=4"}},
	"force-songbird": {sets: []string{"n=300", "duration_s=1.5", "train_start_s=0.2", "train_stop_s=1",
		"target.spectrogram.window=64", "target.spectrogram.overlap=48", "target.spectrogram.nfft=64", "target.spectrogram.channels=4",
		"target.spectrogram.band_low_hz=500", "target.spectrogram.band_step_hz=500", "target.spectrogram.band_width_hz=500"}, data: songData},
	"ltts-trajectory": {sets: []string{"net.n=100", "t_steps=100", "epochs=10"}},
	"ltts-fast":       {sets: []string{"net.n=100", "seeds=2", "epochs=4"}},
	"ltts-noise":      {sets: []string{"net.n=100", "t_steps=100", "epochs=10", "ratio_steps=3", "repeats=1", "ratio_log10_min=-3"}},
	"ltts-xor":        {sets: []string{"net.n=100", "epochs=10", "eval_every=5", "off=5", "off_t=5"}},
	"ltts-walking": {sets: []string{"net.n=100", "train_bins=60", "total_bins=120", "loop_start=0", "loop_end=30",
		"epochs=10", "eval_every=5", "sigma_teach=5", "asf=w.asf", "amc=w.amc"}, data: walkData},
	"shifting-xor":     {sets: []string{"runs=10", "epochs=200"}},
	"shifting-iris":    {sets: []string{"runs=1", "epochs=20"}},
	"shifting-mnist":   {sets: []string{"hidden=20", "epochs=2", "batch_size=16", "lr_start=0.01", "lr_end=0.001"}, data: idxData},
	"shifting-fashion": {sets: []string{"hidden=30", "epochs=1", "batch_size=8", "lr_start=0.01", "lr_end=0.01"}, data: idxData},
	"shifting-mnist-causal": {sets: []string{"hidden=20", "epochs=2", "batch_size=16", "lr_start=0.001", "lr_end=0.001", "train_eval_size=100"},
		data: idxData},
	"shifting-tca": {sets: []string{"hidden=40", "epochs=1", "data.train_trials=40", "data.test_trials=20"}, data: tcaData},
	"maes-replay":  {sets: append([]string{"duration_s=1.5", "burn_in_ms=100"}, maesNet...)},
	"maes-train": {sets: []string{"network.n_exc=60", "network.n_inh=15", "network.clusters=4", "block_s=0.1",
		"train_min=0.0033333333333333335", "spont_min=0.0016666666666666668", "replay_s=0.1"}},
	"maes-readout":      {sets: append([]string{"train_s=2", "switch_s=1", "test_s=1", "delete_at_s=0.5"}, maesNet...)},
	"maes-variability":  {sets: []string{"cycles=2", "max_s=2", "chunk_s=1", "burn_in_ms=100", "save_model=false"}},
	"maes-spectrum":     {sets: append([]string{"matrix=build"}, maesNet...)},
	"olfaction-ann":     {sets: olfShort},
	"olfaction-decolle": {sets: olfShort},
	"olfaction-stdp":    {sets: append([]string{"compare=false"}, olfShort...)},
	// The spec's pairing machine (the old default of olfaction-stdp).
	"olfaction-stdp-pairing": {exp: "olfaction-stdp", sets: append([]string{"compare=false", "stdp.rule=pairing", "homeostasis.kind=none"}, olfShort...)},
}

// timing reports whether a metric measures time or speed (excluded).
func timing(name string) bool {
	for _, s := range []string{"seconds", "per_second", "per_wall", "per_cpu", "_wall", "_cpu"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// kernels names the arithmetic kernel set this build and CPU select.
func kernels() string {
	k := runtime.GOARCH
	if purego {
		return k + "-purego"
	}
	if runtime.GOARCH == "amd64" {
		switch {
		case cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL && cpu.X86.HasFMA:
			k += "-avx512"
		case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
			k += "-avx2"
		}
	}
	return k
}

func TestEveryDefaultConfigIsValid(t *testing.T) {
	if len(experiment.All()) < 27 {
		t.Errorf("%d experiments registered, want all 27", len(experiment.All()))
	}
	for _, e := range experiment.All() {
		if err := e.Defaults().Validate(); err != nil {
			t.Errorf("%s defaults invalid: %v", e.Name, err)
		}
	}
}

// The Config interface's seed is the config key seed of every experiment.
func TestRunSeedIsTheSeedKey(t *testing.T) {
	for _, e := range experiment.All() {
		c := e.Defaults()
		c.SetRunSeed(7)
		b, err := experiment.Marshal(c)
		if err != nil || c.RunSeed() != 7 || !strings.Contains(string(b), "\nseed: 7\n") && !strings.HasPrefix(string(b), "seed: 7\n") {
			t.Errorf("%s: RunSeed %d after SetRunSeed(7), yaml:\n%s", e.Name, c.RunSeed(), b)
		}
	}
}

func TestRegression(t *testing.T) {
	if testing.Short() {
		t.Skip("regression check skipped in -short mode")
	}
	file := filepath.Join("testdata", "regress-"+kernels()+".json")
	stored := map[string]map[string]float64{}
	if b, err := os.ReadFile(file); err == nil {
		if err := json.Unmarshal(b, &stored); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	} else if !*update {
		t.Skipf("no stored metrics for kernel set %s (%s); create them with -update on a trusted build", kernels(), file)
	}
	var names []string
	for _, e := range experiment.All() {
		names = append(names, e.Name)
		if _, ok := regressCases[e.Name]; !ok {
			t.Errorf("experiment %s has no short configuration in the regression check", e.Name)
		}
	}
	for name, rc := range regressCases {
		if rc.exp != "" {
			names = append(names, name)
		}
	}
	sort.Strings(names[len(experiment.All()):])
	got := map[string]map[string]float64{}
	for _, name := range names {
		rc, ok := regressCases[name]
		if !ok {
			continue
		}
		exp := name
		if rc.exp != "" {
			exp = rc.exp
		}
		t.Run(name, func(t *testing.T) {
			if rc.storedOn != nil && !slices.Contains(rc.storedOn, kernels()) && !*update {
				t.Skipf("%s: metrics stored for kernel sets %v only, not %s: store them with -update on this machine and add %s to its storedOn", name, rc.storedOn, kernels(), kernels())
			}
			sets := rc.sets
			if rc.data != nil {
				sets = append(append([]string(nil), sets...), rc.data(t)...)
			}
			m := runShort(t, exp, sets)
			clean := map[string]float64{}
			for k, v := range m {
				if !timing(k) {
					clean[k] = v
				}
			}
			got[name] = clean
			if *update {
				return
			}
			want, ok := stored[name]
			if !ok {
				t.Fatalf("no stored metrics for %s in %s (run with -update)", name, file)
			}
			compareMetrics(t, want, clean)
		})
	}
	if *update && !t.Failed() {
		for name, m := range stored {
			if _, ok := got[name]; !ok {
				got[name] = m // skipped here (data absent): keep its stored values
			}
		}
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", file)
	}
}

func compareMetrics(t *testing.T, want, got map[string]float64) {
	t.Helper()
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		w, okw := want[k]
		g, okg := got[k]
		switch {
		case !okw:
			t.Errorf("%s: new metric (%v), not stored", k, g)
		case !okg:
			t.Errorf("%s: stored (%v), no longer reported", k, w)
		case math.Float64bits(w) != math.Float64bits(g) && !(math.IsNaN(w) && math.IsNaN(g)):
			t.Errorf("%s: stored %v, now %v", k, w, g)
		}
	}
}

func runShort(t *testing.T, name string, sets []string) map[string]float64 {
	t.Helper()
	e, err := experiment.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.Defaults()
	for _, s := range sets {
		if err := experiment.Set(cfg, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	dir, err := runio.Create(filepath.Join(t.TempDir(), "run"), name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := cfg.Run(context.Background(), &experiment.Env{Out: dir, Threads: 2, Log: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// walkData writes a small ASF skeleton (root and two bones) and a 120-frame
// AMC motion of period 30 frames.
// songData writes a generated 0.4-s two-tone WAV (8 kHz, stereo).
func songData(t *testing.T) []string {
	x := make([]float64, 3200)
	for i := range x {
		f := 1000.0
		if i >= 1600 {
			f = 2000
		}
		x[i] = 0.5 * math.Sin(2*math.Pi*f*float64(i)/8000)
	}
	path := filepath.Join(t.TempDir(), "song.wav")
	writeFile(t, path, task.EncodeWAV(8000, x, x))
	return []string{"target.file=" + path}
}

// walkData writes a synthetic two-bone gait (testgen.WriteGait) and returns its data_dir.
func walkData(t *testing.T) []string {
	dir := t.TempDir()
	if err := testgen.WriteGait(dir); err != nil {
		t.Fatal(err)
	}
	return []string{"data_dir=" + dir}
}

// idxData writes a small MNIST-format dataset (300 training, 100 test
// images of 28×28, testgen.WriteIDX with speckle).
func idxData(t *testing.T) []string {
	dir := t.TempDir()
	if err := testgen.WriteIDX(dir, 300, 100, true); err != nil {
		t.Fatal(err)
	}
	return []string{"data_dir=" + dir}
}

// tcaData uses the TCA validation file from the project's shared data
// (skipped when it is absent).
func tcaData(t *testing.T) []string {
	dir := sharedData(t, "shifting")
	return []string{"data_dir=" + dir}
}

func sharedData(t *testing.T, name string) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			p := filepath.Join(d, "..", "shared", "data", name)
			if _, err := os.Stat(p); err != nil {
				t.Skipf("shared data %s absent: %v", p, err)
			}
			return p
		}
		if filepath.Dir(d) == d {
			t.Skip("module root not found")
		}
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
