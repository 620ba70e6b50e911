package ltts

import "fmt"

// silentNetwork reports a spike mismatch no lower than a silent network's
// (whose mismatch is the target's spike rate per step).
func silentNetwork(m map[string]float64) string {
	ds, ok1 := m["spike_mismatch"]
	rate, ok2 := m["target_rate_per_step"]
	if ok1 && ok2 && rate > 0 && ds >= rate {
		return fmt.Sprintf("spike_mismatch %.3g ≥ target_rate_per_step %.3g: the spikes match the target no better than a silent network's", ds, rate)
	}
	return ""
}

// LearntNothing reports a network whose spikes match the target's no
// better than a silent network's.
func (c *LTTSConfig) LearntNothing(m map[string]float64) string { return silentNetwork(m) }

// LearntNothing reports a run with no pattern correct.
func (c *LTTSXORConfig) LearntNothing(m map[string]float64) string {
	if v, ok := m["patterns_correct"]; ok && v == 0 {
		return "patterns_correct 0: no XOR pattern has the right sign and half the target amplitude"
	}
	return ""
}

// LearntNothing reports a free-running test no better than a constant
// mean output, or spikes no better than a silent network's.
func (c *LTTSWalkingConfig) LearntNothing(m map[string]float64) string {
	t, ok1 := m["test_mse"]
	mean, ok2 := m["test_mse_mean_output"]
	if ok1 && ok2 && t >= mean {
		return fmt.Sprintf("test_mse %.3g ≥ test_mse_mean_output %.3g: the free-running output is no better than the mean posture", t, mean)
	}
	return silentNetwork(m)
}
