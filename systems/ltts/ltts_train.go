package ltts

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/sim"
)

// Readout training methods of the LTTS experiments.
const (
	// ReadoutAdam is the reference's readout: one full-sequence Adam
	// ascent step per sample per epoch on the filtered target spikes. An
	// empty readout field means this one.
	ReadoutAdam = "adam"
	// ReadoutRidge fits the readout once, before training, by closed-form
	// ridge regression on the filtered target spikes of all samples (the
	// target spikes never change, so one fit is the converged readout).
	ReadoutRidge = "ridge"
)

func validReadout(r string, lambda float64) error {
	switch r {
	case ReadoutAdam, "":
		return nil
	case ReadoutRidge:
		return experiment.Positive("ridge_lambda", lambda)
	}
	return fmt.Errorf("readout must be %q or %q, got %q", ReadoutAdam, ReadoutRidge, r)
}

// lttsSample is one training sequence: input current In[t] (len N, nil
// for none), target output Y[t] (len K), target spikes S*[t] and their
// readout traces R*.
type lttsSample struct {
	In, Y, Sstar, Rstar [][]float64
}

// lttsTrainer trains a network's recurrent weights (online or exact rule,
// Adam ascent with step decay) and its readout (Adam or ridge) on target
// spikes, with the reference's epoch order: shuffle the samples, then per
// sample one readout step followed by the recurrent update.
type lttsTrainer struct {
	net          *LTTSNet
	Jout         []float64 // K×N readout
	K            int
	online       bool
	readout      string
	optJ, optOut *ascent
	src          *rand.PCG // the shuffle's generator (saved in checkpoints)
	rng          *rand.Rand
	order        []int
}

// newLTTSTrainer sets up the optimisers and the readout: N(0, 0.01²)
// initial weights for Adam, the ridge fit on all samples for ridge.
func newLTTSTrainer(net *LTTSNet, samples []lttsSample, online bool, readout string, ridge, alpha, alphaOut, drop float64,
	dropTime int, seed uint64, team *sim.Team) (*lttsTrainer, error) {
	N := net.P.N
	K := len(samples[0].Y[0])
	src := sim.Source(seed, "ltts-shuffle") // the sequence of sim.Stream(seed, "ltts-shuffle")
	tr := &lttsTrainer{net: net, K: K, online: online, readout: readout, src: src, rng: rand.New(src)}
	tr.optJ = newAscent(len(net.J), alpha, drop, dropTime, N, team)
	for k := range samples {
		tr.order = append(tr.order, k)
	}
	switch readout {
	case ReadoutRidge:
		var R, Y [][]float64
		for _, s := range samples {
			R, Y = append(R, s.Rstar...), append(Y, s.Y...)
		}
		J, err := RidgeReadout(R, Y, ridge)
		if err != nil {
			return nil, err
		}
		tr.Jout = J
	default:
		rng := sim.Stream(seed, "ltts-readout")
		tr.Jout = make([]float64, K*N)
		for i := range tr.Jout {
			tr.Jout[i] = 0.01 * rng.NormFloat64()
		}
		tr.optOut = newAscent(len(tr.Jout), alphaOut, drop, dropTime, N, nil)
	}
	return tr, nil
}

// epoch trains once on every sample, in shuffled order when there are several.
func (tr *lttsTrainer) epoch(samples []lttsSample) {
	if len(tr.order) > 1 {
		tr.rng.Shuffle(len(tr.order), func(a, b int) { tr.order[a], tr.order[b] = tr.order[b], tr.order[a] })
	}
	net := tr.net
	for _, k := range tr.order {
		s := samples[k]
		if tr.optOut != nil {
			G, _ := ReadoutGradient(tr.Jout, s.Rstar, s.Y, 0)
			tr.optOut.step(tr.Jout, G)
		}
		if tr.online {
			net.TrainOnline(s.Sstar, s.In, tr.optJ.adam, tr.optJ.rate, tr.optJ.team)
		} else {
			G, _ := net.LikelihoodGradient(s.Sstar, s.In, nil)
			tr.optJ.step(net.J, G)
			net.ZeroDiagonal()
		}
	}
}

// output returns the readout y[t] (len K) of spikes S: Jout applied to
// the readout trace of ReadoutTrace, here advanced step by step in
// one vector instead of stored for every step.
func (tr *lttsTrainer) output(S [][]float64) [][]float64 {
	N := tr.net.P.N
	b := math.Exp(-1 / tr.net.P.TauRO)
	r := make([]float64, N)
	y := make([][]float64, len(S))
	for t := range S {
		if t == 0 {
			copy(r, S[0])
		} else {
			for i, s := range S[t] {
				r[i] = b*r[i] + (1-b)*s
			}
		}
		y[t] = make([]float64, tr.K)
		for k := range y[t] {
			d := 0.0
			row := tr.Jout[k*N : (k+1)*N]
			for i, ri := range r {
				d += row[i] * ri
			}
			y[t][k] = d
		}
	}
	return y
}

// mseFrom is the mean over components and steps t ≥ from of (y − y*)².
func mseFrom(y, target [][]float64, from int) float64 {
	s, c := 0.0, 0
	for t := from; t < len(y) && t < len(target); t++ {
		for k, v := range y[t] {
			d := v - target[t][k]
			s += d * d
			c++
		}
	}
	if c == 0 {
		return math.NaN()
	}
	return s / float64(c)
}

// spikeRaster lists the spikes of units 0..maxUnit−1 as (time, unit) pairs.
func spikeRaster(S [][]float64, maxUnit int) (ts []float64, is []int32) {
	for t, row := range S {
		for i := 0; i < min(len(row), maxUnit); i++ {
			if row[i] > 0 {
				ts, is = append(ts, float64(t)), append(is, int32(i))
			}
		}
	}
	return ts, is
}
