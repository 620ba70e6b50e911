package force

import (
	"math"

	"github.com/spikelab/spikelab/experiment"
)

// Estimate returns the run's main allocations and its number of steps
// before anything is built. The number of outputs of a file supervisor is
// known only after reading it: a .wav counts target.spectrogram.channels,
// another file one output.
func (c *ForceConfig) Estimate() (experiment.Estimate, error) {
	var e experiment.Estimate
	if err := c.Validate(); err != nil {
		return e, err
	}
	n := float64(c.N)
	k := float64(c.outputsGuess())
	pBytes := 4.0
	if c.RLSStorage == "float64" {
		pBytes = 8
	}
	e.Add("RLS matrix P (n×n)", n*n*pBytes)
	e.Add("static weights (p·n² synapses, CSR)", c.P*n*n*12)
	e.Add("encoders and decoders (n×outputs float64)", 2*n*k*8)
	if c.Input.Kind == "hdts" {
		m := float64(c.Input.Components)
		if m == 0 {
			period := c.Input.PeriodS
			if period == 0 {
				period = 5 // the file's period is not known yet: the code's 5-s song
			}
			m = math.Round(period * 1000 / c.Input.BumpMS)
		}
		e.Add("HDTS input matrix (n×components float64)", n*m*8)
	}
	samples := c.DurationS * 1000 / c.Record.SampleMS
	e.Add("recorded readout and target (samples×outputs float64)", 2*samples*k*8)
	e.Steps = int64(math.Round(c.DurationS * 1000 / c.DtMS))
	return e, nil
}

// outputsGuess is the number of readout components as far as it is known
// without reading a file.
func (c *ForceConfig) outputsGuess() int {
	switch {
	case c.TargetFunc != nil:
		return c.Outputs
	case c.Target.Kind == "file":
		if len(c.Target.File) > 4 && c.Target.File[len(c.Target.File)-4:] == ".wav" {
			return c.Target.Spectrogram.Channels
		}
		return 1
	case c.Target.Kind == "vdp":
		return 2
	case c.Target.Kind == "lorenz":
		return 3
	case c.Target.Kind == "song" && c.Target.Song == "long":
		return 69
	case c.Target.Kind == "song":
		return 5
	}
	return 1
}
