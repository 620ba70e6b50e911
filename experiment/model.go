package experiment

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"go.yaml.in/yaml/v3"

	"github.com/spikelab/spikelab/runio"
)

// Files of a run folder that hold trained state.
const (
	// ModelFile holds the trained network at the end of a run (model.json
	// beside it is its header).
	ModelFile = "model.npz"
	// CheckpointFile holds a run in progress; it is removed when the run
	// completes.
	CheckpointFile = "checkpoint.npz"
)

// Evaluator is an experiment that can run its test phase alone on a saved
// model (spikelab eval). With the config unchanged its metrics equal the
// test metrics of the run that saved the model.
type Evaluator interface {
	Eval(ctx context.Context, env *Env, m *runio.Model) (map[string]float64, error)
}

// Resumer is an experiment that writes checkpoints and continues from
// env.Resume (spikelab resume). Resumable reports whether this config does
// (an experiment may resume only some of its tasks).
type Resumer interface {
	Resumable() bool
}

// provenance identifies the program that wrote a model file. It holds no
// time or host, so a resumed run writes the same bytes as an uninterrupted one.
func provenance() map[string]string {
	p := map[string]string{"go": runtime.Version(), "goarch": runtime.GOARCH, "program": "spikelab"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				p[s.Key] = s.Value
			}
		}
	}
	return p
}

// ResumeAlias is a config with a key naming a checkpoint to resume from
// (maes-train's resume); TakeResume returns it and clears the key, so the
// run's config.yaml records the protocol and not the pointer.
type ResumeAlias interface {
	TakeResume() string
}

// ModelState is what an experiment saves: arrays with their units, and how
// far training had come.
type ModelState struct {
	Arrays       []runio.Array
	Units        map[string]string // unit (or meaning) of each array by name
	Progress     float64           // e.g. epochs done
	ProgressUnit string            // e.g. "epoch"
}

// Add appends a float64 array of the given shape (nil shape: a vector).
func (s *ModelState) Add(name, unit string, data []float64, shape ...int) {
	if shape == nil {
		shape = []int{len(data)}
	}
	s.Arrays = append(s.Arrays, runio.Array{Name: name, Shape: shape, Data: data})
	if s.Units == nil {
		s.Units = map[string]string{}
	}
	s.Units[name] = unit
}

// AddRNG appends the state of a PCG generator as a uint8 array.
func (s *ModelState) AddRNG(name string, src *rand.PCG) error {
	b, err := src.MarshalBinary()
	if err != nil {
		return err
	}
	s.Arrays = append(s.Arrays, runio.Array{Name: name, Shape: []int{len(b)}, Data: b})
	if s.Units == nil {
		s.Units = map[string]string{}
	}
	s.Units[name] = "PCG generator state (Go math/rand/v2 MarshalBinary)"
	return nil
}

// LoadRNG restores a PCG generator saved by AddRNG.
func LoadRNG(m *runio.Model, name string, src *rand.PCG) error {
	b, err := m.Uint8(name, -1)
	if err != nil {
		return err
	}
	if err := src.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("model file %s: array %q: %w", m.Path, name, err)
	}
	return nil
}

// SaveModel writes the final model (model.npz and model.json) into the run folder.
func SaveModel(env *Env, cfg Config, s *ModelState) error {
	if env.Out == nil {
		return nil
	}
	return save(env, cfg, env.Out.File(ModelFile), "model", s)
}

// SaveFinalModel writes the final model (SaveModel) and then deletes the
// run's checkpoint (RemoveCheckpoint): the end of a completed training run.
func SaveFinalModel(env *Env, cfg Config, s *ModelState) error {
	if err := SaveModel(env, cfg, s); err != nil {
		return err
	}
	RemoveCheckpoint(env)
	return nil
}

func save(env *Env, cfg Config, path, kind string, s *ModelState) error {
	yml, err := Marshal(cfg)
	if err != nil {
		return err
	}
	h := runio.ModelHeader{Kind: kind, Experiment: env.Name, ConfigHash: ConfigHash(cfg), Config: string(yml),
		Progress: s.Progress, ProgressUnit: s.ProgressUnit, Provenance: provenance()}
	return runio.WriteModel(path, h, s.Arrays, s.Units)
}

// checkpoints counts the checkpoints this process has written (for KillAfterEnv).
var checkpoints atomic.Int64

// CheckpointsWritten returns how many checkpoints this process has written.
func CheckpointsWritten() int64 { return checkpoints.Load() }

// KillAfterEnv names an environment variable for tests: when it holds N,
// the process kills itself with SIGKILL right after writing its N-th
// checkpoint (a deterministic crash point).
const KillAfterEnv = "SPIKELAB_KILL_AFTER_CHECKPOINT"

// SaveCheckpoint writes a checkpoint (checkpoint.npz and checkpoint.json)
// atomically into the run folder.
func SaveCheckpoint(env *Env, cfg Config, s *ModelState) error {
	if env.Out == nil {
		return nil
	}
	if err := save(env, cfg, env.Out.File(CheckpointFile), "checkpoint", s); err != nil {
		return err
	}
	n := checkpoints.Add(1)
	if v := os.Getenv(KillAfterEnv); v != "" {
		if k, err := strconv.ParseInt(v, 10, 64); err == nil && k == n {
			killSelf()
		}
	}
	return nil
}

// RemoveCheckpoint deletes the checkpoint of a completed run.
func RemoveCheckpoint(env *Env) {
	if env.Out == nil {
		return
	}
	os.Remove(env.Out.File(CheckpointFile))
	os.Remove(env.Out.File("checkpoint.json"))
}

// LoadCheckpoint reads env.Resume (nil, nil when the run is fresh) and
// checks it against cfg: written by this experiment as a checkpoint, and
// every config key equal (an error names the key and both values).
func LoadCheckpoint(env *Env, cfg Config) (*runio.Model, error) {
	if env.Resume == "" {
		return nil, nil
	}
	m, err := runio.ReadModel(env.Resume, env.Name)
	if err != nil {
		return nil, err
	}
	if m.Header.Kind != "checkpoint" {
		return nil, fmt.Errorf("%s is a %s file, not a checkpoint", env.Resume, m.Header.Kind)
	}
	if err := DiffConfig(m.Header.Config, cfg, "resume", "init_from"); err != nil {
		return nil, fmt.Errorf("resume from %s: %w", env.Resume, err)
	}
	return m, nil
}

// LoadInitModel reads a model or checkpoint file to start training from
// (the config key init_from): written by experiment name (any experiment
// when name is ""); the caller checks the array shapes.
func LoadInitModel(path, name string) (*runio.Model, error) {
	if path == "" {
		return nil, nil
	}
	return runio.ReadModel(path, name)
}

// DiffConfig compares a saved resolved config (YAML) with cfg key by key
// and returns an error naming the first keys that differ with both values;
// keys in ignore (and below them) are skipped.
func DiffConfig(saved string, cfg Config, ignore ...string) error {
	cur, err := Marshal(cfg)
	if err != nil {
		return err
	}
	a, b := map[string]string{}, map[string]string{}
	if err := flatYAML([]byte(saved), a); err != nil {
		return fmt.Errorf("saved config: %w", err)
	}
	if err := flatYAML(cur, b); err != nil {
		return err
	}
	skip := func(k string) bool {
		for _, p := range ignore {
			if k == p || strings.HasPrefix(k, p+".") {
				return true
			}
		}
		return false
	}
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var diffs []string
	for k := range keys {
		if skip(k) || a[k] == b[k] {
			continue
		}
		va, vb := a[k], b[k]
		if _, ok := a[k]; !ok {
			va = "(absent)"
		}
		if _, ok := b[k]; !ok {
			vb = "(absent)"
		}
		diffs = append(diffs, fmt.Sprintf("%s is %s here but %s in the checkpoint", k, vb, va))
	}
	if len(diffs) == 0 {
		return nil
	}
	sort.Strings(diffs)
	return fmt.Errorf("config differs from the checkpoint's: %s", strings.Join(diffs, "; "))
}

// flatYAML flattens a YAML mapping into dotted keys with scalar values.
func flatYAML(b []byte, out map[string]string) error {
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		return err
	}
	var walk func(prefix string, n *yaml.Node)
	walk = func(prefix string, n *yaml.Node) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(prefix, c)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if prefix != "" {
					k = prefix + "." + k
				}
				walk(k, n.Content[i+1])
			}
		case yaml.SequenceNode:
			var parts []string
			for _, c := range n.Content {
				parts = append(parts, c.Value)
			}
			out[prefix] = "[" + strings.Join(parts, ", ") + "]"
		default:
			out[prefix] = n.Value
		}
	}
	walk("", &n)
	return nil
}
