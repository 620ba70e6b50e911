package force

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
)

// TestPanelPresetsFollowTheSpec: every preset of §4.2 validates, names are
// unique, and a row per model family carries the spec's numbers.
func TestPanelPresetsFollowTheSpec(t *testing.T) {
	seen := map[string]bool{}
	for _, name := range PanelPresets() {
		if seen[name] {
			t.Errorf("preset %s twice", name)
		}
		seen[name] = true
		c := ForcePanel()
		c.Preset = name
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if len(seen) != 29 {
		t.Errorf("%d presets, want the 29 scripts of the panel", len(seen))
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Abs(b) }
	for _, tc := range []struct {
		name                     string
		model                    string
		td, g, q, alpha, T, stop float64
		kind                     string
		noise                    float64
	}{
		{"lif10-prodsine", "lif", 10, 0.1, 30, 2.5e-6, 60, 30, "prodsines", 0},
		{"lif20-vdp-relaxation", "lif", 20, 0.05, 30, 2.5e-6, 15, 10, "vdp", 0},
		{"lif30-sine", "lif", 30, 0.05, 10, 5e-6, 15, 10, "sine", 0},
		{"lif30-sawtooth", "lif", 30, 0.1, 20, 2.5e-6, 15, 10, "triangle", 0},
		{"lif30-prodsine", "lif", 30, 0.1, 30, 2.5e-6, 60, 25, "prodsines", 0},
		{"lif30-prodsine-noise", "lif", 30, 0.1, 30, 2.5e-6, 60, 30, "prodsines", 0.05},
		{"theta20-prodsine", "theta", 20, 25, 1e4, 1e-5, 80, 55, "prodsines", 0},
		{"theta50-prodsine-noise", "theta", 50, 50, 2e4, 1e-4, 70, 55, "prodsines", 0.05},
		{"theta50-vdp-harmonic", "theta", 50, 10, 1e4, 2e-5, 15, 10, "vdp", 0},
		{"izh20-prodsine", "izhikevich", 20, 1e4, 9e3, 2, 20, 10, "prodsines", 0},
		{"izh20-vdp-relaxation", "izhikevich", 20, 1e4, 2e4, 2, 15, 10, "vdp", 0},
		{"izh20-complex", "izhikevich", 20, 1e4, 1e4, 2, 50, 25, "complex", 0},
	} {
		c, err := PanelPreset(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		if c.Model != tc.model || c.TauDecayMS != tc.td || c.G != tc.g || c.Q != tc.q || !near(c.Alpha, tc.alpha) ||
			c.DurationS != tc.T || c.TrainStartS != 5 || c.TrainStopS != tc.stop || c.Target.Kind != tc.kind ||
			c.Target.NoiseStd != tc.noise || c.N != 2000 || c.TauRiseMS != 2 {
			t.Errorf("%s: %s td %g g %g q %g alpha %g T %g train %g-%g kind %s noise %g n %d", tc.name, c.Model, c.TauDecayMS,
				c.G, c.Q, c.Alpha, c.DurationS, c.TrainStartS, c.TrainStopS, c.Target.Kind, c.Target.NoiseStd, c.N)
		}
	}
	izh, _ := PanelPreset("izh20-sine")
	if izh.Izhikevich.B != -2 || izh.BalanceRows || izh.RLSEverySteps != 20 || izh.DtMS != 0.04 {
		t.Errorf("izhikevich panel network: b %g balanced %v step %d dt %g", izh.Izhikevich.B, izh.BalanceRows, izh.RLSEverySteps, izh.DtMS)
	}
	th, _ := PanelPreset("theta50-sine")
	if !th.BalanceRows || th.RLSEverySteps != 50 || th.DtMS != 0.01 {
		t.Errorf("theta panel network: balanced %v step %d dt %g", th.BalanceRows, th.RLSEverySteps, th.DtMS)
	}
}

// TestPanelTargets: the uniform noise of the LIF 10 and Izhikevich scripts
// is a positive offset of mean 0.025; the complex oscillator is the product
// of three sines with period 1 s.
func TestPanelTargets(t *testing.T) {
	for _, name := range []string{"lif10-prodsine-noise", "izh20-prodsine-noise"} {
		c, _ := PanelPreset(name)
		tgt, err := c.target()
		if err != nil {
			t.Fatal(err)
		}
		clean, _ := PanelPreset(strings.TrimSuffix(name, "-noise"))
		ct, _ := clean.target()
		var sum float64
		out, ref := make([]float64, 1), make([]float64, 1)
		const n = 20000
		for i := 1; i <= n; i++ {
			tgt.At(i, out)
			ct.At(i, ref)
			d := out[0] - ref[0]
			if d < 0 || d > 0.05 {
				t.Fatalf("%s: noise %g outside [0, 0.05]", name, d)
			}
			sum += d
		}
		if m := sum / n; math.Abs(m-0.025) > 0.001 || tgt.Period() != 0.5 {
			t.Errorf("%s: mean noise %g, period %g", name, m, tgt.Period())
		}
	}
	c, _ := PanelPreset("izh20-complex")
	tgt, err := c.target()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 1)
	tgt.At(1000, out) // t = 0.04 s
	tm := 0.04
	want := math.Sin(4*math.Pi*tm) * math.Sin(6*math.Pi*tm) * math.Sin(14*math.Pi*tm)
	if math.Abs(out[0]-want) > 1e-12 || tgt.Period() != 1 || tgt.Dim() != 1 {
		t.Errorf("complex oscillator %g want %g, period %g", out[0], want, tgt.Period())
	}
}

// TestPanelRunWritesItsForceConfig: a short run writes force_config.yaml,
// which force-sine's config reads back into the same network.
func TestPanelRunWritesItsForceConfig(t *testing.T) {
	dir := t.TempDir()
	c := ForcePanel()
	c.Preset, c.N, c.DurationScale, c.Seed = "lif30-sine", 100, 0.04, 3
	out, err := runio.Create(filepath.Join(dir, "run"), "")
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m["test_rmse"]; !ok {
		t.Errorf("metrics %v", m)
	}
	b, err := os.ReadFile(filepath.Join(dir, "run", "force_config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f := ForceLIFSine()
	if err := experiment.Decode(f, b); err != nil {
		t.Fatal(err)
	}
	if f.Seed != 3 || f.N != 100 || f.TauDecayMS != 30 || f.G != 0.05 || f.Q != 10 || f.DurationS != 0.6 || f.TrainStartS != 0.2 || f.TrainStopS != 0.4 {
		t.Errorf("force_config.yaml read back as %+v", f)
	}
}

func TestPanelErrors(t *testing.T) {
	for _, tc := range []struct{ set, want string }{
		{"preset=lif20-prodsines", "did you mean lif20-prodsine"},
		{"preset=nope", "presets: lif10-prodsine,"},
		{"duration_scale=0", "duration_scale"},
		{"n=-1", "n must be >= 0"},
	} {
		c := ForcePanel()
		if err := experiment.Set(c, tc.set); err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.set, err, tc.want)
		}
	}
}
