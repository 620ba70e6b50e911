package olfaction

import "fmt"

// LearntNothing reports a validation accuracy no better than chance or
// than always answering the most frequent class (+0.02).
func (c *OlfactionConfig) LearntNothing(m map[string]float64) string {
	v, ok := m["val_accuracy"]
	base := max(m["chance_accuracy"], m["majority_accuracy"])
	if ok && v <= base+0.02 {
		return fmt.Sprintf("val_accuracy %.3g ≤ %.3g + 0.02, the accuracy of always answering the most frequent class (chance %.3g)", v, base, m["chance_accuracy"])
	}
	return ""
}
