// Package experiment holds the paper experiments. Each experiment is a
// typed config struct whose defaults reproduce the paper, with a Run method
// that composes the core (neuron, synapse, connect, sim), a learning rule
// (learn) and a task, and writes metrics, recordings and figures into a run
// folder. Experiments register themselves by name for the CLI.
package experiment

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/spikelab/spikelab/runio"
)

// Config is an experiment's configuration: a pointer to a struct with yaml
// tags, filled with the paper's defaults, that can validate and run itself.
type Config interface {
	// Validate reports the first unusable field, naming it by its yaml key.
	Validate() error
	// Run performs the experiment, writing into env.Out, and returns its metrics.
	Run(ctx context.Context, env *Env) (map[string]float64, error)
	// RunSeed returns the seed of every random stream of the run (the
	// config key seed); the same seed gives the same result for any
	// number of threads.
	RunSeed() uint64
	// SetRunSeed sets that seed (what --seed does).
	SetRunSeed(seed uint64)
}

// KeyNotes is implemented by a config that explains which of its keys
// apply when (e.g. which keys a learning rule reads); spikelab config
// prints the notes as YAML comments above the defaults.
type KeyNotes interface {
	KeyNotes() string
}

// Env is what a running experiment gets from the framework.
type Env struct {
	// Out is the run folder.
	Out *runio.Dir
	// Threads is the number of worker goroutines hot loops may use (≥ 1).
	Threads int
	// Log receives human-readable progress notes (never nil).
	Log io.Writer
	// Progress makes a progress indicator for a loop of total units; it is
	// a no-op when output is not a terminal.
	Progress func(total int64, label string) Progress
	// Name is the experiment's registered name ("" in tests that call Run
	// directly: model files then carry no experiment name check).
	Name string
	// Resume is the checkpoint a resumed run continues from ("" = a fresh
	// run); see LoadCheckpoint.
	Resume string
}

// Progress is a progress indicator.
type Progress interface {
	// Set moves the indicator to done units.
	Set(done int64)
	// Finish closes the indicator.
	Finish()
}

// NopProgress is a Progress that does nothing.
type NopProgress struct{}

// Set does nothing.
func (NopProgress) Set(int64) {}

// Finish does nothing.
func (NopProgress) Finish() {}

// Experiment is a named, registered experiment.
type Experiment struct {
	// Name is the CLI name, e.g. "force-sine".
	Name string
	// Description is one line for `spikelab list`.
	Description string
	// Defaults returns a fresh config holding the paper's defaults.
	Defaults func() Config
}

var registry = map[string]Experiment{}

// Register adds an experiment; a repeated name is a programming error and panics at init.
func Register(e Experiment) {
	if _, dup := registry[e.Name]; dup {
		panic("experiment: duplicate name " + e.Name)
	}
	registry[e.Name] = e
}

// Lookup returns the experiment with the given name.
func Lookup(name string) (Experiment, error) {
	e, ok := registry[name]
	if !ok {
		if s := Suggest(name, Names()); s != "" {
			return Experiment{}, fmt.Errorf("unknown experiment %q; did you mean %s? (`spikelab list` shows them all)", name, s)
		}
		return Experiment{}, fmt.Errorf("unknown experiment %q; run `spikelab list` to see the experiments", name)
	}
	return e, nil
}

// Names returns the registered experiment names, sorted.
func Names() []string {
	var out []string
	for _, e := range All() {
		out = append(out, e.Name)
	}
	return out
}

// Suggest returns the candidates closest to name for a "did you mean"
// (joined with " or "): those within an edit distance of max(2,
// len(name)/3), or else those that contain name; "" when none is close.
func Suggest(name string, candidates []string) string {
	best, bestD := []string(nil), max(2, len([]rune(name))/3)+1
	for _, c := range candidates {
		d := editDistance(name, c)
		switch {
		case d < bestD:
			best, bestD = []string{c}, d
		case d == bestD && best != nil:
			best = append(best, c)
		}
	}
	if best == nil && len(name) >= 3 {
		for _, c := range candidates {
			if strings.Contains(c, name) {
				best = append(best, c)
			}
		}
	}
	if len(best) > 4 {
		best = best[:4]
	}
	return strings.Join(best, " or ")
}

// editDistance returns the Levenshtein distance between a and b (runes).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// All returns every registered experiment sorted by name.
func All() []Experiment {
	out := make([]Experiment, 0, len(registry))
	for _, e := range registry {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ProgressOf returns env's progress indicator for a loop of total units, or
// a NopProgress when env has none.
func ProgressOf(env *Env, total int64, label string) Progress {
	if env != nil && env.Progress != nil {
		return env.Progress(total, label)
	}
	return NopProgress{}
}

// Positive returns an error naming the config key name unless v is a
// positive finite number.
func Positive(name string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("%s must be a positive number, got %g", name, v)
	}
	return nil
}
