package experiment

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// lifeConfig is a config whose Run does what the test says: fail, wait
// for cancellation, panic, or return metrics; it estimates n×n float64.
type lifeConfig struct {
	Seed uint64 `yaml:"seed"`
	N    int    `yaml:"n"`
	Mode string `yaml:"mode"`
	Data string `yaml:"data"`
	ran  *bool
}

func (c *lifeConfig) Validate() error {
	if c.N < 1 {
		return errors.New("n must be at least 1")
	}
	return nil
}
func (c *lifeConfig) RunSeed() uint64     { return c.Seed }
func (c *lifeConfig) SetRunSeed(s uint64) { c.Seed = s }
func (c *lifeConfig) Estimate() (Estimate, error) {
	var e Estimate
	e.Add("weights (n×n float64)", 8*float64(c.N)*float64(c.N))
	return e, nil
}
func (c *lifeConfig) Preflight() error {
	if c.Data != "" {
		if _, err := os.Stat(c.Data); err != nil {
			return err
		}
	}
	return nil
}
func (c *lifeConfig) LearntNothing(m map[string]float64) string {
	if m["acc"] < 0.5 {
		return "accuracy at chance"
	}
	return ""
}
func (c *lifeConfig) Run(ctx context.Context, env *Env) (map[string]float64, error) {
	if c.ran != nil {
		*c.ran = true
	}
	switch c.Mode {
	case "fail":
		return nil, errors.New("diverged at t = 1.5 s")
	case "wait":
		<-ctx.Done()
		return nil, ctx.Err()
	case "panic":
		panic("boom")
	case "chance":
		return map[string]float64{"acc": 0.1}, nil
	case "alloc":
		// What the estimate says, every page touched, and some CPU time.
		w := make([]float64, c.N*c.N)
		s := 0.0
		for r := range 3 {
			for i := range w {
				w[i] += float64(i + r)
				s += w[i]
			}
		}
		return map[string]float64{"acc": 1, "sum": s}, nil
	}
	return map[string]float64{"acc": 1}, nil
}

func TestExecuteWritesRunInfoThroughTheLifecycle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	cfg := &lifeConfig{Seed: 3, N: 10}
	res, err := Execute(context.Background(), "toy", cfg, ExecOptions{Out: dir, Threads: 2, Command: []string{"spikelab", "run", "toy"}})
	if err != nil {
		t.Fatal(err)
	}
	ri, err := ReadRunInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ri.Status != StatusFinished || ri.End == nil || ri.ConfigHash != ConfigHash(cfg) || len(ri.ConfigHash) != 64 ||
		ri.Experiment != "toy" || ri.Threads != 2 || ri.Seed != 3 || ri.Commit == "" || ri.Version == "" ||
		ri.CPU == "" || ri.Host == "" || strings.Join(ri.Command, " ") != "spikelab run toy" || ri.GoVersion == "" {
		t.Errorf("run.json: %+v", ri)
	}
	if res.Metrics["acc"] != 1 || res.Dir != dir {
		t.Errorf("result %+v", res)
	}
	for _, f := range []string{"config.yaml", "metrics.json", "run.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestRunInfoHasEstimateCPUAndPeakMemory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	cfg := &lifeConfig{Seed: 1, N: 3000, Mode: "alloc"} // 72 MB
	if _, err := Execute(context.Background(), "toy", cfg, ExecOptions{Out: dir, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	ri, err := ReadRunInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := 8 * 3000.0 * 3000; ri.EstimatedBytes != want {
		t.Errorf("estimated_bytes %g, want %g", ri.EstimatedBytes, want)
	}
	if PeakMemory() == 0 {
		t.Skipf("peak memory unknown on %s", runtime.GOOS)
	}
	if ri.MaxRSSBytes < ri.EstimatedBytes || ri.MaxRSSBytes > PeakMemory() {
		t.Errorf("max_rss_bytes %g: below the %g bytes the run touched or above the process's peak %g", ri.MaxRSSBytes, ri.EstimatedBytes, PeakMemory())
	}
	if !(ri.CPUSeconds > 0) || ri.CPUSeconds > CPUSeconds() {
		t.Errorf("cpu_seconds %g (process so far %g)", ri.CPUSeconds, CPUSeconds())
	}
}

func TestConfigHashChangesWithTheConfig(t *testing.T) {
	a, b := &lifeConfig{Seed: 1, N: 10}, &lifeConfig{Seed: 1, N: 10}
	if ConfigHash(a) != ConfigHash(b) {
		t.Fatal("equal configs, different hashes")
	}
	b.SetRunSeed(2)
	if ConfigHash(a) == ConfigHash(b) {
		t.Fatal("the seed does not change the hash")
	}
}

func TestExecuteRefusesBeforeCreatingTheFolder(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  *lifeConfig
		mem  float64
		want string
	}{
		{"invalid", &lifeConfig{N: 0}, 0, "invalid config: n must be"},
		{"memory", &lifeConfig{N: 1_000_000}, 1e9, "weights (n×n float64) 8 TB"},
		{"data", &lifeConfig{N: 1, Data: "/no/such/file"}, 0, "no such file"},
	} {
		ran := false
		tc.cfg.ran = &ran
		dir := filepath.Join(t.TempDir(), "run")
		res, err := Execute(context.Background(), "toy", tc.cfg, ExecOptions{Out: dir, Threads: 1, MaxMemory: tc.mem})
		if err == nil || !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want refused with %q", tc.name, err, tc.want)
		}
		if _, serr := os.Stat(dir); !errors.Is(serr, os.ErrNotExist) || res.Dir != "" || ran {
			t.Errorf("%s: folder created (%v) or run started (%v)", tc.name, serr, ran)
		}
	}
}

func TestExecuteMarksFailedInterruptedAndPanicked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fail")
	_, err := Execute(context.Background(), "toy", &lifeConfig{N: 1, Mode: "fail"}, ExecOptions{Out: dir, Threads: 1})
	ri, rerr := ReadRunInfo(dir)
	if err == nil || rerr != nil || ri.Status != StatusFailed || !strings.Contains(ri.Error, "diverged at t = 1.5 s") || ri.End == nil {
		t.Errorf("failed run: err %v, run.json %+v (%v)", err, ri, rerr)
	}
	if _, err := os.Stat(filepath.Join(dir, "metrics.json")); err == nil {
		t.Error("a failed run wrote metrics.json")
	}

	dir = filepath.Join(t.TempDir(), "int")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupt"))
	res, err := Execute(ctx, "toy", &lifeConfig{N: 1, Mode: "wait"}, ExecOptions{Out: dir, Threads: 1})
	ri, _ = ReadRunInfo(dir)
	if err == nil || ri.Status != StatusInterrupted || res.Info.Status != StatusInterrupted ||
		!strings.Contains(ri.Error, "interrupted (interrupt)") || !strings.Contains(ri.Resume, "--config "+filepath.Join(dir, "config.yaml")) {
		t.Errorf("interrupted run: err %v, run.json %+v", err, ri)
	}

	dir = filepath.Join(t.TempDir(), "panic")
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic was swallowed")
			}
		}()
		Execute(context.Background(), "toy", &lifeConfig{N: 1, Mode: "panic"}, ExecOptions{Out: dir, Threads: 1})
	}()
	if ri, _ := ReadRunInfo(dir); ri.Status != StatusFailed || !strings.Contains(ri.Error, "panic: boom") {
		t.Errorf("panicked run: %+v", ri)
	}
}

func TestExecuteRefusesAnExistingRunUnlessForced(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := Execute(context.Background(), "toy", &lifeConfig{N: 1, Mode: "chance"}, ExecOptions{Out: dir, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	// learnt nothing: the metric and the message
	m, _ := os.ReadFile(filepath.Join(dir, "metrics.json"))
	ri, _ := ReadRunInfo(dir)
	if !strings.Contains(string(m), `"learnt_nothing": 1`) || len(ri.Messages) != 1 || !strings.Contains(ri.Messages[0], "accuracy at chance") {
		t.Errorf("learnt nothing not reported: %s %+v", m, ri)
	}
	os.WriteFile(filepath.Join(dir, "extra.png"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, ".metrics.json.tmp12345"), []byte("x"), 0o644)
	_, err := Execute(context.Background(), "toy", &lifeConfig{N: 1}, ExecOptions{Out: dir, Threads: 1})
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "already holds a run (status finished)") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("existing run: %v", err)
	}
	if _, err := Execute(context.Background(), "toy", &lifeConfig{N: 1}, ExecOptions{Out: dir, Threads: 1, Force: true}); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"extra.png", ".metrics.json.tmp12345"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); err == nil {
			t.Errorf("%s survived --force", gone)
		}
	}
	if m, _ := os.ReadFile(filepath.Join(dir, "metrics.json")); strings.Contains(string(m), "learnt_nothing") {
		t.Error("the old metrics survived")
	}

	// A folder that is not a run folder is never taken, even with --force.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "thesis.tex"), []byte("x"), 0o644)
	if _, err := Execute(context.Background(), "toy", &lifeConfig{N: 1}, ExecOptions{Out: other, Threads: 1, Force: true}); !errors.Is(err, ErrRefused) {
		t.Errorf("non-run folder: %v", err)
	}
	// A run still running (this host, a live pid) is not replaced.
	ri, _ = ReadRunInfo(dir)
	ri.Status, ri.PID = StatusRunning, os.Getppid()
	WriteRunInfo(dir, ri)
	if _, err := Execute(context.Background(), "toy", &lifeConfig{N: 1}, ExecOptions{Out: dir, Threads: 1, Force: true}); err == nil || !strings.Contains(err.Error(), "still running") {
		t.Errorf("live run replaced: %v", err)
	}
}

func TestStaleTempFilesAreRemovedOnTheNextStart(t *testing.T) {
	dir := t.TempDir() // empty folder with only a killed run's temp file
	os.WriteFile(filepath.Join(dir, ".recordings.npz.tmp998877"), []byte("x"), 0o644)
	if _, err := Execute(context.Background(), "toy", &lifeConfig{N: 1}, ExecOptions{Out: dir, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".recordings.npz.tmp998877")); err == nil {
		t.Error("stale temp file kept")
	}
}

func TestParseBytes(t *testing.T) {
	for s, want := range map[string]float64{"0": 0, "16GB": 16e9, "500MiB": 500 << 20, "1.5 TB": 1.5e12, "1234": 1234} {
		if got, err := ParseBytes(s); err != nil || got != want {
			t.Errorf("%s: %v %v", s, got, err)
		}
	}
	for _, s := range []string{"", "-1GB", "lots", "NaN"} {
		if _, err := ParseBytes(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
