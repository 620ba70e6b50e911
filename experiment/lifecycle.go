package experiment

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spikelab/spikelab/runio"
)

// The statuses of a run in run.json.
const (
	StatusRunning     = "running"     // started and not ended (or killed without a chance to say so)
	StatusFinished    = "finished"    // Run returned metrics, metrics.json is written
	StatusFailed      = "failed"      // Run returned an error (RunInfo.Error)
	StatusInterrupted = "interrupted" // stopped by SIGINT/SIGTERM or a cancelled context (RunInfo.Resume says how to go on)
)

// RunInfoFile is the name of the provenance file in every run folder.
const RunInfoFile = "run.json"

// RunInfo is the provenance and lifecycle record of one run, stored as
// run.json in the run folder and rewritten atomically at each change of
// status.
type RunInfo struct {
	Experiment string   `json:"experiment"` // registered name, e.g. "force-sine"
	Status     string   `json:"status"`     // StatusRunning, StatusFinished, StatusFailed or StatusInterrupted
	Error      string   `json:"error,omitempty"`
	Resume     string   `json:"resume,omitempty"`   // how to go on after an interruption (a command line)
	Messages   []string `json:"messages,omitempty"` // notes for the user, e.g. a learnt-nothing warning
	Model      string   `json:"model,omitempty"`    // spikelab eval: the model file it tested
	ConfigHash string   `json:"config_hash"`        // ConfigHash of the resolved config (hex SHA-256)
	Seed       uint64   `json:"seed"`

	Version   string   `json:"version"`    // module version of the binary, "(devel)" or "unknown"
	Commit    string   `json:"vcs_commit"` // VCS revision the binary was built from, "unknown" when not stamped
	Modified  bool     `json:"vcs_modified,omitempty"`
	GoVersion string   `json:"go_version"`
	Command   []string `json:"command"` // the command line, program name first
	Host      string   `json:"host"`
	PID       int      `json:"pid"`
	CPU       string   `json:"cpu"` // CPU model name, or GOARCH when unknown
	GOOS      string   `json:"goos"`
	GOARCH    string   `json:"goarch"`
	NumCPU    int      `json:"num_cpu"`
	Threads   int      `json:"threads"` // worker threads of the run (--threads)

	Start       time.Time  `json:"start"`                  // wall-clock start (RFC 3339)
	End         *time.Time `json:"end,omitempty"`          // wall-clock end; absent while running
	WallSeconds float64    `json:"wall_seconds,omitempty"` // End − Start (s)

	// EstimatedBytes is the configuration's memory Estimate (bytes of its
	// big allocations, as checked against --max-memory; absent when the
	// configuration gives none), to set against MaxRSSBytes.
	EstimatedBytes float64 `json:"estimated_bytes,omitempty"`
	// CPUSeconds is the user + system CPU time the process spent from the
	// start of the run to its end (s, all threads; absent where unknown).
	CPUSeconds float64 `json:"cpu_seconds,omitempty"`
	// MaxRSSBytes is the peak resident memory of the process that ran it,
	// at the run's end (bytes; absent where unknown). spikelab run, resume
	// and every sweep point each run in their own process; a Go program
	// that calls Execute several times gets its peak so far.
	MaxRSSBytes float64 `json:"max_rss_bytes,omitempty"`

	cpu0 float64 // CPUSeconds() at the start
}

// ConfigHash returns the hex SHA-256 of cfg's resolved YAML (seed
// included): two runs with equal hashes ran the same configuration.
func ConfigHash(cfg Config) string {
	b, err := Marshal(cfg)
	if err != nil {
		return "unknown"
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// BuildInfo returns the module version and the VCS revision of the running
// binary as stamped by the Go tool ("unknown" where absent, as under
// `go run`, `go test` or -buildvcs=false), whether the work tree was
// modified, and the Go version.
func BuildInfo() (version, commit string, modified bool, goVersion string) {
	version, commit, goVersion = "unknown", "unknown", runtime.Version()
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	if bi.Main.Version != "" {
		version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if s.Value != "" {
				commit = s.Value
			}
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	return
}

// CPUModel returns the CPU's model name from /proc/cpuinfo, or GOARCH
// where that is not available.
func CPUModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		k = strings.TrimSpace(k)
		if ok && (k == "model name" || k == "Model" || k == "cpu model") {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// NewRunInfo returns the record of a run of experiment name with cfg that
// starts now, with status running.
func NewRunInfo(name string, cfg Config, threads int, command []string) RunInfo {
	host, _ := os.Hostname()
	ri := RunInfo{Experiment: name, Status: StatusRunning, ConfigHash: ConfigHash(cfg), Seed: cfg.RunSeed(),
		Command: append([]string(nil), command...), Host: host, PID: os.Getpid(), CPU: CPUModel(),
		GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, NumCPU: runtime.NumCPU(), Threads: threads,
		Start: time.Now().Round(time.Millisecond), cpu0: CPUSeconds()}
	ri.Version, ri.Commit, ri.Modified, ri.GoVersion = BuildInfo()
	if est, ok := cfg.(Estimator); ok {
		if e, err := est.Estimate(); err == nil {
			ri.EstimatedBytes = e.Bytes()
		}
	}
	return ri
}

// EndWith sets the status (and the error, for failed and interrupted runs),
// the end time, the wall and CPU time and the peak memory.
func (ri *RunInfo) EndWith(status string, err error) {
	ri.Status = status
	if err != nil {
		ri.Error = err.Error()
	}
	end := time.Now().Round(time.Millisecond)
	ri.End = &end
	ri.WallSeconds = end.Sub(ri.Start).Seconds()
	if c := CPUSeconds(); c > 0 {
		ri.CPUSeconds = max(c-ri.cpu0, 0)
	}
	ri.MaxRSSBytes = PeakMemory()
}

// WriteRunInfo writes ri as dir/run.json atomically.
func WriteRunInfo(dir string, ri RunInfo) error {
	b, err := json.MarshalIndent(ri, "", "  ")
	if err != nil {
		return err
	}
	return runio.WriteAtomic(filepath.Join(dir, RunInfoFile), func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// ReadRunInfo reads dir/run.json.
func ReadRunInfo(dir string) (RunInfo, error) {
	var ri RunInfo
	b, err := os.ReadFile(filepath.Join(dir, RunInfoFile))
	if err != nil {
		return ri, err
	}
	if err := json.Unmarshal(b, &ri); err != nil {
		return ri, fmt.Errorf("%s: %w", filepath.Join(dir, RunInfoFile), err)
	}
	return ri, nil
}

// Preflighter is implemented by configurations that can check, before the
// run folder is created, what Validate cannot: that data files exist and
// have the shapes the config expects. Preflight must not allocate much.
type Preflighter interface {
	Preflight() error
}

// ResumeHinter is implemented by configurations that can be continued
// after an interruption; ResumeHint returns the command line that does it
// for the run folder dir ("" when there is nothing to resume from).
type ResumeHinter interface {
	ResumeHint(name, dir string) string
}

// Learnt is implemented by configurations that can tell from their
// metrics that nothing was learnt; LearntNothing returns "" when the run
// learnt, else a message saying why it did not.
type Learnt interface {
	LearntNothing(metrics map[string]float64) string
}

// ExecOptions are the settings of Execute.
type ExecOptions struct {
	// Out is the run folder; "" means runs/NAME-<timestamp>.
	Out string
	// Force allows a run folder that already holds a run: its run files
	// are removed first (never a folder whose run is still running here).
	Force bool
	// Threads is the number of worker threads (≥ 1).
	Threads int
	// MaxMemory is the memory limit in bytes checked against the
	// configuration's Estimate before anything is allocated (≤ 0: none).
	MaxMemory float64
	// Command is the command line recorded in run.json.
	Command []string
	// Log receives notes (nil: discarded).
	Log io.Writer
	// Progress is passed on to Env.Progress.
	Progress func(total int64, label string) Progress
	// Started, when not nil, is called once the run folder exists and
	// run.json says running (the CLI prints the folder).
	Started func(dir string)
	// Resume is the checkpoint to continue from: in place when Out is the
	// checkpoint's folder (spikelab resume; no --force needed), else into
	// the new folder Out (maes-train's resume key).
	Resume string
}

// Result is what Execute returns.
type Result struct {
	// Dir is the run folder; "" when the run was refused before it was created.
	Dir string
	// Metrics are the run's metrics (nil unless finished).
	Metrics map[string]float64
	// Info is the final run.json record.
	Info RunInfo
}

// ErrRefused marks errors of Execute returned before the run folder was
// created (invalid config, missing data, too much memory, folder taken).
var ErrRefused = errors.New("refused")

type refused struct{ err error }

func (r refused) Error() string        { return r.err.Error() }
func (r refused) Unwrap() []error      { return []error{ErrRefused, r.err} }
func refuse(err error) error           { return refused{err} }
func refusef(f string, a ...any) error { return refused{fmt.Errorf(f, a...)} }

// Check validates cfg and checks what can be checked before a run folder
// is made: the memory Estimate against maxMemory bytes (≤ 0: no limit),
// Validate and Preflight (data files). Errors wrap ErrRefused.
func Check(cfg Config, maxMemory float64) error {
	if est, ok := cfg.(Estimator); ok {
		e, err := est.Estimate()
		if err != nil {
			return refuse(err)
		}
		if err := CheckMemory(e, maxMemory); err != nil {
			return refuse(err)
		}
	}
	if err := cfg.Validate(); err != nil {
		return refusef("invalid config: %w", err)
	}
	if p, ok := cfg.(Preflighter); ok {
		if err := p.Preflight(); err != nil {
			return refuse(err)
		}
	}
	return nil
}

// Execute runs experiment name with cfg through its whole lifecycle:
// Check before anything is written; the run folder created (an existing
// run refused unless opts.Force; stale temporary files removed); run.json
// (status running) and config.yaml written; Run; metrics.json; run.json
// updated to finished, failed (with the error) or interrupted (when ctx
// was cancelled, with a resume hint). Errors before the folder exists wrap
// ErrRefused and leave nothing on disk.
func Execute(ctx context.Context, name string, cfg Config, opts ExecOptions) (res Result, err error) {
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	if opts.Threads < 1 {
		return res, refusef("threads must be at least 1, got %d", opts.Threads)
	}
	if err := Check(cfg, opts.MaxMemory); err != nil {
		return res, err
	}
	path := opts.Out
	if path == "" {
		path = filepath.Join("runs", name+"-"+time.Now().Format("20060102-150405.000"))
	}
	if opts.Resume != "" && sameFolder(filepath.Dir(opts.Resume), path) {
		if err := prepareResume(path, log); err != nil {
			return res, refuse(err)
		}
	} else if err := prepareFolder(path, opts.Force, log); err != nil {
		return res, refuse(err)
	}
	dir, err := runio.Create(path, name)
	if err != nil {
		return res, refuse(err)
	}
	res.Dir = dir.Path
	ri := NewRunInfo(name, cfg, opts.Threads, opts.Command)
	if err := WriteRunInfo(dir.Path, ri); err != nil {
		return res, err
	}
	finish := func(status string, e error) {
		ri.EndWith(status, e)
		if status == StatusInterrupted {
			ri.Resume = resumeHint(name, cfg, dir.Path)
		}
		if werr := WriteRunInfo(dir.Path, ri); werr != nil && err == nil {
			err = werr
		}
		res.Info = ri
	}
	defer func() {
		if p := recover(); p != nil {
			finish(StatusFailed, fmt.Errorf("internal error: panic: %v", p))
			panic(p)
		}
	}()
	yml, err := Marshal(cfg)
	if err == nil {
		err = dir.WriteFile("config.yaml", append([]byte("# spikelab run "+name+": resolved config\n"), yml...))
	}
	if err != nil {
		finish(StatusFailed, err)
		return res, err
	}
	if opts.Started != nil {
		opts.Started(dir.Path)
	}
	env := &Env{Out: dir, Threads: opts.Threads, Log: log, Progress: opts.Progress, Name: name, Resume: opts.Resume}
	metrics, err := cfg.Run(ctx, env)
	if err != nil {
		if ctx.Err() != nil {
			cause := context.Cause(ctx)
			err = fmt.Errorf("interrupted (%v) after %.1f s: %w", cause, time.Since(ri.Start).Seconds(), err)
			finish(StatusInterrupted, err)
			return res, err
		}
		finish(StatusFailed, err)
		return res, err
	}
	if l, ok := cfg.(Learnt); ok {
		if msg := l.LearntNothing(metrics); msg != "" {
			metrics["learnt_nothing"] = 1
			ri.Messages = append(ri.Messages, "learnt nothing: "+msg)
			fmt.Fprintln(log, "spikelab: warning: learnt nothing:", msg)
		}
	}
	if err := dir.WriteMetrics(metrics); err != nil {
		finish(StatusFailed, err)
		return res, err
	}
	res.Metrics = metrics
	finish(StatusFinished, nil)
	return res, err
}

func resumeHint(name string, cfg Config, dir string) string {
	if _, err := os.Stat(filepath.Join(dir, CheckpointFile)); err == nil {
		return "spikelab resume " + dir
	}
	if h, ok := cfg.(ResumeHinter); ok {
		if s := h.ResumeHint(name, dir); s != "" {
			return s
		}
	}
	return fmt.Sprintf("spikelab run %s --config %s --out %s --force   (reruns from the start with the same config and seed)",
		name, filepath.Join(dir, "config.yaml"), dir)
}

// runFileExt are the extensions of files a run writes at the top of its
// folder; --force removes these and nothing else.
var runFileExt = map[string]bool{".json": true, ".yaml": true, ".npz": true, ".npy": true, ".png": true, ".svg": true, ".txt": true}

// prepareFolder refuses a folder that holds a run (or anything else)
// unless force, and then removes the earlier run's files and stale
// temporary files (.NAME.tmp*) left by a killed run.
func prepareFolder(path string, force bool, log io.Writer) error {
	entries, err := os.ReadDir(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("run folder %s: %w", path, err)
	}
	var stale, runFiles, other []string
	for _, e := range entries {
		n := e.Name()
		switch {
		case runio.IsTemp(n):
			stale = append(stale, n)
		case e.Type().IsRegular() && runFileExt[filepath.Ext(n)]:
			runFiles = append(runFiles, n)
		default:
			other = append(other, n)
		}
	}
	isRun := false
	for _, n := range runFiles {
		if n == RunInfoFile || n == "config.yaml" || n == "metrics.json" {
			isRun = true
		}
	}
	if len(runFiles)+len(other) > 0 {
		if !isRun {
			return fmt.Errorf("--out %s exists and is not an empty folder or a run folder; choose a new folder", path)
		}
		if !force {
			status := "unknown status"
			if ri, err := ReadRunInfo(path); err == nil {
				status = "status " + ri.Status
			}
			return fmt.Errorf("--out %s already holds a run (%s); choose a new folder or add --force to replace it", path, status)
		}
		if ri, err := ReadRunInfo(path); err == nil && ri.Status == StatusRunning && ri.alive() {
			return fmt.Errorf("--out %s: its run is still running (pid %d on %s); not replaced", path, ri.PID, ri.Host)
		}
	}
	for _, n := range stale {
		if err := os.Remove(filepath.Join(path, n)); err != nil {
			return fmt.Errorf("remove stale temporary file: %w", err)
		}
		fmt.Fprintf(log, "spikelab: removed stale temporary file %s\n", filepath.Join(path, n))
	}
	for _, n := range runFiles {
		if err := os.Remove(filepath.Join(path, n)); err != nil {
			return fmt.Errorf("--force: %w", err)
		}
	}
	if len(runFiles) > 0 {
		fmt.Fprintf(log, "spikelab: --force: removed the earlier run's %d files from %s\n", len(runFiles), path)
	}
	return nil
}

// sameFolder reports whether paths a and b name the same folder.
func sameFolder(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// prepareResume checks that the run in folder path is not running and
// removes the temporary files a killed run left behind.
func prepareResume(path string, log io.Writer) error {
	if ri, err := ReadRunInfo(path); err == nil && ri.Status == StatusRunning && ri.alive() {
		return fmt.Errorf("%s: its run is still running (pid %d on %s); not resumed", path, ri.PID, ri.Host)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return fmt.Errorf("run folder %s: %w", path, err)
	}
	for _, e := range entries {
		if runio.IsTemp(e.Name()) {
			if err := os.Remove(filepath.Join(path, e.Name())); err != nil {
				return fmt.Errorf("remove stale temporary file: %w", err)
			}
			fmt.Fprintf(log, "spikelab: removed stale temporary file %s\n", filepath.Join(path, e.Name()))
		}
	}
	return nil
}

// alive reports whether the run's process still runs on this host.
func (ri RunInfo) alive() bool {
	host, _ := os.Hostname()
	if ri.Host != host || ri.PID <= 0 || ri.PID == os.Getpid() {
		return false
	}
	return processAlive(ri.PID)
}
