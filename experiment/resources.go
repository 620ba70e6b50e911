package experiment

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
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

// Add appends an item of bytes bytes (NaN or negative counts as 0: an
// invalid config is Validate's to report).
func (e *Estimate) Add(what string, bytes float64) {
	if !(bytes > 0) {
		bytes = 0
	}
	e.Items = append(e.Items, Item{What: what, Bytes: bytes})
}

// Array adds an item of float64 values (8 bytes each) whose count is the
// product of dims (negative dimensions count as 0).
func (e *Estimate) Array(what string, dims ...float64) {
	e.Add(what, 8*Count(dims...))
}

// Count returns the product of dims in float64 (no integer overflow), 0
// when any is negative or NaN.
func Count(dims ...float64) float64 {
	p := 1.0
	for _, d := range dims {
		if !(d >= 0) {
			return 0
		}
		p *= d
	}
	return p
}

// StepsOf returns the number of steps of length dt in duration (same
// unit), saturated at math.MaxInt64, and 0 for values Validate refuses
// (dt not positive, a duration not finite).
func StepsOf(duration, dt float64) int64 {
	s := duration / dt
	switch {
	case !(dt > 0) || math.IsInf(dt, 0) || math.IsInf(duration, 0) || !(s > 0):
		return 0
	case s >= math.MaxInt64:
		return math.MaxInt64
	}
	return int64(math.Round(s))
}

// Estimator is implemented by configurations that can say what they need
// before they allocate (the framework checks it against the memory limit
// before it creates the run folder). Estimate must be cheap, allocate
// nothing large and cope with unvalidated values.
type Estimator interface {
	Estimate() (Estimate, error)
}

// MaxBytes is the largest estimate accepted whatever the limit (2^47 B ≈
// 141 TB, beyond what any machine can allocate).
const MaxBytes = 1 << 47

// MaxSteps is the largest number of steps or updates accepted whatever
// the limit (2^40 ≈ 1.1·10^12: years of CPU time).
const MaxSteps = 1 << 40

// CheckMemory returns an error when e needs more than limit bytes, naming
// the largest items (limit ≤ 0: no limit), and always when e needs more
// than MaxBytes or more than MaxSteps steps.
func CheckMemory(e Estimate, limit float64) error {
	total := e.Bytes()
	if e.Steps > MaxSteps {
		return fmt.Errorf("this configuration needs %.3g steps or updates (at most %.3g are accepted: it would never finish)", float64(e.Steps), float64(MaxSteps))
	}
	over := !(total <= MaxBytes)
	if !over && (limit <= 0 || total <= limit) {
		return nil
	}
	items := append([]Item(nil), e.Items...)
	sort.SliceStable(items, func(i, j int) bool { return items[i].Bytes > items[j].Bytes })
	var parts []string
	for k, it := range items {
		if k == 3 || it.Bytes < 0.01*total {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s", it.What, HumanBytes(it.Bytes)))
	}
	if over {
		return fmt.Errorf("this configuration needs ≈ %s (%s): more than any machine can allocate", HumanBytes(total), strings.Join(parts, ", "))
	}
	have := ""
	if avail := AvailableMemory(); avail > 0 {
		have = fmt.Sprintf("; this machine has %s available", HumanBytes(avail))
	}
	return fmt.Errorf("this configuration needs ≈ %s (%s); the limit is %s (--max-memory%s)", HumanBytes(total), strings.Join(parts, ", "), HumanBytes(limit), have)
}

// Guard checks cfg's Estimate (when it has one) against MaxBytes and
// MaxSteps only: configurations call it first in Validate, so that sizes
// no machine can hold are refused before anything is allocated even when
// Run is called from Go without the command line's memory check.
func Guard(cfg any) error {
	est, ok := cfg.(Estimator)
	if !ok {
		return nil
	}
	e, err := est.Estimate()
	if err != nil {
		return err
	}
	return CheckMemory(e, 0)
}

// HumanBytes formats a byte count with a binary-free decimal unit (kB, MB, GB, TB).
func HumanBytes(b float64) string {
	if math.IsInf(b, 1) {
		return "∞ B"
	}
	units := []string{"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}
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

// AvailableMemory returns MemAvailable of /proc/meminfo in bytes, or 0
// where it is not known.
func AvailableMemory() float64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, err := strconv.ParseFloat(f[0], 64)
				if err == nil && kb > 0 {
					return kb * 1024
				}
			}
		}
	}
	return 0
}

// DefaultMemoryLimit returns the default of --max-memory: 80 % of the
// available memory in bytes, or 0 (no limit) where that is not known.
func DefaultMemoryLimit() float64 { return 0.8 * AvailableMemory() }

// MemoryLimit returns the limit a --max-memory value gives: "" is
// DefaultMemoryLimit, anything else is parsed by ParseBytes.
func MemoryLimit(s string) (float64, error) {
	if s == "" {
		return DefaultMemoryLimit(), nil
	}
	return ParseBytes(s)
}

// SetSoftMemoryLimit makes limit (bytes, ≤ 0: none) the Go runtime's soft
// memory limit and returns the function that restores the previous one:
// near the limit the collector returns garbage sooner instead of letting
// the heap grow to twice what is live.
func SetSoftMemoryLimit(limit float64) (restore func()) {
	if !(limit > 0 && limit < math.MaxInt64) {
		return func() {}
	}
	old := debug.SetMemoryLimit(int64(limit))
	return func() { debug.SetMemoryLimit(old) }
}

// ParseBytes parses a memory size: a number of bytes with an optional
// unit kB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of
// 1024), e.g. "16GB", "500MiB", "0" (no limit).
func ParseBytes(s string) (float64, error) {
	t := strings.TrimSpace(s)
	mult := 1.0
	units := []struct {
		suffix string
		mult   float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"B", 1}}
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t = strings.TrimSpace(strings.TrimSuffix(t, u.suffix))
			mult = u.mult
			break
		}
	}
	x, err := strconv.ParseFloat(t, 64)
	if err != nil || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, fmt.Errorf("memory size %q: want a non-negative number with an optional unit (kB, MB, GB, TB, KiB, MiB, GiB, TiB)", s)
	}
	return x * mult, nil
}
