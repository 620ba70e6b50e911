package force

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/experiment"
)

func TestSetOverridesTypedFields(t *testing.T) {
	c := ForceLIFSine()
	for _, s := range []string{"n=500", "g=0.05", "train_start_s=1", "lif.tau_m_s=0.02", "balance_rows=false", "target.kind=triangle", "seed=7"} {
		if err := experiment.Set(c, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if c.N != 500 || c.G != 0.05 || c.TrainStartS != 1 || c.LIF.TauM != 0.02 || c.BalanceRows || c.Target.Kind != "triangle" || c.Seed != 7 {
		t.Fatalf("overrides not applied: %+v", c)
	}
}

func TestSetErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct{ set, want string }{
		{"nn=3", `unknown key "nn"`},
		{"lif.tau=3", `unknown key "tau" in section lif`},
		{"n=2.5", `n: value "2.5" is not an integer`},
		{"g=abc", `g: value "abc" is not a finite number`},
		{"g=NaN", `not a finite number`},
		{"balance_rows=maybe", "not true or false"},
		{"lif=3", "is a section"},
		{"seed=-1", "not a non-negative integer"},
		{"novalue", "want key=value"},
	} {
		err := experiment.Set(ForceLIFSine(), tc.set)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--set %s: error %v, want it to contain %q", tc.set, err, tc.want)
		}
	}
}

func TestYAMLRoundTripAndUnknownKeys(t *testing.T) {
	c := ForceIzhikevichSine()
	experiment.Set(c, "izhikevich.b_ns=0")
	b, err := experiment.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	os.WriteFile(p, b, 0o644)
	d := ForceLIFSine()
	if err := experiment.LoadFile(d, p); err != nil {
		t.Fatal(err)
	}
	if d.Model != "izhikevich" || d.Izhikevich.B != 0 || d.G != c.G || d.Alpha != c.Alpha {
		t.Fatalf("round trip lost values: %+v", d)
	}
	os.WriteFile(p, []byte("n: 100\nlif:\n  tau_mm: 3\n"), 0o644)
	err = experiment.LoadFile(ForceLIFSine(), p)
	if err == nil || !strings.Contains(err.Error(), "tau_mm") || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("unknown key error %v should name the key and line", err)
	}
	os.WriteFile(p, []byte("n: many\n"), 0o644)
	if err := experiment.LoadFile(ForceLIFSine(), p); err == nil || !strings.Contains(err.Error(), "many") {
		t.Fatalf("bad value error %v should quote the value", err)
	}
}

func TestValidateNamesField(t *testing.T) {
	for _, tc := range []struct{ set, want string }{
		{"dt_ms=0", "dt_ms"},
		{"model=hh", `model "hh" is unknown: use izhikevich, lif, theta`},
		{"train_stop_s=20", "train_stop_s"},
		{"target.kind=square", "target.kind"},
		{"alpha=-1", "alpha"},
		{"p=0", "p must"},
		{"lif.v_peak_mv=-70", "lif.v_peak_mv"},
		{"rls_form=fast", "rls_form"},
	} {
		c := ForceLIFSine()
		if err := experiment.Set(c, tc.set); err != nil {
			t.Fatal(err)
		}
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v, want mention of %q", tc.set, err, tc.want)
		}
	}
}

func FuzzConfigYAML(f *testing.F) {
	b, _ := experiment.Marshal(ForceLIFSine())
	f.Add(b)
	f.Add([]byte("n: 3\ntarget: {kind: vdp}\n"))
	f.Add([]byte("lif: [1, 2]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := ForceLIFSine()
		if err := experiment.Decode(c, b); err != nil {
			return
		}
		_ = c.Validate() // must not panic
	})
}

func FuzzSet(f *testing.F) {
	f.Add("n=3")
	f.Add("lif.tau_m_s=1e-3")
	f.Add("target.kind=song")
	f.Fuzz(func(t *testing.T, s string) {
		c := ForceLIFSine()
		if experiment.Set(c, s) == nil {
			_ = c.Validate()
		}
	})
}

func TestEveryRegisteredModelBuilds(t *testing.T) {
	for _, name := range forceModelNames() {
		c := ForceLIFSine()
		c.Model, c.N = name, 8
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		m, _ := c.model()
		pop, err := m.build(c, c.N, c.fromMS(c.DtMS))
		if err != nil || pop.Len() != c.N {
			t.Errorf("%s: build gave %v, %v", name, pop, err)
		}
	}
}
