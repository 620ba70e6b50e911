package ltts

import (
	"fmt"

	"github.com/spikelab/spikelab/experiment"
)

// lttsEstimate returns the memory of nets networks of n units trained on
// sequences of t steps (patterns of them) with k readout components and
// in input channels: per network the recurrent weights J with their Adam
// moments, gradient and a kept copy (6·n² float64), the spike, trace and
// back-propagated sequences (8·t·n per pattern), projections and readout;
// steps are epochs·t·patterns updates.
func lttsEstimate(n, t, k, in, patterns, nets, epochs int) experiment.Estimate {
	var e experiment.Estimate
	N, T, P, M := float64(n), float64(max(t, 0)), float64(max(patterns, 1)), float64(max(nets, 1))
	e.Add(fmt.Sprintf("recurrent weights J, Adam moments and gradient (net.n = %d: %.0f × 6 × n×n float64)", n, M), 8*6*M*experiment.Count(N, N))
	e.Add(fmt.Sprintf("spike and trace sequences (T = %d steps × n × 8 × %.0f patterns float64)", t, P), 8*8*experiment.Count(T, N, P))
	e.Array("projections and readout (n × (2·inputs + 4·outputs))", N, 2*float64(max(in, 0))+4*float64(max(k, 0)))
	e.Steps = int64(min(experiment.Count(float64(epochs), T, P), experiment.MaxSteps+1))
	return e
}

// Estimate returns the memory of the run's big arrays (bytes) and its
// steps (one network, the 5-channel clock, 3 outputs).
func (c *LTTSConfig) Estimate() (experiment.Estimate, error) {
	return lttsEstimate(c.Net.N, c.T, 3, 5, 1, 1, c.Epochs), nil
}

// Estimate returns the memory of the run's big arrays (bytes) and its
// steps (two trained networks, one per rule).
func (c *LTTSNoiseConfig) Estimate() (experiment.Estimate, error) {
	e := lttsEstimate(c.Net.N, c.T, 3, 5, 1, 2, c.Epochs)
	e.Steps = int64(min(float64(e.Steps)+experiment.Count(float64(c.RatioSteps), float64(c.Repeats), 2, float64(c.T)), experiment.MaxSteps+1))
	return e, nil
}

// Estimate returns the memory of the run's big arrays (bytes) and its
// steps (four patterns of 12·off steps, one input channel, one output).
func (c *LTTSXORConfig) Estimate() (experiment.Estimate, error) {
	t := 12 * float64(c.Off)
	return lttsEstimate(c.Net.N, int(min(t, 1<<50)), 1, 1, 4, 1, c.Epochs), nil
}

// Estimate returns the memory of the run's big arrays (bytes) and its
// steps (56 channels in and out, total_bins steps).
func (c *LTTSWalkingConfig) Estimate() (experiment.Estimate, error) {
	return lttsEstimate(c.Net.N, max(c.TotalBins, c.TrainBins), 56, 56, 3, 1, c.Epochs), nil
}
