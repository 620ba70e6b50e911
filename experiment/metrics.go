package experiment

import (
	"math"
	"sort"

	"github.com/spikelab/spikelab/sim"
)

// PhaseAlignedRMSE compares an output trace with its target in consecutive
// windows of `window` samples starting at sample `from`. In each window it
// shifts the target back by s = 0..maxShift samples and keeps the smallest
// RMSE over all components: the error of the output's shape once its free
// phase is discounted. Windows that would need samples before the start of
// the trace, or that run past its end, are skipped. It returns the first
// sample of each window and its RMSE.
func PhaseAlignedRMSE(z, target *sim.Trace, from, window, maxShift int) (starts []int, rmse []float64) {
	k := z.Width
	for a := from; a+window <= z.Len(); a += window {
		if a-maxShift < 0 {
			continue
		}
		best := math.Inf(1)
		for s := 0; s <= maxShift; s++ {
			sum := 0.0
			zd := z.Data[a*k : (a+window)*k]
			td := target.Data[(a-s)*k : (a-s+window)*k]
			for q, v := range zd {
				d := v - td[q]
				sum += d * d
			}
			if sum < best {
				best = sum
			}
		}
		starts = append(starts, a)
		rmse = append(rmse, math.Sqrt(best/float64(window*k)))
	}
	return starts, rmse
}

// RMS returns the root mean square of x.
func RMS(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(len(x)))
}

// UpCrossingRate returns the number of upward crossings of the mean per unit
// of time in the samples x taken every dt: the dominant frequency of an
// oscillation (Hz when dt is in s).
func UpCrossingRate(x []float64, dt float64) float64 {
	if len(x) < 3 {
		return 0
	}
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	first, last, n := -1, -1, 0
	for i := 1; i < len(x); i++ {
		if x[i-1] < mean && x[i] >= mean {
			if first < 0 {
				first = i
			}
			last = i
			n++
		}
	}
	if n < 2 {
		return 0
	}
	return float64(n-1) / (float64(last-first) * dt)
}

// Median returns the median of x (0 for none).
func Median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// MeanStd returns the mean of x and its sample standard deviation (n − 1 in
// the denominator; 0 for fewer than two values).
func MeanStd(x []float64) (float64, float64) {
	if len(x) == 0 {
		return 0, 0
	}
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	s := 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	if len(x) > 1 {
		s /= float64(len(x) - 1)
	}
	return m, math.Sqrt(s)
}
