package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
)

func TestRunWritesEveryPromisedFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	var so, se bytes.Buffer
	code := run([]string{"run", "force-sine", "--set", "n=200", "--set", "duration_s=2", "--set", "train_start_s=0.2",
		"--set", "train_stop_s=0.8", "--seed", "2", "--out", out, "--threads", "1"}, &so, &se)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	for _, f := range []string{"config.yaml", "metrics.json", "recordings.npz", "summary.png", "readout_test.png"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	m, err := runio.ReadMetrics(filepath.Join(out, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"train_rmse", "test_rmse", "test_rmse_phase_aligned", "rate_hz", "wall_seconds", "sim_seconds_per_wall_second"} {
		if _, ok := m[k]; !ok {
			t.Errorf("metrics.json lacks %s", k)
		}
	}
	rec, err := runio.ReadNPZ(filepath.Join(out, "recordings.npz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"t", "z", "target", "spike_t", "spike_i", "decoders", "decoder_t"} {
		if _, ok := rec[k]; !ok {
			t.Errorf("recordings.npz lacks %s", k)
		}
	}
	cfg, _ := os.ReadFile(filepath.Join(out, "config.yaml"))
	if !strings.Contains(string(cfg), "seed: 2") || !strings.Contains(string(cfg), "\"n\": 200") {
		t.Errorf("config.yaml is not the resolved config:\n%s", cfg)
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "nope"}, "unknown experiment"},
		{[]string{"run", "force-sine", "--set", "bogus=1"}, `unknown key "bogus"`},
		{[]string{"run", "force-sine", "--set", "n=x"}, "not an integer"},
		{[]string{"run", "force-sine", "--seed", "abc"}, "--seed"},
		{[]string{"run", "force-sine", "--set", "dt_ms=-1"}, "dt_ms"},
		{[]string{"run", "force-sine", "--config", "/no/such.yaml"}, "no such file"},
		{[]string{"frobnicate"}, "unknown command"},
	} {
		var so, se bytes.Buffer
		if code := run(tc.args, &so, &se); code != 2 {
			t.Errorf("%v: exit %d, want 2", tc.args, code)
		}
		if !strings.Contains(se.String(), tc.want) {
			t.Errorf("%v: stderr %q lacks %q", tc.args, se.String(), tc.want)
		}
	}
}

func TestListAndConfig(t *testing.T) {
	var so, se bytes.Buffer
	if run([]string{"list"}, &so, &se) != 0 || !strings.Contains(so.String(), "force-sine") {
		t.Fatalf("list: %s %s", so.String(), se.String())
	}
	so.Reset()
	if run([]string{"config", "force-sine"}, &so, &se) != 0 || !strings.Contains(so.String(), "alpha: 5e-06") {
		t.Fatalf("config: %s", so.String())
	}
	// A config with key notes prints them as comments, and the output
	// still reads back as a config.
	so.Reset()
	if run([]string{"config", "olfaction-stdp"}, &so, &se) != 0 || !strings.Contains(so.String(), "# model stdp: stdp.rule") {
		t.Fatalf("config olfaction-stdp: %s", so.String())
	}
	e, _ := experiment.Lookup("olfaction-stdp")
	c := e.Defaults()
	if err := experiment.Decode(c, so.Bytes()); err != nil {
		t.Fatalf("config olfaction-stdp does not read back: %v", err)
	}
}

func TestRunLifecycleInTheCLI(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	small := []string{"run", "force-sine", "--set", "n=100", "--set", "duration_s=0.5", "--set", "train_start_s=0.1",
		"--set", "train_stop_s=0.3", "--out", out, "--threads", "1", "--quiet"}
	var so, se bytes.Buffer
	if code := run(small, &so, &se); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	ri, err := experiment.ReadRunInfo(out)
	if err != nil || ri.Status != experiment.StatusFinished || ri.Experiment != "force-sine" || ri.Commit == "" ||
		ri.Threads != 1 || !strings.Contains(strings.Join(ri.Command, " "), "--set n=100") {
		t.Fatalf("run.json: %+v %v", ri, err)
	}
	// The same folder again: refused (exit 2), untouched.
	se.Reset()
	if code := run(small, &so, &se); code != 2 || !strings.Contains(se.String(), "already holds a run") {
		t.Fatalf("rerun into the folder: exit %d: %s", code, se.String())
	}
	if ri2, _ := experiment.ReadRunInfo(out); ri2.Start != ri.Start {
		t.Fatal("the refused run touched run.json")
	}
	// --force replaces it.
	se.Reset()
	if code := run(append(small, "--force"), &so, &se); code != 0 {
		t.Fatalf("--force: exit %d: %s", code, se.String())
	}
	// A config refused before the folder exists: no folder.
	for _, args := range [][]string{
		{"run", "force-sine", "--set", "dt_ms=-1"},
		{"run", "force-sine", "--max-memory", "lots"},
	} {
		fresh := filepath.Join(t.TempDir(), "never")
		se.Reset()
		if code := run(append(args, "--out", fresh), &so, &se); code != 2 {
			t.Errorf("%v: exit %d: %s", args, code, se.String())
		}
		if _, err := os.Stat(fresh); err == nil {
			t.Errorf("%v: run folder created", args)
		}
	}
}

func TestInterruptMarksTheRunAndSaysHowToGoOn(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupt"))
	var so, se bytes.Buffer
	code := runCmdCtx(ctx, []string{"force-sine", "--set", "n=100", "--set", "duration_s=0.5", "--set", "train_start_s=0.1",
		"--set", "train_stop_s=0.3", "--out", out, "--threads", "1"}, &so, &se)
	if code != 130 || !strings.Contains(se.String(), "marked interrupted") || !strings.Contains(se.String(), "--force") {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	ri, err := experiment.ReadRunInfo(out)
	if err != nil || ri.Status != experiment.StatusInterrupted || ri.Resume == "" {
		t.Fatalf("run.json: %+v %v", ri, err)
	}
}

// TestMain lets the test binary act as spikelab for the subprocess tests
// (the run, kill and sweep tests set one of these variables).
func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" || os.Getenv(asCLI) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestOversizedRunsStaySmall runs the oversized command lines as
// subprocesses: each exits 2 with a message, before any folder is made,
// with a peak RSS under 100 MB (where the OS reports it).
func TestOversizedRunsStaySmall(t *testing.T) {
	for _, args := range [][]string{
		{"force-sine", "--set", "n=1000000000"},
		{"force-sine", "--set", "n=200000", "--max-memory", "8GB"},
		{"force-sine", "--set", "duration_s=1e12"},
		{"cuba", "--set", "n_exc=1000000000"},
		{"shifting-mnist", "--set", "hidden=1000000000"},
		{"ltts-trajectory", "--set", "net.n=1000000", "--max-memory", "8GB"},
		{"olfaction-ann", "--set", "data.n_train=1000000000", "--max-memory", "8GB"},
		{"maes-replay", "--set", "duration_s=1e12"},
	} {
		out := filepath.Join(t.TempDir(), "run")
		cmd := exec.Command(os.Args[0], append(append([]string{"run"}, args...), "--out", out)...)
		cmd.Env = append(os.Environ(), "SPIKELAB_TEST_AS_MAIN=1")
		var se bytes.Buffer
		cmd.Stderr = &se
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(se.String(), "needs") || strings.Contains(se.String(), "panic") {
			t.Errorf("%v: %v: %s", args, err, se.String())
			continue
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: run folder created", args)
		}
		if rss := peakRSS(cmd.ProcessState); rss > 100e6 {
			t.Errorf("%v: peak RSS %.0f MB", args, rss/1e6)
		}
	}
}

func TestLearntNothingAndDivergenceUnits(t *testing.T) {
	short := []string{"--set", "n=100", "--set", "duration_s=0.6", "--set", "train_start_s=0.1", "--set", "train_stop_s=0.4", "--threads", "1", "--quiet"}
	out := filepath.Join(t.TempDir(), "run")
	var so, se bytes.Buffer
	if code := run(append([]string{"run", "force-sine", "--set", "alpha=1e-30", "--out", out}, short...), &so, &se); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	ri, _ := experiment.ReadRunInfo(out)
	if !strings.Contains(so.String(), `"learnt_nothing": 1`) || !strings.Contains(se.String(), "learnt nothing") ||
		len(ri.Messages) == 0 || !strings.Contains(ri.Messages[0], "target_rms") {
		t.Errorf("alpha=1e-30 not reported: %s %s %+v", so.String(), se.String(), ri.Messages)
	}
	for model, unit := range map[string]string{"force-sine": " s: readout z", "force-izhikevich-sine": " ms: readout z"} {
		se.Reset()
		out := filepath.Join(t.TempDir(), "run")
		code := run(append([]string{"run", model, "--set", "divergence_limit=1e-12", "--out", out}, short...), &so, &se)
		if code != 1 || !strings.Contains(se.String(), "diverged at t = ") || !strings.Contains(se.String(), unit) {
			t.Errorf("%s: exit %d, %s (want %q)", model, code, se.String(), unit)
		}
		if ri, _ := experiment.ReadRunInfo(out); ri.Status != experiment.StatusFailed || !strings.Contains(ri.Error, "diverged") {
			t.Errorf("%s: run.json %+v", model, ri)
		}
	}
}

func TestCLIPolish(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"version"}, 0, "kernels", ""},
		{[]string{"run", "--help"}, 0, "Flags of run:", ""},
		{[]string{"run", "-h"}, 0, "--max-memory", ""},
		{[]string{"help", "run"}, 0, "Flags of run:", ""},
		{[]string{"--help"}, 0, "Usage:", ""},
		{[]string{"run", "force-sin"}, 2, "", "did you mean force-sine?"},
		{[]string{"config", "shiftng-xor"}, 2, "", "did you mean shifting-xor?"},
		{[]string{"rnu"}, 2, "", "did you mean run?"},
		{[]string{"force-sine"}, 2, "", "spikelab run force-sine"},
		{[]string{"run", "force-sine", "--bogus"}, 2, "", "flag provided but not defined: -bogus"},
	} {
		var so, se bytes.Buffer
		code := run(tc.args, &so, &se)
		if code != tc.code || !strings.Contains(so.String(), tc.out) || !strings.Contains(se.String(), tc.err) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, code, so.String(), se.String())
		}
		if strings.Count(se.String(), "flag provided") > 1 {
			t.Errorf("%v: error printed twice: %s", tc.args, se.String())
		}
	}
}

func TestConfigFileErrorsNameTheKey(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		yaml, want string
		code       int
	}{
		{"# only a comment\n", "", 0},
		{"", "", 0},
		{"n: abc\n", `line 1: key n: the text "abc" where an integer is needed`, 2},
		{"lif:\n  tau_m_s: [1, 2]\n", "line 2: key lif.tau_m_s: a list where a number is needed", 2},
		{"lif:\n  bogus: 1\n", "line 2: unknown key lif.bogus", 2},
		{"n: [\n", "line", 2},
	} {
		f := filepath.Join(dir, "c.yaml")
		os.WriteFile(f, []byte(tc.yaml), 0o644)
		args := []string{"run", "force-sine", "--config", f, "--set", "n=100", "--set", "duration_s=0.5", "--set", "train_start_s=0.1",
			"--set", "train_stop_s=0.3", "--out", filepath.Join(t.TempDir(), "r"), "--threads", "1"}
		var so, se bytes.Buffer
		if code := run(args, &so, &se); code != tc.code || !strings.Contains(se.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q, want %q", tc.yaml, code, se.String(), tc.want)
		}
	}
}
