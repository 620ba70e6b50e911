package connect

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// BernoulliGaussian draws a sparse Gaussian matrix (a random reservoir),
// W[post,pre] = scale·N(0,1)·[U < p] for an nPost×nPre matrix, visiting
// entries row by row (postsynaptic index outer). With scale = G/(√N·p) this
// is OMEGA of Nicola & Clopath 2017. Self-connections are allowed, as in
// the reference.
func BernoulliGaussian(rng *rand.Rand, nPost, nPre int, p, scale float64) ([]Synapse, error) {
	if !(p > 0 && p <= 1) {
		return nil, fmt.Errorf("connection probability must be in (0, 1], got %g", p)
	}
	syn := make([]Synapse, 0, int(float64(nPost*nPre)*p*1.05)+16)
	for i := 0; i < nPost; i++ {
		for j := 0; j < nPre; j++ {
			if rng.Float64() < p {
				syn = append(syn, Synapse{Post: int32(i), Pre: int32(j), W: scale * rng.NormFloat64()})
			}
		}
	}
	return syn, nil
}

// BalanceRows subtracts from the incoming weights of every postsynaptic
// neuron their mean, so that each neuron's existing incoming weights sum to
// zero (the row balancing of the LIF and theta FORCE code). The synapse set
// is unchanged.
func BalanceRows(nPost int, syn []Synapse) {
	sum := make([]float64, nPost)
	cnt := make([]int, nPost)
	for _, s := range syn {
		sum[s.Post] += s.W
		cnt[s.Post]++
	}
	for k := range syn {
		i := syn[k].Post
		syn[k].W -= sum[i] / float64(cnt[i])
	}
}

// Bernoulli connects every presynaptic neuron in [preLo, preHi) to every
// postsynaptic neuron in [0, nPost) independently with probability p, all
// with weight w. It skips over absent pairs with geometric gaps, so its
// cost is proportional to the number of synapses drawn, not to the number
// of pairs.
func Bernoulli(rng *rand.Rand, nPost, preLo, preHi int, p, w float64) ([]Synapse, error) {
	if err := checkBernoulli(nPost, preLo, preHi, p); err != nil {
		return nil, err
	}
	syn := make([]Synapse, 0, bernoulliCap(nPost, preLo, preHi, p))
	bernoulliPairs(rng, nPost, preLo, preHi, p, func(pre, post int) {
		syn = append(syn, Synapse{Post: int32(post), Pre: int32(pre), W: w})
	})
	return syn, nil
}

// BernoulliCSR draws the synapses of Bernoulli (the same random numbers,
// the same synapses) straight into an nPost×nPre CSR matrix whose rows
// preLo ≤ j < preHi hold them: no synapse list and no sorting (Bernoulli
// visits the pairs presynaptic neuron first, targets ascending), so a
// synapse costs 12 bytes while built instead of 28. Every weight is w;
// BernoulliUniformCSR draws the same matrix without W.
func BernoulliCSR(rng *rand.Rand, nPost, nPre, preLo, preHi int, p, w float64) (*CSR, error) {
	c, err := BernoulliUniformCSR(rng, nPost, nPre, preLo, preHi, p, w)
	if err != nil {
		return nil, err
	}
	c.Expand()
	return c, nil
}

// BernoulliUniformCSR is BernoulliCSR as a uniform matrix (Uniform, every
// weight Value = w, no W): 4 bytes per synapse, for a projection whose
// weights never change.
func BernoulliUniformCSR(rng *rand.Rand, nPost, nPre, preLo, preHi int, p, w float64) (*CSR, error) {
	if err := checkBernoulli(nPost, preLo, preHi, p); err != nil {
		return nil, err
	}
	if preHi > nPre {
		return nil, fmt.Errorf("presynaptic range [%d, %d) outside %d neurons", preLo, preHi, nPre)
	}
	c := &CSR{NPre: nPre, NPost: nPost, Start: make([]int64, nPre+1), Post: make([]int32, 0, bernoulliCap(nPost, preLo, preHi, p)),
		Uniform: true, Value: w}
	bernoulliPairs(rng, nPost, preLo, preHi, p, func(pre, post int) {
		c.Start[pre+1]++
		c.Post = append(c.Post, int32(post))
	})
	for j := 0; j < nPre; j++ {
		c.Start[j+1] += c.Start[j]
	}
	return c, nil
}

// bernoulliCap is the room Bernoulli reserves: 5 % above the expected
// number of synapses.
func bernoulliCap(nPost, preLo, preHi int, p float64) int {
	return int(float64(int64(preHi-preLo)*int64(nPost))*p*1.05) + 16
}

func checkBernoulli(nPost, preLo, preHi int, p float64) error {
	if !(p > 0 && p <= 1) {
		return fmt.Errorf("connection probability must be in (0, 1], got %g", p)
	}
	if preLo < 0 || preHi < preLo || nPost < 0 {
		return fmt.Errorf("bad neuron range [%d, %d) → %d", preLo, preHi, nPost)
	}
	return nil
}

// bernoulliPairs calls add(pre, post) for the pairs Bernoulli connects, in
// its order (arguments checked by checkBernoulli).
func bernoulliPairs(rng *rand.Rand, nPost, preLo, preHi int, p float64, add func(pre, post int)) {
	pairs := int64(preHi-preLo) * int64(nPost)
	logq := math.Log1p(-p)
	for k := int64(-1); ; {
		if p == 1 {
			k++
		} else {
			k += 1 + int64(math.Floor(math.Log(1-rng.Float64())/logq))
		}
		if k >= pairs || k < 0 {
			return
		}
		add(preLo+int(k/int64(nPost)), int(k%int64(nPost)))
	}
}
