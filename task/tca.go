package task

import (
	"fmt"
	"math"
	"sort"
)

// TCATrial is one trial of the spike-pattern counting task (Rapp, Nawrot &
// Stern; the "gamma_5 ... feat-9" files): the spikes of all synapses in
// time order, and the label, the sum of the rewards of the embedded
// features.
type TCATrial struct {
	Times []float64 // spike times (s), ascending
	Syn   []int32   // synapse of each spike
	Label int
}

// TCAFile is the name of the publicly available (validation) split.
const TCAFile = "gamma_5-inhomogbgnoise-trials-250-syn-500-feat-9-validation.mat"

// LoadTCA reads the trials of a TCA MAT-file: variable "data", a cell
// array with one row per trial whose first column holds one spike-time
// vector per synapse and whose fifth column holds the feature rewards.
func LoadTCA(path string) ([]TCATrial, int, error) {
	vars, err := LoadMAT(path)
	if err != nil {
		return nil, 0, err
	}
	trials, nSyn, err := TCATrials(vars)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return trials, nSyn, nil
}

// TCATrials extracts the trials from the variables of a TCA MAT-file and
// returns them with the number of synapses.
func TCATrials(vars map[string]*MatArray) ([]TCATrial, int, error) {
	d := vars["data"]
	if d == nil || d.Class != "cell" || len(d.Dims) != 2 || d.Dims[1] < 5 {
		return nil, 0, fmt.Errorf(`no cell array "data" with at least 5 columns (trial_times … merged_rewards)`)
	}
	nSyn := -1
	var out []TCATrial
	for r := 0; r < d.Dims[0]; r++ {
		syn, rew := d.Cell(r, 0), d.Cell(r, 4)
		if syn.Class != "cell" || !rew.Supported {
			return nil, 0, fmt.Errorf("trial %d: bad trial_times or merged_rewards", r+1)
		}
		if nSyn < 0 {
			nSyn = len(syn.Cells)
		} else if nSyn != len(syn.Cells) {
			return nil, 0, fmt.Errorf("trial %d has %d synapses, trial 1 has %d", r+1, len(syn.Cells), nSyn)
		}
		var tr TCATrial
		for k, c := range syn.Cells {
			for _, t := range c.Data {
				if math.IsNaN(t) || math.IsInf(t, 0) {
					return nil, 0, fmt.Errorf("trial %d synapse %d: spike time %v", r+1, k+1, t)
				}
				tr.Times = append(tr.Times, t)
				tr.Syn = append(tr.Syn, int32(k))
			}
		}
		sort.Sort(bySpikeTime{&tr})
		sum := 0.0
		for _, v := range rew.Data {
			sum += v
		}
		if sum < 0 || sum != math.Trunc(sum) {
			return nil, 0, fmt.Errorf("trial %d: reward sum %v is not a count", r+1, sum)
		}
		tr.Label = int(sum)
		out = append(out, tr)
	}
	return out, nSyn, nil
}

// bySpikeTime sorts a trial's spikes by time, ties by synapse.
type bySpikeTime struct{ t *TCATrial }

func (b bySpikeTime) Len() int { return len(b.t.Times) }
func (b bySpikeTime) Less(i, j int) bool {
	ti, tj := b.t.Times[i], b.t.Times[j]
	return ti < tj || (ti == tj && b.t.Syn[i] < b.t.Syn[j])
}
func (b bySpikeTime) Swap(i, j int) {
	b.t.Times[i], b.t.Times[j] = b.t.Times[j], b.t.Times[i]
	b.t.Syn[i], b.t.Syn[j] = b.t.Syn[j], b.t.Syn[i]
}
