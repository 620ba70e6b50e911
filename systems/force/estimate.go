package force

import (
	"fmt"
	"math"
	"strings"

	"github.com/spikelab/spikelab/experiment"
)

// outputs returns the number of readout components of the config's
// target without building it (the van der Pol target integrates its
// burn-in when built).
func (c *ForceConfig) outputs() int {
	if c.TargetFunc != nil {
		return max(c.Outputs, 1)
	}
	switch c.Target.Kind {
	case "file":
		// Known only after reading the file: a .wav gives
		// target.spectrogram.channels outputs, another file one.
		if strings.HasSuffix(strings.ToLower(c.Target.File), ".wav") {
			return max(c.Target.Spectrogram.Channels, 1)
		}
		return 1
	case "vdp":
		return 2
	case "lorenz":
		return 3
	case "song":
		if c.Target.Song == "long" {
			return 69
		}
		return 5
	}
	return 1
}

// Estimate returns the memory of the run's big arrays (bytes) and its
// steps: the RLS matrix P (n×n, rls_storage), the static weights (n²·p
// synapses, built as a list then stored as CSR), the per-neuron state,
// decoders and encoders, the recorded readout, target and decoders, and
// the raster's spikes (at ≈ 100 Hz).
func (c *ForceConfig) Estimate() (experiment.Estimate, error) {
	var e experiment.Estimate
	n, k := float64(c.N), float64(c.outputs())
	pb := 4.0
	switch c.RLSStorage {
	case "float64":
		pb = 8
	case "float16":
		pb = 2
	}
	e.Add(fmt.Sprintf("RLS matrix P (n×n %s, n = %d)", c.RLSStorage, c.N), pb*experiment.Count(n, n))
	// model.npz holds P whole, as float32 (float64 with float64 storage),
	// copied while it is written (a checkpoint copies half as much).
	saved := "float32"
	if pb == 8 {
		saved = "float64"
	}
	e.Add(fmt.Sprintf("P's copy for model.npz (n×n %s)", saved), max(pb, 4)*experiment.Count(n, n))
	if l := c.FactoredUpdates(); l > 0 {
		e.Add(fmt.Sprintf("RLS factored updates (rls_factored_updates × n float64, %d × %d)", l, c.N), 8*experiment.Count(n, float64(l)))
	}
	nnz := experiment.Count(n, n, min(max(c.P, 0), 1))
	e.Add(fmt.Sprintf("static weights (n²·p = %.3g synapses)", nnz), 16*1.05*nnz+12*nnz)
	e.Array("neuron state, decoders, encoders, RLS block (n×(16+3·outputs+rls_block))", n, 16+3*k+float64(max(c.RLSBlock, 0)))
	if c.Input.Kind == "hdts" {
		m := float64(c.Input.Components)
		if m == 0 {
			period := c.Input.PeriodS
			if period == 0 {
				period = 5 // the file's period is not known yet: the code's 5-s song
			}
			m = math.Round(period * 1000 / c.Input.BumpMS)
		}
		e.Array("HDTS input matrix (n×components)", n, m)
	}
	steps := experiment.StepsOf(c.DurationS*1000, c.DtMS)
	e.Steps = steps
	samples := float64(steps) / max(c.Record.SampleMS/c.DtMS, 1)
	e.Array("recorded readout and target (samples × outputs × 2, record.sample_ms)", samples+1, k, 2)
	e.Array("recorded decoders (≤ 10⁴ samples × record.decoder_neurons × outputs)", min(samples+1, 10001), min(float64(c.Record.DecoderNeurons), n), k)
	e.Add("raster spikes (record.raster_neurons at ≈ 100 Hz)", 12*experiment.Count(min(float64(c.Record.RasterNeurons), n), 100, c.DurationS))
	return e, nil
}
