package all_test

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/spikelab/spikelab/task"
)

// ReadmeCheckEnv selects the README-number check: "quick" re-runs the
// cheap README rows (CI runs it once), "full" adds the longer ones; unset,
// the check is skipped. The README's figures were made with the amd64
// AVX-512 kernels; other kernel sets may differ in a last printed digit.
const ReadmeCheckEnv = "SPIKELAB_README_CHECK"

// readmeFigure is one README line whose numbers the code must reproduce:
// the first line containing row, matched by re (one group per number),
// against values (the metrics in the README's order and scale, e.g. % as
// ×100). Each number is compared at the precision it is printed with.
// Timing cells are never part of re.
type readmeFigure struct {
	row    string
	re     string
	full   bool     // only in the full check
	needs  []string // maes data files, else the figure is skipped
	values func(r *readmeRuns) []float64
}

// readmeRuns runs each (experiment, overrides) once and keeps its metrics.
type readmeRuns struct {
	t    *testing.T
	mu   sync.Mutex
	done map[string]map[string]float64
}

func (r *readmeRuns) get(name string, sets ...string) map[string]float64 {
	key := name + " " + strings.Join(sets, " ")
	r.mu.Lock()
	defer r.mu.Unlock()
	if m, ok := r.done[key]; ok {
		return m
	}
	r.t.Logf("running %s", key)
	m := runShort(r.t, name, sets)
	r.done[key] = m
	return m
}

// seeds returns metric key of experiment name for seeds 1–3.
func (r *readmeRuns) seeds(key, name string, sets ...string) []float64 {
	var v []float64
	for s := 1; s <= 3; s++ {
		v = append(v, r.get(name, append([]string{"seed=" + strconv.Itoa(s)}, sets...)...)[key])
	}
	return v
}

// meanSD returns the mean and the sample standard deviation (n − 1), as
// the README's "m ± s" figures.
func meanSD(v []float64) (float64, float64) {
	m := 0.0
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return m, math.Sqrt(s / float64(len(v)-1))
}

const num = `(-?[0-9]+(?:\.[0-9]+)?)`

var readmeFigures = []readmeFigure{
	{row: "| 1 | ", re: `^\| 1 \| ` + num + ` \| ` + num + ` \| ` + num + ` \|`, values: forceSeed(1)},
	{row: "| 2 | ", re: `^\| 2 \| ` + num + ` \| ` + num + ` \| ` + num + ` \|`, values: forceSeed(2)},
	{row: "| 3 | ", re: `^\| 3 \| ` + num + ` \| ` + num + ` \| ` + num + ` \|`, values: forceSeed(3)},
	{row: "`--set rls_storage=float64`), seeds 1 / 2 / 3 |", re: `\| ` + num + ` / ` + num + ` / ` + num + ` \| ` + num + ` / ` + num + ` / ` + num + ` \| ` + num + ` / ` + num + ` / ` + num + ` \|`,
		values: func(r *readmeRuns) []float64 {
			var v []float64
			for _, k := range []string{"train_rmse", "test_rmse_phase_aligned", "rate_hz"} {
				v = append(v, r.seeds(k, "force-sine", "rls_storage=float64")...)
			}
			return v
		}},
	{row: "| `spikelab run shifting-xor` (100 runs) |", re: `solved ` + num, values: func(r *readmeRuns) []float64 {
		return []float64{r.get("shifting-xor")["solved_fraction"]}
	}},
	{row: "| `spikelab run shifting-iris` (5-fold, 10 seeds) |", re: `\| ` + num + ` ± ` + num + ` %`, values: func(r *readmeRuns) []float64 {
		m := r.get("shifting-iris")
		return []float64{100 * m["accuracy_mean"], 100 * m["accuracy_std"]}
	}},
	{row: "| `maes-replay --set matrix=nc160`", re: `forward ` + num + `, period ` + num + ` ms, E ` + num + ` Hz, I ` + num + ` Hz`, needs: []string{"FF60b_2400_nc160.mat"},
		values: func(r *readmeRuns) []float64 {
			return replayFigures(r.get("maes-replay", "matrix=nc160", "data_dir="+maesDataDir()), true)
		}},
	{row: "| `maes-replay` (built matrix, no file) |", re: `forward ` + num + `, period ` + num + ` ms, E ` + num + ` Hz`, values: func(r *readmeRuns) []float64 {
		return replayFigures(r.get("maes-replay"), false)
	}},
	{row: "| `maes-readout` ABCBA, seeds 1–3:", re: `\| ` + num + ` / ` + num + ` / ` + num + ` \(` + num + ` ± ` + num + `\) / ` + num + ` / ` + num + ` / ` + num + ` \(` + num + ` ± ` + num + `\) \(silent read-out ` + num + `\)`,
		values: func(r *readmeRuns) []float64 {
			e, d := r.seeds("readout_error", "maes-readout"), r.seeds("readout_error_deleted", "maes-readout")
			em, es := meanSD(e)
			dm, ds := meanSD(d)
			return []float64{e[0], e[1], e[2], em, es, d[0], d[1], d[2], dm, ds, r.get("maes-readout", "seed=1")["readout_error_silent"]}
		}},
	{row: "| `maes-readout --set target=parallel --set train_s=24` |", re: `\| ` + num + ` / ` + num + ` \|`, full: true, values: func(r *readmeRuns) []float64 {
		m := r.get("maes-readout", "target=parallel", "train_s=24")
		return []float64{m["readout_error"], m["readout_error_deleted"]}
	}},
	{row: "| `cuba` |", re: `mean rate ` + num + ` Hz, ` + num + ` synapses`, values: cubaFigures()},
	{row: "| `cuba` 16 000 neurons, p = 0.005:", re: `mean rate ` + num + ` Hz, ` + num + ` synapses`,
		values: cubaFigures("n_exc=12800", "n_inh=3200", "p=0.005", "duration_s=1", "record.spikes=false")},
	{row: "| `cuba` 16 000 neurons, p = 0.02:", re: `mean rate ` + num + ` Hz, ` + num + ` synapses`,
		values: cubaFigures("n_exc=12800", "n_inh=3200", "p=0.02", "duration_s=1", "record.spikes=false")},
	{row: "| `cuba` 64 000 neurons, p = 0.00125:", re: `mean rate ` + num + ` Hz, ` + num + ` synapses`,
		values: cubaFigures("n_exc=51200", "n_inh=12800", "p=0.00125", "duration_s=0.5", "record.spikes=false")},
	{row: "| `cuba` 64 000 neurons, p = 0.02:", re: `mean rate ` + num + ` Hz, ` + num + ` synapses`, full: true,
		values: cubaFigures("n_exc=51200", "n_inh=12800", "p=0.02", "duration_s=0.5", "record.spikes=false")},
}

// cubaFigures returns the rate and the synapse count of a cuba run.
func cubaFigures(sets ...string) func(r *readmeRuns) []float64 {
	return func(r *readmeRuns) []float64 {
		m := r.get("cuba", sets...)
		return []float64{m["rate_hz"], m["synapses"]}
	}
}

func forceSeed(s int) func(r *readmeRuns) []float64 {
	return func(r *readmeRuns) []float64 {
		m := r.get("force-sine", "seed="+strconv.Itoa(s))
		return []float64{m["train_rmse"], m["test_rmse_phase_aligned"], m["rate_hz"]}
	}
}

func replayFigures(m map[string]float64, inh bool) []float64 {
	v := []float64{m["forward_fraction"], m["period_ms"], m["rate_e_hz"]}
	if inh {
		v = append(v, m["rate_i_hz"])
	}
	return v
}

// maesDataDir is the folder of the Maes data files, "" where absent.
func maesDataDir() string {
	dir, err := task.FindDataset("maes", "", "FF60b_2400_nc160.mat")
	if err != nil {
		return ""
	}
	return dir
}

// printedEqual reports whether v printed with as many decimals as printed
// has gives printed.
func printedEqual(printed string, v float64) bool {
	dec := 0
	if i := strings.IndexByte(printed, '.'); i >= 0 {
		dec = len(printed) - i - 1
	}
	got := strconv.FormatFloat(v, 'f', dec, 64)
	return got == printed || got == "-"+printed && v > -0.5*math.Pow(10, -float64(dec))
}

// TestReadmeNumbers re-runs the README's cheap result rows and fails where
// a printed figure differs from what the code produces at the printed
// precision. Set SPIKELAB_README_CHECK=quick (or full).
func TestReadmeNumbers(t *testing.T) {
	mode := os.Getenv(ReadmeCheckEnv)
	if mode != "quick" && mode != "full" {
		t.Skipf("set %s=quick or full to re-run the README's result rows", ReadmeCheckEnv)
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	r := &readmeRuns{t: t, done: map[string]map[string]float64{}}
	for _, f := range readmeFigures {
		if f.full && mode != "full" {
			continue
		}
		t.Run(f.row, func(t *testing.T) {
			if len(f.needs) > 0 && maesDataDir() == "" {
				t.Skip("Maes data files not present")
			}
			// The first line containing the row's text whose numbers the
			// pattern matches (another table may contain the same text).
			line, first := "", ""
			re := regexp.MustCompile(f.re)
			for _, l := range lines {
				if !strings.Contains(l, f.row) {
					continue
				}
				if first == "" {
					first = l
				}
				if re.MatchString(l) {
					line = l
					break
				}
			}
			if line == "" && first != "" {
				t.Fatalf("README line does not match %s:\n%s", f.re, first)
			}
			if line == "" {
				t.Fatalf("README has no line containing %q", f.row)
			}
			mt := re.FindStringSubmatch(line)
			if mt == nil {
				t.Fatalf("README line does not match %s:\n%s", f.re, line)
			}
			r.t = t
			v := f.values(r)
			if len(v) != len(mt)-1 {
				t.Fatalf("%d numbers printed, %d computed", len(mt)-1, len(v))
			}
			for k, printed := range mt[1:] {
				if !printedEqual(printed, v[k]) {
					t.Errorf("README prints %s (number %d of the line), the code gives %.6g:\n%s", printed, k+1, v[k], line)
				}
			}
		})
	}
}
