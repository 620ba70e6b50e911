package maes

import (
	"math"

	"github.com/spikelab/spikelab/connect"
)

// MaesBlocks are mean weights of existing synapses by block of a clustered
// network (E→E split by the clusters of pre and post).
type MaesBlocks struct {
	Within   float64 // pre and post in the same cluster
	Forward  float64 // pre in cluster k, post in k+1 (mod K)
	Backward float64 // pre in cluster k+1, post in k (mod K)
	Other    float64 // every other E→E synapse
	IE       float64 // I→E
}

// maesBlockMeans returns the block means of m for ne E neurons in k clusters.
func maesBlockMeans(m *connect.Sparse, ne, k int) MaesBlocks {
	size := ne / k
	var s [5]float64
	var c [5]int
	for j := 0; j < m.NPre; j++ {
		a, b := m.PreSegment(j, 0, ne)
		for q := a; q < b; q++ {
			i := int(m.Post[q])
			var blk int
			if j >= ne {
				blk = 4
			} else {
				cj, ci := j/size, i/size
				switch {
				case cj == ci:
					blk = 0
				case k > 1 && ci == (cj+1)%k:
					blk = 1
				case k > 1 && cj == (ci+1)%k:
					blk = 2
				default:
					blk = 3
				}
			}
			s[blk] += m.W[q]
			c[blk]++
		}
	}
	mean := func(b int) float64 {
		if c[b] == 0 {
			return math.NaN()
		}
		return s[b] / float64(c[b])
	}
	return MaesBlocks{Within: mean(0), Forward: mean(1), Backward: mean(2), Other: mean(3), IE: mean(4)}
}

// ReplayParams define the dominant-cluster analysis of a spike raster.
type ReplayParams struct {
	WindowMS float64 `yaml:"window_ms"` // sliding window over which cluster spikes are counted (ms); 10
	StepMS   float64 `yaml:"step_ms"`   // window step (ms); 1
	// ActiveHz is the cluster rate (spikes per neuron per second within the
	// window) the most active cluster must reach to count as dominant.
	ActiveHz float64 `yaml:"active_hz"`
	// MinDwellMS drops dominance episodes shorter than this (flicker at
	// hand-overs) before transitions are counted (ms).
	MinDwellMS float64 `yaml:"min_dwell_ms"`
}

// ReplayStats is the outcome of the dominant-cluster analysis.
type ReplayStats struct {
	Transitions int       // changes of dominant cluster
	Forward     int       // of which k → k+1 (mod K)
	Backward    int       // of which k → k−1 (mod K)
	Onsets      []float64 // times (ms) at which cluster 0 became dominant
	Seq         []int     // the dominant cluster of each episode
	SeqT        []float64 // episode start times (ms)
}

// ForwardFraction is Forward/Transitions (NaN without transitions).
func (r ReplayStats) ForwardFraction() float64 {
	if r.Transitions == 0 {
		return math.NaN()
	}
	return float64(r.Forward) / float64(r.Transitions)
}

// Period returns the mean and standard deviation of the intervals between
// consecutive onsets of cluster 0 (ms), NaN with fewer than two onsets.
func (r ReplayStats) Period() (mean, std float64) {
	if len(r.Onsets) < 2 {
		return math.NaN(), math.NaN()
	}
	n := float64(len(r.Onsets) - 1)
	for q := 1; q < len(r.Onsets); q++ {
		mean += r.Onsets[q] - r.Onsets[q-1]
	}
	mean /= n
	for q := 1; q < len(r.Onsets); q++ {
		d := r.Onsets[q] - r.Onsets[q-1] - mean
		std += d * d
	}
	return mean, math.Sqrt(std / n)
}

// AnalyseReplay finds, in sliding windows over [t0, t1) ms, the cluster
// with the most spikes (E spikes only: times in ms, indices < k·size), keeps
// it when its rate reaches p.ActiveHz, merges consecutive windows with the
// same dominant cluster into episodes, drops episodes shorter than
// p.MinDwellMS, and counts the transitions between successive episodes.
func AnalyseReplay(times []float64, index []int32, k, size int, t0, t1 float64, p ReplayParams) ReplayStats {
	ne := k * size
	nw := int((t1 - t0 - p.WindowMS) / p.StepMS)
	var st ReplayStats
	if nw < 1 || k < 2 {
		return st
	}
	// Spike counts per cluster in fine bins of StepMS, then window sums.
	bins := int(math.Ceil((t1 - t0) / p.StepMS))
	cnt := make([]int32, bins*k)
	for q, t := range times {
		i := int(index[q])
		if i >= ne || t < t0 || t >= t1 {
			continue
		}
		b := int((t - t0) / p.StepMS)
		if b < bins {
			cnt[b*k+i/size]++
		}
	}
	wb := max(1, int(math.Round(p.WindowMS/p.StepMS)))
	need := p.ActiveHz * float64(size) * p.WindowMS / 1000
	sum := make([]int32, k)
	dom := make([]int, 0, nw)
	for w := 0; w+wb <= bins; w++ {
		if w == 0 {
			for b := 0; b < wb; b++ {
				for c := 0; c < k; c++ {
					sum[c] += cnt[b*k+c]
				}
			}
		} else {
			for c := 0; c < k; c++ {
				sum[c] += cnt[(w+wb-1)*k+c] - cnt[(w-1)*k+c]
			}
		}
		best, arg := int32(-1), -1
		for c := 0; c < k; c++ {
			if sum[c] > best {
				best, arg = sum[c], c
			}
		}
		if float64(best) < need {
			arg = -1
		}
		dom = append(dom, arg)
	}
	// Episodes of the same dominant cluster (−1: none, skipped).
	minLen := int(math.Ceil(p.MinDwellMS / p.StepMS))
	type ep struct{ c, start, n int }
	var eps []ep
	for w, c := range dom {
		if c < 0 {
			continue
		}
		if len(eps) > 0 && eps[len(eps)-1].c == c && eps[len(eps)-1].start+eps[len(eps)-1].n >= w-wb {
			eps[len(eps)-1].n = w - eps[len(eps)-1].start + 1
			continue
		}
		eps = append(eps, ep{c, w, 1})
	}
	var kept []ep
	for _, e := range eps {
		if e.n < minLen {
			continue
		}
		if len(kept) > 0 && kept[len(kept)-1].c == e.c {
			continue
		}
		kept = append(kept, e)
	}
	for q, e := range kept {
		t := t0 + float64(e.start)*p.StepMS
		st.Seq = append(st.Seq, e.c)
		st.SeqT = append(st.SeqT, t)
		if e.c == 0 && q > 0 {
			st.Onsets = append(st.Onsets, t)
		}
		if q == 0 {
			continue
		}
		prev := kept[q-1].c
		st.Transitions++
		switch e.c {
		case (prev + 1) % k:
			st.Forward++
		case (prev + k - 1) % k:
			st.Backward++
		}
	}
	return st
}
