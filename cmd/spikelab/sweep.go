package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/study"
)

const sweepUsage = `Usage:
  spikelab sweep SPEC.yaml [--jobs N] [--threads T] [--out DIR]    run a study locally
  spikelab sweep SPEC.yaml --slurm [--partition P --time HH:MM:SS --cpus-per-task C
                           --mem M --max-parallel K] [--dry-run]    as a SLURM job array
  spikelab sweep SPEC.yaml --index I | --index-from-env VAR         run one point
  spikelab sweep status OUT                                         done / running / failed / pending
  spikelab sweep collect OUT [--plot METRIC,...]                    results.csv, summary.csv, summary.png
  spikelab sweep --example NAME                                     a commented spec for experiment NAME

Flags:
  --out DIR          the sweep folder (default: the spec's out, else sweeps/<spec name>)
  --jobs N           points run at once (default: cores / threads)
  --threads T        worker threads of each point (default: the spec's threads, else 1)
  --force            take over a folder that holds another spec (unchanged finished points are kept);
                     with --index: run the point even if it is finished
  --plot M1,M2       the metrics summary.png draws (default: the spec's plot, else the first four)
  --quiet            plain progress lines even on a terminal
  --slurm            write OUT/sweep.sbatch (a job array of the unfinished points, running a copy of
                     this binary placed in OUT) and submit it with sbatch; --dry-run only writes it
  --partition, --time, --cpus-per-task, --mem, --max-parallel
                     the job array's resources (--cpus-per-task is each point's --threads)
  --max-memory SIZE  memory limit of a local sweep, divided among the --jobs (default: spikelab run's,
                     80% of available memory); with --index, the point's limit. On SLURM each point's
                     limit is its --mem
  --index I          run point I only (what each array task does); --index-from-env VAR reads I from $VAR

Exit status: 0 when every point finished; 1–100 the number of points that failed (100: 100 or more);
125 a spec or usage error (nothing ran); 130 interrupted (re-run to go on: finished points are skipped).
`

const (
	exitSpec        = 125
	exitInterrupted = 130
)

func sweepCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "status":
			return sweepStatus(args[1:], stdout, stderr)
		case "collect":
			return sweepCollect(args[1:], stdout, stderr)
		case "-h", "--help", "help":
			fmt.Fprint(stdout, sweepUsage)
			return 0
		}
	}
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, sweepUsage) }
	out := fs.String("out", "", "sweep folder")
	jobs := fs.Int("jobs", 0, "points at once")
	threads := fs.Int("threads", 0, "threads per point")
	force := fs.Bool("force", false, "take over a folder / rerun a finished point")
	plotFlag := fs.String("plot", "", "metrics to plot")
	quiet := fs.Bool("quiet", false, "plain lines")
	example := fs.String("example", "", "print a spec for experiment NAME")
	slurm := fs.Bool("slurm", false, "SLURM job array")
	dry := fs.Bool("dry-run", false, "write the job script only")
	partition := fs.String("partition", "", "SLURM partition")
	timeLimit := fs.String("time", "", "SLURM time limit")
	cpus := fs.Int("cpus-per-task", 0, "SLURM CPUs per point")
	mem := fs.String("mem", "", "SLURM memory per point")
	maxPar := fs.Int("max-parallel", 0, "SLURM array tasks at once")
	maxMem := fs.String("max-memory", "", "memory limit of the sweep (local: divided among the jobs) or of one point (--index)")
	index := fs.Int("index", -1, "run one point")
	indexEnv := fs.String("index-from-env", "", "variable holding the point index")
	var specPath string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return exitSpec
		}
		if fs.NArg() == 0 {
			break
		}
		if specPath != "" {
			fmt.Fprintf(stderr, "spikelab sweep: unexpected argument %q (one spec)\n", fs.Arg(0))
			return exitSpec
		}
		specPath = fs.Arg(0)
		rest = fs.Args()[1:]
	}
	if *example != "" {
		s, err := study.Example(*example)
		if err != nil {
			fmt.Fprintln(stderr, "spikelab sweep:", err)
			return exitSpec
		}
		fmt.Fprint(stdout, s)
		return 0
	}
	if specPath == "" {
		fmt.Fprint(stderr, "spikelab sweep: which spec? (spikelab sweep --example NAME prints one)\n\n"+sweepUsage)
		return exitSpec
	}
	spec, err := study.Load(specPath)
	if err != nil {
		fmt.Fprintln(stderr, "spikelab sweep:", err)
		return exitSpec
	}
	if *out != "" {
		spec.Out = *out
	}
	abs, err := filepath.Abs(spec.Out)
	if err != nil {
		fmt.Fprintln(stderr, "spikelab sweep:", err)
		return exitSpec
	}
	folder := study.Folder{Path: abs}
	if *threads == 0 {
		*threads = spec.Threads
	}
	if *threads < 1 {
		fmt.Fprintln(stderr, "spikelab sweep: --threads must be at least 1")
		return exitSpec
	}
	points := spec.Points()
	// One point: --index or --index-from-env.
	if *indexEnv != "" {
		v := os.Getenv(*indexEnv)
		i, err := strconv.Atoi(v)
		if err != nil {
			fmt.Fprintf(stderr, "spikelab sweep: --index-from-env %s: $%s is %q, not an index\n", *indexEnv, *indexEnv, v)
			return exitSpec
		}
		*index = i
	}
	if *index >= 0 || *indexEnv != "" {
		if *index < 0 || *index >= len(points) {
			fmt.Fprintf(stderr, "spikelab sweep: --index %d: the spec has points 0…%d\n", *index, len(points)-1)
			return exitSpec
		}
		if err := folder.CheckSpec(spec, false); err != nil {
			fmt.Fprintln(stderr, "spikelab sweep:", err)
			return exitSpec
		}
		job := ""
		if id := os.Getenv("SLURM_ARRAY_JOB_ID"); id != "" {
			job = id + "_" + os.Getenv("SLURM_ARRAY_TASK_ID")
		}
		var extra []string
		if *maxMem != "" {
			extra = []string{"--max-memory", *maxMem}
		}
		p := points[*index]
		fmt.Fprintf(stderr, "spikelab sweep: point %s\n", p.Name)
		st, rc := folder.RunPoint(spec, p, *threads, *force, job, extra, run, stdout, stderr)
		fmt.Fprintf(stderr, "spikelab sweep: point %s %s\n", p.Name, st.Status)
		return rc
	}
	if err := folder.CheckSpec(spec, *force); err != nil {
		fmt.Fprintln(stderr, "spikelab sweep:", err)
		return exitSpec
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "spikelab sweep: cannot find this program's binary:", err)
		return 1
	}
	if *slurm {
		o := study.Slurm{Partition: *partition, Time: *timeLimit, CPUsPerTask: *cpus, Mem: *mem, MaxParallel: *maxPar}
		if o.CPUsPerTask == 0 {
			o.CPUsPerTask = *threads
		}
		if err := o.Validate(); err != nil {
			fmt.Fprintln(stderr, "spikelab sweep:", err)
			return exitSpec
		}
		script, idx, err := folder.WriteScript(spec, o, exe)
		if err != nil {
			fmt.Fprintln(stderr, "spikelab sweep:", err)
			return 1
		}
		if len(idx) == 0 {
			fmt.Fprintf(stderr, "spikelab sweep: nothing to submit: every point of %d is finished, queued or running (`spikelab sweep status %s`)\n", len(points), folder.Path)
			return 0
		}
		fmt.Fprintf(stderr, "spikelab sweep: wrote %s (%d of %d points)\n", script, len(idx), len(points))
		if *dry {
			fmt.Fprintf(stderr, "spikelab sweep: --dry-run: submit with `sbatch %s`\n", script)
			return 0
		}
		id, err := folder.Submit(script)
		if err != nil {
			fmt.Fprintln(stderr, "spikelab sweep:", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", id)
		fmt.Fprintf(stderr, "spikelab sweep: submitted job array %s; `spikelab sweep status %s`, then `spikelab sweep collect %s`\n", id, folder.Path, folder.Path)
		return 0
	}
	// Local engine.
	if *jobs == 0 {
		*jobs = runtime.NumCPU() / *threads
		if *jobs < 1 {
			*jobs = 1
		}
	}
	// The memory limit (default: that of spikelab run) is shared by the jobs.
	limit, err := experiment.MemoryLimit(*maxMem)
	if err != nil {
		fmt.Fprintln(stderr, "spikelab sweep: --max-memory:", err)
		return exitSpec
	}
	perJob := strconv.FormatFloat(math.Floor(limit/float64(*jobs)), 'f', 0, 64)
	specCopy := filepath.Join(folder.Path, "spec.yaml")
	eng := &study.Engine{Spec: spec, Folder: folder, Jobs: *jobs,
		Command: func(p study.Point) *exec.Cmd {
			return exec.Command(exe, "sweep", specCopy, "--out", folder.Path, "--index", strconv.Itoa(p.Index),
				"--threads", strconv.Itoa(*threads), "--max-memory", perJob)
		}}
	todo, err := folder.Todo(spec)
	if err != nil {
		fmt.Fprintln(stderr, "spikelab sweep:", err)
		return 1
	}
	fmt.Fprintf(stderr, "spikelab sweep: %s, %d points (%d finished already), %d at a time into %s\n",
		spec.Experiment, len(points), len(points)-len(todo), *jobs, folder.Path)
	var prog *mpbObserver
	if !*quiet && isTerminal(stderr) {
		prog = newMPB(stderr, len(todo))
		eng.Observer = prog
	} else {
		eng.Observer = &lineObserver{w: stderr, total: len(todo)}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sum, err := eng.Run(ctx)
	if prog != nil {
		prog.wait()
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "spikelab sweep:", err)
		return 1
	}
	if _, cerr := folder.Collect(spec, splitList(*plotFlag)); cerr != nil {
		fmt.Fprintln(stderr, "spikelab sweep: collect:", cerr)
	}
	fmt.Fprintf(stderr, "spikelab sweep: %d points: %d finished before, %d finished now, %d failed, %d not run (interrupted)\n",
		sum.Points, sum.Skipped, sum.Finished, len(sum.Failed), sum.Interrupted)
	for _, st := range sum.Failed {
		fmt.Fprintf(stderr, "  failed %s: %s (log: %s)\n", st.Name, st.Error, filepath.Join(folder.Path, "logs", fmt.Sprintf("%04d.log", st.Index)))
	}
	fmt.Fprintf(stderr, "spikelab sweep: wrote %s\n", filepath.Join(folder.Path, "results.csv"))
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "spikelab sweep: interrupted; run the same command again to finish the missing points")
		return exitInterrupted
	}
	return failedStatus(len(sum.Failed))
}

func failedStatus(n int) int {
	if n > 100 {
		return 100
	}
	return n
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, strings.TrimPrefix(x, "metric="))
		}
	}
	return out
}

// openFolder reads OUT/spec.yaml for status and collect.
func openFolder(args []string, name string, stderr io.Writer) (*study.Spec, study.Folder, []string, bool) {
	fs := flag.NewFlagSet("sweep "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	plotFlag := fs.String("plot", "", "metrics to plot")
	var dir string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return nil, study.Folder{}, nil, false
		}
		if fs.NArg() == 0 {
			break
		}
		if dir != "" {
			fmt.Fprintf(stderr, "spikelab sweep %s: unexpected argument %q\n", name, fs.Arg(0))
			return nil, study.Folder{}, nil, false
		}
		dir = fs.Arg(0)
		rest = fs.Args()[1:]
	}
	if dir == "" {
		fmt.Fprintf(stderr, "usage: spikelab sweep %s OUT\n", name)
		return nil, study.Folder{}, nil, false
	}
	spec, err := study.Load(filepath.Join(dir, "spec.yaml"))
	if err != nil {
		fmt.Fprintf(stderr, "spikelab sweep %s: %s is not a sweep folder: %v\n", name, dir, err)
		return nil, study.Folder{}, nil, false
	}
	abs, _ := filepath.Abs(dir)
	return spec, study.Folder{Path: abs}, splitList(*plotFlag), true
}

func sweepStatus(args []string, stdout, stderr io.Writer) int {
	spec, folder, _, ok := openFolder(args, "status", stderr)
	if !ok {
		return exitSpec
	}
	queued := folder.Queued()
	counts := map[string]int{}
	for _, p := range spec.Points() {
		status, st, err := folder.PointStatus(spec, p)
		if err != nil {
			fmt.Fprintln(stderr, "spikelab sweep status:", err)
			return 1
		}
		q, inQueue := queued[p.Index]
		switch {
		case inQueue && status != study.Finished && status != study.Running:
			status = study.Pending
			st.Error = "in the SLURM queue: " + strings.ToLower(q)
		case queued != nil && !inQueue && status == study.Running && st.Job != "":
			// squeue no longer lists the task that said it was running: SLURM
			// ended it (time or memory limit, node failure, scancel).
			status = study.Failed
			st.Error = "the SLURM task ended without a result (time or memory limit, node failure or scancel?): see logs/slurm-" + st.Job + ".out"
		}
		counts[status]++
		line := fmt.Sprintf("%-11s %s", status, p.Name)
		if st.Job != "" {
			line += "  job " + st.Job
		}
		if status == study.Finished {
			line += fmt.Sprintf("  %.1f s", st.WallSecs)
		} else if st.Error != "" {
			line += "  " + st.Error
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintf(stdout, "%d points: %d finished, %d running, %d failed, %d interrupted, %d pending\n",
		spec.NumPoints(), counts[study.Finished], counts[study.Running], counts[study.Failed], counts[study.Interrupted], counts[study.Pending])
	return 0
}

func sweepCollect(args []string, stdout, stderr io.Writer) int {
	spec, folder, plots, ok := openFolder(args, "collect", stderr)
	if !ok {
		return exitSpec
	}
	rows, err := folder.Collect(spec, plots)
	if err != nil {
		fmt.Fprintln(stderr, "spikelab sweep collect:", err)
		return 1
	}
	failed := 0
	for _, r := range rows {
		if r.Status == study.Failed {
			failed++
		}
	}
	fmt.Fprintf(stderr, "spikelab sweep collect: %d points (%d failed) into %s, summary.csv, summary.png\n",
		len(rows), failed, filepath.Join(folder.Path, "results.csv"))
	return 0
}

// lineObserver prints one line per point start and end.
type lineObserver struct {
	mu          sync.Mutex
	w           io.Writer
	total, done int
}

func (o *lineObserver) Start(p study.Point) {
	o.mu.Lock()
	defer o.mu.Unlock()
	fmt.Fprintf(o.w, "spikelab sweep: start %s\n", p.Name)
}

func (o *lineObserver) Finish(p study.Point, st study.State) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done++
	msg := ""
	if st.Error != "" {
		msg = ": " + st.Error
	}
	fmt.Fprintf(o.w, "spikelab sweep: [%d/%d] %s %s (%.1f s)%s\n", o.done, o.total, st.Status, p.Name, st.WallSecs, msg)
}

// mpbObserver shows one line per running point and a total bar.
type mpbObserver struct {
	mu     sync.Mutex
	p      *mpb.Progress
	total  *mpb.Bar
	bars   map[int]*mpb.Bar
	failed int
}

func newMPB(w io.Writer, n int) *mpbObserver {
	p := mpb.New(mpb.WithOutput(w), mpb.WithRefreshRate(200*time.Millisecond), mpb.WithWidth(40))
	o := &mpbObserver{p: p, bars: map[int]*mpb.Bar{}}
	o.total = p.AddBar(int64(n), mpb.BarPriority(1<<30),
		mpb.PrependDecorators(decor.Name("sweep "), decor.CountersNoUnit("%d/%d points")),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			o.mu.Lock()
			defer o.mu.Unlock()
			if o.failed > 0 {
				return fmt.Sprintf(" %d failed", o.failed)
			}
			return ""
		}), decor.Elapsed(decor.ET_STYLE_GO, decor.WC{W: 8})))
	return o
}

func (o *mpbObserver) Start(p study.Point) {
	b := o.p.New(0, mpb.SpinnerStyle(), mpb.BarRemoveOnComplete(),
		mpb.PrependDecorators(decor.Name("  "+p.Name+" ")),
		mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_GO)))
	o.mu.Lock()
	o.bars[p.Index] = b
	o.mu.Unlock()
}

func (o *mpbObserver) Finish(p study.Point, st study.State) {
	o.mu.Lock()
	b := o.bars[p.Index]
	delete(o.bars, p.Index)
	if st.Status == study.Failed {
		o.failed++
	}
	o.mu.Unlock()
	if b != nil {
		b.SetTotal(1, true)
	}
	o.total.Increment()
}

func (o *mpbObserver) wait() {
	o.mu.Lock()
	for _, b := range o.bars {
		b.Abort(true)
	}
	o.mu.Unlock()
	if !o.total.Completed() {
		o.total.Abort(false)
	}
	o.p.Wait()
}
