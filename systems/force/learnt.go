package force

import "fmt"

// LearntNothing reports a run whose free-running (test) readout is no
// better than a zero output: test_rmse ≥ 0.9 × target_rms.
func (c *ForceConfig) LearntNothing(m map[string]float64) string {
	rmse, okE := m["test_rmse"]
	rms, okT := m["target_rms"]
	if okE && okT && rms > 0 && rmse >= 0.9*rms {
		return fmt.Sprintf("test_rmse %.3g ≥ 0.9 × target_rms %.3g: the free-running readout is no better than a zero output (try other alpha, g or q)", rmse, rms)
	}
	return ""
}
