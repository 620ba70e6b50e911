package cuba

import "github.com/spikelab/spikelab/neuron"

// NeuronParams returns the parameters of Brian2's CUBA example (Vogels & Abbott 2005).
func NeuronParams() neuron.LIFExpParams {
	return neuron.LIFExpParams{TauM: 20, TauE: 5, TauI: 10, VT: -50, VR: -60, EL: -49, TauRef: 5}
}
