package study_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/study"
	_ "github.com/spikelab/spikelab/systems/all"
)

func parse(t *testing.T, src string) *study.Spec {
	t.Helper()
	s, err := study.Parse([]byte(src), "t.yaml")
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return s
}

func TestGridProductZipSeedsAndNumbering(t *testing.T) {
	s := parse(t, `
experiment: cuba
config: {duration_s: 0.05}
seeds: [3, 1]
grid:
  n_exc: [800, 1600]
  neuron.tau_m_ms: [20, 10.5, 30]
zip:
  w_e_mv: [1.62, 2]
  w_i_mv: [-9, -12]
`)
	pts := s.Points()
	if len(pts) != 2*3*2*2 || s.NumPoints() != 24 {
		t.Fatalf("%d points, want 24", len(pts))
	}
	// Last axis fastest, seeds innermost, in file order.
	want := []string{
		"0000-n_exc=800,neuron.tau_m_ms=20,w_e_mv=1.62,w_i_mv=-9,seed=3",
		"0001-n_exc=800,neuron.tau_m_ms=20,w_e_mv=1.62,w_i_mv=-9,seed=1",
		"0002-n_exc=800,neuron.tau_m_ms=20,w_e_mv=2,w_i_mv=-12,seed=3",
		"0003-n_exc=800,neuron.tau_m_ms=20,w_e_mv=2,w_i_mv=-12,seed=1",
		"0004-n_exc=800,neuron.tau_m_ms=10.5,w_e_mv=1.62,w_i_mv=-9,seed=3",
	}
	for i, w := range want {
		if pts[i].Name != w || pts[i].Index != i {
			t.Errorf("point %d: %q, want %q", i, pts[i].Name, w)
		}
	}
	if pts[23].Name != "0023-n_exc=1600,neuron.tau_m_ms=30,w_e_mv=2,w_i_mv=-12,seed=1" {
		t.Errorf("last point %q", pts[23].Name)
	}
	// Deterministic: the same spec gives the same points.
	if !reflect.DeepEqual(pts, parse(t, string(s.Raw)).Points()) {
		t.Error("points differ between two parses")
	}
	cfg, err := s.Config(pts[6])
	if err != nil {
		t.Fatal(err)
	}
	y, _ := experiment.Marshal(cfg)
	for _, frag := range []string{"n_exc: 800", "tau_m_ms: 10.5", "w_e_mv: 2\n", "w_i_mv: -12", "duration_s: 0.05", "seed: 3"} {
		if !strings.Contains(string(y), frag) {
			t.Errorf("point 6's config lacks %q:\n%s", frag, y)
		}
	}
	// A seed range, and no grid at all.
	r := parse(t, "experiment: cuba\nseeds: 2-4\n")
	if got := r.Points(); len(got) != 3 || got[0].Name != "0000-seed=2" || got[2].Seed != 4 {
		t.Errorf("range seeds: %+v", got)
	}
	// No seeds: the experiment's default seed.
	if got := parse(t, "experiment: cuba\ngrid: {p: [0.02]}\n").Points(); len(got) != 1 || got[0].Name != "0000-p=0.02,seed=1" {
		t.Errorf("default seed: %+v", got)
	}
}

func TestFolderNamesEscapeAndShorten(t *testing.T) {
	s := parse(t, `
experiment: shifting-xor
grid:
  data_dir: ["/data/x y", "a,b=c", "", "..", "`+strings.Repeat("long", 40)+`", "`+strings.Repeat("long", 40)+`x"]
`)
	pts := s.Points()
	names := map[string]bool{}
	for _, p := range pts {
		if strings.ContainsAny(p.Name, "/ \\") || len(p.Name) > 120 || p.Name == "." || names[p.Name] {
			t.Errorf("unsafe or duplicate name %q", p.Name)
		}
		names[p.Name] = true
	}
	if pts[0].Name != "0000-data_dir=%2Fdata%2Fx%20y,seed=1" {
		t.Errorf("escaped name %q", pts[0].Name)
	}
	if pts[1].Name != "0001-data_dir=a%2Cb%3Dc,seed=1" || pts[2].Name != "0002-data_dir=,seed=1" || pts[3].Name != "0003-data_dir=%2E.,seed=1" {
		t.Errorf("names %q %q %q", pts[1].Name, pts[2].Name, pts[3].Name)
	}
	if !strings.Contains(pts[4].Name, "~") || pts[4].Name[:len(pts[4].Name)-12] == pts[5].Name[:len(pts[5].Name)-12] && pts[4].Name == pts[5].Name {
		t.Errorf("long names not hashed apart: %q %q", pts[4].Name, pts[5].Name)
	}
	// Many points: wider numbers.
	big := parse(t, "experiment: cuba\nseeds: 1-10001\n")
	if n := big.Points()[10000].Name; n != "10000-seed=10001" {
		t.Errorf("%q", n)
	}
	if n := big.Points()[7].Name; n != "00007-seed=8" {
		t.Errorf("%q", n)
	}
}

func TestSpecErrorsNameTheKeyBeforeAnythingRuns(t *testing.T) {
	cases := []struct{ src, want string }{
		{"experiment: nope\n", `unknown experiment "nope"`},
		{"grid: {p: [1]}\n", "experiment: missing"},
		{"experiment: cuba\ncolour: red\n", "colour"},
		{"experiment: cuba\nconfig:\n  n_exk: 5\n", `t.yaml:3: config: n_exk: unknown key "n_exk"`},
		{"experiment: cuba\nconfig:\n  neuron: {tau_x: 5}\n", `unknown key "tau_x" in section neuron`},
		{"experiment: cuba\nconfig:\n  n_exc: many\n", `t.yaml:3: config: n_exc: value "many" is not an integer`},
		{"experiment: cuba\ngrid:\n  p: [0.02]\n  n_exc: [100, 2.5]\n", `t.yaml:4: grid value 2 of n_exc: n_exc: value "2.5" is not an integer`},
		{"experiment: cuba\ngrid:\n  neuron.tau_q: [1]\n", `t.yaml:3: grid value 1 of neuron.tau_q`},
		{"experiment: cuba\ngrid:\n  p: []\n", "empty list"},
		{"experiment: cuba\ngrid:\n  p: 0.1\n", "want a list"},
		{"experiment: cuba\ngrid:\n  p: [0.1, 0.1]\n", "appears twice"},
		{"experiment: cuba\ngrid:\n  p: [0.1]\nzip:\n  p: [0.2]\n", `t.yaml:5: zip: duplicate key "p" (also on line 3)`},
		{"experiment: cuba\ngrid:\n  p: [0.1]\n  p: [0.2]\n", "duplicate"},
		{"experiment: cuba\ngrid:\n  seed: [1, 2]\n", "use seeds"},
		{"experiment: cuba\nzip:\n  p: [0.1, 0.2]\n  n_exc: [1]\n", "lists of one length"},
		{"experiment: cuba\nseeds: 3-1\n", "FIRST ≤ LAST"},
		{"experiment: cuba\nseeds: [1, x]\n", `"x" is not a non-negative integer`},
		{"experiment: cuba\ngrid:\n  dt_ms: [0.1, -1]\n", "invalid config"},
	}
	for _, c := range cases {
		_, err := study.Parse([]byte(c.src), "t.yaml")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.src, err, c.want)
		}
	}
}

func TestExampleSpecsParse(t *testing.T) {
	for _, e := range experiment.All() {
		src, err := study.Example(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := study.Parse([]byte(src), e.Name+".yaml"); err != nil {
			t.Errorf("example for %s: %v\n%s", e.Name, err, src)
		}
	}
}

func TestResumeSkipsFinishedAndCollectWritesCSV(t *testing.T) {
	dir := t.TempDir()
	s := parse(t, `
experiment: shifting-xor
config: {runs: 2}
seeds: [1, 2]
grid:
  hidden: [4, 8]
plot: [solved_fraction]
`)
	f := study.Folder{Path: filepath.Join(dir, "out")}
	if err := f.CheckSpec(s, false); err != nil {
		t.Fatal(err)
	}
	var ran []int
	run := func(args []string, stdout, stderr io.Writer) int {
		// args: run NAME --config F --seed S --out DIR --threads T --quiet
		e, _ := experiment.Lookup(args[1])
		cfg := e.Defaults()
		if err := experiment.LoadFile(cfg, args[3]); err != nil {
			t.Fatal(err)
		}
		ran = append(ran, len(ran))
		if _, err := experiment.Execute(context.Background(), args[1], cfg, experiment.ExecOptions{Out: args[7], Threads: 1, Log: io.Discard}); err != nil {
			return 1
		}
		return 0
	}
	todo, _ := f.Todo(s)
	if len(todo) != 4 {
		t.Fatalf("todo %d", len(todo))
	}
	// Run points 0 and 3 only.
	for _, i := range []int{0, 3} {
		st, rc := f.RunPoint(s, s.Points()[i], 1, false, "", nil, run, io.Discard, io.Discard)
		if rc != 0 || st.Status != study.Finished {
			t.Fatalf("point %d: %d %+v", i, rc, st)
		}
	}
	todo, _ = f.Todo(s)
	if len(todo) != 2 || todo[0].Index != 1 || todo[1].Index != 2 {
		t.Fatalf("todo after two points: %+v", todo)
	}
	// A finished point is not run again.
	n := len(ran)
	if st, rc := f.RunPoint(s, s.Points()[0], 1, false, "", nil, run, io.Discard, io.Discard); rc != 0 || st.Status != study.Finished || len(ran) != n {
		t.Fatalf("finished point rerun: %d %+v", rc, st)
	}
	// A half-done point (run.json running, process gone) counts as failed and is rerun.
	half := f.PointDir(s.Points()[1])
	os.MkdirAll(half, 0o755)
	os.WriteFile(filepath.Join(half, "run.json"), []byte(`{"status":"running","host":"elsewhere","pid":1}`), 0o644)
	if done, _ := f.Done(s, s.Points()[1]); done {
		t.Fatal("half-done point counted finished")
	}
	// A changed config makes a finished point unfinished.
	s2 := parse(t, strings.Replace(string(s.Raw), "runs: 2", "runs: 3", 1))
	if done, _ := f.Done(s2, s2.Points()[0]); done {
		t.Error("point finished with another config counts as finished")
	}
	// Another spec in the same folder is refused.
	if err := f.CheckSpec(s2, false); err == nil || !strings.Contains(err.Error(), "another sweep") {
		t.Errorf("other spec: %v", err)
	}
	for _, p := range todo {
		f.RunPoint(s, p, 1, false, "", nil, run, io.Discard, io.Discard)
	}
	rows, err := f.Collect(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows", len(rows))
	}
	b, _ := os.ReadFile(filepath.Join(f.Path, "results.csv"))
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(recs[0], ",")
	if !strings.HasPrefix(head, "index,point,hidden,seed,status,final_loss,") || !strings.Contains(head, ",solved_fraction,") || !strings.HasSuffix(head, "run_wall_seconds,run_cpu_seconds,error") {
		t.Errorf("results.csv header %q", head)
	}
	if len(recs) != 5 || recs[3][2] != "8" || recs[3][3] != "1" || recs[3][4] != "finished" {
		t.Errorf("results.csv rows %q", recs)
	}
	// The metrics are the run folders' metrics, to the last digit.
	col := -1
	for i, h := range recs[0] {
		if h == "final_loss" {
			col = i
		}
	}
	m, _ := os.ReadFile(filepath.Join(f.PointDir(s.Points()[2]), "metrics.json"))
	if !strings.Contains(string(m), `"final_loss": `+recs[3][col]+",") {
		t.Errorf("final_loss %s not in %s", recs[3][col], m)
	}
	sb, _ := os.ReadFile(filepath.Join(f.Path, "summary.csv"))
	sum, _ := csv.NewReader(bytes.NewReader(sb)).ReadAll()
	if len(sum) != 3 || !strings.HasPrefix(strings.Join(sum[0], ","), "hidden,n_points,n_finished,final_loss_mean,final_loss_sd,final_loss_n") || sum[1][0] != "4" || sum[1][2] != "2" {
		t.Errorf("summary.csv %q", sum)
	}
	if _, err := os.Stat(filepath.Join(f.Path, "summary.png")); err != nil {
		t.Error(err)
	}
}

func TestSlurmScriptAndArraySpec(t *testing.T) {
	if got := study.ArraySpec([]int{0, 1, 2, 5, 7, 8}); got != "0-2,5,7-8" {
		t.Errorf("ArraySpec %q", got)
	}
	s := parse(t, "experiment: cuba\nseeds: 1-6\n")
	f := study.Folder{Path: "/shared/sweeps/c"}
	sc := f.Script(s, study.Slurm{Partition: "short", Time: "00:10:00", CPUsPerTask: 2, Mem: "2G", MaxParallel: 3}, []int{0, 1, 2, 4})
	for _, want := range []string{"#SBATCH --array=0-2,4%3\n", "#SBATCH --cpus-per-task=2\n", "#SBATCH --partition=short\n",
		"#SBATCH --time=00:10:00\n", "#SBATCH --mem=2G\n", "#SBATCH --output=/shared/sweeps/c/logs/slurm-%A_%a.out\n",
		`exec /shared/sweeps/c/spikelab sweep /shared/sweeps/c/spec.yaml --out /shared/sweeps/c --index "$SLURM_ARRAY_TASK_ID" --threads 2 --max-memory 2147483648`} {
		if !strings.Contains(sc, want) {
			t.Errorf("script lacks %q:\n%s", want, sc)
		}
	}
	for _, bad := range []study.Slurm{{CPUsPerTask: 1, Time: "ten"}, {CPUsPerTask: 1, Mem: "lots"}, {CPUsPerTask: 0}} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// TestCommittedStudiesParse: every spec under studies/ is valid.
func TestCommittedStudiesParse(t *testing.T) {
	files, _ := filepath.Glob("../studies/*.yaml")
	if len(files) < 5 {
		t.Fatalf("%d studies under studies/", len(files))
	}
	for _, f := range files {
		if _, err := study.Load(f); err != nil {
			t.Error(err)
		}
	}
}
