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
	"syscall"
	"time"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
)

// parseDirArgs parses flags around one positional RUN_DIR argument.
func parseDirArgs(fs *flag.FlagSet, args []string, stderr io.Writer) (string, bool) {
	var dir string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return "", false
		}
		if fs.NArg() == 0 {
			break
		}
		if dir != "" {
			fmt.Fprintf(stderr, "spikelab %s: unexpected argument %q (one run folder)\n", fs.Name(), fs.Arg(0))
			return "", false
		}
		dir = fs.Arg(0)
		rest = fs.Args()[1:]
	}
	if dir == "" {
		fmt.Fprintf(stderr, "spikelab %s: which run folder?\n", fs.Name())
		return "", false
	}
	return dir, true
}

// configOf rebuilds the config a model or checkpoint file was written with.
func configOf(m *runio.Model) (experiment.Experiment, experiment.Config, error) {
	e, err := experiment.Lookup(m.Header.Experiment)
	if err != nil {
		return e, nil, fmt.Errorf("%s: %w", m.Path, err)
	}
	cfg := e.Defaults()
	if err := experiment.Decode(cfg, []byte(m.Header.Config)); err != nil {
		return e, nil, fmt.Errorf("%s: its config does not load in this version: %w", m.Path, err)
	}
	return e, cfg, nil
}

func evalCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sets multi
	out := fs.String("out", "", "folder for the evaluation (default RUN_DIR/eval-<timestamp>)")
	modelFile := fs.String("model", "", "model file (default RUN_DIR/model.npz)")
	threads := fs.Int("threads", runtime.NumCPU(), "worker threads")
	maxMem := fs.String("max-memory", "", "memory limit (default 80% of available memory)")
	fs.Var(&sets, "set", "KEY=VALUE override")
	runDir, ok := parseDirArgs(fs, args, stderr)
	if !ok {
		return 2
	}
	limit, err := experiment.MemoryLimit(*maxMem)
	if err != nil {
		fmt.Fprintln(stderr, "spikelab: --max-memory:", err)
		return 2
	}
	if *modelFile == "" {
		*modelFile = filepath.Join(runDir, experiment.ModelFile)
	}
	m, err := runio.ReadModel(*modelFile, "")
	if err != nil {
		if _, e2 := os.Stat(filepath.Join(runDir, experiment.CheckpointFile)); e2 == nil && errors.Is(err, os.ErrNotExist) {
			err = fmt.Errorf("%w (the run did not finish: spikelab resume %s, or --model %s)", err, runDir, filepath.Join(runDir, experiment.CheckpointFile))
		}
		fmt.Fprintln(stderr, "spikelab:", err)
		return 1
	}
	e, cfg, err := configOf(m)
	if err != nil {
		fmt.Fprintln(stderr, "spikelab:", err)
		return 1
	}
	ev, ok := cfg.(experiment.Evaluator)
	if !ok {
		fmt.Fprintf(stderr, "spikelab: %s has no separate test phase to evaluate\n", e.Name)
		return 2
	}
	for _, s := range sets {
		if err := experiment.Set(cfg, s); err != nil {
			fmt.Fprintln(stderr, "spikelab:", err)
			return 2
		}
	}
	// As for a run: the config, its memory estimate against the limit
	// (before the network is built) and its data files.
	if err := experiment.Check(cfg, limit); err != nil {
		fmt.Fprintln(stderr, "spikelab:", err)
		return 2
	}
	if *threads < 1 {
		fmt.Fprintln(stderr, "spikelab: --threads must be at least 1")
		return 2
	}
	defer experiment.SetSoftMemoryLimit(limit)()
	if *out == "" {
		*out = filepath.Join(runDir, "eval-"+time.Now().Format("20060102-150405.000"))
	}
	for _, f := range []string{experiment.RunInfoFile, "metrics.json"} {
		if _, err := os.Stat(filepath.Join(*out, f)); err == nil {
			fmt.Fprintf(stderr, "spikelab: %s already holds a run or an evaluation (%s): choose another --out\n", *out, f)
			return 2
		}
	}
	dir, err := runio.Create(*out, e.Name)
	if err == nil {
		var yml []byte
		if yml, err = experiment.Marshal(cfg); err == nil {
			err = dir.WriteFile("config.yaml", append([]byte("# spikelab eval "+e.Name+" of "+m.Path+": resolved config\n"), yml...))
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "spikelab:", err)
		return 1
	}
	// run.json as a run's: provenance, status, time and memory of the eval.
	ri := experiment.NewRunInfo(e.Name, cfg, *threads, append([]string{"spikelab", "eval"}, args...))
	ri.Model = m.Path
	end := func(status string, err error) int {
		ri.EndWith(status, err)
		if werr := experiment.WriteRunInfo(dir.Path, ri); werr != nil && err == nil {
			err = werr
		}
		if err != nil {
			fmt.Fprintln(stderr, "spikelab:", err)
			if status == experiment.StatusInterrupted {
				return 130
			}
			return 1
		}
		return 0
	}
	if err := experiment.WriteRunInfo(dir.Path, ri); err != nil {
		fmt.Fprintln(stderr, "spikelab:", err)
		return 1
	}
	env := &experiment.Env{Out: dir, Threads: *threads, Log: stderr, Name: e.Name}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(stderr, "spikelab: evaluating %s (%s) into %s\n", m.Path, e.Name, dir.Path)
	metrics, err := ev.Eval(ctx, env, m)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return end(experiment.StatusInterrupted, err)
		}
		return end(experiment.StatusFailed, err)
	}
	if err := dir.WriteMetrics(metrics); err != nil {
		return end(experiment.StatusFailed, err)
	}
	if rc := end(experiment.StatusFinished, nil); rc != 0 {
		return rc
	}
	b, _ := os.ReadFile(dir.File("metrics.json"))
	stdout.Write(b)
	return 0
}

func resumeCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("resume", flag.ContinueOnError)
	fs.SetOutput(stderr)
	threads := fs.Int("threads", runtime.NumCPU(), "worker threads")
	quiet := fs.Bool("quiet", false, "no progress bar")
	runDir, ok := parseDirArgs(fs, args, stderr)
	if !ok {
		return 2
	}
	ck := filepath.Join(runDir, experiment.CheckpointFile)
	m, err := runio.ReadModel(ck, "")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if _, e2 := os.Stat(filepath.Join(runDir, "metrics.json")); e2 == nil {
				err = fmt.Errorf("%s has finished (metrics.json is there, no checkpoint): nothing to resume", runDir)
			} else {
				err = fmt.Errorf("%s has no checkpoint to resume from (it stopped before its first one, or its experiment does not checkpoint)", runDir)
			}
		}
		fmt.Fprintln(stderr, "spikelab:", err)
		return 1
	}
	e, cfg, err := configOf(m)
	if err != nil {
		fmt.Fprintln(stderr, "spikelab:", err)
		return 1
	}
	// The folder's config.yaml is the run's protocol; it must agree with the checkpoint.
	if err := experiment.LoadFile(cfg, filepath.Join(runDir, "config.yaml")); err != nil {
		fmt.Fprintln(stderr, "spikelab:", err)
		return 1
	}
	if r, ok := cfg.(experiment.Resumer); !ok || !r.Resumable() {
		fmt.Fprintf(stderr, "spikelab: %s does not resume\n", e.Name)
		return 2
	}
	if *threads < 1 {
		fmt.Fprintln(stderr, "spikelab: --threads must be at least 1")
		return 2
	}
	fmt.Fprintf(stderr, "spikelab: resuming %s after %s %g\n", e.Name, m.Header.ProgressUnit, m.Header.Progress)
	opts := experiment.ExecOptions{Out: runDir, Threads: *threads, MaxMemory: experiment.DefaultMemoryLimit(),
		Command: append([]string{"spikelab", "resume"}, args...), Resume: ck}
	return launch(context.Background(), e.Name, cfg, opts, *quiet, "", stdout, stderr)
}
