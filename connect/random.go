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
// its order (arguments checked by checkBernoulli). Pair k is presynaptic
// neuron preLo + k/nPost and target k mod nPost; both are carried along
// with k rather than divided out of it (a gap is usually shorter than a
// row).
func bernoulliPairs(rng *rand.Rand, nPost, preLo, preHi int, p float64, add func(pre, post int)) {
	pairs := int64(preHi-preLo) * int64(nPost)
	logq := math.Log1p(-p)
	pre, post := int64(preLo), int64(-1)
	for k := int64(-1); ; {
		step := int64(1)
		if p != 1 {
			step += int64(geometricGap(1-rng.Float64(), logq))
		}
		k += step
		if k >= pairs || k < 0 {
			return
		}
		// 0 < step ≤ pairs here, so post + step does not overflow.
		if post += step; post >= int64(nPost) {
			q := post / int64(nPost)
			pre, post = pre+q, post-q*int64(nPost)
		}
		add(int(pre), int(post))
	}
}

// geometricGap returns math.Floor(math.Log(v)/logq) for v in (0, 1] and
// logq < 0, bit for bit, faster: it computes the logarithm as e·ln 2 +
// log m (v = m·2^e, m in [1/√2, √2), log m by the series 2·atanh((m−1)/(m+1))
// to the 13th power, relative error below 1e-11), and takes the exact
// math.Log only where the quotient lies within 1e-9 of it (relative) of an
// integer, where the two could round to different gaps (about once in 10⁸
// draws at p = 0.02).
func geometricGap(v, logq float64) float64 {
	b := math.Float64bits(v)
	if e := b >> 52; e == 0 || e > 1023 {
		// ±0 or subnormal, above 1 (up to ∞ and NaN), or negative (the
		// sign bit is above the exponent): not drawn here.
		return math.Floor(math.Log(v) / logq)
	}
	// v = m·2^k with m in [1/√2, √2), without a branch: k counts from the
	// bits of 1/√2.
	const half = 0x3fe6a09e667f3bcd // math.Float64bits(1/√2)
	k := int64(b-half) >> 52
	m := math.Float64frombits(b - uint64(k)<<52)
	e := float64(k)
	t := (m - 1) / (m + 1)
	t2 := t * t
	t4 := t2 * t2
	// 1 + t²/3 + t⁴/5 + … + t¹²/13 in Estrin's order (short dependency chains).
	s := (1 + t2*(1.0/3)) + t4*((1.0/5+t2*(1.0/7))+t4*((1.0/9+t2*(1.0/11))+t4*(1.0/13)))
	x := (e*math.Ln2 + 2*t*s) / logq
	// Floor through truncation (x − d ≥ 0): the same integer, no call.
	if d := 1e-9*x + 1e-12; x-d >= 0 && x+d < 1<<62 {
		if f := int64(x - d); f == int64(x+d) {
			return float64(f)
		}
	}
	return math.Floor(math.Log(v) / logq)
}
