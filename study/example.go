package study

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/spikelab/spikelab/experiment"
)

// Example returns a commented sweep spec for experiment name: its
// default config as comments, seeds 1-3 and a grid over its first
// numeric key (the default and twice it).
func Example(name string) (string, error) {
	e, err := experiment.Lookup(name)
	if err != nil {
		return "", err
	}
	cfg := e.Defaults()
	yml, err := experiment.Marshal(cfg)
	if err != nil {
		return "", err
	}
	key, a, b := firstNumeric(reflect.ValueOf(cfg).Elem(), "")
	var s strings.Builder
	fmt.Fprintf(&s, `# A spikelab sweep spec: run it with  spikelab sweep THIS.yaml [--jobs N]
# (or on a SLURM cluster: spikelab sweep THIS.yaml --slurm), then read
# OUT/results.csv (one row per point) and OUT/summary.csv (mean, sd, n over seeds).

# The experiment (one of `+"`spikelab list`"+`).
experiment: %s

# The sweep folder (--out overrides it). Default: sweeps/<this file's name>.
out: sweeps/%s-example

# Worker threads of one point (--threads overrides; on SLURM: --cpus-per-task).
threads: 1

# The base config: any keys of `+"`spikelab config %s`"+`, in sections or
# dotted; an unknown key or a value of the wrong type is an error naming it.
config:
`, name, name, name)
	for _, line := range strings.Split(strings.TrimRight(string(yml), "\n"), "\n") {
		if strings.HasPrefix(line, "seed:") {
			continue
		}
		fmt.Fprintf(&s, "  # %s\n", line)
	}
	fmt.Fprintf(&s, `
# Seeds of every grid point: a list [1, 2, 5] or a range 1-10.
seeds: 1-3

# The grid: key → list of values; the points are the product of all lists
# (in this order, the last key varying fastest, seeds innermost).
grid:
`)
	if key != "" {
		fmt.Fprintf(&s, "  %s: [%s, %s]\n", key, a, b)
	} else {
		fmt.Fprintf(&s, "  # KEY: [VALUE1, VALUE2]\n")
	}
	fmt.Fprintf(&s, `
# Optional: keys that vary together (lists of one length), one more axis.
# zip:
#   KEY_A: [1, 2, 3]
#   KEY_B: [0.1, 0.2, 0.3]

# Optional: the metrics summary.png draws against each grid key
# (default: the first four; --plot overrides).
# plot: [METRIC]
`)
	return s.String(), nil
}

// firstNumeric finds the first top-level integer or float key other than
// seed and returns it with its default and twice the default.
func firstNumeric(v reflect.Value, prefix string) (string, string, string) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if !sf.IsExported() || tag == "-" || tag == "" || tag == "seed" {
			continue
		}
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Int, reflect.Int64, reflect.Int32:
			x := f.Int()
			if x > 0 {
				return prefix + tag, strconv.FormatInt(x, 10), strconv.FormatInt(2*x, 10)
			}
		case reflect.Float64, reflect.Float32:
			x := f.Float()
			if x > 0 {
				return prefix + tag, strconv.FormatFloat(x, 'g', -1, 64), strconv.FormatFloat(2*x, 'g', -1, 64)
			}
		}
	}
	return "", "", ""
}
