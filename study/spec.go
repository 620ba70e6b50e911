// Package study runs studies: one experiment over a grid of configuration
// values × seeds, each point an ordinary run folder. It reads sweep specs
// (YAML), expands them into numbered points, decides which points are
// finished, runs the missing ones on local worker processes or writes a
// SLURM job array for them, and collects the points' metrics into
// results.csv, summary.csv and summary.png.
//
// A sweep folder holds:
//
//	spec.yaml            the spec the sweep was started with (a different spec is refused)
//	points/NNNN-k=v,…/   one run folder per point (config.yaml, metrics.json, figures)
//	state/NNNN.json      the point's bookkeeping: status, error, host, wall and CPU seconds
//	logs/NNNN.log        what the point's process printed
//	configs/NNNN.yaml    the point's resolved config, as handed to the run
//	sweep.sbatch         the SLURM job script (--slurm)
//	results.csv, summary.csv, summary.png   written by collect
//
// The package sits above the experiment framework and below the command
// line: it imports no system.
package study

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/spikelab/spikelab/experiment"
)

// Spec is a parsed sweep spec.
type Spec struct {
	// Path is the file the spec was read from ("" when parsed from bytes).
	Path string
	// Raw is the spec's text.
	Raw []byte
	// Experiment is the registered experiment's name.
	Experiment string
	// Out is the sweep folder (the spec's out, or sweeps/<spec file name>).
	Out string
	// Threads is the worker threads of one point (default 1).
	Threads int
	// Base holds the base config's assignments in file order.
	Base []Assignment
	// Seeds are the seeds every grid point is run with, in order.
	Seeds []uint64
	// Axes are the grid's axes in file order: one per grid key, then the
	// zip group (its keys vary together) as one axis.
	Axes []Axis
	// Plot names the metrics summary.png shows (empty: the first few).
	Plot []string
	// Curves is the prefix of per-epoch metrics (e.g. val_accuracy_epoch_
	// for val_accuracy_epoch_1, _2, …) drawn as learning curves in
	// curves.png, one line per grid point (mean over seeds); "" none.
	Curves string
}

// Assignment is one key = value of a config, with where it was written.
type Assignment struct {
	Key   string
	Value string // the YAML scalar's text
	Node  *yaml.Node
	Line  int
}

// Axis is one dimension of the grid: Keys vary together over Values
// (Values[i][k] is key k's value at step i). A grid key is an axis with
// one key; a zip group is one axis with several.
type Axis struct {
	Keys   []string
	Values [][]string
	Lines  []int
}

// Point is one run of the sweep.
type Point struct {
	// Index numbers the points 0…P−1: the grid product in file order (the
	// last axis fastest), seeds innermost.
	Index int
	// Keys and Values are the grid values of this point, in axis order.
	Keys   []string
	Values []string
	// Seed is the point's seed.
	Seed uint64
	// Name is the point's folder name, e.g. "0007-n=1000,freq_hz=8,seed=2".
	Name string
}

// GridLabel names the point's grid values without the seed ("n=1000,freq_hz=8";
// "all" without grid keys): the points of one grid point share it.
func (p Point) GridLabel() string {
	if len(p.Keys) == 0 {
		return "all"
	}
	parts := make([]string, len(p.Keys))
	for i, k := range p.Keys {
		parts[i] = k + "=" + p.Values[i]
	}
	return strings.Join(parts, ",")
}

type rawSpec struct {
	Experiment string    `yaml:"experiment"`
	Out        string    `yaml:"out"`
	Threads    int       `yaml:"threads"`
	Config     yaml.Node `yaml:"config"`
	Seeds      yaml.Node `yaml:"seeds"`
	Grid       yaml.Node `yaml:"grid"`
	Zip        yaml.Node `yaml:"zip"`
	Plot       []string  `yaml:"plot"`
	Curves     string    `yaml:"curves"`
}

// SpecError is an error in a spec, naming the file and line.
type SpecError struct {
	File string
	Line int
	Msg  string
}

func (e *SpecError) Error() string {
	f := e.File
	if f == "" {
		f = "spec"
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", f, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", f, e.Msg)
}

// Load reads and validates the spec at path.
func Load(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sweep spec: %w", err)
	}
	s, err := Parse(b, path)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Parse reads a spec from b (file names errors and the default out) and
// validates it completely: every point's config is built and validated,
// so an unknown key or a wrong type anywhere in the grid is an error
// before any point runs.
func Parse(b []byte, file string) (*Spec, error) {
	fail := func(line int, format string, a ...any) error {
		return &SpecError{File: file, Line: line, Msg: fmt.Sprintf(format, a...)}
	}
	var raw rawSpec
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		msg := strings.TrimSpace(strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n"))
		msg = strings.Replace(msg, "not found in type study.rawSpec", "is not a spec key (experiment, out, threads, config, seeds, grid, zip, plot, curves)", 1)
		return nil, fail(0, "%s", msg)
	}
	s := &Spec{Path: file, Raw: b, Experiment: raw.Experiment, Out: raw.Out, Threads: raw.Threads, Plot: raw.Plot, Curves: raw.Curves}
	if s.Experiment == "" {
		return nil, fail(0, "experiment: missing (one of `spikelab list`)")
	}
	e, err := experiment.Lookup(s.Experiment)
	if err != nil {
		return nil, fail(0, "experiment: %v", err)
	}
	if s.Threads == 0 {
		s.Threads = 1
	}
	if s.Threads < 0 {
		return nil, fail(0, "threads: must be at least 1")
	}
	if s.Out == "" {
		base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		if file == "" || base == "" {
			base = s.Experiment
		}
		s.Out = filepath.Join("sweeps", base)
	}
	// Base config: flattened to dotted assignments.
	if raw.Config.Kind != 0 {
		if raw.Config.Kind != yaml.MappingNode {
			if !(raw.Config.Kind == yaml.ScalarNode && raw.Config.Tag == "!!null") {
				return nil, fail(raw.Config.Line, "config: want a mapping of config keys")
			}
		} else if err := flatten("", &raw.Config, &s.Base); err != nil {
			return nil, fail(raw.Config.Line, "config: %v", err)
		}
	}
	// Seeds.
	s.Seeds, err = parseSeeds(&raw.Seeds)
	if err != nil {
		return nil, fail(raw.Seeds.Line, "seeds: %v", err)
	}
	// Grid and zip.
	seen := map[string]int{}
	for _, a := range s.Base {
		seen["config "+a.Key] = a.Line
	}
	addKey := func(k string, line int, where string) error {
		if k == "seed" {
			return fail(line, "%s: seed: use seeds (a list or a range like 1-3)", where)
		}
		if prev, dup := seen[k]; dup {
			return fail(line, "%s: duplicate key %q (also on line %d)", where, k, prev)
		}
		seen[k] = line
		return nil
	}
	if raw.Grid.Kind != 0 && !(raw.Grid.Kind == yaml.ScalarNode && raw.Grid.Tag == "!!null") {
		if raw.Grid.Kind != yaml.MappingNode {
			return nil, fail(raw.Grid.Line, "grid: want a mapping key → list of values")
		}
		for i := 0; i+1 < len(raw.Grid.Content); i += 2 {
			kn, vn := raw.Grid.Content[i], raw.Grid.Content[i+1]
			if err := addKey(kn.Value, kn.Line, "grid"); err != nil {
				return nil, err
			}
			vals, err := scalarList(vn, true)
			if err != nil {
				return nil, fail(kn.Line, "grid: %s: %v", kn.Value, err)
			}
			ax := Axis{Keys: []string{kn.Value}, Lines: []int{kn.Line}}
			for _, v := range vals {
				ax.Values = append(ax.Values, []string{v})
			}
			s.Axes = append(s.Axes, ax)
		}
	}
	if raw.Zip.Kind != 0 && !(raw.Zip.Kind == yaml.ScalarNode && raw.Zip.Tag == "!!null") {
		if raw.Zip.Kind != yaml.MappingNode {
			return nil, fail(raw.Zip.Line, "zip: want a mapping key → list of values (all lists of one length)")
		}
		var ax Axis
		var cols [][]string
		for i := 0; i+1 < len(raw.Zip.Content); i += 2 {
			kn, vn := raw.Zip.Content[i], raw.Zip.Content[i+1]
			if err := addKey(kn.Value, kn.Line, "zip"); err != nil {
				return nil, err
			}
			vals, err := scalarList(vn, false)
			if err != nil {
				return nil, fail(kn.Line, "zip: %s: %v", kn.Value, err)
			}
			if len(cols) > 0 && len(vals) != len(cols[0]) {
				return nil, fail(kn.Line, "zip: %s has %d values, %s has %d: zipped keys vary together and need lists of one length", kn.Value, len(vals), ax.Keys[0], len(cols[0]))
			}
			ax.Keys = append(ax.Keys, kn.Value)
			ax.Lines = append(ax.Lines, kn.Line)
			cols = append(cols, vals)
		}
		if len(cols) > 0 {
			rows := map[string]int{}
			for i := range cols[0] {
				row := make([]string, len(cols))
				for k := range cols {
					row[k] = cols[k][i]
				}
				id := strings.Join(row, "\x00")
				if j, dup := rows[id]; dup {
					return nil, fail(raw.Zip.Line, "zip: entries %d and %d are the same values", j+1, i+1)
				}
				rows[id] = i
				ax.Values = append(ax.Values, row)
			}
			s.Axes = append(s.Axes, ax)
		}
	}
	// Validate every point's config now, naming the spec line of a bad value.
	if _, err := s.baseConfig(e); err != nil {
		return nil, err
	}
	for _, ax := range s.Axes {
		for i, row := range ax.Values {
			for k, key := range ax.Keys {
				cfg, _ := s.baseConfig(e)
				if err := experiment.Set(cfg, key+"="+row[k]); err != nil {
					return nil, fail(ax.Lines[k], "grid value %d of %s: %s", i+1, key, strings.TrimPrefix(err.Error(), "--set "))
				}
			}
		}
	}
	for _, p := range s.Points() {
		cfg, err := s.Config(p)
		if err != nil {
			return nil, err
		}
		if err := cfg.Validate(); err != nil {
			return nil, fail(0, "point %s: invalid config: %v", p.Name, err)
		}
	}
	return s, nil
}

// flatten appends the scalar leaves of mapping n as dotted assignments.
func flatten(prefix string, n *yaml.Node, out *[]Assignment) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		key := kn.Value
		if prefix != "" {
			key = prefix + "." + key
		}
		for _, a := range *out {
			if a.Key == key {
				return fmt.Errorf("duplicate key %q (lines %d and %d)", key, a.Line, kn.Line)
			}
		}
		switch vn.Kind {
		case yaml.MappingNode:
			if err := flatten(key, vn, out); err != nil {
				return err
			}
		case yaml.ScalarNode:
			*out = append(*out, Assignment{Key: key, Value: vn.Value, Line: kn.Line})
		default:
			*out = append(*out, Assignment{Key: key, Node: vn, Line: kn.Line})
		}
	}
	return nil
}

func scalarList(n *yaml.Node, unique bool) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errors.New("want a list of values, e.g. [1, 2, 3]")
	}
	if len(n.Content) == 0 {
		return nil, errors.New("empty list: a grid key needs at least one value")
	}
	out := make([]string, len(n.Content))
	seen := map[string]bool{}
	for i, c := range n.Content {
		if c.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("value %d is not a number, word or true/false (put lists in config)", i+1)
		}
		if unique && seen[c.Value] {
			return nil, fmt.Errorf("value %q appears twice", c.Value)
		}
		seen[c.Value] = true
		out[i] = c.Value
	}
	return out, nil
}

// parseSeeds reads a list of seeds or a range "A-B" (inclusive); none
// given means the experiment's default seed alone (seed 1 for every
// registered experiment).
func parseSeeds(n *yaml.Node) ([]uint64, error) {
	switch {
	case n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null"):
		return nil, nil
	case n.Kind == yaml.SequenceNode:
		if len(n.Content) == 0 {
			return nil, errors.New("empty list")
		}
		var out []uint64
		seen := map[uint64]bool{}
		for _, c := range n.Content {
			v, err := strconv.ParseUint(c.Value, 10, 64)
			if err != nil || c.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("%q is not a non-negative integer", c.Value)
			}
			if seen[v] {
				return nil, fmt.Errorf("seed %d appears twice", v)
			}
			seen[v] = true
			out = append(out, v)
		}
		return out, nil
	case n.Kind == yaml.ScalarNode:
		a, b, ok := strings.Cut(n.Value, "-")
		if !ok {
			v, err := strconv.ParseUint(strings.TrimSpace(n.Value), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%q: want a list [1, 2, 3] or a range 1-3", n.Value)
			}
			return []uint64{v}, nil
		}
		lo, err1 := strconv.ParseUint(strings.TrimSpace(a), 10, 64)
		hi, err2 := strconv.ParseUint(strings.TrimSpace(b), 10, 64)
		if err1 != nil || err2 != nil || hi < lo {
			return nil, fmt.Errorf("%q: want a range FIRST-LAST with FIRST ≤ LAST, e.g. 1-10", n.Value)
		}
		if hi-lo >= 1_000_000 {
			return nil, fmt.Errorf("%q: more than a million seeds", n.Value)
		}
		var out []uint64
		for v := lo; v <= hi; v++ {
			out = append(out, v)
		}
		return out, nil
	}
	return nil, errors.New("want a list [1, 2, 3] or a range 1-3")
}

func (s *Spec) baseConfig(e experiment.Experiment) (experiment.Config, error) {
	cfg := e.Defaults()
	for _, a := range s.Base {
		var err error
		if a.Node != nil {
			err = decodeAt(cfg, a.Key, a.Node)
		} else {
			err = experiment.Set(cfg, a.Key+"="+a.Value)
			if err != nil {
				err = errors.New(strings.TrimPrefix(err.Error(), "--set "))
			}
		}
		if err != nil {
			return nil, &SpecError{File: s.Path, Line: a.Line, Msg: "config: " + err.Error()}
		}
	}
	return cfg, nil
}

// decodeAt decodes a non-scalar value (a list) at dotted key into cfg.
func decodeAt(cfg experiment.Config, key string, n *yaml.Node) error {
	parts := strings.Split(key, ".")
	root := &yaml.Node{Kind: yaml.MappingNode}
	cur := root
	for i, p := range parts {
		k := &yaml.Node{Kind: yaml.ScalarNode, Value: p}
		if i == len(parts)-1 {
			cur.Content = append(cur.Content, k, n)
			break
		}
		m := &yaml.Node{Kind: yaml.MappingNode}
		cur.Content = append(cur.Content, k, m)
		cur = m
	}
	b, err := yaml.Marshal(root)
	if err != nil {
		return err
	}
	if err := experiment.Decode(cfg, b); err != nil {
		return fmt.Errorf("%s: %v", key, err)
	}
	return nil
}

// NumPoints returns P, the number of points.
func (s *Spec) NumPoints() int {
	n := 1
	for _, ax := range s.Axes {
		n *= len(ax.Values)
	}
	if len(s.Seeds) > 0 {
		n *= len(s.Seeds)
	}
	return n
}

// Points expands the grid: the product of the axes in file order with
// the last axis varying fastest, and the seeds innermost. Point i is the
// same for the same spec on every machine.
func (s *Spec) Points() []Point {
	np := s.NumPoints()
	seeds := s.Seeds
	if len(seeds) == 0 {
		seeds = nil
	}
	width := len(strconv.Itoa(np - 1))
	if width < 4 {
		width = 4
	}
	pts := make([]Point, np)
	for i := range pts {
		rest := i
		var seed uint64
		haveSeed := len(seeds) > 0
		if haveSeed {
			seed = seeds[rest%len(seeds)]
			rest /= len(seeds)
		}
		var keys, vals []string
		idx := make([]int, len(s.Axes))
		for a := len(s.Axes) - 1; a >= 0; a-- {
			idx[a] = rest % len(s.Axes[a].Values)
			rest /= len(s.Axes[a].Values)
		}
		for a, ax := range s.Axes {
			keys = append(keys, ax.Keys...)
			vals = append(vals, ax.Values[idx[a]]...)
		}
		p := Point{Index: i, Keys: keys, Values: vals, Seed: seed}
		if !haveSeed {
			p.Seed = s.defaultSeed()
		}
		p.Name = folderName(i, width, keys, vals, p.Seed)
		pts[i] = p
	}
	return pts
}

func (s *Spec) defaultSeed() uint64 {
	e, err := experiment.Lookup(s.Experiment)
	if err != nil {
		return 0
	}
	cfg, err := s.baseConfig(e)
	if err != nil {
		return 0
	}
	return cfg.RunSeed()
}

// Config returns point p's resolved config: the experiment's defaults, the
// spec's base config, the point's grid values and its seed.
func (s *Spec) Config(p Point) (experiment.Config, error) {
	e, err := experiment.Lookup(s.Experiment)
	if err != nil {
		return nil, err
	}
	cfg, err := s.baseConfig(e)
	if err != nil {
		return nil, err
	}
	for i, k := range p.Keys {
		if err := experiment.Set(cfg, k+"="+p.Values[i]); err != nil {
			return nil, &SpecError{File: s.Path, Msg: fmt.Sprintf("point %s: %s", p.Name, strings.TrimPrefix(err.Error(), "--set "))}
		}
	}
	cfg.SetRunSeed(p.Seed)
	return cfg, nil
}

// maxName is the longest folder name kept as is; longer ones are cut and
// end in a hash of the full name.
const maxName = 120

// folderName builds "0007-n=1000,freq_hz=8,seed=2": the index, then
// key=value pairs with unsafe characters escaped as %XX.
func folderName(i, width int, keys, vals []string, seed uint64) string {
	parts := make([]string, 0, len(keys)+1)
	for k := range keys {
		parts = append(parts, escape(keys[k])+"="+escape(vals[k]))
	}
	parts = append(parts, "seed="+strconv.FormatUint(seed, 10))
	name := fmt.Sprintf("%0*d-%s", width, i, strings.Join(parts, ","))
	if len(name) > maxName {
		sum := sha256.Sum256([]byte(name))
		name = name[:maxName-13] + "~" + hex.EncodeToString(sum[:6])
		// Never cut inside an escape sequence.
		if j := strings.LastIndexByte(name[:maxName-13], '%'); j >= maxName-13-2 {
			name = name[:j] + strings.Repeat("_", maxName-13-j) + name[maxName-13:]
		}
	}
	return name
}

// escape keeps letters, digits and . _ + - and escapes every other byte
// (/, spaces, commas, =, %, …) as %XX, so a value can never make a path
// or be confused with the separators.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '+' || c == '-' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	out := b.String()
	if out != "" && out[0] == '.' {
		out = "%2E" + out[1:]
	}
	return out
}
