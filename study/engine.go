package study

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spikelab/spikelab/experiment"
)

// RunFunc runs the CLI command args (e.g. "run NAME --config … --out …")
// in this process, writing its messages to stderr, and returns its exit
// status: the point runner hands each point to the ordinary run command.
type RunFunc func(args []string, stdout, stderr io.Writer) int

// RunPoint runs point p of spec s into its run folder, unless it is
// finished already (then it returns its status without running it; force
// runs it again). A half-done or failed folder is removed first. It
// writes the point's resolved config to configs/, its state file before
// and after the run, and returns the state and the run's exit status
// (0 finished, 130 interrupted).
//
// extra is appended to the run's arguments (e.g. --max-memory BYTES).
func (f Folder) RunPoint(s *Spec, p Point, threads int, force bool, job string, extra []string, run RunFunc, stdout, stderr io.Writer) (State, int) {
	fail := func(err error) (State, int) {
		st := State{Index: p.Index, Name: p.Name, Status: Failed, Error: err.Error(), End: now()}
		f.WriteState(st)
		fmt.Fprintf(stderr, "spikelab sweep: point %s: %v\n", p.Name, err)
		return st, 1
	}
	cfg, err := s.Config(p)
	if err != nil {
		return fail(err)
	}
	done, err := IsFinished(f.PointDir(p), cfg)
	if err != nil {
		return fail(err)
	}
	if done && !force {
		st, _, _ := f.ReadState(p)
		st.Status = Finished
		fmt.Fprintf(stderr, "spikelab sweep: point %s is finished already (--force runs it again)\n", p.Name)
		return st, 0
	}
	if ri, err := experiment.ReadRunInfo(f.PointDir(p)); err == nil && ri.Status == experiment.StatusRunning {
		if host, _ := os.Hostname(); host == ri.Host && ri.PID != os.Getpid() && alive(ri.PID) {
			return fail(fmt.Errorf("another process (pid %d) is running this point", ri.PID))
		}
	}
	if err := os.RemoveAll(f.PointDir(p)); err != nil {
		return fail(err)
	}
	yml, err := experiment.Marshal(cfg)
	if err == nil {
		err = os.MkdirAll(f.Path+"/configs", 0o755)
	}
	if err == nil {
		err = os.MkdirAll(f.Path+"/points", 0o755)
	}
	if err == nil {
		err = writeFile(f.ConfigPath(p), append([]byte("# spikelab sweep point "+p.Name+": resolved config\n"), yml...))
	}
	if err != nil {
		return fail(err)
	}
	host, _ := os.Hostname()
	st := State{Index: p.Index, Name: p.Name, Status: Running, Host: host, PID: os.Getpid(), Job: job, Start: now()}
	if err := f.WriteState(st); err != nil {
		return fail(err)
	}
	args := []string{"run", s.Experiment, "--config", f.ConfigPath(p), "--seed", strconv.FormatUint(p.Seed, 10),
		"--out", f.PointDir(p), "--threads", strconv.Itoa(threads), "--quiet"}
	args = append(args, extra...)
	var msgs bytes.Buffer
	t0, c0 := time.Now(), experiment.CPUSeconds()
	rc := run(args, stdout, io.MultiWriter(stderr, &msgs))
	st.WallSecs = time.Since(t0).Seconds()
	st.CPUSecs = experiment.CPUSeconds() - c0
	st.End = now()
	switch {
	case rc == 0:
		if ok, err := IsFinished(f.PointDir(p), cfg); err != nil || !ok {
			st.Status, st.Error = Failed, "the run ended but its folder does not hold a finished run of this config"
			rc = 1
		} else {
			st.Status = Finished
		}
	case rc == 130:
		st.Status, st.Error = Interrupted, "interrupted"
	default:
		st.Status, st.Error = Failed, lastMessage(msgs.String(), rc)
	}
	if err := f.WriteState(st); err != nil {
		fmt.Fprintln(stderr, "spikelab sweep:", err)
	}
	return st, rc
}

// lastMessage picks the run's error line from its messages.
func lastMessage(msgs string, rc int) string {
	lines := strings.Split(strings.TrimSpace(msgs), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "spikelab:") && !strings.HasPrefix(l, "spikelab: running ") &&
			!strings.HasPrefix(l, "spikelab: run folder ") && !strings.HasPrefix(l, "spikelab: wrote ") {
			return strings.TrimSpace(strings.TrimPrefix(l, "spikelab:"))
		}
	}
	return fmt.Sprintf("exit status %d", rc)
}

// Observer follows a local sweep (a progress display).
type Observer interface {
	// Start is called when a point's process starts.
	Start(p Point)
	// Finish is called when it ends, with the point's final state.
	Finish(p Point, st State)
}

// Engine runs a sweep's unfinished points on local worker processes.
type Engine struct {
	Spec   *Spec
	Folder Folder
	// Jobs is the number of points run at once (≥ 1).
	Jobs int
	// Command makes the process that runs one point (spikelab sweep SPEC
	// --out OUT --index I …); the engine sets its output to the point's
	// log and stops it with SIGINT when ctx is cancelled.
	Command func(p Point) *exec.Cmd
	// Observer, if set, follows the points.
	Observer Observer
}

// Summary counts the points of a sweep after a local run.
type Summary struct {
	Points      int // P
	Skipped     int // finished before this run
	Finished    int // finished by this run
	Failed      []State
	Interrupted int // stopped by Ctrl-C, or never started because of it
}

// Todo returns the points of s not finished in f.
func (f Folder) Todo(s *Spec) ([]Point, error) {
	var todo []Point
	for _, p := range s.Points() {
		done, err := f.Done(s, p)
		if err != nil {
			return nil, err
		}
		if !done {
			todo = append(todo, p)
		}
	}
	return todo, nil
}

// Run runs every unfinished point, Jobs at a time. A failing point is
// recorded and the others go on; cancelling ctx interrupts the running
// points (SIGINT, then SIGKILL after 10 s) and starts no new ones.
func (e *Engine) Run(ctx context.Context) (Summary, error) {
	sum := Summary{Points: e.Spec.NumPoints()}
	todo, err := e.Folder.Todo(e.Spec)
	if err != nil {
		return sum, err
	}
	sum.Skipped = sum.Points - len(todo)
	if err := os.MkdirAll(e.Folder.Path+"/logs", 0o755); err != nil {
		return sum, err
	}
	jobs := e.Jobs
	if jobs < 1 {
		jobs = 1
	}
	var mu sync.Mutex
	work := make(chan Point)
	var wg sync.WaitGroup
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				st := e.runOne(ctx, p)
				mu.Lock()
				switch st.Status {
				case Finished:
					sum.Finished++
				case Interrupted:
					sum.Interrupted++
				default:
					sum.Failed = append(sum.Failed, st)
				}
				mu.Unlock()
				if e.Observer != nil {
					e.Observer.Finish(p, st)
				}
			}
		}()
	}
	sent := 0
loop:
	for _, p := range todo {
		select {
		case <-ctx.Done():
			break loop
		case work <- p:
			sent++
		}
	}
	close(work)
	wg.Wait()
	sum.Interrupted += len(todo) - sent
	sort.Slice(sum.Failed, func(i, j int) bool { return sum.Failed[i].Index < sum.Failed[j].Index })
	if ctx.Err() != nil {
		return sum, ctx.Err()
	}
	return sum, nil
}

func (e *Engine) runOne(ctx context.Context, p Point) State {
	if ctx.Err() != nil {
		return State{Index: p.Index, Name: p.Name, Status: Interrupted}
	}
	if e.Observer != nil {
		e.Observer.Start(p)
	}
	logf, err := os.Create(e.Folder.LogPath(p))
	if err != nil {
		return State{Index: p.Index, Name: p.Name, Status: Failed, Error: err.Error()}
	}
	defer logf.Close()
	cmd := e.Command(p)
	cmd.Stdout, cmd.Stderr = logf, logf
	setParentDeath(cmd)
	done := make(chan struct{})
	var runErr error
	if err := cmd.Start(); err != nil {
		st := State{Index: p.Index, Name: p.Name, Status: Failed, Error: "start: " + err.Error(), End: now()}
		e.Folder.WriteState(st)
		return st
	}
	go func() { runErr = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	st, ok, err := e.Folder.ReadState(p)
	if err != nil || !ok || st.Status == Running {
		// The process died without saying how the point ended.
		why := "the point's process ended without a result"
		if runErr != nil {
			why = "the point's process: " + runErr.Error()
		}
		var ee *exec.ExitError
		if errors.As(runErr, &ee) && ctx.Err() != nil {
			st = State{Index: p.Index, Name: p.Name, Status: Interrupted, Error: "interrupted", End: now()}
		} else {
			st = State{Index: p.Index, Name: p.Name, Status: Failed, Error: why, End: now()}
		}
		e.Folder.WriteState(st)
	}
	return st
}
