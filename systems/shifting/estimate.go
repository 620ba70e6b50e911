package shifting

import (
	"fmt"

	"github.com/spikelab/spikelab/experiment"
)

// shape returns the inputs, outputs and (largest) training-set size of
// the task; the image sets are taken at MNIST's 28×28, 60000 + 10000.
func (c *ShiftingConfig) shape() (in, out, train, test float64) {
	switch c.Task {
	case "xor":
		return 2, 2, 4, 4
	case "iris":
		return 4, 3, 150, 0
	case "tca":
		if c.Data.generated() {
			return 500, tcaClasses, float64(c.Data.TrainTrials), float64(c.Data.TestTrials)
		}
		return 500, tcaClasses, 40, float64(c.TestSize)
	}
	train, test = 60000, 10000
	if c.TrainSize > 0 {
		train = min(train, float64(c.TrainSize))
	}
	if c.TestSize > 0 {
		test = min(test, float64(c.TestSize))
	}
	return 784, 10, train, test
}

// Estimate returns the memory of the run's big arrays (bytes) and its
// updates: the two weight layers with Adam's moments and one gradient
// copy per chunk of a batch, and the batch buffers; for the image tasks
// the IDX images (one byte per pixel) as well.
func (c *ShiftingConfig) Estimate() (experiment.Estimate, error) {
	var e experiment.Estimate
	in, out, train, test := c.shape()
	h := float64(c.Hidden)
	// W, Adam's two moments, and one gradient per chunk of a batch
	// (shiftingChunks, whatever the threads, so the results do not depend
	// on them).
	copies := 3 + float64(shiftingChunks)
	e.Add(fmt.Sprintf("weights and gradient copies (hidden = %d: (inputs×hidden + hidden×outputs) × %.0f float64)", c.Hidden, copies),
		8*copies*(experiment.Count(in, h)+experiment.Count(h, out)))
	b := float64(max(c.BatchSize, 0))
	e.Array("batch buffers (batch_size × (4·inputs + 3·hidden))", b, 4*in+3*max(h, 0))
	if c.Task == "mnist" || c.Task == "fashion-mnist" {
		e.Add("images (60000 + 10000 × 784 bytes)", 70000*784)
		e.Array("test block buffers", min(test, 1000), in)
	}
	if c.Task == "tca" {
		// ≈ 5000 input spikes per trial (z float64 + synapse int32), the file's 50 trials included.
		e.Array("TCA trials (≈ 5000 spikes × 12 bytes each)", train+test+50, 5000*12/8)
	}
	if b > 0 {
		e.Steps = int64(min(experiment.Count(float64(c.Epochs), train/b+1, float64(max(c.Runs, 1))), experiment.MaxSteps+1))
	}
	return e, nil
}
