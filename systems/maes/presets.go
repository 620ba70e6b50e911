package maes

import (
	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/neuron"
)

// ExcitatoryNeuron returns the excitatory neuron of Maes et al. 2020 (sim.jl).
func ExcitatoryNeuron() neuron.AdExParams {
	return neuron.AdExParams{C: 300, TauM: 20, EL: -70, DeltaT: 2, VT0: -52, AT: 10, TauT: 30, SetT: true,
		A: 0, B: 1000, TauW: 100, VPeak: 20, VReset: -60, TauRef: 5, EE: 0, EI: -75, VInitLo: -60, VInitHi: -52}
}

// InhibitoryNeuron returns the inhibitory LIF neuron of Maes et al. 2020 as
// an AdEx with Δ_T = 0 (a hard threshold at V_T0 = −52 mV), no threshold
// adaptation and no adaptation current.
func InhibitoryNeuron() neuron.AdExParams {
	return neuron.AdExParams{C: 300, TauM: 20, EL: -62, DeltaT: 0, VT0: -52, AT: 0, TauT: 30, SetT: false,
		A: 0, B: 0, TauW: 100, VPeak: 20, VReset: -60, TauRef: 5, EE: 0, EI: -75, VInitLo: -60, VInitHi: -52}
}

// EERule returns the E→E rule of the Maes et al. 2020 network (sim.jl).
func EERule() learn.VoltageSTDPParams {
	return learn.VoltageSTDPParams{ALTP: 0.0008, ALTD: 0.0014, ThetaLTP: -49, ThetaLTD: -70, TauU: 10, TauV: 7, TauX: 3.5, WMin: 1.45, WMax: 32.68}
}

// ReadoutRule returns the read-out rule of Maes et al. 2020
// (trainer.m): τ_x = 5 ms, weights in [0, 25] with a soft upper bound.
func ReadoutRule() learn.VoltageSTDPParams {
	return learn.VoltageSTDPParams{ALTP: 0.0008, ALTD: 0.0014, ThetaLTP: -49, ThetaLTD: -70, TauU: 10, TauV: 7, TauX: 5, WMin: 0, WMax: 25, SoftBound: true}
}

// IERule returns the I→E rule of the Maes et al. 2020 code.
func IERule() learn.InhibSTDPParams {
	return learn.InhibSTDPParams{Eta: 1, R0: 0.003, TauY: 20, WMin: 48.7, WMax: 243}
}
