package maes

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/plot"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/task"
)

// MaesVariabilityConfig configures the timing-variability experiment of
// Maes, Barahona & Clopath 2020 (Fig. 5): a clock replays spontaneously for
// many cycles; in each cycle the time at which every cluster becomes
// dominant is measured relative to cluster 0, and the standard deviation
// of those times across cycles is fitted against their mean (the paper:
// σ(t) ≈ 0.21·√t, t in ms). With times_file the same analysis runs on a
// matrix of activation times instead (the paper's timePoints.mat).
type MaesVariabilityConfig struct {
	Seed    uint64        `yaml:"seed"`    // seed of every random stream
	Network MaesNetConfig `yaml:"network"` // neurons, synapses, input (default: 3200 E / 800 I, 40 clusters)
	// Matrix is the clock: "build" (clustered by construction), "nc160" /
	// "nc200" (the shipped trained matrices), a MATLAB v5 file holding A
	// (post × pre), or a run folder / .npz file of a trained clock (arrays
	// w, start, post of the CSR matrix: maes-train's checkpoint.npz, or the
	// model.npz of this experiment).
	Matrix  string `yaml:"matrix"`
	DataDir string `yaml:"data_dir"` // folder of the ModelDB 257609 files ("" = $SPIKELAB_DATA/maes)
	// TimesFile, when set, skips the simulation and analyses a MATLAB v5
	// file of activation times instead (variable timePoints, else the only
	// 2-D numeric variable: cycles × clusters, ms, relative to cluster 0).
	TimesFile string  `yaml:"times_file"`
	Cycles    int     `yaml:"cycles"`     // complete cycles to record (the paper: 79); the run stops when reached
	MaxS      float64 `yaml:"max_s"`      // simulated-time limit (s); 70
	ChunkS    float64 `yaml:"chunk_s"`    // the cycle count is checked after every chunk of this length (s); 5
	BurnInMS  float64 `yaml:"burn_in_ms"` // start of the analysis window (ms); 300
	// Replay is the dominant-cluster analysis; its step_ms is the time
	// resolution of the activation times (ms); 0.5.
	Replay       ReplayParams `yaml:"replay"`
	RasterCycles int          `yaml:"raster_cycles"` // cycles shown in raster.png; 3
	// SaveModel writes model.npz (the matrix used, CSR by presynaptic
	// neuron: w, start, post; ≈ 12 bytes per synapse).
	SaveModel bool `yaml:"save_model"`
}

// MaesVariability returns the defaults: the built 40 × 80 clock (3200 E /
// 800 I, period ≈ 620 ms, like the paper's 80-cluster network), 80 cycles.
func MaesVariability() *MaesVariabilityConfig {
	n := MaesNet()
	n.NE, n.NI, n.Clusters = 3200, 800, 40
	r := DefaultReplayParams()
	r.StepMS = 0.5
	return &MaesVariabilityConfig{Seed: 1, Network: n, Matrix: "build", Cycles: 80, MaxS: 70, ChunkS: 5, BurnInMS: 300,
		Replay: r, RasterCycles: 3, SaveModel: true}
}

func init() {
	experiment.Register(experiment.Experiment{Name: "maes-variability", Description: "Maes et al. 2020 Fig. 5: timing variability of the clock's cluster activations across cycles, power-law / √t / linear fits of σ(t) (or --set times_file=timePoints.mat)",
		Defaults: func() experiment.Config { return MaesVariability() }})
}

// RunSeed returns the seed of every random stream of the run.
func (c *MaesVariabilityConfig) RunSeed() uint64 { return c.Seed }

// SetRunSeed sets the seed of every random stream of the run.
func (c *MaesVariabilityConfig) SetRunSeed(seed uint64) { c.Seed = seed }

// Validate reports the first unusable field.
func (c *MaesVariabilityConfig) Validate() error {
	if err := c.Network.Validate(); err != nil {
		return err
	}
	if c.Cycles < 2 {
		return fmt.Errorf("cycles must be >= 2, got %d", c.Cycles)
	}
	for _, f := range []struct {
		n string
		v float64
	}{{"max_s", c.MaxS}, {"chunk_s", c.ChunkS}} {
		if err := experiment.Positive(f.n, f.v); err != nil {
			return err
		}
	}
	if !(c.BurnInMS >= 0 && c.BurnInMS < c.MaxS*1000) {
		return fmt.Errorf("burn_in_ms must be in [0, max_s·1000)")
	}
	if c.Matrix == "" {
		return fmt.Errorf("matrix must be build, nc160, nc200, a .mat path or a run folder / .npz")
	}
	if c.RasterCycles < 0 {
		return fmt.Errorf("raster_cycles must be >= 0")
	}
	return c.Replay.validate()
}

// Estimate counts the big arrays: the matrix (by-pre and by-post views,
// ≈ 20 bytes per synapse, plus the 16-byte synapse list a built matrix is
// made from), the spike record (12 bytes per spike at ≈ 5 Hz
// per neuron) and the analysis bins (4 bytes per cluster per step_ms).
func (c *MaesVariabilityConfig) Estimate() (experiment.Estimate, error) {
	var e experiment.Estimate
	if c.TimesFile != "" {
		return e, nil
	}
	n := float64(c.Network.NE + c.Network.NI)
	k := float64(c.Network.clusterCount())
	e.Add("recurrent matrix (n²·p synapses, two views)", n*n*c.Network.P*20)
	if c.Matrix == "build" || c.Matrix == "random" {
		e.Add("synapse list while building the matrix (n²·p × 16 B)", n*n*c.Network.P*16)
	}
	e.Add("spike record (≈ 5 Hz per neuron, 12 B per spike)", n*5*c.MaxS*12)
	e.Add("dominant-cluster bins (clusters × max_s / step_ms, int32)", k*c.MaxS*1000/c.Replay.StepMS*4)
	e.Steps = int64(c.MaxS * 1000 / c.Network.DtMS)
	return e, nil
}

// CycleActivations splits a sequence of dominant-cluster episodes (cluster
// seq[q] dominant from seqT[q], ms) into cycles that begin when cluster 0
// becomes dominant. A cycle is complete when every cluster 1…k−1 becomes
// dominant before cluster 0 returns, their first episodes in forward
// order; for each complete cycle it returns the k activation times
// relative to cluster 0 (ms; the first is 0) and the cycle's start (ms).
// dropped counts the cycles that were not complete (the unfinished cycle
// at the end is not counted).
func CycleActivations(seq []int, seqT []float64, k int) (times [][]float64, starts []float64, dropped int) {
	var cur []float64
	var t0 float64
	open := false
	finish := func() {
		if !open {
			return
		}
		ok := true
		for c := 1; c < k && ok; c++ {
			ok = !math.IsNaN(cur[c]) && cur[c] > cur[c-1]
		}
		if ok {
			times = append(times, cur)
			starts = append(starts, t0)
		} else {
			dropped++
		}
	}
	for q, c := range seq {
		if c < 0 || c >= k {
			continue
		}
		if c == 0 {
			finish()
			cur = make([]float64, k)
			for i := 1; i < k; i++ {
				cur[i] = math.NaN()
			}
			t0, open = seqT[q], true
			continue
		}
		if open && math.IsNaN(cur[c]) {
			cur[c] = seqT[q] - t0
		}
	}
	return times, starts, dropped
}

// ActivationStats returns the mean and the standard deviation (N−1
// normalisation, as MATLAB's std) across cycles of each cluster's
// activation time (ms).
func ActivationStats(times [][]float64) (mean, std []float64) {
	if len(times) == 0 {
		return nil, nil
	}
	k := len(times[0])
	mean, std = make([]float64, k), make([]float64, k)
	n := float64(len(times))
	for c := 0; c < k; c++ {
		for _, row := range times {
			mean[c] += row[c]
		}
		mean[c] /= n
		if len(times) > 1 {
			for _, row := range times {
				d := row[c] - mean[c]
				std[c] += d * d
			}
			std[c] = math.Sqrt(std[c] / (n - 1))
		}
	}
	return mean, std
}

// VariabilityFits are the fits of σ(t) over the clusters after the
// reference cluster (t > 0): a free power law, a·√t and a·t (ms).
type VariabilityFits struct {
	Power                PowerFit
	SqrtA, SqrtRMSE      float64 // σ ≈ SqrtA·√t (SqrtA in ms^½)
	LinearA, LinearRMSE  float64 // σ ≈ LinearA·t (dimensionless)
	T, Sigma             []float64
	FirstGap, Last, Span float64 // mean time of cluster 1, of the last cluster (ms), and its σ (ms)
}

// FitVariability fits σ(t) for the per-cluster means and standard
// deviations of activation times (cluster 0, the reference, is left out).
func FitVariability(mean, std []float64) (VariabilityFits, error) {
	var f VariabilityFits
	if len(mean) < 3 || len(mean) != len(std) {
		return f, fmt.Errorf("variability fit: need at least 3 clusters with means and deviations, got %d and %d", len(mean), len(std))
	}
	f.T, f.Sigma = mean[1:], std[1:]
	var err error
	if f.Power, err = FitPowerLaw(f.T, f.Sigma); err != nil {
		return f, err
	}
	if f.SqrtA, f.SqrtRMSE, err = FitScaled(f.T, f.Sigma, math.Sqrt); err != nil {
		return f, err
	}
	if f.LinearA, f.LinearRMSE, err = FitScaled(f.T, f.Sigma, func(x float64) float64 { return x }); err != nil {
		return f, err
	}
	f.FirstGap, f.Last, f.Span = mean[1], mean[len(mean)-1], std[len(std)-1]
	return f, nil
}

// LoadActivationTimes reads a MATLAB v5 file of activation times: the
// variable timePoints, else the only 2-D numeric variable, as rows =
// cycles, columns = clusters (ms).
func LoadActivationTimes(path string) ([][]float64, error) {
	vars, err := task.LoadMAT(path)
	if err != nil {
		return nil, fmt.Errorf("times_file: %w", err)
	}
	a, ok := vars["timePoints"]
	if !ok {
		var names []string
		for n, v := range vars {
			if len(v.Dims) == 2 && v.Data != nil {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		if len(names) != 1 {
			return nil, fmt.Errorf("times_file %s: no variable timePoints and %d 2-D numeric variables (%s); need one", filepath.Base(path), len(names), strings.Join(names, ", "))
		}
		a = vars[names[0]]
	}
	if len(a.Dims) != 2 || a.Dims[0] < 2 || a.Dims[1] < 3 || len(a.Data) != a.Dims[0]*a.Dims[1] {
		return nil, fmt.Errorf("times_file %s: want cycles × clusters (at least 2 × 3) numbers, got dims %v", filepath.Base(path), a.Dims)
	}
	out := make([][]float64, a.Dims[0])
	for i := range out {
		out[i] = make([]float64, a.Dims[1])
		for j := range out[i] {
			v := a.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("times_file %s: entry (%d,%d) is %g", filepath.Base(path), i+1, j+1, v)
			}
			out[i][j] = v
		}
	}
	return out, nil
}

// Run simulates the clock (or reads times_file), extracts the activation
// times and fits σ(t).
func (c *MaesVariabilityConfig) Run(ctx context.Context, env *experiment.Env) (map[string]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.TimesFile != "" {
		times, err := LoadActivationTimes(c.TimesFile)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(env.Log, "%s: %d cycles × %d clusters\n", c.TimesFile, len(times), len(times[0]))
		return c.report(env, times, nil, nil, nil, 0, 0)
	}
	m, k, err := loadClockMatrix(&c.Network, c.Matrix, c.DataDir, c.Seed)
	if err != nil {
		return nil, err
	}
	size := c.Network.NE / k
	fmt.Fprintf(env.Log, "matrix %s: %d synapses, %d clusters of %d\n", c.Matrix, m.NNZ(), k, size)
	net, err := NewNetwork(NetworkOptions{Config: &c.Network, Weights: m, Clusters: k, Seed: c.Seed, Threads: env.Threads})
	if err != nil {
		return nil, err
	}
	defer net.Close()
	mon := sim.NewSpikeMonitor(net.N, int(float64(net.N)*c.ChunkS*5))
	if err := net.WatchSpikes(mon); err != nil {
		return nil, err
	}
	total := int64(math.Round(c.MaxS * 1000 / c.Network.DtMS))
	prog := experiment.ProgressOf(env, total, "variability")
	t1 := time.Now()
	var st ReplayStats
	var times [][]float64
	var starts []float64
	dropped := 0
	dur := 0.0
	for dur < c.MaxS*1000-1e-9 {
		chunk := math.Min(c.ChunkS*1000, c.MaxS*1000-dur)
		base := dur
		if err := net.run(ctx, chunk, sim.RunOptions{Every: 1000, Progress: func(done, _ int64) {
			prog.Set(int64(math.Round(base/c.Network.DtMS)) + done)
		}}); err != nil {
			prog.Finish()
			return nil, err
		}
		dur += chunk
		st = AnalyseReplay(mon.Times, mon.Index, k, size, c.BurnInMS, dur, c.Replay)
		times, starts, dropped = CycleActivations(st.Seq, st.SeqT, k)
		if len(times) >= c.Cycles {
			break
		}
	}
	prog.Finish()
	wall := time.Since(t1).Seconds()
	fmt.Fprintf(env.Log, "%g s simulated in %.1f s: %d complete cycles, %d dropped\n", dur/1000, wall, len(times), dropped)
	if len(times) < 2 {
		return nil, fmt.Errorf("the clock completed %d cycles in %g s (forward fraction %.2f, %d transitions); need at least 2 — check the matrix with maes-replay or raise max_s", len(times), dur/1000, st.ForwardFraction(), st.Transitions)
	}
	if len(times) > c.Cycles {
		times, starts = times[:c.Cycles], starts[:c.Cycles]
	}
	met, err := c.report(env, times, starts, mon, net, dur, dropped)
	if err != nil {
		return nil, err
	}
	per, perStd := st.Period()
	ne := 0
	for q, t := range mon.Times {
		if t >= c.BurnInMS && int(mon.Index[q]) < net.NE {
			ne++
		}
	}
	ff := st.ForwardFraction()
	if math.IsNaN(ff) {
		ff = 0
	}
	met["period_ms"], met["period_std_ms"] = per, perStd
	met["forward_fraction"] = ff
	met["rate_e_hz"] = float64(ne) / (float64(net.NE) * (dur - c.BurnInMS) / 1000)
	met["simulated_s"] = dur / 1000
	met["wall_seconds"] = wall
	met["sim_seconds_per_wall_second"] = dur / 1000 / wall
	if env.Out != nil && c.SaveModel {
		if err := saveClockModel(env.Out.File("model.npz"), m, net.NE, net.NI, k); err != nil {
			return nil, err
		}
	}
	return met, nil
}

// report computes the statistics and fits, writes the figure and the
// recordings, and returns the metrics.
func (c *MaesVariabilityConfig) report(env *experiment.Env, times [][]float64, starts []float64, mon *sim.SpikeMonitor, net *Network, dur float64, dropped int) (map[string]float64, error) {
	mean, std := ActivationStats(times)
	fits, err := FitVariability(mean, std)
	if err != nil {
		return nil, err
	}
	k := len(mean)
	// Std of the period: the spread of the last activation is the spread of a whole cycle but one gap.
	met := map[string]float64{
		"cycles":                 float64(len(times)),
		"cycles_dropped":         float64(dropped),
		"clusters":               float64(k),
		"first_gap_ms":           fits.FirstGap,
		"mean_spacing_ms":        fits.Last / float64(k-1),
		"last_activation_ms":     fits.Last,
		"last_activation_std_ms": fits.Span,
		"sigma_first_ms":         fits.Sigma[0],
		"sigma_last_ms":          fits.Span,
		"power_a":                fits.Power.A,
		"power_b":                fits.Power.B,
		"power_rmse_ms":          fits.Power.RMSE,
		"sqrt_a":                 fits.SqrtA,
		"sqrt_rmse_ms":           fits.SqrtRMSE,
		"linear_a":               fits.LinearA,
		"linear_rmse_ms":         fits.LinearRMSE,
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, row := range times {
		lo, hi = math.Min(lo, row[k-1]), math.Max(hi, row[k-1])
	}
	met["last_activation_min_ms"], met["last_activation_max_ms"] = lo, hi
	fmt.Fprintf(env.Log, "last activation %.1f ± %.1f ms (%.1f–%.1f); σ ≈ %.3f·t^%.3f (RMSE %.3f ms); √t: a = %.3f (RMSE %.3f); linear: a = %.4f (RMSE %.3f)\n",
		fits.Last, fits.Span, lo, hi, fits.Power.A, fits.Power.B, fits.Power.RMSE, fits.SqrtA, fits.SqrtRMSE, fits.LinearA, fits.LinearRMSE)
	if env.Out == nil {
		return met, nil
	}
	p, err := variabilityPlot(fits, c.TimesFile)
	if err != nil {
		return nil, err
	}
	if err := plot.SavePNG(env.Out.File("variability.png"), 7, 5, p); err != nil {
		return nil, err
	}
	flat := make([]float64, 0, len(times)*k)
	for _, row := range times {
		flat = append(flat, row...)
	}
	arrays := []runio.Array{
		{Name: "activation_ms", Shape: []int{len(times), k}, Data: flat},
		{Name: "mean_ms", Shape: []int{k}, Data: mean},
		{Name: "std_ms", Shape: []int{k}, Data: std},
	}
	if mon != nil {
		arrays = append(arrays,
			runio.Array{Name: "cycle_start_ms", Shape: []int{len(starts)}, Data: starts},
			runio.Array{Name: "spike_t", Shape: []int{len(mon.Times)}, Data: scaled(mon.Times, 1e-3)},
			runio.Array{Name: "spike_i", Shape: []int{len(mon.Index)}, Data: mon.Index})
		if c.RasterCycles > 0 && len(starts) > 0 {
			n := min(c.RasterCycles, len(starts))
			t0 := starts[0]
			t1 := t0 + float64(n)*(fits.Last+fits.FirstGap)
			if n < len(starts) {
				t1 = starts[n]
			}
			if err := writeMaesRaster(env, "raster.png", fmt.Sprintf("%s: %d cycles from %.2f s (E by cluster; I above)", c.Matrix, n, t0/1000), mon, net.NE, net.N, t0, math.Min(t1, dur)); err != nil {
				return nil, err
			}
		}
	}
	if err := runio.WriteNPZ(env.Out.File("recordings.npz"), arrays); err != nil {
		return nil, err
	}
	return met, nil
}

func variabilityPlot(f VariabilityFits, src string) (*gplot.Plot, error) {
	tmax := 0.0
	for _, t := range f.T {
		tmax = math.Max(tmax, t)
	}
	var x, yp, ys, yl []float64
	for q := 0; q <= 200; q++ {
		t := tmax * float64(q) / 200
		x = append(x, t)
		yp = append(yp, f.Power.A*math.Pow(t, f.Power.B))
		ys = append(ys, f.SqrtA*math.Sqrt(t))
		yl = append(yl, f.LinearA*t)
	}
	title := "timing variability of the cluster activations"
	if src != "" {
		title += " (" + filepath.Base(src) + ")"
	}
	p, err := plot.Lines(title, "mean activation time t (ms)", "σ of the activation time (ms)",
		plot.Series{Label: fmt.Sprintf("%.3f·t^%.3f (RMSE %.3f ms)", f.Power.A, f.Power.B, f.Power.RMSE), X: x, Y: yp},
		plot.Series{Label: fmt.Sprintf("%.3f·√t (RMSE %.3f ms)", f.SqrtA, f.SqrtRMSE), X: x, Y: ys, Dash: true},
		plot.Series{Label: fmt.Sprintf("%.4f·t (RMSE %.3f ms)", f.LinearA, f.LinearRMSE), X: x, Y: yl, Dash: true})
	if err != nil {
		return nil, err
	}
	pts := make(plotter.XYs, len(f.T))
	for q := range f.T {
		pts[q].X, pts[q].Y = f.T[q], f.Sigma[q]
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle.Shape = draw.CircleGlyph{}
	s.GlyphStyle.Color = color.Black
	p.Add(s)
	p.Legend.Add("measured", s)
	p.Legend.Top, p.Legend.Left = true, true
	return p, nil
}

// loadClockMatrix resolves matrix like loadMaesMatrix and also reads a
// trained clock from a run folder (model.npz, else checkpoint.npz) or an
// .npz file holding the CSR arrays w, start, post.
func loadClockMatrix(c *MaesNetConfig, matrix, dataDir string, seed uint64) (*connect.Sparse, int, error) {
	path := matrix
	if fi, err := os.Stat(matrix); err == nil && fi.IsDir() {
		path = ""
		for _, f := range []string{"model.npz", "checkpoint.npz"} {
			if _, err := os.Stat(filepath.Join(matrix, f)); err == nil {
				path = filepath.Join(matrix, f)
				break
			}
		}
		if path == "" {
			return nil, 0, fmt.Errorf("matrix %s: a folder without model.npz or checkpoint.npz", matrix)
		}
	}
	if !strings.HasSuffix(path, ".npz") {
		return loadMaesMatrix(c, matrix, dataDir, seed)
	}
	a, err := runio.ReadNPZ(path)
	if err != nil {
		return nil, 0, fmt.Errorf("matrix: %w", err)
	}
	w, ok1 := a["w"].Data.([]float64)
	st, ok2 := a["start"].Data.([]int64)
	post, ok3 := a["post"].Data.([]int32)
	n := c.NE + c.NI
	if !(ok1 && ok2 && ok3) {
		return nil, 0, fmt.Errorf("matrix %s: needs arrays w (float64), start (int64), post (int32)", path)
	}
	if len(st) != n+1 || len(w) != len(post) || st[0] != 0 || st[n] != int64(len(w)) {
		return nil, 0, fmt.Errorf("matrix %s: CSR of %d presynaptic neurons and %d synapses; this config has %d neurons (set network.n_exc / n_inh to the run's)", path, len(st)-1, len(w), n)
	}
	syn := make([]connect.Synapse, 0, len(w))
	for j := 0; j < n; j++ {
		if st[j+1] < st[j] {
			return nil, 0, fmt.Errorf("matrix %s: start is not ascending at %d", path, j)
		}
		for q := st[j]; q < st[j+1]; q++ {
			if post[q] < 0 || int(post[q]) >= n || math.IsNaN(w[q]) || math.IsInf(w[q], 0) {
				return nil, 0, fmt.Errorf("matrix %s: synapse %d (post %d, weight %g) out of range", path, q, post[q], w[q])
			}
			syn = append(syn, connect.Synapse{Pre: int32(j), Post: post[q], W: w[q]})
		}
	}
	m, err := connect.NewSparse(n, n, syn)
	if err != nil {
		return nil, 0, fmt.Errorf("matrix %s: %w", path, err)
	}
	k := c.Clusters
	if k == 0 {
		k = DetectClusters(m, c.NE)
	}
	if k < 1 || c.NE%k != 0 {
		return nil, 0, fmt.Errorf("matrix %s: %d clusters do not divide %d E neurons", path, k, c.NE)
	}
	return m, k, nil
}

// saveClockModel writes the matrix (CSR by presynaptic neuron, weights in
// nS·ms) and the sizes to path.
func saveClockModel(path string, m *connect.Sparse, ne, ni, k int) error {
	return runio.WriteNPZ(path, []runio.Array{
		{Name: "w", Shape: []int{len(m.W)}, Data: m.W},
		{Name: "start", Shape: []int{len(m.Start)}, Data: m.Start},
		{Name: "post", Shape: []int{len(m.Post)}, Data: m.Post},
		{Name: "sizes", Shape: []int{3}, Data: []int64{int64(ne), int64(ni), int64(k)}},
	})
}
