package maes

import (
	"bytes"
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"

	"github.com/spikelab/spikelab/sim"
)

func TestAnalyseReplaySynthetic(t *testing.T) {
	// 4 clusters of 10 neurons; cluster c fires (every neuron, every ms)
	// during [20c, 20c+20) ms of each 80 ms cycle: forward replay only.
	var ts []float64
	var idx []int32
	for cyc := 0; cyc < 4; cyc++ {
		for c := 0; c < 4; c++ {
			for ms := 0; ms < 20; ms++ {
				for i := 0; i < 10; i++ {
					ts = append(ts, float64(cyc*80+c*20+ms)+0.5)
					idx = append(idx, int32(10*c+i))
				}
			}
		}
	}
	st := AnalyseReplay(ts, idx, 4, 10, 0, 320, ReplayParams{WindowMS: 10, StepMS: 1, ActiveHz: 15, MinDwellMS: 3})
	if st.Transitions != 15 || st.Forward != 15 {
		t.Fatalf("transitions %d, forward %d; want 15, 15 (seq %v)", st.Transitions, st.Forward, st.Seq)
	}
	if per, _ := st.Period(); per != 80 {
		t.Fatalf("period %g ms, want 80", per)
	}
}

// TestAnalyseReplayDirection plays a known sequence of dominant clusters
// with forward, backward (including the wrap 0 → K−1) and other transitions
// and checks every count and the forward fraction exactly.
func TestAnalyseReplayDirection(t *testing.T) {
	const k, size, epMS = 5, 10, 20
	seq := []int{0, 1, 2, 3, 4, 0, 4, 3, 4, 0, 1, 3, 2}
	// transitions: F F F F F(4→0) B(0→4) B F F(4→0) F O(1→3) B
	const wantF, wantB, wantO = 8, 3, 1
	var ts []float64
	var idx []int32
	for e, c := range seq {
		for ms := 0; ms < epMS; ms++ {
			for i := 0; i < size; i++ {
				ts = append(ts, float64(e*epMS+ms)+0.5)
				idx = append(idx, int32(size*c+i))
			}
		}
	}
	st := AnalyseReplay(ts, idx, k, size, 0, float64(len(seq)*epMS), ReplayParams{WindowMS: 10, StepMS: 1, ActiveHz: 15, MinDwellMS: 3})
	for q, c := range seq {
		if q >= len(st.Seq) || st.Seq[q] != c {
			t.Fatalf("dominant sequence %v, want %v", st.Seq, seq)
		}
	}
	if st.Transitions != wantF+wantB+wantO || st.Forward != wantF || st.Backward != wantB {
		t.Fatalf("transitions %d forward %d backward %d; want %d, %d, %d", st.Transitions, st.Forward, st.Backward, wantF+wantB+wantO, wantF, wantB)
	}
	if ff := st.ForwardFraction(); math.Abs(ff-float64(wantF)/12) > 1e-15 {
		t.Fatalf("forward fraction %g, want 8/12", ff)
	}
	// Cluster 0 becomes dominant again at episodes 5 and 9 (the first
	// episode is no onset): one interval of 4 episodes.
	if per, sd := st.Period(); per != 4*epMS || sd != 0 || len(st.Onsets) != 2 {
		t.Fatalf("onsets %v, period %g ± %g; want 2 onsets, 80 ± 0 ms", st.Onsets, per, sd)
	}
}

func TestMaesBuildAndDetectClusters(t *testing.T) {
	c := MaesNet()
	c.NE, c.NI, c.Clusters = 120, 30, 6
	m, k, err := maesMatrix(&c, "build", sim.Stream(1, "weights"))
	if err != nil {
		t.Fatal(err)
	}
	if k != 6 || DetectClusters(m, c.NE) != 6 {
		t.Fatalf("clusters %d, detected %d; want 6", k, DetectClusters(m, c.NE))
	}
	b := maesBlockMeans(m, c.NE, k)
	if b.Within != 29 || b.Forward != 10 || b.Backward != 3.5 || math.Abs(b.Other-1.45) > 1e-9 || b.IE != c.BuildIE {
		t.Fatalf("block means %+v", b)
	}
	for j := 0; j < m.NPre; j++ {
		if _, ok := m.At(j, j); ok {
			t.Fatalf("autapse on %d", j)
		}
	}
}

func TestMaesReplayShippedNC160(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "data", "maes")
	if _, err := os.Stat(filepath.Join(dir, "FF60b_2400_nc160.mat")); err != nil {
		t.Skip("shared Maes data not present")
	}
	c := MaesReplay()
	c.Matrix, c.DataDir, c.DurationS = "nc160", dir, 1
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if m["clusters"] != 15 || m["forward_fraction"] < 0.9 || m["rate_e_hz"] < 1.5 || m["rate_e_hz"] > 4 || m["period_ms"] < 300 || m["period_ms"] > 400 {
		t.Fatalf("nc160 replay: %v", m)
	}
}

func tinyMaesTrain() *MaesTrainConfig {
	c := MaesTrain()
	c.Network.NE, c.Network.NI, c.Network.Clusters = 60, 15, 4
	c.BlockS, c.TrainMin, c.SpontMin, c.ReplayS = 0.1, 0.2/60, 0.1/60, 0.1
	return c
}

// TestMaesTrainForwardExceedsBackward runs a short stimulation protocol
// (400 E / 100 I in 4 clusters, the scaled default's weights, 20 s of
// sequential stimulation with the voltage-STDP amplitudes ×20 to compress
// the minutes of the real protocol) and checks that it builds the clock's
// asymmetry: forward block mean ≥ 1.3 × backward (measured 1.47; with the
// unstimulated neurons' external weight +1.6 instead of −0.8 it is 1.01,
// every E→E block but "within" collapsing to w_min), and forward above
// "other" above backward.
func TestMaesTrainForwardExceedsBackward(t *testing.T) {
	c := MaesTrain()
	c.Network.NE, c.Network.NI, c.Network.Clusters = 400, 100, 4
	c.BlockS, c.TrainMin, c.SpontMin, c.ReplayS = 20, 20.0/60, 0, 0.1
	c.Rules.EE.ALTP *= 20
	c.Rules.EE.ALTD *= 20
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	f, b, o := m["w_forward"], m["w_backward"], m["w_other"]
	if !(f >= 1.3*b) || !(f > o && o > b) {
		t.Fatalf("after stimulation: forward %.3f, other %.3f, backward %.3f; want forward ≥ 1.3 × backward and forward > other > backward", f, o, b)
	}
}

// stopCtx reports cancellation once the process has written until checkpoints.
type stopCtx struct {
	context.Context
	until int64
}

func (c *stopCtx) Err() error {
	if experiment.CheckpointsWritten() >= c.until {
		return context.Canceled
	}
	return nil
}

// TestMaesTrainResumeMatchesUninterrupted: a run stopped after its first
// block's checkpoint and resumed (the resume key: into a new folder) ends
// with the uninterrupted run's metrics (totals over the whole run),
// model.npz bytes and recordings; a changed protocol key is refused naming
// the key and both values; eval of model.npz repeats the replay test.
func TestMaesTrainResumeMatchesUninterrupted(t *testing.T) {
	bg := context.Background()
	env := func(d *runio.Dir) *experiment.Env {
		return &experiment.Env{Threads: 1, Log: io.Discard, Out: d, Name: "maes-train"}
	}
	full := tinyMaesTrain()
	d1, _ := runio.Create(t.TempDir(), "a")
	mFull, err := full.Run(bg, env(d1))
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := runio.Create(t.TempDir(), "b")
	if _, err := tinyMaesTrain().Run(&stopCtx{bg, experiment.CheckpointsWritten() + 1}, env(d2)); err == nil {
		t.Fatal("partial run not stopped")
	}
	ck := d2.File(experiment.CheckpointFile)
	res := tinyMaesTrain()
	res.Resume = ck
	d3, _ := runio.Create(t.TempDir(), "c")
	mRes, err := res.Run(bg, env(d3))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range mFull {
		if !strings.Contains(k, "seconds") && mRes[k] != v {
			t.Errorf("resumed %s = %v, uninterrupted %v", k, mRes[k], v)
		}
	}
	if mRes["simulated_training_s"] != 0.3 && math.Abs(mRes["simulated_training_s"]-0.3) > 1e-12 {
		t.Errorf("simulated_training_s %v, want the whole run's 0.3 s", mRes["simulated_training_s"])
	}
	for _, f := range []string{experiment.ModelFile, "recordings.npz"} {
		a, _ := os.ReadFile(d1.File(f))
		b, _ := os.ReadFile(d3.File(f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("resumed %s differs from the uninterrupted run's", f)
		}
	}
	md, err := runio.ReadModel(d1.File(experiment.ModelFile), "maes-train")
	if err != nil {
		t.Fatal(err)
	}
	wa := md.Arrays["w"].Data.([]float64)
	changed := false
	for _, w := range wa {
		changed = changed || w != full.Network.WEE0 && w != full.Network.WIE0
	}
	if !changed {
		t.Fatal("no weight changed during training")
	}
	ev, err := tinyMaesTrain().Eval(bg, &experiment.Env{Threads: 1, Log: io.Discard}, md)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range ev {
		if mFull[k] != v {
			t.Errorf("eval %s = %v, run %v", k, v, mFull[k])
		}
	}
	// The trained matrix drives maes-replay (matrix: the model file) with
	// the weights it was saved with; a network of another size is refused.
	rp := MaesReplay()
	rp.Network = full.Network
	rp.Matrix, rp.DurationS, rp.BurnInMS = d1.File(experiment.ModelFile), 0.2, 50
	if _, err := rp.Run(bg, &experiment.Env{Threads: 1, Log: io.Discard}); err != nil {
		t.Errorf("maes-replay on the trained model: %v", err)
	}
	mm, _, err := loadMaesMatrix(&rp.Network, rp.Matrix, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	for q, w := range mm.W {
		if w != wa[q] {
			t.Fatalf("matrix from model.npz: weight %d is %g, saved %g", q, w, wa[q])
		}
	}
	rp.Network.NE = 80
	if _, _, err := loadMaesMatrix(&rp.Network, rp.Matrix, "", 1); err == nil || !strings.Contains(err.Error(), "not a 95-neuron network") {
		t.Errorf("another size: %v", err)
	}
	// Protocol keys are checked against the checkpoint.
	for _, c := range []struct {
		set  func(c *MaesTrainConfig)
		want string
	}{
		{func(c *MaesTrainConfig) { c.BlockS = 0.05 }, "block_s is 0.05 here but 0.1 in the checkpoint"},
		{func(c *MaesTrainConfig) { c.TrainMin = 0.1 }, "train_min is 0.1 here but 0.0033"},
		{func(c *MaesTrainConfig) { c.Network.NE = 80 }, "network.n_exc is 80 here but 60"},
	} {
		o := tinyMaesTrain()
		c.set(o)
		o.Resume = ck
		if _, err := o.Run(bg, &experiment.Env{Threads: 1, Log: io.Discard, Name: "maes-train"}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want %q, got %v", c.want, err)
		}
	}
}

func TestMaesReadoutErrorByHand(t *testing.T) {
	target := [][]float64{{1, 10, 10, 1}, {10, 1, 1, 1}}
	rates := [][]float64{{0, 0, 2, 4, 4, 0}, {0, 4, 0, 0, 0, 0}}
	// Window from sample 1: L = {{0,2,4,4},{4,0,0,0}} → /4; T → (x−1)/9.
	got := maesReadoutError(target, rates, []int{0, 1}, 1, 4)
	T := []float64{0, 1, 1, 0, 1, 0, 0, 0}
	L := []float64{0, 0.5, 1, 1, 1, 0, 0, 0}
	want := 0.0
	for q := range T {
		want += math.Abs(T[q]-L[q]) / 8
	}
	if math.Abs(got-want) > 1e-12 {
		t.Fatalf("error %g, want %g", got, want)
	}
}

func TestTriggerNeedsClusterOneStrictlyDominant(t *testing.T) {
	g := newTrigger(3, 10, 5)
	if g.observe(nil) {
		t.Fatal("all-zero counts triggered")
	}
	if !g.observe([]int32{1, 2, 15}) {
		t.Fatal("cluster 1 (index 0) with 2 of 3 spikes did not trigger")
	}
	for q := 0; q < 4; q++ {
		g.observe([]int32{25, 26, 27})
	}
	if g.observe(nil) {
		t.Fatal("cluster 3 dominant but triggered")
	}
}

// The per-step blocks are fixed by the network size, each with its own
// stream, so the thread count does not change a plastic run.
func TestMaesTrainSameForAnyThreadCount(t *testing.T) {
	defer sim.AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
	run := func(threads int) []float64 {
		c := tinyMaesTrain()
		c.Network.NE, c.Network.NI, c.Network.Clusters = 600, 150, 6
		c.TrainMin, c.SpontMin, c.ReplayS = 0.1/60, 0, 0.05
		d, _ := runio.Create(t.TempDir(), "t")
		if _, err := c.Run(context.Background(), &experiment.Env{Threads: threads, Log: io.Discard, Out: d}); err != nil {
			t.Fatal(err)
		}
		a, err := runio.ReadNPZ(d.File(experiment.ModelFile))
		if err != nil {
			t.Fatal(err)
		}
		return a["w"].Data.([]float64)
	}
	w1, w2 := run(1), run(2)
	for q := range w1 {
		if w1[q] != w2[q] {
			t.Fatalf("weight %d: %g with 1 thread, %g with 2", q, w1[q], w2[q])
		}
	}
}

// BenchmarkMaesStepPlastic is one step of the built 3000-neuron network
// with plasticity on (go test -bench MaesStep -run ^$ ./experiment).
func BenchmarkMaesStepPlastic(b *testing.B) {
	c := MaesNet()
	m, k, err := maesMatrix(&c, "build", sim.Stream(1, "weights"))
	if err != nil {
		b.Fatal(err)
	}
	rules := DefaultPlasticity()
	net, err := newMaesNet(&c, m, k, &rules, 1, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer net.Close()
	net.Plastic = true
	ctx := context.Background()
	if err := net.Run(ctx, 2000*c.DtMS); err != nil { // past the initial transient
		b.Fatal(err)
	}
	b.ResetTimer()
	if err := net.Run(ctx, float64(b.N)*c.DtMS); err != nil {
		b.Fatal(err)
	}
}

func TestMaesSongTargetEmbedded(t *testing.T) {
	c := MaesReadout()
	c.Target, c.SuperMS = "song", 600
	rows, seq, err := c.maesTargets()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 45 || len(seq) != 45 {
		t.Fatalf("song target has %d rows, want 45 read-outs", len(rows))
	}
	peak := 0.0
	for _, r := range rows {
		if len(r) != 6000 {
			t.Fatalf("row of %d samples, want 600 ms at 0.1 ms", len(r))
		}
		for _, v := range r {
			peak = max(peak, v)
		}
	}
	if peak != c.RateOnKHz {
		t.Errorf("loudest supervisor rate %g kHz, want rate_on_khz %g", peak, c.RateOnKHz)
	}
	c.SongFile = "no/such/supervisor_600.mat"
	if _, _, err := c.maesTargets(); err == nil || !strings.Contains(err.Error(), "song_file") {
		t.Errorf("missing song_file: err = %v, want one naming song_file", err)
	}
}
