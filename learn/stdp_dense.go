package learn

import (
	"fmt"
	"math"

	"github.com/spikelab/spikelab/sim"
)

// DenseTraceSTDPParams configure DenseTraceSTDP. Times are in steps,
// weights in the unit of the input the block feeds.
type DenseTraceSTDPParams struct {
	Eta      float64 // A₊: potentiation per pair at Δt = 0 (weight units, ≥ 0)
	AMinus   float64 // A₋/A₊: depression per pair at Δt → 0⁻ relative to A₊ (≥ 0)
	TauPlus  float64 // τ₊ of the presynaptic trace (steps, > 0)
	TauMinus float64 // τ₋ of the postsynaptic trace (steps, > 0); A₊τ₊ = A₋τ₋ balances the window
	WMin     float64 // lower weight bound
	WMax     float64 // upper weight bound (≥ WMin)
	// Conserve keeps each post neuron's summed input weight: every step
	// the mean of its column's update (before the bounds) is subtracted
	// from all its weights (subtractive normalisation, Miller & MacKay
	// 1994), so the rule only redistributes weight among a neuron's inputs.
	Conserve bool
}

// Validate reports the first unusable field.
func (p DenseTraceSTDPParams) Validate() error {
	switch {
	case !(p.Eta >= 0) || math.IsInf(p.Eta, 0):
		return sim.BadParam("DenseTraceSTDP", []string{"Eta"}, "{0} must be a finite number >= 0, got %g", p.Eta)
	case !(p.AMinus >= 0) || math.IsInf(p.AMinus, 0):
		return sim.BadParam("DenseTraceSTDP", []string{"AMinus"}, "{0} must be a finite number >= 0, got %g", p.AMinus)
	case !(p.TauPlus > 0) || !(p.TauMinus > 0) || math.IsInf(p.TauPlus, 0) || math.IsInf(p.TauMinus, 0):
		return sim.BadParam("DenseTraceSTDP", []string{"TauPlus", "TauMinus"}, "{0} and {1} must be finite and > 0, got %g, %g steps", p.TauPlus, p.TauMinus)
	case !(p.WMin <= p.WMax) || math.IsInf(p.WMin, 0) || math.IsInf(p.WMax, 0):
		return sim.BadParam("DenseTraceSTDP", []string{"WMin", "WMax"}, "{0} (%g) must be finite and <= {1} (%g)", p.WMin, p.WMax)
	}
	return nil
}

// Dw returns the weight change of one isolated pair with
// Δt = t_post − t_pre (steps): A₊·e^(−Δt/τ₊) for Δt ≥ 0 (simultaneous
// spikes potentiate), −A₋·A₊·e^(Δt/τ₋) for Δt < 0.
func (p DenseTraceSTDPParams) Dw(dt int) float64 {
	if dt >= 0 {
		return p.Eta * math.Exp(-float64(dt)/p.TauPlus)
	}
	return -p.Eta * p.AMinus * math.Exp(float64(dt)/p.TauMinus)
}

// DenseTraceSTDP is additive all-to-all pair STDP with online traces on a
// dense block (NPre inputs, NPost neurons, W input-major: W[i*NPost+j]
// from pre i to post j) for a batch of independent samples. Every sample
// b keeps a presynaptic trace x_bi and a postsynaptic trace y_bj; each step
// they decay by e^(−1/τ₊), e^(−1/τ₋), then
//
//	x_b += pre_b,
//	ΔW_ij = (1/bsz)·Σ_b (A₊·x_bi·post_bj − A₋A₊·pre_bi·y_bj),
//	y_b += post_b,
//
// and W is clipped to [WMin, WMax]. A presynaptic spike thus depresses by
// the postsynaptic trace of earlier steps, a postsynaptic spike potentiates
// by the presynaptic trace including this step: only pre–post pairs count,
// never two spikes of the same side. Traces start at 0 (Reset).
type DenseTraceSTDP struct {
	P           DenseTraceSTDPParams
	NPre, NPost int
	Batch       int
	X, Y        []float64 // traces, Batch × NPre and Batch × NPost
	ex, ey      float64
	shift       []float64 // Conserve: this step's mean update per post neuron
	preList     [][]int32
	postList    [][]int32
}

// NewDenseTraceSTDP allocates the traces.
func NewDenseTraceSTDP(p DenseTraceSTDPParams, nPre, nPost, batch int) (*DenseTraceSTDP, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if nPre < 1 || nPost < 1 || batch < 1 {
		return nil, fmt.Errorf("trace stdp: sizes must be at least 1, got pre %d post %d batch %d", nPre, nPost, batch)
	}
	s := &DenseTraceSTDP{P: p, NPre: nPre, NPost: nPost, Batch: batch,
		X: make([]float64, batch*nPre), Y: make([]float64, batch*nPost),
		ex: math.Exp(-1 / p.TauPlus), ey: math.Exp(-1 / p.TauMinus),
		preList: make([][]int32, batch), postList: make([][]int32, batch), shift: make([]float64, nPost)}
	for b := range s.preList {
		s.preList[b] = make([]int32, 0, nPre)
		s.postList[b] = make([]int32, 0, nPost)
	}
	return s, nil
}

// Reset sets every trace to 0 (start of a batch).
func (s *DenseTraceSTDP) Reset() {
	clear(s.X)
	clear(s.Y)
}

// Step takes this step's spikes (0/1) of the pre layer (bsz × NPre) and the
// post layer (bsz × NPost) and updates W. Rows of W are shared among the
// team's workers.
func (s *DenseTraceSTDP) Step(pre, post []float64, bsz int, W []float64, team *sim.Team) {
	if bsz > s.Batch || len(pre) < bsz*s.NPre || len(post) < bsz*s.NPost || len(W) != s.NPre*s.NPost {
		panic(fmt.Sprintf("learn: DenseTraceSTDP.Step with batch %d (max %d), %d pre, %d post, %d weights", bsz, s.Batch, len(pre), len(post), len(W)))
	}
	np, nq := s.NPre, s.NPost
	for b := 0; b < bsz; b++ {
		x := s.X[b*np : (b+1)*np]
		pl := s.preList[b][:0]
		for i, v := range pre[b*np : (b+1)*np] {
			x[i] *= s.ex
			if v != 0 {
				x[i] += v
				pl = append(pl, int32(i))
			}
		}
		s.preList[b] = pl
		y := s.Y[b*nq : (b+1)*nq]
		ql := s.postList[b][:0]
		for j, v := range post[b*nq : (b+1)*nq] {
			y[j] *= s.ey
			if v != 0 {
				ql = append(ql, int32(j))
			}
		}
		s.postList[b] = ql
	}
	ap := s.P.Eta / float64(bsz)
	am := ap * s.P.AMinus
	lo, hi := s.P.WMin, s.P.WMax
	clear(s.shift)
	if ap > 0 && s.P.Conserve {
		// Column j's summed update: A₊·Σ_b post_bj·Σ_i x_bi − A₋A₊·Σ_b |pre_b|·y_bj.
		for b := 0; b < bsz; b++ {
			sx := 0.0
			for _, v := range s.X[b*np : (b+1)*np] {
				sx += v
			}
			for _, j := range s.postList[b] {
				s.shift[j] += ap * sx
			}
			axpy(s.shift, -am*float64(len(s.preList[b])), s.Y[b*nq:(b+1)*nq])
		}
		for j := range s.shift {
			s.shift[j] /= float64(np)
		}
	}
	if ap > 0 {
		team.Run(func(w int) {
			nw := team.Workers()
			r0, r1 := w*np/nw, (w+1)*np/nw
			for b := 0; b < bsz; b++ {
				x, y := s.X[b*np:(b+1)*np], s.Y[b*nq:(b+1)*nq]
				for _, i := range s.preList[b] {
					if int(i) < r0 || int(i) >= r1 {
						continue
					}
					axpy(W[int(i)*nq:(int(i)+1)*nq], -am, y)
				}
				if len(s.postList[b]) == 0 {
					continue
				}
				for i := r0; i < r1; i++ {
					if a := ap * x[i]; a != 0 {
						wi := W[i*nq : (i+1)*nq]
						for _, j := range s.postList[b] {
							wi[j] += a
						}
					}
				}
			}
			for i := r0; i < r1; i++ {
				wi := W[i*nq : (i+1)*nq]
				for j, sh := range s.shift {
					wi[j] = min(max(wi[j]-sh, lo), hi)
				}
			}
		})
	}
	for b := 0; b < bsz; b++ {
		y := s.Y[b*nq : (b+1)*nq]
		for _, j := range s.postList[b] {
			y[j]++
		}
	}
}

// axpy adds a·x to y.
func axpy(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	for k, v := range x {
		y[k] += a * v
	}
}
