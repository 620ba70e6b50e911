package experiment

import (
	"context"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/neuron"
)

// toyConfig exercises the framework without any learning system.
type toyConfig struct {
	Seed   uint64              `yaml:"seed"`
	N      int                 `yaml:"n"`
	Rate   float64             `yaml:"rate_hz"`
	Name   string              `yaml:"name"`
	On     bool                `yaml:"on"`
	Neuron neuron.LIFExpParams `yaml:"neuron"`
}

func (c *toyConfig) Validate() error {
	if c.N < 1 {
		return Keyed("", nil, nil)
	}
	return Keyed("neuron", c.Neuron, c.Neuron.Validate())
}

func (c *toyConfig) Run(context.Context, *Env) (map[string]float64, error) {
	return map[string]float64{"n": float64(c.N)}, nil
}

func (c *toyConfig) RunSeed() uint64     { return c.Seed }
func (c *toyConfig) SetRunSeed(s uint64) { c.Seed = s }

func newToy() *toyConfig { return &toyConfig{Seed: 1, N: 3, Rate: 5, Neuron: neuron.DefaultLIFExp()} }

func TestSetParsesEachType(t *testing.T) {
	c := newToy()
	for _, s := range []string{"n=7", "rate_hz=2.5", "name=a b", "on=true", "neuron.tau_m_ms=12", "seed=9"} {
		if err := Set(c, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if c.N != 7 || c.Rate != 2.5 || c.Name != "a b" || !c.On || c.Neuron.TauM != 12 || c.Seed != 9 {
		t.Fatalf("got %+v", c)
	}
}

func TestSetErrorsNameTheKey(t *testing.T) {
	for set, want := range map[string]string{
		"nn=1":            `unknown key "nn"`,
		"n=1.5":           "not an integer",
		"rate_hz=NaN":     "not a finite number",
		"neuron=1":        "is a section",
		"neuron.bogus=1":  "section neuron",
		"on=maybe":        "not true or false",
		"no equals sign":  "want key=value",
		"neuron.v_t_mv=x": "neuron.v_t_mv",
	} {
		err := Set(newToy(), set)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Set(%q) = %v, want mention of %q", set, err, want)
		}
	}
}

func TestDecodeRejectsUnknownKeys(t *testing.T) {
	c := newToy()
	if err := Decode(c, []byte("n: 4\nneuron:\n  tau_m_ms: 15\n")); err != nil || c.N != 4 || c.Neuron.TauM != 15 {
		t.Fatalf("Decode: %v, %+v", err, c)
	}
	err := Decode(c, []byte("neuron:\n  tau_mm: 1\n"))
	if err == nil || !strings.Contains(err.Error(), "tau_mm") {
		t.Fatalf("unknown key: %v", err)
	}
	b, err := Marshal(c)
	if err != nil || !strings.Contains(string(b), "tau_m_ms: 15") {
		t.Fatalf("Marshal: %v\n%s", err, b)
	}
}

// A core ParamError names Go fields; Keyed turns them into the yaml keys
// under the section.
func TestKeyedNamesConfigKeys(t *testing.T) {
	c := newToy()
	c.Neuron.VT = -70
	err := c.Validate()
	if err == nil || err.Error() != "neuron.v_t_mv (-70) must exceed neuron.v_r_mv (-60)" {
		t.Fatalf("got %v", err)
	}
	if raw := c.Neuron.Validate(); raw == nil || raw.Error() != "LIFExp: VT (-70) must exceed VR (-60)" {
		t.Fatalf("core error %v", raw)
	}
}

func FuzzSet(f *testing.F) {
	for _, s := range []string{"n=1", "neuron.tau_m_ms=3", "x", "=", "on=1", "rate_hz=1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := newToy()
		_ = Set(c, s) // must not panic
	})
}

func TestCheckMemoryNamesTheLargestItems(t *testing.T) {
	var e Estimate
	e.Add("RLS matrix P (200000×200000 float32)", 160e9)
	e.Add("weights", 1e6)
	if err := CheckMemory(e, 0); err != nil {
		t.Fatalf("no limit: %v", err)
	}
	err := CheckMemory(e, 23e9)
	if err == nil || !strings.Contains(err.Error(), "RLS matrix P") || !strings.Contains(err.Error(), "160 GB") || !strings.Contains(err.Error(), "23 GB") {
		t.Fatalf("got %v", err)
	}
}
