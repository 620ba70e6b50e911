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
	if !(p > 0 && p <= 1) {
		return nil, fmt.Errorf("connection probability must be in (0, 1], got %g", p)
	}
	if preLo < 0 || preHi < preLo || nPost < 0 {
		return nil, fmt.Errorf("bad neuron range [%d, %d) → %d", preLo, preHi, nPost)
	}
	pairs := int64(preHi-preLo) * int64(nPost)
	syn := make([]Synapse, 0, int(float64(pairs)*p*1.05)+16)
	logq := math.Log1p(-p)
	for k := int64(-1); ; {
		if p == 1 {
			k++
		} else {
			k += 1 + int64(math.Floor(math.Log(1-rng.Float64())/logq))
		}
		if k >= pairs || k < 0 {
			break
		}
		pre, post := preLo+int(k/int64(nPost)), int(k%int64(nPost))
		syn = append(syn, Synapse{Post: int32(post), Pre: int32(pre), W: w})
	}
	return syn, nil
}
