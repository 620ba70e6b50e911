package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/spikelab/spikelab/internal/testgen"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
)

// asMainEnv makes the test binary act as spikelab (TestMain in
// main_test.go), for the kill tests, which run the CLI as a subprocess.
const asMainEnv = "SPIKELAB_TEST_AS_MAIN"

// killCase is one experiment's short configuration for the kill test:
// at least 4 checkpoints, and the recordings that hold timings (left out
// of the byte comparison).
type killCase struct {
	name      string
	sets      []string
	timingRec []string // recordings.npz arrays that hold timings
	data      func(t *testing.T) []string
	noEval    bool // the experiment has no eval
}

func killCases() []killCase {
	return []killCase{
		{name: "shifting-mnist", sets: []string{"hidden=20", "epochs=5", "batch_size=16", "lr_start=0.01", "lr_end=0.001", "checkpoint_every_epochs=1"},
			timingRec: []string{"epoch_seconds"}, data: func(t *testing.T) []string {
				d := t.TempDir()
				writeIDX(t, d, 200, 60)
				return []string{"data_dir=" + d}
			}},
		{name: "ltts-trajectory", sets: []string{"net.n=80", "t_steps=100", "epochs=10", "checkpoint_every_epochs=2"}},
		{name: "ltts-walking", sets: []string{"net.n=100", "train_bins=60", "total_bins=120", "loop_start=0", "loop_end=30",
			"epochs=10", "eval_every=5", "sigma_teach=5", "asf=w.asf", "amc=w.amc", "checkpoint_every_epochs=2"}, data: walkData},
		{name: "ltts-xor", sets: []string{"net.n=100", "epochs=10", "eval_every=5", "off=5", "off_t=5", "checkpoint_every_epochs=2"}},
		// FORCE: checkpoints 1, 2 before the end of training (1.2 s), 3
		// after it; the LIF sine runs the fused step, the noisy Izhikevich
		// sine the serial one with a target noise generator.
		{name: "force-sine", sets: []string{"n=300", "duration_s=3", "train_start_s=0.5", "train_stop_s=1.2", "checkpoint_every_s=0.5"}},
		// P in float16: the checkpoint's rls_p is NumPy float16, with rls_p_diag and rls_p_scale.
		{name: "force-sine", sets: []string{"n=300", "duration_s=3", "train_start_s=0.5", "train_stop_s=1.2", "checkpoint_every_s=0.5", "rls_storage=float16"}},
		// 250 updates kept factored: the checkpoint at 1 s holds 200 of
		// them (P still alpha·I), the one at 1.5 s a formed P.
		{name: "force-sine", sets: []string{"n=300", "duration_s=3", "train_start_s=0.5", "train_stop_s=1.2", "checkpoint_every_s=0.5", "rls_factored_updates=250"}},
		{name: "force-izhikevich-sine", sets: []string{"n=200", "duration_s=2.5", "train_start_s=0.3", "train_stop_s=1.2", "checkpoint_every_s=0.5",
			"target.noise_std=0.05"}},
		// force-classify: its own input and schedule (generated points);
		// checkpoints 1, 2 in training (to 2 s), 3 after it.
		{name: "force-classify", sets: []string{"n=200", "duration_s=3", "train_start_s=0.3", "train_stop_s=2", "data=generated",
			"checkpoint_every_s=0.7"}},
		// force-panel: the default preset (LIF, 3 s: training 0.25–1.5 s)
		// and one with the scripts' uniform target noise (Izhikevich,
		// training 0.75–1.5 s): checkpoints 0.7, 1.4 and 2.1 s.
		{name: "force-panel", sets: []string{"n=300", "duration_scale=0.05", "checkpoint_every_s=0.7"}},
		{name: "force-panel", sets: []string{"preset=izh20-prodsine-noise", "n=300", "duration_scale=0.15", "checkpoint_every_s=0.7"}},
		// olfaction: the hybrid with its comparisons (checkpoints after
		// hybrid epoch 1, after the hybrid, after control epoch 1, …) and
		// the ANN alone.
		{name: "olfaction-stdp", sets: append([]string{"compare=true", "snn.epochs=2", "ann.epochs=2"}, olfSmall...)},
		// The KC homeostat with state of its own (adaptive thresholds) and
		// the competitive rule, alone.
		{name: "olfaction-stdp", sets: append([]string{"compare=false", "snn.epochs=4", "stdp.rule=competitive", "homeostasis.kind=threshold"}, olfSmall...)},
		{name: "olfaction-ann", sets: append([]string{"ann.epochs=5"}, olfSmall...)},
		// maes-readout: checkpoints at 0.7 and 1.4 s of training, 2.1 s
		// (in the test, before the deletion at 2.5 s) and 2.8 s.
		{name: "maes-readout", sets: []string{"train_s=2", "switch_s=1", "test_s=1", "delete_at_s=0.5", "checkpoint_every_s=0.7",
			"network.n_exc=240", "network.n_inh=60", "network.clusters=6"}},
		{name: "maes-train", sets: []string{"network.n_exc=60", "network.n_inh=15", "network.clusters=4", "block_s=0.1",
			"train_min=0.005", "spont_min=0.0033333333333333335", "replay_s=0.1"}},
	}
}

// olfSmall is a small olfaction configuration (epochs set by each test).
var olfSmall = []string{"data.n_or=10", "data.n_class=4", "data.n_train=320", "data.n_val=200",
	"snn.orn_tiling=4", "snn.n_pn=30", "snn.n_kc=60", "snn.steps=20", "snn.burn_in=5", "snn.batch=16",
	"ann.orn_tiling=4", "ann.n_pn=30", "ann.n_kc=60", "raster_samples=2"}

// TestKillAndResume: for each family the CLI runs as a subprocess that
// kills itself (SIGKILL) right after checkpoint 1, 2 or 3; every file left
// in the folder is whole; spikelab resume then ends with the metrics
// (timings aside), model.npz bytes and recordings of an uninterrupted run.
// The uninterrupted run's model also evaluates to its test metrics.
func TestKillAndResume(t *testing.T) {
	for _, kc := range killCases() {
		t.Run(kc.name, func(t *testing.T) {
			sets := kc.sets
			if kc.data != nil {
				sets = append(append([]string(nil), sets...), kc.data(t)...)
			}
			args := []string{"run", kc.name, "--threads", "1", "--quiet"}
			for _, s := range sets {
				args = append(args, "--set", s)
			}
			ref := filepath.Join(t.TempDir(), "ref")
			var so, se bytes.Buffer
			if code := run(append(args, "--out", ref), &so, &se); code != 0 {
				t.Fatalf("uninterrupted run: exit %d: %s", code, se.String())
			}
			refM, err := runio.ReadMetrics(filepath.Join(ref, "metrics.json"))
			if err != nil {
				t.Fatal(err)
			}
			// eval of the saved model gives the run's test metrics.
			if !kc.noEval {
				ev := filepath.Join(t.TempDir(), "eval")
				se.Reset()
				if code := run([]string{"eval", ref, "--out", ev, "--threads", "1"}, &so, &se); code != 0 {
					t.Fatalf("eval: exit %d: %s", code, se.String())
				}
				evM, err := runio.ReadMetrics(filepath.Join(ev, "metrics.json"))
				if err != nil {
					t.Fatal(err)
				}
				for k, v := range evM {
					if rv, ok := refM[k]; ok && rv != v && !timing(k) {
						t.Errorf("eval %s = %v, run %v", k, v, rv)
					}
				}
			}
			for k := 1; k <= 3; k++ {
				dir := filepath.Join(t.TempDir(), fmt.Sprintf("kill%d", k))
				cmd := exec.Command(os.Args[0], append(args, "--out", dir)...)
				cmd.Env = append(os.Environ(), asMainEnv+"=1", fmt.Sprintf("%s=%d", experiment.KillAfterEnv, k))
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				err := cmd.Run()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
					t.Fatalf("kill after checkpoint %d: want death by SIGKILL, got %v: %s", k, err, stderr.String())
				}
				checkWhole(t, dir)
				ck, err := runio.ReadModel(filepath.Join(dir, experiment.CheckpointFile), kc.name)
				if err != nil {
					t.Fatal(err)
				}
				se.Reset()
				if code := run([]string{"resume", dir, "--threads", "1", "--quiet"}, &so, &se); code != 0 {
					t.Fatalf("resume after checkpoint %d (%s %g): exit %d: %s", k, ck.Header.ProgressUnit, ck.Header.Progress, code, se.String())
				}
				m, err := runio.ReadMetrics(filepath.Join(dir, "metrics.json"))
				if err != nil {
					t.Fatal(err)
				}
				for name, v := range refM {
					if !timing(name) && m[name] != v {
						t.Errorf("killed after checkpoint %d: %s = %v, uninterrupted %v", k, name, m[name], v)
					}
				}
				a, _ := os.ReadFile(filepath.Join(ref, experiment.ModelFile))
				b, _ := os.ReadFile(filepath.Join(dir, experiment.ModelFile))
				if len(a) == 0 || !bytes.Equal(a, b) {
					t.Errorf("killed after checkpoint %d: model.npz differs from the uninterrupted run's", k)
				}
				sameRecordings(t, filepath.Join(ref, "recordings.npz"), filepath.Join(dir, "recordings.npz"), kc.timingRec)
				if _, err := os.Stat(filepath.Join(dir, experiment.CheckpointFile)); !os.IsNotExist(err) {
					t.Errorf("checkpoint left after the resumed run finished")
				}
				ri, err := experiment.ReadRunInfo(dir)
				if err != nil || ri.Status != experiment.StatusFinished {
					t.Errorf("run.json after resume: %+v %v", ri.Status, err)
				}
			}
		})
	}
}

// timing reports whether a metric measures time or speed.
func timing(name string) bool {
	for _, s := range []string{"seconds", "per_second", "per_wall", "per_cpu", "_wall", "_cpu"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// checkWhole checks that no file of a killed run is half-written: every
// .npz decodes and every .json parses; temporary files may remain.
func checkWhole(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if runio.IsTemp(e.Name()) {
			continue
		}
		switch filepath.Ext(e.Name()) {
		case ".npz":
			if _, err := runio.ReadNPZ(p); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		case ".json":
			b, _ := os.ReadFile(p)
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
	}
}

// sameRecordings compares two recordings.npz array by array (skipping the
// timing arrays).
func sameRecordings(t *testing.T, a, b string, skip []string) {
	t.Helper()
	ra, err := runio.ReadNPZ(a)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := runio.ReadNPZ(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(ra) != len(rb) {
		t.Errorf("recordings: %d arrays vs %d", len(ra), len(rb))
	}
next:
	for name, x := range ra {
		for _, s := range skip {
			if s == name {
				continue next
			}
		}
		var bx, by bytes.Buffer
		runio.WriteNPY(&bx, x)
		runio.WriteNPY(&by, rb[name])
		if !bytes.Equal(bx.Bytes(), by.Bytes()) {
			t.Errorf("recordings array %s differs from the uninterrupted run's", name)
		}
	}
}

// walkData writes a synthetic two-bone gait (testgen.WriteGait) and returns its data_dir.
func walkData(t *testing.T) []string {
	dir := t.TempDir()
	if err := testgen.WriteGait(dir); err != nil {
		t.Fatal(err)
	}
	return []string{"data_dir=" + dir}
}

// writeIDX writes a small synthetic MNIST-format data set into dir
// (testgen.WriteIDX, no speckle).
func writeIDX(t *testing.T, dir string, nTrain, nTest int) {
	t.Helper()
	if err := testgen.WriteIDX(dir, nTrain, nTest, false); err != nil {
		t.Fatal(err)
	}
}

// TestEvalEqualsRun: for experiments without checkpoints, eval of the
// saved model gives the run's test metrics; olfaction eval with another
// data.seed tests on new odors.
func TestEvalEqualsRun(t *testing.T) {
	olf := []string{"data.n_or=10", "data.n_class=4", "data.n_train=320", "data.n_val=200",
		"snn.orn_tiling=4", "snn.n_pn=30", "snn.n_kc=60", "snn.steps=20", "snn.burn_in=5", "snn.batch=16", "snn.epochs=1",
		"ann.orn_tiling=4", "ann.n_pn=30", "ann.n_kc=60", "ann.epochs=2", "raster_samples=2"}
	for _, c := range []struct {
		name string
		sets []string
		keys []string
	}{
		{"olfaction-ann", olf, []string{"val_accuracy", "kc_active_fraction", "majority_accuracy"}},
		{"olfaction-decolle", olf, []string{"val_accuracy", "kc_active_fraction", "kc_spike_rate"}},
		{"olfaction-stdp", append([]string{"compare=false"}, olf...), []string{"val_accuracy", "kc_active_fraction", "kc_spike_rate"}},
		// every rule and every homeostat with state (thresholds, the feedback gain)
		{"olfaction-stdp", append([]string{"compare=false", "homeostasis.kind=threshold"}, olf...), []string{"val_accuracy", "kc_spike_rate"}},
		{"olfaction-stdp", append([]string{"compare=false", "homeostasis.kind=apl", "stdp.rule=competitive"}, olf...), []string{"val_accuracy", "kc_spike_rate"}},
		{"olfaction-stdp", append([]string{"compare=false", "stdp.rule=original"}, olf...), []string{"val_accuracy", "kc_spike_rate"}},
		{"olfaction-stdp", append([]string{"compare=false", "stdp.rule=pairing"}, olf...), []string{"val_accuracy", "kc_spike_rate"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"run", c.name, "--threads", "1", "--quiet"}
			for _, s := range c.sets {
				args = append(args, "--set", s)
			}
			ref := filepath.Join(t.TempDir(), "ref")
			var so, se bytes.Buffer
			if code := run(append(args, "--out", ref), &so, &se); code != 0 {
				t.Fatalf("run: exit %d: %s", code, se.String())
			}
			refM, _ := runio.ReadMetrics(filepath.Join(ref, "metrics.json"))
			ev := filepath.Join(t.TempDir(), "eval")
			if code := run([]string{"eval", ref, "--out", ev, "--threads", "2"}, &so, &se); code != 0 {
				t.Fatalf("eval: exit %d: %s", code, se.String())
			}
			evM, _ := runio.ReadMetrics(filepath.Join(ev, "metrics.json"))
			if ri, err := experiment.ReadRunInfo(ev); err != nil || ri.Status != experiment.StatusFinished ||
				ri.Model != filepath.Join(ref, "model.npz") || ri.Experiment != c.name || ri.Threads != 2 || ri.End == nil {
				t.Errorf("eval run.json: %+v, %v", ri, err)
			}
			se.Reset()
			if code := run([]string{"eval", ref, "--out", ref}, &so, &se); code != 2 || !strings.Contains(se.String(), "already holds a run") {
				t.Errorf("eval into the run's own folder: exit %d: %s", code, se.String())
			}
			se.Reset()
			small := filepath.Join(t.TempDir(), "small")
			if code := run([]string{"eval", ref, "--out", small, "--max-memory", "1kB"}, &so, &se); code != 2 ||
				!strings.Contains(se.String(), "the limit is 1") {
				t.Errorf("eval over --max-memory: exit %d: %s", code, se.String())
			}
			if _, err := os.Stat(small); !os.IsNotExist(err) {
				t.Errorf("a refused eval left %s behind (%v)", small, err)
			}
			for _, k := range c.keys {
				if evM[k] != refM[k] {
					t.Errorf("eval %s = %v, run %v", k, evM[k], refM[k])
				}
			}
			// init_from: the saved network continues training (the data order
			// and the learning-rate schedule start again); another size is refused.
			cont := filepath.Join(t.TempDir(), "cont")
			if code := run(append(args, "--out", cont, "--set", "init_from="+filepath.Join(ref, "model.npz")), &so, &se); code != 0 {
				t.Fatalf("init_from: exit %d: %s", code, se.String())
			}
			se.Reset()
			bad := append(append([]string(nil), args...), "--out", filepath.Join(t.TempDir(), "bad"), "--set", "init_from="+filepath.Join(ref, "model.npz"),
				"--set", "snn.n_kc=70", "--set", "ann.n_kc=70")
			if code := run(bad, &so, &se); code == 0 || !strings.Contains(se.String(), "another network size") {
				t.Errorf("init_from of another size: exit %d: %s", code, se.String())
			}
			ev2 := filepath.Join(t.TempDir(), "eval2")
			if code := run([]string{"eval", ref, "--out", ev2, "--set", "data.seed=99"}, &so, &se); code != 0 {
				t.Fatalf("eval data.seed=99: exit %d: %s", code, se.String())
			}
			m2, _ := runio.ReadMetrics(filepath.Join(ev2, "metrics.json"))
			if m2["majority_accuracy"] == refM["majority_accuracy"] && m2["val_accuracy"] == refM["val_accuracy"] {
				t.Errorf("data.seed=99 gave the same odors")
			}
		})
	}
	// A run folder without a model: eval says why.
	var so, se bytes.Buffer
	if code := run([]string{"eval", t.TempDir()}, &so, &se); code == 0 || !strings.Contains(se.String(), "model.npz") {
		t.Errorf("eval of an empty folder: exit %d: %s", code, se.String())
	}
}

// TestResumeRefusesBadCheckpoints: a truncated checkpoint and a folder
// whose config.yaml was edited are refused with the file and the
// mismatch named; a finished run has nothing to resume.
func TestResumeRefusesBadCheckpoints(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	args := []string{"run", "ltts-trajectory", "--set", "net.n=60", "--set", "t_steps=50", "--set", "epochs=6",
		"--set", "checkpoint_every_epochs=2", "--threads", "1", "--quiet", "--out", dir}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1", experiment.KillAfterEnv+"=1")
	if err := cmd.Run(); err == nil {
		t.Fatal("run was not killed")
	}
	ck := filepath.Join(dir, experiment.CheckpointFile)
	good, err := os.ReadFile(ck)
	if err != nil {
		t.Fatal(err)
	}
	var so, se bytes.Buffer
	os.WriteFile(ck, good[:len(good)-100], 0o644)
	if code := run([]string{"resume", dir}, &so, &se); code == 0 || !strings.Contains(se.String(), ck) || !strings.Contains(se.String(), "truncated") {
		t.Errorf("truncated checkpoint: exit %d: %s", code, se.String())
	}
	os.WriteFile(ck, good, 0o644)
	cy := filepath.Join(dir, "config.yaml")
	y, _ := os.ReadFile(cy)
	os.WriteFile(cy, bytes.Replace(y, []byte("epochs: 6"), []byte("epochs: 8"), 1), 0o644)
	se.Reset()
	if code := run([]string{"resume", dir}, &so, &se); code == 0 || !strings.Contains(se.String(), "epochs is 8 here but 6 in the checkpoint") {
		t.Errorf("edited config.yaml: exit %d: %s", code, se.String())
	}
	os.WriteFile(cy, y, 0o644)
	se.Reset()
	if code := run([]string{"resume", dir, "--quiet"}, &so, &se); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, se.String())
	}
	se.Reset()
	if code := run([]string{"resume", dir}, &so, &se); code == 0 || !strings.Contains(se.String(), "nothing to resume") {
		t.Errorf("finished run: exit %d: %s", code, se.String())
	}
}
