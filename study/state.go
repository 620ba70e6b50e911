package study

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
)

// Statuses of a point.
const (
	Pending     = "pending"     // never started, or its folder was removed
	Running     = "running"     // a process is running it
	Finished    = "finished"    // its run folder says finished with the point's config
	Failed      = "failed"      // its run ended with an error or its process died
	Interrupted = "interrupted" // stopped by Ctrl-C or SIGTERM; re-run to finish
)

// State is a point's bookkeeping file, state/NNNN.json, written by the
// process that runs the point.
type State struct {
	Index    int     `json:"index"`
	Name     string  `json:"name"`
	Status   string  `json:"status"`
	Error    string  `json:"error,omitempty"`
	Host     string  `json:"host,omitempty"`
	PID      int     `json:"pid,omitempty"`
	Job      string  `json:"job,omitempty"` // SLURM job and array task, where it ran there
	Start    string  `json:"start,omitempty"`
	End      string  `json:"end,omitempty"`
	WallSecs float64 `json:"wall_seconds"`
	CPUSecs  float64 `json:"cpu_seconds"`
}

// Folder is a sweep folder on disk.
type Folder struct {
	Path string
}

// PointDir is point p's run folder.
func (f Folder) PointDir(p Point) string { return filepath.Join(f.Path, "points", p.Name) }

// StatePath is point p's state file.
func (f Folder) StatePath(p Point) string {
	return filepath.Join(f.Path, "state", fmt.Sprintf("%04d.json", p.Index))
}

// LogPath is the file point p's process writes its output to.
func (f Folder) LogPath(p Point) string {
	return filepath.Join(f.Path, "logs", fmt.Sprintf("%04d.log", p.Index))
}

// ConfigPath is where point p's resolved config is written before it runs.
func (f Folder) ConfigPath(p Point) string {
	return filepath.Join(f.Path, "configs", fmt.Sprintf("%04d.yaml", p.Index))
}

// ReadState reads point p's state file (ok false where there is none).
func (f Folder) ReadState(p Point) (State, bool, error) {
	b, err := os.ReadFile(f.StatePath(p))
	if errors.Is(err, os.ErrNotExist) {
		return State{}, false, nil
	}
	if err != nil {
		return State{}, false, err
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return State{}, false, fmt.Errorf("%s: %w", f.StatePath(p), err)
	}
	return s, true, nil
}

// WriteState writes point p's state file atomically.
func (f Folder) WriteState(s State) error {
	path := filepath.Join(f.Path, "state", fmt.Sprintf("%04d.json", s.Index))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(path, append(b, '\n'))
}

// writeFile writes b to path atomically.
func writeFile(path string, b []byte) error {
	return runio.WriteAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// IsFinished reports whether the run folder dir holds a finished run of
// exactly cfg: its run.json (written by experiment.Execute) says
// finished, and its config hash is cfg's. It is the one place that
// decides "finished".
var IsFinished = func(dir string, cfg experiment.Config) (bool, error) {
	ri, err := experiment.ReadRunInfo(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, nil // an unreadable run.json: not finished, run it again
	}
	return ri.Status == experiment.StatusFinished && ri.ConfigHash == experiment.ConfigHash(cfg), nil
}

// Done reports whether point p of spec s is finished in folder f.
func (f Folder) Done(s *Spec, p Point) (bool, error) {
	cfg, err := s.Config(p)
	if err != nil {
		return false, err
	}
	return IsFinished(f.PointDir(p), cfg)
}

// PointStatus is what the folder says about a point: its status and,
// where there is one, its state file.
func (f Folder) PointStatus(s *Spec, p Point) (string, State, error) {
	done, err := f.Done(s, p)
	if err != nil {
		return "", State{}, err
	}
	st, ok, err := f.ReadState(p)
	if err != nil {
		return "", State{}, err
	}
	if done {
		return Finished, st, nil
	}
	if !ok {
		st = State{Index: p.Index, Name: p.Name}
	}
	// The run folder's run.json says how the run itself ended.
	if ri, err := experiment.ReadRunInfo(f.PointDir(p)); err == nil {
		switch ri.Status {
		case experiment.StatusFailed, experiment.StatusInterrupted:
			if st.Error == "" {
				st.Error = ri.Error
			}
			return ri.Status, st, nil
		case experiment.StatusFinished:
			st.Error = "finished with another config (the spec changed): will run again"
			return Pending, st, nil
		}
	} else if !ok {
		if _, err := os.Stat(f.PointDir(p)); err == nil {
			st.Error = "run folder without a result"
			return Failed, st, nil
		}
		return Pending, st, nil
	}
	switch st.Status {
	case Running, "":
		if host, _ := os.Hostname(); host == st.Host && st.PID > 0 && !alive(st.PID) {
			st.Error = fmt.Sprintf("process %d on %s ended without a result", st.PID, st.Host)
			return Failed, st, nil
		}
		return Running, st, nil
	case Finished:
		// The state says finished but the folder does not (removed, or a
		// different config): not run.
		return Pending, st, nil
	}
	return st.Status, st, nil
}

func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}

// CheckSpec makes sure folder f belongs to spec s: a new folder gets a
// copy of the spec; a folder holding a different spec (another sweep) is
// refused unless force is set, and a folder that is not a sweep folder
// but not empty is refused too.
func (f Folder) CheckSpec(s *Spec, force bool) error {
	path := filepath.Join(f.Path, "spec.yaml")
	old, err := os.ReadFile(path)
	switch {
	case err == nil:
		if bytes.Equal(old, s.Raw) || force {
			break
		}
		return fmt.Errorf("%s holds another sweep (its spec.yaml differs from %s); choose another out, or --force to take it over (finished points whose config is unchanged are kept)", f.Path, s.Path)
	case errors.Is(err, os.ErrNotExist):
		if entries, _ := os.ReadDir(f.Path); len(entries) > 0 && !force {
			return fmt.Errorf("%s exists and is not a sweep folder (no spec.yaml); choose another out, or --force", f.Path)
		}
	default:
		return err
	}
	if err := os.MkdirAll(f.Path, 0o755); err != nil {
		return fmt.Errorf("sweep folder: %w", err)
	}
	if !bytes.Equal(old, s.Raw) {
		if err := writeFile(path, s.Raw); err != nil {
			return err
		}
	}
	return nil
}

func now() string { return time.Now().UTC().Format(time.RFC3339) }
