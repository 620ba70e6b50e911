// Command spikelab lists and runs the spikelab experiments.
//
//	spikelab list
//	spikelab config NAME
//	spikelab run NAME [--config f.yaml] [--set key=value ...] [--seed N] [--out DIR] [--threads N]
//	spikelab sweep SPEC.yaml [--jobs N | --slurm | --index I]; spikelab sweep status|collect OUT
//	spikelab eval RUN_DIR [--set key=value ...] [--out DIR] [--model FILE] [--threads N] [--max-memory SIZE]
//	spikelab resume RUN_DIR [--threads N]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/spikelab/spikelab/experiment"
	_ "github.com/spikelab/spikelab/systems/all"
	"github.com/spikelab/spikelab/vec"
)

const usage = `spikelab: spiking networks trained with biologically plausible rules.

Usage:
  spikelab list                      the experiments, one line each
  spikelab config NAME               the default config of NAME as YAML
  spikelab run NAME [flags]          run an experiment into a run folder
  spikelab sweep SPEC.yaml [flags]   run a study (grid × seeds) locally or on SLURM; spikelab sweep --help
  spikelab eval RUN_DIR [flags]      test a run's saved model (model.npz) again: metrics and figures
                                     into RUN_DIR/eval-<timestamp>/ (--out DIR); --set changes keys
                                     (e.g. the test data), --model FILE another model file,
                                     --max-memory SIZE as for run
  spikelab resume RUN_DIR            continue a stopped or killed run from its checkpoint.npz, in place
  spikelab version                   version, VCS commit, Go version, CPU kernels
  spikelab help [run]                this text

Flags of run:
  --config FILE      YAML file overriding the defaults (keys as in 'spikelab config NAME')
  --set KEY=VALUE    override one key (dotted for sections: lif.tau_m_s=0.02); repeatable
  --seed N           seed of every random stream (same seed, same result)
  --out DIR          run folder (default runs/NAME-<timestamp>); an existing run is not replaced
  --force            replace the run in an existing --out folder
  --max-memory SIZE  refuse configs that need more (e.g. 16GB, 0 = no limit; default 80% of available)
  --threads N        worker threads for the hot loops (default: all cores)
  --quiet            no progress bar
  --cpuprofile FILE  write a CPU profile of the run (go tool pprof)
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "list":
		for _, e := range experiment.All() {
			fmt.Fprintf(stdout, "%-24s %s\n", e.Name, e.Description)
		}
		return 0
	case "config":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "usage: spikelab config NAME")
			return 2
		}
		e, err := experiment.Lookup(args[1])
		if err != nil {
			fmt.Fprintln(stderr, "spikelab:", err)
			return 2
		}
		cfg := e.Defaults()
		b, err := experiment.Marshal(cfg)
		if err != nil {
			fmt.Fprintln(stderr, "spikelab:", err)
			return 1
		}
		if kn, ok := cfg.(experiment.KeyNotes); ok && kn.KeyNotes() != "" {
			for _, l := range strings.Split(strings.TrimRight(kn.KeyNotes(), "\n"), "\n") {
				fmt.Fprintln(stdout, strings.TrimRight("# "+l, " "))
			}
		}
		stdout.Write(b)
		return 0
	case "run":
		return runCmd(args[1:], stdout, stderr)
	case "sweep":
		return sweepCmd(args[1:], stdout, stderr)
	case "eval":
		return evalCmd(args[1:], stdout, stderr)
	case "resume":
		return resumeCmd(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		printVersion(stdout)
		return 0
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	hint := ""
	if s := experiment.Suggest(args[0], commands); s != "" {
		hint = " (did you mean " + s + "?)"
	} else if _, err := experiment.Lookup(args[0]); err == nil {
		hint = " (to run it: spikelab run " + args[0] + ")"
	}
	fmt.Fprintf(stderr, "spikelab: unknown command %q%s\n\n%s", args[0], hint, usage)
	return 2
}

var commands = []string{"list", "config", "run", "sweep", "eval", "resume", "version", "help"}

// printVersion writes the module version, VCS commit, Go version and the
// arithmetic kernels this build selects on this CPU.
func printVersion(w io.Writer) {
	version, commit, modified, goVersion := experiment.BuildInfo()
	if modified {
		commit += " (modified work tree)"
	}
	fmt.Fprintf(w, "spikelab %s\ncommit   %s\ngo       %s %s/%s\nkernels  %s\ncpu      %s, %d logical CPUs\n",
		version, commit, goVersion, runtime.GOOS, runtime.GOARCH, vec.Kernels(), experiment.CPUModel(), runtime.NumCPU())
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, " ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func runCmd(args []string, stdout, stderr io.Writer) int {
	return runCmdCtx(context.Background(), args, stdout, stderr)
}

// runCmdCtx is `spikelab run` under parent: SIGINT and SIGTERM cancel the
// run (a second signal kills the process).
func runCmdCtx(parent context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are printed below, help in the style of --help
	fs.Usage = func() {}
	var sets multi
	cfgFile := fs.String("config", "", "YAML config file")
	seed := fs.String("seed", "", "seed")
	out := fs.String("out", "", "run folder")
	force := fs.Bool("force", false, "replace the run in an existing --out folder")
	maxMem := fs.String("max-memory", "", "memory limit (default 80% of available memory)")
	threads := fs.Int("threads", runtime.NumCPU(), "worker threads")
	quiet := fs.Bool("quiet", false, "no progress bar")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile (for go tool pprof) to this file")
	fs.Var(&sets, "set", "KEY=VALUE override")
	var name string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, usage)
				return 0
			}
			fmt.Fprintf(stderr, "spikelab run: %v (spikelab run --help lists the flags)\n", err)
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		if name != "" {
			fmt.Fprintf(stderr, "spikelab run: unexpected argument %q (one experiment per run)\n", fs.Arg(0))
			return 2
		}
		name = fs.Arg(0)
		rest = fs.Args()[1:]
	}
	if name == "" {
		fmt.Fprintln(stderr, "spikelab run: which experiment? (spikelab list)")
		return 2
	}
	e, err := experiment.Lookup(name)
	if err != nil {
		fmt.Fprintln(stderr, "spikelab:", err)
		return 2
	}
	cfg := e.Defaults()
	if *cfgFile != "" {
		if err := experiment.LoadFile(cfg, *cfgFile); err != nil {
			fmt.Fprintln(stderr, "spikelab:", err)
			return 2
		}
	}
	for _, s := range sets {
		if err := experiment.Set(cfg, s); err != nil {
			fmt.Fprintln(stderr, "spikelab:", err)
			return 2
		}
	}
	if *seed != "" {
		sv, err := strconv.ParseUint(*seed, 10, 64)
		if err != nil {
			fmt.Fprintf(stderr, "spikelab: --seed %q: want a non-negative integer\n", *seed)
			return 2
		}
		cfg.SetRunSeed(sv)
	}
	if *threads < 1 {
		fmt.Fprintln(stderr, "spikelab: --threads must be at least 1")
		return 2
	}
	limit, err := experiment.MemoryLimit(*maxMem)
	if err != nil {
		fmt.Fprintln(stderr, "spikelab: --max-memory:", err)
		return 2
	}
	opts := experiment.ExecOptions{Out: *out, Force: *force, Threads: *threads, MaxMemory: limit,
		Command: append([]string{"spikelab", "run"}, args...)}
	if ra, ok := cfg.(experiment.ResumeAlias); ok {
		opts.Resume = ra.TakeResume()
	}
	return launch(parent, name, cfg, opts, *quiet, *cpuprofile, stdout, stderr)
}

// launch executes cfg with opts (Log, Progress and Started filled in here)
// under parent, SIGINT and SIGTERM cancelling the run (a second signal
// kills the process), and prints its metrics.
func launch(parent context.Context, name string, cfg experiment.Config, opts experiment.ExecOptions, quiet bool, cpuprofile string, stdout, stderr io.Writer) int {
	tty := !quiet && isTerminal(stderr)
	// The limit the estimate was checked against is also the runtime's.
	defer experiment.SetSoftMemoryLimit(opts.MaxMemory)()
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		select {
		case sig := <-sigs:
			signal.Stop(sigs) // a second signal kills
			fmt.Fprintf(stderr, "\nspikelab: %v: stopping after the current step (again to kill)\n", sig)
			cancel(fmt.Errorf("%v", sig))
		case <-ctx.Done():
		}
	}()
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(stderr, "spikelab: --cpuprofile:", err)
			return 1
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	opts.Log = stderr
	opts.Progress = func(total int64, label string) experiment.Progress {
		if !tty {
			return experiment.NopProgress{}
		}
		return &bar{progressbar.NewOptions64(total, progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription(name+" "+label), progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())}
	}
	opts.Started = func(dir string) { fmt.Fprintf(stderr, "spikelab: running %s into %s\n", name, dir) }
	res, err := experiment.Execute(ctx, name, cfg, opts)
	if err != nil {
		fmt.Fprintln(stderr, "spikelab:", err)
		switch {
		case errors.Is(err, experiment.ErrRefused):
			return 2
		case res.Info.Status == experiment.StatusInterrupted:
			fmt.Fprintf(stderr, "spikelab: run folder %s marked interrupted; to go on:\n  %s\n", res.Dir, res.Info.Resume)
			return 130
		}
		if res.Dir != "" {
			fmt.Fprintf(stderr, "spikelab: run folder %s marked failed\n", res.Dir)
		}
		return 1
	}
	b, _ := os.ReadFile(filepath.Join(res.Dir, "metrics.json"))
	stdout.Write(b)
	fmt.Fprintf(stderr, "spikelab: wrote %s\n", res.Dir)
	return 0
}

type bar struct{ b *progressbar.ProgressBar }

func (p *bar) Set(n int64) { p.b.Set64(n) }
func (p *bar) Finish()     { p.b.Finish() }

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
