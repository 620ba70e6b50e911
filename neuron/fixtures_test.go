package neuron

// Test fixtures: published parameter sets used as test inputs.

// excAdEx is an AdEx with an adaptive threshold (the clustered E/I network
// of the clock experiments).
func excAdEx() AdExParams {
	return AdExParams{C: 300, TauM: 20, EL: -70, DeltaT: 2, VT0: -52, AT: 10, TauT: 30, SetT: true,
		A: 0, B: 1000, TauW: 100, VPeak: 20, VReset: -60, TauRef: 5, EE: 0, EI: -75, VInitLo: -60, VInitHi: -52}
}

// inhAdEx is a hard-threshold LIF written as an AdEx with Δ_T = 0.
func inhAdEx() AdExParams {
	return AdExParams{C: 300, TauM: 20, EL: -62, DeltaT: 0, VT0: -52, AT: 0, TauT: 30, SetT: false,
		A: 0, B: 0, TauW: 100, VPeak: 20, VReset: -60, TauRef: 5, EE: 0, EI: -75, VInitLo: -60, VInitHi: -52}
}

// benchLIFExp is the Vogels–Abbott benchmark neuron (Brian2's CUBA example).
func benchLIFExp() LIFExpParams {
	return LIFExpParams{TauM: 20, TauE: 5, TauI: 10, VT: -50, VR: -60, EL: -49, TauRef: 5}
}

// lavaLIF is the lava DECOLLE example's CUBA-LIF.
func lavaLIF() CUBALIFParams {
	return CUBALIFParams{Threshold: 1.25, CurrentDecay: 0.25, VoltageDecay: 0.03}
}
