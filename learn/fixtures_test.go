package learn

// Test fixtures: published parameter sets used as test inputs.

func eeRule() VoltageSTDPParams {
	return VoltageSTDPParams{ALTP: 0.0008, ALTD: 0.0014, ThetaLTP: -49, ThetaLTD: -70, TauU: 10, TauV: 7, TauX: 3.5, WMin: 1.45, WMax: 32.68}
}

func readoutRule() VoltageSTDPParams {
	return VoltageSTDPParams{ALTP: 0.0008, ALTD: 0.0014, ThetaLTP: -49, ThetaLTD: -70, TauU: 10, TauV: 7, TauX: 5, WMin: 0, WMax: 25, SoftBound: true}
}

func ieRule() InhibSTDPParams {
	return InhibSTDPParams{Eta: 1, R0: 0.003, TauY: 20, WMin: 48.7, WMax: 243}
}
