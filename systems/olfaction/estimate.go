package olfaction

import (
	"fmt"

	"github.com/spikelab/spikelab/experiment"
)

// Estimate returns the memory of the run's big arrays (bytes) and its
// updates: the generated odors, the weights of each trained model with
// their Adam moments and gradients (4 copies), the batch activations and
// the stored KC raster.
func (c *OlfactionConfig) Estimate() (experiment.Estimate, error) {
	var e experiment.Estimate
	d := c.Data
	nor, ncl := float64(d.NOR), float64(d.NClass)
	odors := float64(d.NTrain) + float64(d.NVal)
	e.Add(fmt.Sprintf("odors ((data.n_train + data.n_val = %.3g) × data.n_or float64 + labels)", odors), 8*experiment.Count(odors, nor+1))
	e.Array("prototypes (data.n_proto × data.n_or)", float64(max(d.NProto, d.NClass)), nor)
	var steps float64
	if c.Model == "ann" || c.Compare {
		a := c.ANN
		norn := experiment.Count(nor, float64(a.ORNTiling))
		w := experiment.Count(norn, float64(a.NPN)) + experiment.Count(float64(a.NPN), float64(a.NKC)) + experiment.Count(float64(a.NKC), ncl)
		e.Array(fmt.Sprintf("ANN weights, Adam moments, gradients and |W| (6 × %.3g float64)", w), 6, w)
		e.Array("ANN |W2|ᵀ and the transposed PN→KC gradient (2 × n_pn × n_kc)", 2, float64(a.NPN), float64(a.NKC))
		e.Array("ANN batch activations and active-KC lists (batch × layers × 6)", float64(a.Batch), norn+float64(a.NPN)+float64(a.NKC)+ncl, 6)
		if a.Batch > 0 {
			steps += experiment.Count(float64(a.Epochs), float64(d.NTrain)/float64(a.Batch)+1)
		}
	}
	if c.Model != "ann" {
		s := c.SNN
		in := experiment.Count(nor, float64(s.ORNTiling))
		sizes := []float64{in}
		if s.NORN > 0 {
			sizes = append(sizes, float64(s.NORN))
		}
		sizes = append(sizes, float64(s.NPN), float64(s.NKC))
		var w, units float64
		for i := 1; i < len(sizes); i++ {
			w += experiment.Count(sizes[i-1], sizes[i]) + experiment.Count(sizes[i], ncl)
			units += sizes[i]
		}
		w += experiment.Count(sizes[len(sizes)-1], ncl)
		nets := 1.0
		if c.Model == "stdp" && c.Compare {
			nets = 2 // the hybrid and the DECOLLE control
		}
		e.Array(fmt.Sprintf("SNN weights, Adam moments and gradients (%.0f × 4 × %.3g float64)", nets, w), nets, 4, w)
		e.Array("SNN batch state and traces (snn.batch × (inputs + units) × 8)", float64(s.Batch), in+units, 8)
		if c.Model == "stdp" {
			npre := sizes[len(sizes)-2]
			nkc := float64(s.NKC)
			switch c.STDP.Rule {
			case RulePairing, RuleOriginal:
				e.Add("STDP pairing counters (snn.batch × pre × KC bytes) and last spikes", experiment.Count(float64(s.Batch), npre, nkc)+4*float64(s.Batch)*(npre+nkc))
			case RuleTrace:
				e.Array("STDP traces (snn.batch × (pre + KC))", float64(s.Batch), npre+nkc)
			case RuleCompetitive:
				e.Array("competitive rule: update buffer (pre × KC), drives and ranks (snn.batch × KC × 1.5)", npre*nkc+1.5*float64(s.Batch)*nkc)
			}
			e.Array("STDP block weights before/after, KC rates and homeostasis state", 2*npre*nkc+3*nkc)
		}
		if c.ProbeOdors > 0 {
			f := float64(s.NKC) + 1
			e.Array("linear probe: KC counts of probe and validation odors, ridge system", float64(min(c.ProbeOdors, c.Data.NTrain)+c.Data.NVal)*f+3*f*f)
		}
		e.Array("stored KC raster (raster_samples × steps × n_kc)", float64(c.RasterSamples), float64(s.Steps+s.BurnIn), float64(s.NKC))
		if s.Batch > 0 {
			steps += nets * experiment.Count(float64(s.Epochs), float64(d.NTrain)/float64(s.Batch)+1, float64(s.Steps+s.BurnIn))
		}
	}
	e.Steps = int64(min(steps, experiment.MaxSteps+1))
	return e, nil
}
