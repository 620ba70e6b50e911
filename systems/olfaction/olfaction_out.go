package olfaction

import (
	"fmt"
	"strings"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/plot"
	"github.com/spikelab/spikelab/runio"
)

// curveKey names a model's arrays in the npz.
func curveKey(name string) string {
	switch {
	case strings.HasPrefix(name, "ANN"):
		return "ann"
	case strings.Contains(name, "STDP"):
		return "hybrid"
	default:
		return "control"
	}
}

// writeOutputs writes recordings.npz and the figures: learning_curves.png
// (validation accuracy per epoch of every model run, with chance and
// majority-class lines), kc_raster.png and, for the hybrid,
// stdp_weights.png (the STDP block's weights before and after training)
// and, for the hybrid's experiment, kc_rates.png (the first model's per-KC
// validation rates).
func (c *OlfactionConfig) writeOutputs(env *experiment.Env, m map[string]float64, curves []olfactionCurve, rec *olfactionRecord) error {
	var arrays []runio.Array
	var series []plot.Series
	maxEp := 1
	for _, cu := range curves {
		k := curveKey(cu.name)
		ep := make([]float64, len(cu.valAcc))
		for i := range ep {
			ep[i] = float64(i + 1)
		}
		maxEp = max(maxEp, len(ep))
		arrays = append(arrays,
			runio.Array{Name: k + "_epoch", Shape: []int{len(ep)}, Data: ep},
			runio.Array{Name: k + "_val_accuracy", Shape: []int{len(ep)}, Data: cu.valAcc},
			runio.Array{Name: k + "_train_accuracy", Shape: []int{len(ep)}, Data: cu.trainAcc})
		series = append(series, plot.Series{Label: cu.name + " validation", X: ep, Y: cu.valAcc})
	}
	if rec.rasterT != nil {
		arrays = append(arrays, runio.Array{Name: "kc_spike_step", Shape: []int{len(rec.rasterT)}, Data: rec.rasterT},
			runio.Array{Name: "kc_spike_index", Shape: []int{len(rec.rasterI)}, Data: rec.rasterI})
	}
	if rec.stdpBefore != nil {
		arrays = append(arrays, runio.Array{Name: "stdp_w_initial", Shape: []int{len(rec.stdpBefore)}, Data: rec.stdpBefore})
	}
	if rec.stdpAfter != nil {
		arrays = append(arrays, runio.Array{Name: "stdp_w_final", Shape: []int{len(rec.stdpAfter)}, Data: rec.stdpAfter})
	}
	if rec.kcRates != nil {
		arrays = append(arrays, runio.Array{Name: "kc_rate_per_kc", Shape: []int{len(rec.kcRates)}, Data: rec.kcRates})
	}
	if err := runio.WriteNPZ(env.Out.File("recordings.npz"), arrays); err != nil {
		return err
	}
	// Reference levels span the epochs (half an epoch either side when
	// there is only one, so that they stay visible).
	x0, x1 := 1.0, float64(maxEp)
	if x1 <= x0 {
		x0, x1 = 0.5, 1.5
	}
	flat := func(label string, v float64) plot.Series {
		return plot.Series{Label: label, X: []float64{x0, x1}, Y: []float64{v, v}, Dash: true, Plain: true}
	}
	series = append(series, flat("majority class", m["majority_accuracy"]), flat("chance", m["chance_accuracy"]))
	lc, err := plot.Lines(fmt.Sprintf("fly olfaction, %d classes: validation accuracy", c.Data.NClass), "epoch", "accuracy", series...)
	if err != nil {
		return err
	}
	lc.Y.Min, lc.Y.Max = 0, 1
	plot.IntegerX(lc)
	if err := plot.SavePNG(env.Out.File("learning_curves.png"), 8, 4, lc); err != nil {
		return err
	}
	if rec.rasterT != nil {
		idx := make([]int32, len(rec.rasterI))
		for k, v := range rec.rasterI {
			idx[k] = int32(v)
		}
		r, err := plot.Raster(fmt.Sprintf("%s: KC spikes of the first %d validation odors (%d steps each, after burn-in)", rec.rasterName, c.RasterSamples, rec.rasterSteps),
			"step", rec.rasterT, idx)
		if err != nil {
			return err
		}
		if err := plot.SavePNG(env.Out.File("kc_raster.png"), 8, 4, r); err != nil {
			return err
		}
	}
	if rec.stdpBefore != nil && rec.stdpAfter != nil {
		h, err := plot.Histogram(fmt.Sprintf("STDP block weights (mean %.4f → %.4f)", m["stdp_w_mean_initial"], m["stdp_w_mean"]), "weight", 60,
			plot.HistSeries{Label: "before training", Values: rec.stdpBefore}, plot.HistSeries{Label: "after training", Values: rec.stdpAfter})
		if err != nil {
			return err
		}
		if err := plot.SavePNG(env.Out.File("stdp_weights.png"), 8, 4, h); err != nil {
			return err
		}
	}
	if rec.kcRates != nil {
		h, err := plot.Histogram(fmt.Sprintf("%s: per-KC validation rate (mean %.4f, %.1f %% silent)", curves[0].name, m["kc_spike_rate"], 100*m["kc_silent_fraction"]),
			"KC spikes per step", 50, plot.HistSeries{Label: "KCs", Values: rec.kcRates})
		if err != nil {
			return err
		}
		if err := plot.SavePNG(env.Out.File("kc_rates.png"), 8, 4, h); err != nil {
			return err
		}
	}
	return nil
}
