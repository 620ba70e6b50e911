package learn

import (
	"fmt"
	"math"
	"slices"

	"github.com/spikelab/spikelab/sim"
)

// Competitive Hebbian learning with a norm constraint and k-winners-take-
// all, in the form of Krotov & Hopfield 2019 (PNAS 116:7723, "Unsupervised
// learning by competing hidden units", p = 2) as used by BioHash (Ryali et
// al. 2020, ICML): for an input x the hidden units are ranked by their drive
// h_j = Σ_i x_i·W_ij; each of the K strongest learns
//
//	ΔW_·j = η·(x − (h_j/R²)·W_·j),
//
// whose fixed point for a single repeated input is W_·j = R·x/|x| (the
// norm of every learning column tends to R), and the unit of rank K+1 is
// pushed away by −Anti times the same update.

// CompetitiveHebbParams configure CompetitiveHebb.
type CompetitiveHebbParams struct {
	Eta  float64 // η per winner and sample (weight units per unit input, ≥ 0)
	K    int     // winners per sample (≥ 1)
	Anti float64 // anti-Hebbian strength of the unit of rank K+1 (Δ of Krotov–Hopfield, ≥ 0)
	Norm float64 // R, the column norm the rule converges to (> 0)
	// Center subtracts the batch mean of each input at this step from x
	// (so that the columns learn what distinguishes the samples, not their
	// common mean).
	Center bool
}

// Validate reports the first unusable field.
func (p CompetitiveHebbParams) Validate() error {
	switch {
	case !(p.Eta >= 0) || math.IsInf(p.Eta, 0):
		return sim.BadParam("CompetitiveHebb", []string{"Eta"}, "{0} must be a finite number >= 0, got %g", p.Eta)
	case p.K < 1:
		return sim.BadParam("CompetitiveHebb", []string{"K"}, "{0} must be at least 1, got %d", p.K)
	case !(p.Anti >= 0) || math.IsInf(p.Anti, 0):
		return sim.BadParam("CompetitiveHebb", []string{"Anti"}, "{0} must be a finite number >= 0, got %g", p.Anti)
	case !(p.Norm > 0) || math.IsInf(p.Norm, 0):
		return sim.BadParam("CompetitiveHebb", []string{"Norm"}, "{0} must be finite and > 0, got %g", p.Norm)
	}
	return nil
}

// CompetitiveHebb is the rule's state for a dense block of NPre inputs
// and NPost units (W input-major: W[i*NPost+j]) and up to Batch samples.
type CompetitiveHebb struct {
	P           CompetitiveHebbParams
	NPre, NPost int
	Batch       int
	mean, base  []float64 // batch mean of the inputs; its drive Σ_i mean_i·W_ij
	h           []float64 // Batch × NPost drives
	rank        [][]int32 // per sample: units by drive
	dW          []float64
}

// NewCompetitiveHebb allocates the state.
func NewCompetitiveHebb(p CompetitiveHebbParams, nPre, nPost, batch int) (*CompetitiveHebb, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if nPre < 1 || nPost < 1 || batch < 1 {
		return nil, fmt.Errorf("competitive hebb: sizes must be at least 1, got pre %d post %d batch %d", nPre, nPost, batch)
	}
	if p.K > nPost {
		return nil, sim.BadParam("CompetitiveHebb", []string{"K"}, "{0} (%d) exceeds the %d units", p.K, nPost)
	}
	s := &CompetitiveHebb{P: p, NPre: nPre, NPost: nPost, Batch: batch, mean: make([]float64, nPre), base: make([]float64, nPost),
		h: make([]float64, batch*nPost), rank: make([][]int32, batch), dW: make([]float64, nPre*nPost)}
	for b := range s.rank {
		s.rank[b] = make([]int32, nPost)
	}
	return s, nil
}

// Step applies the rule to this step's inputs x (bsz × NPre, e.g. spikes)
// and W: every sample's update is formed with the same W, summed and
// divided by bsz. Samples are shared among the team's workers for the
// ranking, input rows for the update.
func (s *CompetitiveHebb) Step(x []float64, bsz int, W []float64, team *sim.Team) {
	if bsz > s.Batch || len(x) < bsz*s.NPre || len(W) != s.NPre*s.NPost {
		panic(fmt.Sprintf("learn: CompetitiveHebb.Step with batch %d (max %d), %d inputs, %d weights", bsz, s.Batch, len(x), len(W)))
	}
	if s.P.Eta == 0 {
		return
	}
	np, nq := s.NPre, s.NPost
	clear(s.mean)
	clear(s.base)
	if s.P.Center {
		for b := 0; b < bsz; b++ {
			axpy(s.mean, 1/float64(bsz), x[b*np:(b+1)*np])
		}
		for i, m := range s.mean {
			if m != 0 {
				axpy(s.base, m, W[i*nq:(i+1)*nq])
			}
		}
	}
	nw := team.Workers()
	team.Run(func(w int) {
		for b := w * bsz / nw; b < (w+1)*bsz/nw; b++ {
			h := s.h[b*nq : (b+1)*nq]
			for j := range h {
				h[j] = -s.base[j]
			}
			for i, v := range x[b*np : (b+1)*np] {
				if v != 0 {
					axpy(h, v, W[i*nq:(i+1)*nq])
				}
			}
			r := s.rank[b]
			for j := range r {
				r[j] = int32(j)
			}
			// Strongest first; ties by index, so the order is deterministic.
			slices.SortFunc(r, func(a, c int32) int {
				switch {
				case h[a] > h[c]:
					return -1
				case h[a] < h[c]:
					return 1
				}
				return int(a - c)
			})
		}
	})
	eta := s.P.Eta / float64(bsz)
	r2 := s.P.Norm * s.P.Norm
	team.Run(func(w int) {
		lo, hi := w*np/nw, (w+1)*np/nw
		for b := 0; b < bsz; b++ {
			xb := x[b*np : (b+1)*np]
			h := s.h[b*nq : (b+1)*nq]
			upd := func(j int32, g float64) {
				for i := lo; i < hi; i++ {
					xi := xb[i] - s.mean[i]
					s.dW[i*nq+int(j)] += g * (xi - h[j]/r2*W[i*nq+int(j)])
				}
			}
			for _, j := range s.rank[b][:s.P.K] {
				upd(j, eta)
			}
			if s.P.Anti > 0 && s.P.K < nq {
				upd(s.rank[b][s.P.K], -s.P.Anti*eta)
			}
		}
		for k := lo * nq; k < hi*nq; k++ {
			W[k] += s.dW[k]
			s.dW[k] = 0
		}
	})
}
