package shifting

import "fmt"

// LearntNothing reports a run at chance: XOR solved in no run, Iris at
// most 0.4 mean accuracy (chance 1/3), the image tasks at most 0.15 test
// accuracy (chance 0.1), TCA no better than always answering the
// majority count.
func (c *ShiftingConfig) LearntNothing(m map[string]float64) string {
	switch c.Task {
	case "xor":
		if v, ok := m["solved_fraction"]; ok && v == 0 {
			return "solved_fraction 0: no run solved XOR"
		}
	case "iris":
		if v, ok := m["accuracy_mean"]; ok && v <= 0.4 {
			return fmt.Sprintf("accuracy_mean %.3g ≤ 0.4 (chance 1/3)", v)
		}
	case "mnist", "fashion-mnist":
		if v, ok := m["test_accuracy"]; ok && v <= 0.15 {
			return fmt.Sprintf("test_accuracy %.3g ≤ 0.15 (chance 0.1)", v)
		}
	case "tca":
		v, ok := m["test_accuracy"]
		maj := max(m["majority_accuracy"], m["chance_accuracy"])
		if ok && v <= maj {
			return fmt.Sprintf("test_accuracy %.3g ≤ %.3g, the accuracy of always answering the most frequent count", v, maj)
		}
	}
	return ""
}
