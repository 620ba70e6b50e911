package learn

import (
	"fmt"
	"math"

	"github.com/spikelab/spikelab/sim"
)

// STDP pairing machine of the DECOLLE/STDP hybrid on the fly-olfaction task
// (spec decolle_olfaction.md §4). Per batch it keeps, for every sample b,
// the last spike step of each pre neuron i and post neuron j, and a counter
// per synapse (b, i, j) that gains 1 per pre spike and 1 per post spike
// (2 when both fire in the same step). Whenever a counter equals exactly 2
// the synapse is paired: Δt = last_post − last_pre, the counter returns to
// 0 and Δw(Δt) is added to W[i→j], summed over samples and divided by the
// batch size. A counter that jumps from 1 to 3 never equals 2 again: that
// synapse is frozen for the rest of the batch. Steps count from 0 after
// burn-in; "never fired" is stored as step 0, as in the original.

// STDP window shapes.
const (
	// STDPWindowStandard is the decaying window: +η·e^(−Δt/τ+) for Δt ≥ 0,
	// −η·e^(−|Δt|/τ−) for Δt < 0.
	STDPWindowStandard = "standard"
	// STDPWindowLiteral is the original code's formula: +η·e^(+Δt/τ+) for
	// Δt ≥ 0, −η·e^(−Δt/τ−) for Δt < 0, which grows with |Δt| for τ_c > 0
	// (it equals the standard window for τ_c < 0).
	STDPWindowLiteral = "literal"
)

// STDPPairingParams configure the pairing rule.
type STDPPairingParams struct {
	Eta         float64 `yaml:"eta"`          // η = |A+| = |A−| (weight units per pair)
	TauC        float64 `yaml:"tau_c"`        // τ_c (steps): τ+ = 2τ_c, τ− = 5τ_c (the 2:5 ratio)
	Window      string  `yaml:"window"`       // "standard" (default) or "literal"
	IgnoreZeros bool    `yaml:"ignore_zeros"` // drop pairs with Δt = 0 (simultaneous spikes)
	// Clip keeps every weight the rule changes inside [WMin, WMax] (each
	// pair's update is clipped as it is applied). A deviation from the
	// original, which has no bounds; off by default.
	Clip bool    `yaml:"clip"`
	WMin float64 `yaml:"w_min"` // lower weight bound with clip
	WMax float64 `yaml:"w_max"` // upper weight bound with clip
	// DepressionRatio is |A−|/|A+| (0 or 1: the symmetric window, η both
	// ways; 0.4: the original's 5:2). Not a config key: the olfaction
	// rule "original" sets it.
	DepressionRatio float64 `yaml:"-"`
}

// Validate reports the first unusable field.
func (p STDPPairingParams) Validate() error {
	if !(p.Eta >= 0) || math.IsInf(p.Eta, 0) {
		return sim.BadParam("STDPPairing", []string{"Eta"}, "{0} must be a finite number >= 0, got %g", p.Eta)
	}
	if !(p.DepressionRatio >= 0) || math.IsInf(p.DepressionRatio, 0) {
		return sim.BadParam("STDPPairing", []string{"DepressionRatio"}, "{0} must be a finite number >= 0, got %g", p.DepressionRatio)
	}
	if p.Clip && !(p.WMin < p.WMax) {
		return sim.BadParam("STDPPairing", []string{"WMin", "WMax", "Clip"}, "{0} (%g) must be below {1} (%g) with {2}", p.WMin, p.WMax)
	}
	switch p.Window {
	case STDPWindowStandard:
		if !(p.TauC > 0) || math.IsInf(p.TauC, 0) {
			return sim.BadParam("STDPPairing", []string{"TauC"}, "{0} must be > 0 for the standard window, got %g", p.TauC)
		}
	case STDPWindowLiteral:
		if p.TauC == 0 || math.IsNaN(p.TauC) || math.IsInf(p.TauC, 0) {
			return sim.BadParam("STDPPairing", []string{"TauC"}, "{0} must be finite and non-zero, got %g", p.TauC)
		}
	default:
		return sim.BadParam("STDPPairing", []string{"Window"}, "{0} %q is unknown: use %q or %q", p.Window, STDPWindowStandard, STDPWindowLiteral)
	}
	return nil
}

// Grows reports whether the window grows with |Δt| (the literal formula
// with τ_c > 0), which makes weights explode.
func (p STDPPairingParams) Grows() bool {
	return p.Window == STDPWindowLiteral && p.TauC > 0
}

// depression returns |A−|/|A+|.
func (p STDPPairingParams) depression() float64 {
	if p.DepressionRatio == 0 {
		return 1
	}
	return p.DepressionRatio
}

// Dw returns the weight change of one pair with Δt = t_post − t_pre (steps).
func (p STDPPairingParams) Dw(dt int) float64 {
	tp, tm := 2*p.TauC, 5*p.TauC
	x := float64(dt)
	if p.Window == STDPWindowLiteral {
		if dt >= 0 {
			return p.Eta * math.Exp(x/tp)
		}
		return -p.Eta * p.depression() * math.Exp(-x/tm)
	}
	if dt >= 0 {
		return p.Eta * math.Exp(-x/tp)
	}
	return -p.Eta * p.depression() * math.Exp(x/tm)
}

// STDPPairing is the per-batch state of the pairing machine for one block
// of NPre inputs and NPost neurons and up to Batch samples.
type STDPPairing struct {
	P           STDPPairingParams
	NPre, NPost int
	Batch       int
	t           int32
	lastPre     []int32 // Batch × NPre
	lastPost    []int32 // Batch × NPost
	cycles      []uint8 // Batch × NPre × NPost, saturating at 3 (a frozen synapse)
	postList    [][]int32
	pairs       []int64 // per worker: pairs applied
	window      []float64
}

// NewSTDPPairing allocates the state (Batch·NPre·NPost bytes of counters).
func NewSTDPPairing(p STDPPairingParams, nPre, nPost, batch int) (*STDPPairing, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if nPre < 1 || nPost < 1 || batch < 1 {
		return nil, fmt.Errorf("stdp: sizes must be at least 1, got pre %d post %d batch %d", nPre, nPost, batch)
	}
	s := &STDPPairing{P: p, NPre: nPre, NPost: nPost, Batch: batch,
		lastPre: make([]int32, batch*nPre), lastPost: make([]int32, batch*nPost),
		cycles: make([]uint8, batch*nPre*nPost), postList: make([][]int32, batch)}
	for b := range s.postList {
		s.postList[b] = make([]int32, 0, nPost)
	}
	return s, nil
}

// Reset starts a batch: step 0, all last-spike steps 0, all counters 0.
func (s *STDPPairing) Reset() {
	s.t = 0
	clear(s.lastPre)
	clear(s.lastPost)
	clear(s.cycles)
}

// prepareWindow tabulates Δw (Δt ∈ [−t, t]).
func (s *STDPPairing) prepareWindow() {
	need := 2*int(s.t) + 1
	if len(s.window) >= need {
		return
	}
	n := max(need, 2*len(s.window)+1, 65) | 1
	s.window = make([]float64, n)
	h := n / 2
	for k := range s.window {
		s.window[k] = s.P.Dw(k - h)
	}
}

// Step takes this step's spikes (0/1) of the pre layer (bsz × NPre) and the
// post layer (bsz × NPost), pairs, and adds the updates to W (input-major,
// W[i*NPost+j] from pre i to post j). Pre rows are shared among the team's
// workers. It returns the number of pairs applied.
func (s *STDPPairing) Step(pre, post []float64, bsz int, W []float64, team *sim.Team) int64 {
	if bsz > s.Batch || len(pre) < bsz*s.NPre || len(post) < bsz*s.NPost || len(W) != s.NPre*s.NPost {
		panic(fmt.Sprintf("learn: STDPPairing.Step with batch %d (max %d), %d pre, %d post, %d weights", bsz, s.Batch, len(pre), len(post), len(W)))
	}
	t := s.t
	s.prepareWindow()
	half := len(s.window) / 2
	for b := 0; b < bsz; b++ {
		l := s.postList[b][:0]
		lp := s.lastPost[b*s.NPost : (b+1)*s.NPost]
		for j, v := range post[b*s.NPost : (b+1)*s.NPost] {
			if v != 0 {
				l = append(l, int32(j))
				lp[j] = t
			}
		}
		s.postList[b] = l
	}
	nw := team.Workers()
	if len(s.pairs) != nw {
		s.pairs = make([]int64, nw)
	}
	scale := 1 / float64(bsz)
	team.Run(func(w int) {
		lo, hi := w*s.NPre/nw, (w+1)*s.NPre/nw
		var n int64
		for b := 0; b < bsz; b++ {
			pr := pre[b*s.NPre : (b+1)*s.NPre]
			po := post[b*s.NPost : (b+1)*s.NPost]
			lpre := s.lastPre[b*s.NPre : (b+1)*s.NPre]
			lpost := s.lastPost[b*s.NPost : (b+1)*s.NPost]
			list := s.postList[b]
			for i := lo; i < hi; i++ {
				cyc := s.cycles[(b*s.NPre+i)*s.NPost : (b*s.NPre+i+1)*s.NPost]
				wi := W[i*s.NPost : (i+1)*s.NPost]
				pair := func(j int, c uint8) {
					if c != 2 {
						cyc[j] = min(c, 3)
						return
					}
					cyc[j] = 0
					dt := lpost[j] - lpre[i]
					if dt == 0 && s.P.IgnoreZeros {
						return
					}
					v := wi[j] + s.window[half+int(dt)]*scale
					if s.P.Clip {
						v = min(max(v, s.P.WMin), s.P.WMax)
					}
					wi[j] = v
					n++
				}
				if pr[i] != 0 {
					lpre[i] = t
					for j := range cyc {
						c := cyc[j] + 1
						if po[j] != 0 {
							c++
						}
						pair(j, c)
					}
				} else {
					for _, j := range list {
						pair(int(j), cyc[j]+1)
					}
				}
			}
		}
		s.pairs[w] = n
	})
	s.t++
	var total int64
	for _, v := range s.pairs {
		total += v
	}
	return total
}
