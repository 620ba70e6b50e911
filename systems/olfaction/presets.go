package olfaction

import "github.com/spikelab/spikelab/neuron"

// LavaNeuron returns the constants of the lava DECOLLE example
// (kclip/lava-decolle N-MNIST notebook).
func LavaNeuron() neuron.CUBALIFParams {
	return neuron.CUBALIFParams{Threshold: 1.25, CurrentDecay: 0.25, VoltageDecay: 0.03}
}
