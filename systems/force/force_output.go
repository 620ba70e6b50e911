package force

import (
	"fmt"
	"math"

	gplot "gonum.org/v1/plot"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/plot"
	"github.com/spikelab/spikelab/runio"
)

// metrics computes the FORCE metrics from what the run recorded.
func (c *ForceConfig) metrics(net *forceNet, r *forceResult) map[string]float64 {
	n := float64(c.N)
	m := map[string]float64{
		"wall_seconds":                r.wall.Seconds(),
		"loop_seconds":                r.loop.Seconds(),
		"loop_cpu_seconds":            r.loopCPU,
		"setup_seconds":               (r.wall - r.loop).Seconds(),
		"sim_seconds_per_wall_second": c.DurationS / r.wall.Seconds(),
		"rls_updates":                 float64(net.rls.Updates),
		"synapses":                    float64(net.w.NNZ()),
		"spikes_total":                float64(r.spikes.Count),
		"rate_pre_hz":                 float64(r.spikesPre) / (n * c.TrainStartS),
		"rate_train_hz":               float64(r.spikesTrn) / (n * (c.TrainStopS - c.TrainStartS)),
	}
	if c.TrainStartS == 0 {
		delete(m, "rate_pre_hz")
	}
	if r.nTrain > 0 {
		m["train_rmse"] = math.Sqrt(r.sumSqTrain / float64(r.nTrain))
	}
	if r.nTest == 0 {
		return m
	}
	// The reference code's AverageRate: spikes after training per neuron per second.
	m["rate_hz"] = float64(r.spikesTest) / (n * (c.DurationS - c.TrainStopS))
	m["test_rmse"] = math.Sqrt(r.sumSqTest / float64(r.nTest))
	sampleS := c.Record.SampleMS / 1000
	from := 0
	for from < r.zs.Len() && r.zs.T[from] <= c.TrainStopS+1e-12 {
		from++
	}
	tz := r.targets.Column(0)[from:]
	m["target_rms"] = experiment.RMS(r.targets.Data[from*r.targets.Width:])
	z0 := r.zs.Column(0)[from:]
	if len(z0) > 0 {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range z0 {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		m["test_amplitude"] = (hi - lo) / 2
		m["test_freq_hz"] = experiment.UpCrossingRate(z0, sampleS)
		m["target_freq_hz"] = experiment.UpCrossingRate(tz, sampleS)
	}
	if c.recordedTarget() {
		signalMetrics(m, r, from)
	}
	if net.hdtsIn != nil {
		m["hdts_components"] = float64(net.hdts.M)
	}
	if p := net.target.Period(); p > 0 {
		window := int(math.Round(c.Record.WindowS / sampleS))
		shift := int(math.Round(p / sampleS))
		_, w := experiment.PhaseAlignedRMSE(r.zs, r.targets, from, window, shift)
		if len(w) > 0 {
			mean, worst := 0.0, 0.0
			for _, v := range w {
				mean += v
				worst = math.Max(worst, v)
			}
			m["test_rmse_phase_aligned"] = mean / float64(len(w))
			m["test_rmse_phase_aligned_max"] = worst
			m["test_rmse_phase_aligned_median"] = experiment.Median(w)
		}
	}
	return m
}

// write stores recordings and figures in the run folder.
func (c *ForceConfig) write(env *experiment.Env, net *forceNet, r *forceResult, m map[string]float64) error {
	k := r.zs.Width
	ns := r.zs.Len()
	spikeT := make([]float64, len(r.spikes.Times))
	for i, t := range r.spikes.Times {
		spikeT[i] = t * net.dtS / net.clock.Dt // model time unit → s
	}
	arrays := []runio.Array{
		{Name: "t", Shape: []int{ns}, Data: r.zs.T},
		{Name: "z", Shape: []int{ns, k}, Data: r.zs.Data},
		{Name: "target", Shape: []int{ns, k}, Data: r.targets.Data},
		{Name: "spike_t", Shape: []int{len(spikeT)}, Data: spikeT},
		{Name: "spike_i", Shape: []int{len(r.spikes.Index)}, Data: r.spikes.Index},
	}
	if nd := r.decoders.Width / k; nd > 0 {
		arrays = append(arrays,
			runio.Array{Name: "decoder_t", Shape: []int{r.decoders.Len()}, Data: r.decoders.T},
			runio.Array{Name: "decoders", Shape: []int{r.decoders.Len(), nd, k}, Data: r.decoders.Data})
	}
	if p := net.target.Period(); p > 0 && m["test_rmse_phase_aligned"] > 0 {
		sampleS := c.Record.SampleMS / 1000
		from := 0
		for from < ns && r.zs.T[from] <= c.TrainStopS+1e-12 {
			from++
		}
		starts, w := experiment.PhaseAlignedRMSE(r.zs, r.targets, from, int(math.Round(c.Record.WindowS/sampleS)), int(math.Round(p/sampleS)))
		ts := make([]float64, len(starts))
		for i, a := range starts {
			ts[i] = r.zs.T[a]
		}
		arrays = append(arrays,
			runio.Array{Name: "phase_aligned_window_t", Shape: []int{len(ts)}, Data: ts},
			runio.Array{Name: "phase_aligned_rmse", Shape: []int{len(w)}, Data: w})
	}
	file := c.recordedTarget()
	if file {
		from := 0
		for from < ns && r.zs.T[from] <= c.TrainStopS+1e-12 {
			from++
		}
		arrays = append(arrays, signalArrays(signalMetrics(map[string]float64{}, r, from))...)
	}
	if err := runio.WriteNPZ(env.Out.File("recordings.npz"), arrays); err != nil {
		return err
	}
	if f, ok := net.target.(framed); ok {
		if err := c.movieFigure(env, r, f.h, f.w, net.target.Period()); err != nil {
			return err
		}
	} else if file && k > 1 {
		if err := c.signalFigure(env, r, net.target.Period()); err != nil {
			return err
		}
	}
	return c.figures(env, r, spikeT)
}

func (c *ForceConfig) figures(env *experiment.Env, r *forceResult, spikeT []float64) (err error) {
	k := r.zs.Width
	var outs, errs []plot.Series
	errT := make([]float64, r.zs.Len())
	for i := range errT {
		zr, tr := r.zs.Row(i), r.targets.Row(i)
		s := 0.0
		for q := range zr {
			d := zr[q] - tr[q]
			s += d * d
		}
		errT[i] = math.Sqrt(s / float64(k))
	}
	show := min(k, 6)
	for q := 0; q < show; q++ {
		lab := ""
		if show > 1 {
			lab = fmt.Sprintf(" %d", q)
		}
		outs = append(outs,
			plot.Series{Label: "target" + lab, X: r.targets.T, Y: r.targets.Column(q), Color: plot.Palette[(2*q+1)%len(plot.Palette)], Dash: true},
			plot.Series{Label: "readout z" + lab, X: r.zs.T, Y: r.zs.Column(q), Color: plot.Palette[(2*q)%len(plot.Palette)]})
	}
	// With one output the error is |z − target|; with several, the RMS over
	// the outputs of z − target.
	errLabel := "|z − target|"
	if k > 1 {
		errLabel = fmt.Sprintf("RMS of z − target over %d outputs", k)
	}
	errs = append(errs, plot.Series{X: r.zs.T, Y: errT})
	raster, err := plot.Raster(fmt.Sprintf("spikes of neurons 0–%d", r.spikes.Record-1), "time (s)", spikeT, r.spikes.Index)
	if err != nil {
		return err
	}
	readout, err := plot.Lines("target and readout (RLS on from "+fmt.Sprint(c.TrainStartS)+" s to "+fmt.Sprint(c.TrainStopS)+" s)", "time (s)", "z", outs...)
	if err != nil {
		return err
	}
	errp, err := plot.Lines("readout error", "time (s)", errLabel, errs...)
	if err != nil {
		return err
	}
	var decs []plot.Series
	for j := 0; j < r.decoders.Width; j += k {
		decs = append(decs, plot.Series{X: r.decoders.T, Y: r.decoders.Column(j)})
	}
	decp, err := plot.Lines("decoders φ of the first neurons", "time (s)", "φ", decs...)
	if err != nil {
		return err
	}
	panels := []*gplot.Plot{raster, readout, errp, decp}
	// The two figures are drawn concurrently.
	summary := make(chan error, 1)
	go func() { summary <- plot.SavePNG(env.Out.File("summary.png"), 10, 2.6, panels...) }()
	defer func() {
		if e := <-summary; e != nil && err == nil {
			err = e
		}
	}()
	// A close look at the end of the test phase.
	span := math.Min(2, c.DurationS-c.TrainStopS)
	if span <= 0 {
		span = math.Min(2, c.DurationS)
	}
	from := 0
	for from < r.zs.Len() && r.zs.T[from] < c.DurationS-span {
		from++
	}
	var tail []plot.Series
	for _, s := range outs {
		tail = append(tail, plot.Series{Label: s.Label, X: s.X[from:], Y: s.Y[from:], Color: s.Color, Dash: s.Dash})
	}
	tp, err := plot.Lines(fmt.Sprintf("last %.3g s (RLS off)", span), "time (s)", "z", tail...)
	if err != nil {
		return err
	}
	return plot.SavePNG(env.Out.File("readout_test.png"), 10, 3.5, tp)
}
