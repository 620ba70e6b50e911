package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spikelab/spikelab/study"
)

// asCLI makes the test binary act as the spikelab program (TestMain): the
// sweep engines re-execute their own binary (os.Executable) for each point.
const asCLI = "SPIKELAB_TEST_AS_MAIN"

// xorSpec: six short shifting-xor points (3 grid values × 2 seeds).
const xorSpec = `experiment: shifting-xor
config:
  runs: 40
seeds: 1-2
grid:
  hidden: [4, 6, 8]
`

func writeSpec(t *testing.T, dir, src string) string {
	t.Helper()
	p := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// resultsWithoutTiming reads results.csv and drops the timing columns
// (wall and CPU seconds, speed metrics), which differ from run to run.
func resultsWithoutTiming(t *testing.T, dir string) [][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var keep []int
	for i, h := range recs[0] {
		if !study.Timing(h) {
			keep = append(keep, i)
		}
	}
	out := make([][]string, len(recs))
	for r, rec := range recs {
		for _, i := range keep {
			out[r] = append(out[r], rec[i])
		}
	}
	return out
}

func sameTable(t *testing.T, what string, a, b [][]string) {
	t.Helper()
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("%s differ:\n%q\n%q", what, a, b)
	}
}

func TestSweepLocalKilledHalfWayFinishesOnlyTheMissingPoints(t *testing.T) {
	t.Setenv(asCLI, "1")
	dir := t.TempDir()
	spec := writeSpec(t, dir, xorSpec)
	full, killed := filepath.Join(dir, "full"), filepath.Join(dir, "killed")

	// The uninterrupted sweep, two points at a time.
	var errb bytes.Buffer
	if rc := run([]string{"sweep", spec, "--out", full, "--jobs", "2"}, io.Discard, &errb); rc != 0 {
		t.Fatalf("sweep: exit %d\n%s", rc, errb.String())
	}
	want := resultsWithoutTiming(t, full)
	if len(want) != 7 {
		t.Fatalf("results.csv has %d lines, want 7", len(want))
	}

	// The same sweep killed with SIGKILL once two points are finished.
	exe, _ := os.Executable()
	cmd := exec.Command(exe, "sweep", spec, "--out", killed, "--jobs", "1")
	cmd.Env = append(os.Environ(), asCLI+"=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s, err := study.Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	f := study.Folder{Path: killed}
	deadline := time.Now().Add(60 * time.Second)
	for {
		n := 0
		for _, p := range s.Points() {
			if done, _ := f.Done(s, p); done {
				n++
			}
		}
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no two points finished within 60 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	time.Sleep(100 * time.Millisecond) // the point's process dies with its parent
	mtimes := map[string]time.Time{}
	var missing int
	for _, p := range s.Points() {
		if done, _ := f.Done(s, p); done {
			fi, err := os.Stat(filepath.Join(f.PointDir(p), "metrics.json"))
			if err != nil {
				t.Fatal(err)
			}
			mtimes[p.Name] = fi.ModTime()
		} else {
			missing++
		}
	}
	if missing == 0 {
		t.Skip("the sweep finished before it could be killed (machine too fast for this test's points)")
	}
	// The re-run runs only the missing points.
	errb.Reset()
	if rc := run([]string{"sweep", spec, "--out", killed, "--jobs", "2"}, io.Discard, &errb); rc != 0 {
		t.Fatalf("re-run: exit %d\n%s", rc, errb.String())
	}
	if !strings.Contains(errb.String(), fmt.Sprintf("(%d finished already)", 6-missing)) ||
		!strings.Contains(errb.String(), fmt.Sprintf("%d finished now, 0 failed", missing)) {
		t.Errorf("re-run after the kill (%d missing):\n%s", missing, errb.String())
	}
	for name, mt := range mtimes {
		fi, _ := os.Stat(filepath.Join(killed, "points", name, "metrics.json"))
		if fi == nil || !fi.ModTime().Equal(mt) {
			t.Errorf("finished point %s was run again", name)
		}
	}
	sameTable(t, "results.csv of the killed and re-run sweep and of the uninterrupted one", resultsWithoutTiming(t, killed), want)

	// A third run has nothing to do; status says so.
	errb.Reset()
	if rc := run([]string{"sweep", spec, "--out", killed}, io.Discard, &errb); rc != 0 || !strings.Contains(errb.String(), "(6 finished already)") {
		t.Errorf("third run: exit %d\n%s", rc, errb.String())
	}
	var out bytes.Buffer
	if rc := run([]string{"sweep", "status", killed}, &out, io.Discard); rc != 0 || !strings.Contains(out.String(), "6 points: 6 finished, 0 running, 0 failed") {
		t.Errorf("status: exit %d\n%s", rc, out.String())
	}
	// Another spec may not take over the folder.
	other := writeSpec(t, t.TempDir(), strings.Replace(xorSpec, "runs: 40", "runs: 3", 1))
	errb.Reset()
	if rc := run([]string{"sweep", other, "--out", killed}, io.Discard, &errb); rc != exitSpec || !strings.Contains(errb.String(), "another sweep") {
		t.Errorf("other spec in the folder: exit %d\n%s", rc, errb.String())
	}
}

func TestSweepSpecErrorStopsBeforeAnyPoint(t *testing.T) {
	dir := t.TempDir()
	spec := writeSpec(t, dir, "experiment: shifting-xor\nout: "+filepath.Join(dir, "o")+"\ngrid:\n  hidden: [4, 8]\n  hiden: [1]\n")
	var errb bytes.Buffer
	if rc := run([]string{"sweep", spec}, io.Discard, &errb); rc != exitSpec || !strings.Contains(errb.String(), `hiden`) {
		t.Errorf("exit %d: %s", rc, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "o")); err == nil {
		t.Error("the sweep folder was created for an invalid spec")
	}
	var out bytes.Buffer
	if rc := run([]string{"sweep", "--example", "cuba"}, &out, io.Discard); rc != 0 || !strings.Contains(out.String(), "experiment: cuba") {
		t.Errorf("--example: %d %s", rc, out.String())
	}
	// One point by index from the environment (GNU parallel, Kubernetes indexed Jobs).
	good := writeSpec(t, t.TempDir(), "experiment: shifting-xor\nconfig: {runs: 2}\ngrid:\n  hidden: [4, 8]\n")
	o := filepath.Join(dir, "one")
	t.Setenv("JOB_COMPLETION_INDEX", "1")
	errb.Reset()
	if rc := run([]string{"sweep", good, "--out", o, "--index-from-env", "JOB_COMPLETION_INDEX"}, io.Discard, &errb); rc != 0 {
		t.Fatalf("--index-from-env: exit %d\n%s", rc, errb.String())
	}
	out.Reset()
	run([]string{"sweep", "status", o}, &out, io.Discard)
	if !strings.Contains(out.String(), "finished    0001-hidden=8,seed=1") || !strings.Contains(out.String(), "pending     0000-hidden=4,seed=1") {
		t.Errorf("status after point 1:\n%s", out.String())
	}
	if rc := run([]string{"sweep", good, "--out", o, "--index", "2"}, io.Discard, io.Discard); rc != exitSpec {
		t.Errorf("--index 2 of 2 points: exit %d", rc)
	}
}

// slurmSpec: 3 working grid points and one that passes validation but
// fails at run time (its data folder does not exist), × 2 seeds.
const slurmSpec = `experiment: shifting-xor
config:
  runs: 4
seeds: [1, 2]
zip:
  hidden: [4, 8, 16, 8]
  task: [xor, xor, xor, mnist]
  data_dir: ["", "", "", /nonexistent/spikelab-data]
`

// TestSweepOnSlurm submits a job array to a real SLURM cluster (.ci/run
// starts a one-node cluster on localhost: .ci/slurm/start.sh), waits for
// it and compares its results.csv with the local engine's.
func TestSweepOnSlurm(t *testing.T) {
	ci := os.Getenv("CI") == "true"
	if _, err := exec.LookPath("sbatch"); err != nil {
		if ci {
			t.Fatal("CI=true but sbatch is missing: .ci/run must install and start SLURM (.ci/slurm/start.sh)")
		}
		t.Skip("sbatch not found: the SLURM integration test needs a cluster (bash .ci/slurm/start.sh starts a one-node one as root)")
	}
	if err := exec.Command("sinfo", "-h").Run(); err != nil {
		if ci {
			t.Fatalf("sinfo: %v: the SLURM cluster is not running", err)
		}
		t.Skipf("sinfo: %v: no SLURM cluster answers (bash .ci/slurm/start.sh starts one)", err)
	}
	t.Setenv(asCLI, "1")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	spec := writeSpec(t, dir, slurmSpec)
	onSlurm, local := filepath.Join(dir, "slurm"), filepath.Join(dir, "local")
	var out, errb bytes.Buffer
	if rc := run([]string{"sweep", spec, "--out", onSlurm, "--slurm", "--time", "00:05:00", "--mem", "300M", "--max-parallel", "4"}, &out, &errb); rc != 0 {
		t.Fatalf("--slurm: exit %d\n%s", rc, errb.String())
	}
	script, _ := os.ReadFile(filepath.Join(onSlurm, "sweep.sbatch"))
	if !strings.Contains(string(script), "#SBATCH --array=0-7%4") {
		t.Errorf("script:\n%s", script)
	}
	job := strings.TrimSpace(out.String())
	s, err := study.Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	f := study.Folder{Path: onSlurm}
	deadline := time.Now().Add(4 * time.Minute)
	for {
		q, _ := exec.Command("squeue", "-h", "-j", job).Output()
		if len(bytes.TrimSpace(q)) == 0 {
			break
		}
		if time.Now().After(deadline) {
			exec.Command("scancel", job).Run()
			t.Fatalf("job array %s still queued after 4 minutes:\n%s", job, q)
		}
		time.Sleep(500 * time.Millisecond)
	}
	var status bytes.Buffer
	run([]string{"sweep", "status", onSlurm}, &status, io.Discard)
	if !strings.Contains(status.String(), "8 points: 6 finished, 0 running, 2 failed, 0 interrupted, 0 pending") {
		logs, _ := filepath.Glob(filepath.Join(onSlurm, "logs", "*"))
		var l []string
		for _, p := range logs {
			b, _ := os.ReadFile(p)
			l = append(l, p+":\n"+string(b))
		}
		t.Fatalf("status after the job array:\n%s\nlogs:\n%s", status.String(), strings.Join(l, "\n"))
	}
	for _, p := range s.Points() {
		st, _, _ := f.ReadState(p)
		if !strings.HasPrefix(st.Job, job+"_") {
			t.Errorf("point %s: state says job %q, want %s_N", p.Name, st.Job, job)
		}
	}
	if rc := run([]string{"sweep", "collect", onSlurm}, io.Discard, io.Discard); rc != 0 {
		t.Fatalf("collect: exit %d", rc)
	}
	errb.Reset()
	if rc := run([]string{"sweep", spec, "--out", local, "--jobs", "2"}, io.Discard, &errb); rc != 2 {
		t.Errorf("local sweep with one failing grid point (2 points): exit %d, want 2\n%s", rc, errb.String())
	}
	a, b := resultsWithoutTiming(t, onSlurm), resultsWithoutTiming(t, local)
	sameTable(t, "results.csv from SLURM and from the local engine", a, b)
	failed := 0
	for _, r := range a[1:] {
		if strings.Contains(strings.Join(r, ","), "failed") {
			failed++
			if !strings.Contains(r[len(r)-1], "not found") {
				t.Errorf("failed row without its error: %q", r)
			}
		}
	}
	if failed != 2 {
		t.Errorf("%d failed rows, want 2:\n%q", failed, a)
	}
	// Submitting again has nothing to do but the failed points.
	errb.Reset()
	if rc := run([]string{"sweep", spec, "--out", onSlurm, "--slurm", "--dry-run"}, io.Discard, &errb); rc != 0 || !strings.Contains(errb.String(), "(2 of 8 points)") {
		t.Errorf("second --slurm --dry-run: exit %d\n%s", rc, errb.String())
	}
}
