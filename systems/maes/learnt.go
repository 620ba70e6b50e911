package maes

import "fmt"

// LearntNothing reports a read-out no better than an all-silent one
// (readout_error ≥ 0.95 × readout_error_silent).
func (c *MaesReadoutConfig) LearntNothing(m map[string]float64) string {
	e, ok1 := m["readout_error"]
	s, ok2 := m["readout_error_silent"]
	if ok1 && ok2 && s > 0 && e >= 0.95*s {
		return fmt.Sprintf("readout_error %.3g ≥ 0.95 × readout_error_silent %.3g: the read-out is no better than silence", e, s)
	}
	return ""
}

// LearntNothing reports training that formed no feedforward structure:
// forward and backward block weights within 5 % of each other.
func (c *MaesTrainConfig) LearntNothing(m map[string]float64) string {
	if r, ok := m["forward_backward_ratio"]; ok && r < 1.05 {
		return fmt.Sprintf("forward_backward_ratio %.3g < 1.05: no feedforward chain formed (w_forward %.3g, w_backward %.3g)", r, m["w_forward"], m["w_backward"])
	}
	return ""
}
