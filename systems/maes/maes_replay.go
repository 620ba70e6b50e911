package maes

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"

	gplot "gonum.org/v1/plot"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/plot"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/task"
)

// MaesReplayConfig configures spontaneous replay in the clustered E/I
// network of Maes, Barahona & Clopath 2020: the network runs with its
// normal external input and the order in which clusters take over is
// measured.
type MaesReplayConfig struct {
	Seed    uint64        `yaml:"seed"`    // seed of every random stream
	Network MaesNetConfig `yaml:"network"` // neurons, synapses, input
	// Matrix is the recurrent weight matrix: "build" (clustered by
	// construction, spec §7.1), "random" (untrained), "nc160" / "nc200"
	// (the shipped trained matrices, found in data_dir or
	// $SPIKELAB_DATA/maes), a path to a MATLAB v5 file with A (post × pre),
	// or the model.npz of a maes-train run (a trained clock).
	Matrix     string       `yaml:"matrix"`
	DataDir    string       `yaml:"data_dir"`    // folder of the ModelDB 257609 files ("" = $SPIKELAB_DATA/maes)
	DurationS  float64      `yaml:"duration_s"`  // simulated time (s); 3
	BurnInMS   float64      `yaml:"burn_in_ms"`  // start of the analysis window (ms); 200
	Plasticity bool         `yaml:"plasticity"`  // run the plasticity rules too (for timing); false
	Rules      Plasticity   `yaml:"rules"`       // the plasticity rules (used with plasticity: true)
	Replay     ReplayParams `yaml:"replay"`      // dominant-cluster analysis
	HeatmapBin int          `yaml:"heatmap_bin"` // neurons per heat-map cell; 20
}

// MaesReplay returns the defaults: the built 30-cluster network, 3 s.
func MaesReplay() *MaesReplayConfig {
	return &MaesReplayConfig{Seed: 1, Network: MaesNet(), Matrix: "build", DurationS: 3, BurnInMS: 200,
		Rules: DefaultPlasticity(), Replay: DefaultReplayParams(), HeatmapBin: 20}
}

// DefaultReplayParams returns the analysis settings of the experiments:
// 10 ms windows every 1 ms, a dominant cluster at 15 Hz or more, episodes
// of at least 3 ms.
func DefaultReplayParams() ReplayParams {
	return ReplayParams{WindowMS: 10, StepMS: 1, ActiveHz: 15, MinDwellMS: 3}
}

func init() {
	experiment.Register(experiment.Experiment{Name: "maes-replay", Description: "Maes et al. 2020: spontaneous sequential replay of a clustered E/I AdEx network (built, or a shipped trained matrix via --set matrix=nc160)",
		Defaults: func() experiment.Config { return MaesReplay() }})
}

func (p ReplayParams) validate() error {
	for _, f := range []struct {
		n string
		v float64
	}{{"replay.window_ms", p.WindowMS}, {"replay.step_ms", p.StepMS}, {"replay.active_hz", p.ActiveHz}} {
		if err := experiment.Positive(f.n, f.v); err != nil {
			return err
		}
	}
	if !(p.MinDwellMS >= 0) {
		return fmt.Errorf("replay.min_dwell_ms must be >= 0")
	}
	return nil
}

// Validate reports the first unusable field.
func (c *MaesReplayConfig) Validate() error {
	if err := experiment.Guard(c); err != nil {
		return err
	}
	if err := c.Network.Validate(); err != nil {
		return err
	}
	if err := experiment.Positive("duration_s", c.DurationS); err != nil {
		return err
	}
	if !(c.BurnInMS >= 0 && c.BurnInMS < c.DurationS*1000) {
		return fmt.Errorf("burn_in_ms must be in [0, duration_s·1000)")
	}
	if c.Matrix == "" {
		return fmt.Errorf("matrix must be build, random, nc160, nc200 or a .mat path")
	}
	if c.HeatmapBin < 1 {
		return fmt.Errorf("heatmap_bin must be >= 1")
	}
	if err := c.Rules.Validate(); err != nil {
		return err
	}
	return c.Replay.validate()
}

// modelMatrix reads the trained matrix of a maes-train model.npz (or
// checkpoint.npz); its network size must be c's.
func modelMatrix(c *MaesNetConfig, path string) (*connect.Sparse, int, error) {
	md, err := runio.ReadModel(path, "maes-train")
	if err != nil {
		return nil, 0, fmt.Errorf("matrix: %w", err)
	}
	n := c.NE + c.NI
	w, err := md.Float64("w", -1)
	if err != nil {
		return nil, 0, err
	}
	st, ok1 := md.Arrays["start"].Data.([]int64)
	post, ok2 := md.Arrays["post"].Data.([]int32)
	if !ok1 || !ok2 || len(st) != n+1 || len(post) != len(w) || st[n] != int64(len(w)) {
		return nil, 0, fmt.Errorf("matrix %s: not a %d-neuron network (set network.n_exc / n_inh to the trained run's)", path, n)
	}
	syn := make([]connect.Synapse, 0, len(w))
	for j := 0; j < n; j++ {
		if st[j] > st[j+1] {
			return nil, 0, fmt.Errorf("matrix %s: corrupt row pointers", path)
		}
		for q := st[j]; q < st[j+1]; q++ {
			if post[q] < 0 || int(post[q]) >= n {
				return nil, 0, fmt.Errorf("matrix %s: synapse %d targets neuron %d of %d", path, q, post[q], n)
			}
			syn = append(syn, connect.Synapse{Pre: int32(j), Post: post[q], W: w[q]})
		}
	}
	k := c.clusterCount()
	if c.NE%k != 0 {
		return nil, 0, fmt.Errorf("network.clusters (%d) must divide network.n_exc (%d)", k, c.NE)
	}
	m, err := connect.NewSparse(n, n, syn)
	return m, k, err
}

// maesMatrixSource resolves the shorthands nc160 / nc200 to file paths.
func maesMatrixSource(matrix, dataDir string) (string, error) {
	files := map[string]string{"nc160": "FF60b_2400_nc160.mat", "nc200": "FF60b_2400_nc200.mat"}
	if f, ok := files[matrix]; ok {
		dir, err := task.FindDataset("maes", dataDir, f)
		if err != nil {
			return "", fmt.Errorf("matrix %s: %w", matrix, err)
		}
		return filepath.Join(dir, f), nil
	}
	return matrix, nil
}

// loadMaesMatrix resolves matrix (nc160, nc200, a .mat path, a model.npz
// of maes-train, or "build") and returns the weights and the cluster
// count, drawing any random weights from the seed's "weights" stream.
func loadMaesMatrix(c *MaesNetConfig, matrix, dataDir string, seed uint64) (*connect.Sparse, int, error) {
	if strings.HasSuffix(matrix, ".npz") {
		return modelMatrix(c, matrix)
	}
	src, err := maesMatrixSource(matrix, dataDir)
	if err != nil {
		return nil, 0, err
	}
	return maesMatrix(c, src, sim.Stream(seed, "weights"))
}

// Run simulates the network and analyses its replay.
func (c *MaesReplayConfig) Run(ctx context.Context, env *experiment.Env) (map[string]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m, k, err := loadMaesMatrix(&c.Network, c.Matrix, c.DataDir, c.Seed)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(env.Log, "matrix %s: %d synapses, %d clusters of %d\n", c.Matrix, m.NNZ(), k, c.Network.NE/k)
	blocks0 := maesBlockMeans(m, c.Network.NE, k)
	net, err := NewNetwork(NetworkOptions{Config: &c.Network, Weights: m, Clusters: k, Plastic: c.Plasticity, Rules: &c.Rules,
		Seed: c.Seed, Threads: env.Threads})
	if err != nil {
		return nil, err
	}
	defer net.Close()
	clock, err := sim.NewClock(c.Network.DtMS, c.DurationS*1000)
	if err != nil {
		return nil, err
	}
	mon := sim.NewSpikeMonitor(net.N, int(float64(net.N)*c.DurationS*10))
	cpu0 := experiment.CPUSeconds()
	wall, err := runMaes(ctx, env, net, clock, mon, "replay")
	cpu := experiment.CPUSeconds() - cpu0
	if err != nil {
		return nil, err
	}
	dur := c.DurationS * 1000
	size := c.Network.NE / k
	st := AnalyseReplay(mon.Times, mon.Index, k, size, c.BurnInMS, dur, c.Replay)
	per, perStd := st.Period()
	if math.IsNaN(per) {
		per, perStd = 0, 0 // fewer than two onsets of cluster 0: no period (cycles = 0)
	}
	ff := st.ForwardFraction()
	if math.IsNaN(ff) {
		ff = 0 // no transitions at all
	}
	ne, ni := 0, 0
	for q, t := range mon.Times {
		if t < c.BurnInMS {
			continue
		}
		if int(mon.Index[q]) < net.NE {
			ne++
		} else {
			ni++
		}
	}
	win := (dur - c.BurnInMS) / 1000
	blocks := maesBlockMeans(m, c.Network.NE, k)
	met := map[string]float64{
		"forward_fraction":            ff,
		"backward_fraction":           float64(st.Backward) / math.Max(1, float64(st.Transitions)),
		"transitions":                 float64(st.Transitions),
		"period_ms":                   per,
		"period_std_ms":               perStd,
		"cycles":                      float64(max(0, len(st.Onsets)-1)),
		"rate_e_hz":                   float64(ne) / (float64(net.NE) * win),
		"rate_i_hz":                   float64(ni) / (float64(net.NI) * win),
		"clusters":                    float64(k),
		"w_within":                    blocks.Within,
		"w_forward":                   blocks.Forward,
		"w_backward":                  blocks.Backward,
		"w_other":                     blocks.Other,
		"w_ie":                        blocks.IE,
		"w_within_start":              blocks0.Within,
		"wall_seconds":                wall,
		"sim_seconds_per_wall_second": c.DurationS / wall,
	}
	if cpu > 0 {
		met["sim_seconds_per_cpu_second"] = c.DurationS / cpu // all threads together
	}
	if env.Out != nil {
		if err := writeMaesRaster(env, "raster.png", fmt.Sprintf("%s: spontaneous activity, %d clusters (E ordered by cluster; I above)", c.Matrix, k), mon, net.NE, net.N, 0, math.Min(dur, 3000)); err != nil {
			return nil, err
		}
		if err := writeMaesHeatmap(env, "weights.png", m, c.HeatmapBin, fmt.Sprintf("%s: recurrent weights, mean per %d×%d block", c.Matrix, c.HeatmapBin, c.HeatmapBin)); err != nil {
			return nil, err
		}
		ts := make([]float64, len(mon.Times))
		for q, t := range mon.Times {
			ts[q] = t / 1000
		}
		seq := make([]float64, len(st.Seq))
		for q, v := range st.Seq {
			seq[q] = float64(v)
		}
		if err := runio.WriteNPZ(env.Out.File("recordings.npz"), []runio.Array{
			{Name: "spike_t", Shape: []int{len(ts)}, Data: ts},
			{Name: "spike_i", Shape: []int{len(mon.Index)}, Data: mon.Index},
			{Name: "dominant_cluster", Shape: []int{len(seq)}, Data: seq},
			{Name: "dominant_t", Shape: []int{len(st.SeqT)}, Data: scaled(st.SeqT, 1e-3)},
			{Name: "cluster0_onset_t", Shape: []int{len(st.Onsets)}, Data: scaled(st.Onsets, 1e-3)},
		}); err != nil {
			return nil, err
		}
	}
	return met, nil
}

func scaled(x []float64, f float64) []float64 {
	out := make([]float64, len(x))
	for q, v := range x {
		out[q] = v * f
	}
	return out
}

// runMaes runs net over the clock, feeding mon (network-wide indices),
// with progress and cancellation; it returns the wall time of the run (s).
func runMaes(ctx context.Context, env *experiment.Env, net *Network, clock sim.Clock, mon *sim.SpikeMonitor, label string) (float64, error) {
	prog := experiment.ProgressOf(env, int64(clock.Steps), label)
	defer prog.Finish()
	if mon != nil {
		if err := net.WatchSpikes(mon); err != nil {
			return 0, err
		}
	}
	t1 := time.Now()
	err := net.run(ctx, clock.Time(clock.Steps), sim.RunOptions{Every: 1000, Progress: func(done, _ int64) { prog.Set(done) }})
	return time.Since(t1).Seconds(), err
}

// writeMaesRaster draws the spikes in [t0, t1) ms: E neurons (in cluster
// order) and I neurons above them.
func writeMaesRaster(env *experiment.Env, name, title string, mon *sim.SpikeMonitor, ne, n int, t0, t1 float64) error {
	var ts []float64
	var idx []int32
	for q, t := range mon.Times {
		if t >= t0 && t < t1 {
			ts = append(ts, t/1000)
			idx = append(idx, mon.Index[q])
		}
	}
	r, err := plot.Raster(title, "time (s)", ts, idx)
	if err != nil {
		return err
	}
	return plot.SavePNG(env.Out.File(name), 10, 5, r)
}

// maesBinned averages the existing weights of m over bin×bin blocks,
// returning a post-major (rows = post bins) matrix.
func maesBinned(m *connect.Sparse, bin int) ([]float64, int, int) {
	rows, cols := (m.NPost+bin-1)/bin, (m.NPre+bin-1)/bin
	sum := make([]float64, rows*cols)
	cnt := make([]float64, rows*cols)
	for j := 0; j < m.NPre; j++ {
		for q := m.Start[j]; q < m.Start[j+1]; q++ {
			cell := int(m.Post[q])/bin*cols + j/bin
			sum[cell] += m.W[q]
			cnt[cell]++
		}
	}
	for q := range sum {
		if cnt[q] > 0 {
			sum[q] /= cnt[q]
		}
	}
	return sum, rows, cols
}

func writeMaesHeatmap(env *experiment.Env, name string, m *connect.Sparse, bin int, title string) error {
	z, rows, cols := maesBinned(m, bin)
	// log10 so that the E→E structure and the larger I weights are both visible.
	for q, v := range z {
		z[q] = math.Log10(math.Max(v, 1))
	}
	h, err := plot.HeatMap(title, fmt.Sprintf("presynaptic neuron / %d", bin), fmt.Sprintf("postsynaptic neuron / %d", bin),
		"log10 mean weight (nS·ms; < 1 as 0)", z, rows, cols)
	if err != nil {
		return err
	}
	return savePNGPanels(env.Out.File(name), 7, 7, h)
}

func savePNGPanels(path string, w, h float64, p ...*gplot.Plot) error {
	return plot.SavePNG(path, w, h, p...)
}
