package force

import "fmt"

// LearntNothing reports a run whose free-running (test) readout is no
// better than a zero output. For a periodic target the phase-aligned test
// error is the criterion (a readout that reproduces the oscillation with
// a drifted phase has learnt it): test_rmse_phase_aligned ≥ 0.9 ×
// target_rms; otherwise test_rmse ≥ 0.9 × target_rms.
func (c *ForceConfig) LearntNothing(m map[string]float64) string {
	rms, okT := m["target_rms"]
	if !okT || !(rms > 0) {
		return ""
	}
	if pa, ok := m["test_rmse_phase_aligned"]; ok {
		if pa >= 0.9*rms {
			return fmt.Sprintf("test_rmse_phase_aligned %.3g ≥ 0.9 × target_rms %.3g: even with its phase discounted the free-running readout is no better than a zero output (try other alpha, g or q)", pa, rms)
		}
		return ""
	}
	if rmse, ok := m["test_rmse"]; ok && rmse >= 0.9*rms {
		return fmt.Sprintf("test_rmse %.3g ≥ 0.9 × target_rms %.3g: the free-running readout is no better than a zero output (try other alpha, g or q)", rmse, rms)
	}
	return ""
}
