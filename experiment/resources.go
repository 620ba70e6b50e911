package experiment

import (
	"fmt"
	"sort"
	"strings"
)

// Estimate is what a configuration needs before it allocates anything:
// the largest memory items (bytes), the number of simulation steps or
// training updates, and the wall time if it can be predicted.
type Estimate struct {
	// Items are the big allocations, e.g. {"RLS matrix P (n×n float32)", 16e6}.
	Items []Item
	// Steps is the number of time steps or updates the run will take (0: unknown).
	Steps int64
}

// Item is one allocation of an Estimate.
type Item struct {
	What  string // what is allocated, with its shape, e.g. "weights (n×n float64)"
	Bytes float64
}

// Bytes returns the total of the items.
func (e Estimate) Bytes() float64 {
	s := 0.0
	for _, it := range e.Items {
		s += it.Bytes
	}
	return s
}

// Add appends an item and returns the estimate.
func (e *Estimate) Add(what string, bytes float64) {
	e.Items = append(e.Items, Item{What: what, Bytes: bytes})
}

// Estimator is implemented by configurations that can say what they need
// before they allocate (the framework checks it against the memory limit
// before it creates the run folder).
type Estimator interface {
	Estimate() (Estimate, error)
}

// CheckMemory returns an error when e needs more than limit bytes, naming
// the largest items (limit ≤ 0: no limit).
func CheckMemory(e Estimate, limit float64) error {
	total := e.Bytes()
	if limit <= 0 || total <= limit {
		return nil
	}
	items := append([]Item(nil), e.Items...)
	sort.Slice(items, func(i, j int) bool { return items[i].Bytes > items[j].Bytes })
	var parts []string
	for k, it := range items {
		if k == 3 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s", it.What, HumanBytes(it.Bytes)))
	}
	return fmt.Errorf("this configuration needs ≈ %s (%s); the limit is %s (--max-memory)", HumanBytes(total), strings.Join(parts, ", "), HumanBytes(limit))
}

// HumanBytes formats a byte count with a binary-free decimal unit (kB, MB, GB, TB).
func HumanBytes(b float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	k := 0
	for b >= 1000 && k < len(units)-1 {
		b /= 1000
		k++
	}
	if k == 0 {
		return fmt.Sprintf("%.0f B", b)
	}
	return fmt.Sprintf("%.3g %s", b, units[k])
}
