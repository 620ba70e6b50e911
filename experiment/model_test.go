package experiment

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/runio"
)

func TestDiffConfigNamesKeyAndValues(t *testing.T) {
	a := newToy()
	yb, err := Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	saved := string(yb)
	if err := DiffConfig(saved, a); err != nil {
		t.Fatalf("same config: %v", err)
	}
	b := newToy()
	b.Rate = 7
	b.Neuron.TauM = 11
	err = DiffConfig(saved, b)
	if err == nil || !strings.Contains(err.Error(), "rate_hz is 7 here but 5 in the checkpoint") ||
		!strings.Contains(err.Error(), "neuron.tau_m_ms is 11 here") {
		t.Fatalf("got %v", err)
	}
	if err := DiffConfig(saved, b, "rate_hz", "neuron"); err != nil {
		t.Fatalf("ignored keys: %v", err)
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	dir, err := runio.Create(t.TempDir(), "toy")
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Out: dir, Name: "toy"}
	cfg := newToy()
	src := rand.NewPCG(1, 2)
	src.Uint64()
	var s ModelState
	s.Add("w", "pA", []float64{1, 2, 3, 4}, 2, 2)
	if err := s.AddRNG("rng", src); err != nil {
		t.Fatal(err)
	}
	s.Progress, s.ProgressUnit = 3, "epoch"
	if err := SaveCheckpoint(env, cfg, &s); err != nil {
		t.Fatal(err)
	}
	env.Resume = dir.File(CheckpointFile)
	m, err := LoadCheckpoint(env, cfg)
	if err != nil {
		t.Fatal(err)
	}
	src2 := rand.NewPCG(0, 0)
	if err := LoadRNG(m, "rng", src2); err != nil || src2.Uint64() != src.Uint64() {
		t.Fatalf("rng not restored: %v", err)
	}
	cfg.N = 4
	if _, err := LoadCheckpoint(env, cfg); err == nil || !strings.Contains(err.Error(), "n is 4 here but 3 in the checkpoint") {
		t.Fatalf("changed key: %v", err)
	}
	env.Name = "other"
	if _, err := LoadCheckpoint(env, cfg); err == nil || !strings.Contains(err.Error(), `not "other"`) {
		t.Fatalf("wrong experiment: %v", err)
	}
	if err := SaveModel(&Env{Out: dir, Name: "toy"}, cfg, &s); err != nil {
		t.Fatal(err)
	}
	env.Name, env.Resume = "toy", dir.File(ModelFile)
	if _, err := LoadCheckpoint(env, newToy()); err == nil || !strings.Contains(err.Error(), "not a checkpoint") {
		t.Fatalf("model as checkpoint: %v", err)
	}
	RemoveCheckpoint(env)
	if _, err := os.Stat(dir.File(CheckpointFile)); !os.IsNotExist(err) {
		t.Fatal("checkpoint not removed")
	}
}
