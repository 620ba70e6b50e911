package study

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Slurm holds the job array's resources (empty: the cluster's defaults).
type Slurm struct {
	Partition   string // --partition
	Time        string // --time, e.g. 01:00:00
	CPUsPerTask int    // --cpus-per-task; each point runs with this many threads
	Mem         string // --mem, e.g. 4G (per point)
	MaxParallel int    // the %K of --array: at most K points at once (0: no limit)
	Extra       []string
}

var timeRE = regexp.MustCompile(`^(\d+-)?\d+(:\d\d){0,2}$`)
var memRE = regexp.MustCompile(`^\d+[KMGT]?$`)

// MemBytes returns --mem in bytes (SLURM's units: K, M (the default), G,
// T, powers of 1024), 0 when unset.
func (o Slurm) MemBytes() float64 {
	if o.Mem == "" || !memRE.MatchString(o.Mem) {
		return 0
	}
	unit := 1 << 20
	t := o.Mem
	switch t[len(t)-1] {
	case 'K':
		unit = 1 << 10
	case 'M':
		unit = 1 << 20
	case 'G':
		unit = 1 << 30
	case 'T':
		unit = 1 << 40
	}
	t = strings.TrimRight(t, "KMGT")
	x, _ := strconv.ParseFloat(t, 64)
	return x * float64(unit)
}

// Validate checks the options before anything is written.
func (o Slurm) Validate() error {
	if o.Time != "" && !timeRE.MatchString(o.Time) {
		return fmt.Errorf("--time %q: want minutes, HH:MM:SS or D-HH:MM:SS", o.Time)
	}
	if o.Mem != "" && !memRE.MatchString(o.Mem) {
		return fmt.Errorf("--mem %q: want a size like 4000M or 4G", o.Mem)
	}
	if o.CPUsPerTask < 1 {
		return fmt.Errorf("--cpus-per-task must be at least 1")
	}
	if o.MaxParallel < 0 {
		return fmt.Errorf("--max-parallel must be ≥ 0")
	}
	if strings.ContainsAny(o.Partition, " \n'\"") {
		return fmt.Errorf("--partition %q: not a partition name", o.Partition)
	}
	return nil
}

// ArraySpec writes indices as SLURM's --array list ("0-5,7,9-11").
func ArraySpec(idx []int) string {
	var parts []string
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(idx[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", idx[i], idx[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Script returns the job array script for the points idx of the sweep in
// folder f (an absolute path on a filesystem the nodes share): each array
// task runs `OUT/spikelab sweep OUT/spec.yaml --out OUT --index
// $SLURM_ARRAY_TASK_ID --threads C` with the copy of the binary in OUT.
func (f Folder) Script(s *Spec, o Slurm, idx []int) string {
	var b strings.Builder
	out := f.Path
	name := "spikelab-" + s.Experiment
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "# spikelab sweep %s: %d of %d points as a SLURM job array.\n", s.Experiment, len(idx), s.NumPoints())
	fmt.Fprintf(&b, "# Submit again with `spikelab sweep %s --slurm`: finished points are skipped.\n", filepath.Join(out, "spec.yaml"))
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", name)
	arr := ArraySpec(idx)
	if o.MaxParallel > 0 {
		arr += "%" + strconv.Itoa(o.MaxParallel)
	}
	fmt.Fprintf(&b, "#SBATCH --array=%s\n", arr)
	fmt.Fprintf(&b, "#SBATCH --ntasks=1\n")
	fmt.Fprintf(&b, "#SBATCH --cpus-per-task=%d\n", o.CPUsPerTask)
	if o.Partition != "" {
		fmt.Fprintf(&b, "#SBATCH --partition=%s\n", o.Partition)
	}
	if o.Time != "" {
		fmt.Fprintf(&b, "#SBATCH --time=%s\n", o.Time)
	}
	if o.Mem != "" {
		fmt.Fprintf(&b, "#SBATCH --mem=%s\n", o.Mem)
	}
	for _, x := range o.Extra {
		fmt.Fprintf(&b, "#SBATCH %s\n", x)
	}
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(out, "logs", "slurm-%A_%a.out"))
	mem := ""
	if m := o.MemBytes(); m > 0 {
		// The run's memory check against the job's allocation.
		mem = " --max-memory " + strconv.FormatFloat(m, 'f', 0, 64)
	}
	fmt.Fprintf(&b, "\nexec %s sweep %s --out %s --index \"$SLURM_ARRAY_TASK_ID\" --threads %d%s\n",
		shellQuote(filepath.Join(out, "spikelab")), shellQuote(filepath.Join(out, "spec.yaml")), shellQuote(out), o.CPUsPerTask, mem)
	return b.String()
}

// SlurmJob is out/slurm.json: the job arrays submitted for the sweep.
type SlurmJob struct {
	Jobs []string `json:"jobs"`
}

// WriteScript copies the binary exe to OUT/spikelab and writes
// OUT/sweep.sbatch for the unfinished points that no earlier submission
// still queues or runs; it returns the script's path and the points'
// indices (none: nothing to do).
func (f Folder) WriteScript(s *Spec, o Slurm, exe string) (string, []int, error) {
	todo, err := f.Todo(s)
	if err != nil {
		return "", nil, err
	}
	// Points still queued or running under an earlier submission are left
	// to it.
	queued := f.Queued()
	var idx []int
	for _, p := range todo {
		if _, inQueue := queued[p.Index]; inQueue {
			continue
		}
		if status, _, err := f.PointStatus(s, p); err == nil && status == Running {
			continue
		}
		idx = append(idx, p.Index)
	}
	if len(idx) == 0 {
		return "", nil, nil
	}
	if err := os.MkdirAll(filepath.Join(f.Path, "logs"), 0o755); err != nil {
		return "", nil, err
	}
	if err := copyExe(exe, filepath.Join(f.Path, "spikelab")); err != nil {
		return "", nil, err
	}
	path := filepath.Join(f.Path, "sweep.sbatch")
	if err := writeFile(path, []byte(f.Script(s, o, idx))); err != nil {
		return "", nil, err
	}
	return path, idx, os.Chmod(path, 0o755)
}

func copyExe(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy the spikelab binary: %w", err)
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return fmt.Errorf("copy the spikelab binary: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy the spikelab binary: %w", err)
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// Submit runs `sbatch --parsable SCRIPT` and records the job id in
// OUT/slurm.json.
func (f Folder) Submit(script string) (string, error) {
	if _, err := exec.LookPath("sbatch"); err != nil {
		return "", errors.New("sbatch not found: is this a SLURM login node? (--dry-run writes the script only)")
	}
	cmd := exec.Command("sbatch", "--parsable", script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("sbatch: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	id := strings.TrimSpace(string(out))
	if i := strings.IndexByte(id, ';'); i >= 0 {
		id = id[:i] // "jobid;cluster"
	}
	var jobs SlurmJob
	if b, err := os.ReadFile(filepath.Join(f.Path, "slurm.json")); err == nil {
		json.Unmarshal(b, &jobs)
	}
	jobs.Jobs = append(jobs.Jobs, id)
	b, _ := json.MarshalIndent(jobs, "", "  ")
	return id, writeFile(filepath.Join(f.Path, "slurm.json"), append(b, '\n'))
}

// Queued returns the array tasks of the sweep's jobs that squeue still
// lists (index → state, e.g. PENDING, RUNNING); nil without squeue or jobs
// (or when squeue fails), an empty map when none is queued.
func (f Folder) Queued() map[int]string {
	b, err := os.ReadFile(filepath.Join(f.Path, "slurm.json"))
	if err != nil {
		return nil
	}
	var jobs SlurmJob
	if json.Unmarshal(b, &jobs) != nil || len(jobs.Jobs) == 0 {
		return nil
	}
	if _, err := exec.LookPath("squeue"); err != nil {
		return nil
	}
	cmd := exec.Command("squeue", "-h", "-r", "-o", "%i %T", "-j", strings.Join(jobs.Jobs, ","))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if strings.Contains(stderr.String(), "Invalid job id") {
			return map[int]string{} // every job has ended and been purged
		}
		return nil
	}
	q := map[int]string{}
	for _, line := range strings.Split(string(out), "\n") {
		id, state, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		_, task, ok := strings.Cut(id, "_")
		if !ok {
			continue
		}
		if i, err := strconv.Atoi(task); err == nil {
			q[i] = state
		}
	}
	return q
}
