package connect

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestBernoulliGaussianStatistics(t *testing.T) {
	const n, p = 1000, 0.1
	scale := 0.04 / (math.Sqrt(n) * p)
	syn, err := BernoulliGaussian(rand.New(rand.NewPCG(3, 4)), n, n, p, scale)
	if err != nil {
		t.Fatal(err)
	}
	density := float64(len(syn)) / (n * n)
	if math.Abs(density-p) > 0.005 {
		t.Errorf("density %g, want %g", density, p)
	}
	ss := 0.0
	for _, s := range syn {
		ss += s.W * s.W
	}
	if std := math.Sqrt(ss / float64(len(syn))); math.Abs(std/scale-1) > 0.02 {
		t.Errorf("weight std %g, want G/(√N·p) = %g", std, scale)
	}
}

func TestBalanceRowsMakesIncomingWeightsSumToZero(t *testing.T) {
	syn, _ := BernoulliGaussian(rand.New(rand.NewPCG(1, 1)), 200, 200, 0.1, 1)
	before := len(syn)
	BalanceRows(200, syn)
	sum := make([]float64, 200)
	for _, s := range syn {
		sum[s.Post] += s.W
	}
	for i, v := range sum {
		if math.Abs(v) > 1e-12 {
			t.Fatalf("row %d sums to %g after balancing", i, v)
		}
	}
	if len(syn) != before {
		t.Fatal("balancing changed the synapse set")
	}
}

func TestPropagateEqualsDenseProduct(t *testing.T) {
	const nPost, nPre = 30, 40
	syn, _ := BernoulliGaussian(rand.New(rand.NewPCG(5, 6)), nPost, nPre, 0.3, 1)
	c, err := FromSynapses(nPost, nPre, syn)
	if err != nil {
		t.Fatal(err)
	}
	if c.NNZ() != len(syn) {
		t.Fatalf("NNZ %d, want %d", c.NNZ(), len(syn))
	}
	spikes := []int32{0, 7, 13, 39}
	got := make([]float64, nPost)
	c.Propagate(spikes, got, 2.5)
	dense := c.Dense()
	for i := 0; i < nPost; i++ {
		want := 0.0
		for _, j := range spikes {
			want += 2.5 * dense[i*nPre+int(j)]
		}
		if math.Abs(got[i]-want) > 1e-12 {
			t.Fatalf("post %d: %g, want %g", i, got[i], want)
		}
	}
}

func TestPropagateRangesEqualPropagate(t *testing.T) {
	const n = 50
	syn, _ := BernoulliGaussian(rand.New(rand.NewPCG(7, 8)), n, n, 0.4, 1)
	c, _ := FromSynapses(n, n, syn)
	spikes := []int32{1, 4, 9, 30, 49}
	want := make([]float64, n)
	got := make([]float64, n)
	for i := range want {
		want[i] = float64(i) / 7
		got[i] = want[i]
	}
	c.Propagate(spikes, want, 0.3)
	bounds := []int{0, 12, 13, 13, 40, n}
	sp, err := c.Split(bounds)
	if err != nil {
		t.Fatal(err)
	}
	for b := 0; b+1 < len(bounds); b++ {
		c.PropagateBlock(sp, b, spikes, got, 0.3)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("post %d: %v by ranges, %v in one pass", i, got[i], want[i])
		}
	}
	if _, err := c.Split([]int{0, 30, 20, n}); err == nil {
		t.Error("decreasing bounds accepted")
	}
	if _, err := c.Split([]int{0, 30}); err == nil {
		t.Error("bounds short of NPost accepted")
	}
}

func TestFromSynapsesRejectsBadInput(t *testing.T) {
	if _, err := FromSynapses(2, 2, []Synapse{{Post: 2, Pre: 0}}); err == nil {
		t.Error("out-of-range synapse accepted")
	}
	if _, err := FromSynapses(2, 2, []Synapse{{Post: 1, Pre: 0}, {Post: 1, Pre: 0}}); err == nil {
		t.Error("duplicate synapse accepted")
	}
	if _, err := BernoulliGaussian(rand.New(rand.NewPCG(1, 1)), 2, 2, 1.5, 1); err == nil {
		t.Error("p > 1 accepted")
	}
}

func TestBernoulliDensityAndRange(t *testing.T) {
	const nPost, lo, hi, p = 4000, 3200, 4000, 0.02
	syn, err := Bernoulli(rand.New(rand.NewPCG(9, 9)), nPost, lo, hi, p, -9)
	if err != nil {
		t.Fatal(err)
	}
	want := float64(nPost*(hi-lo)) * p
	if math.Abs(float64(len(syn))-want) > 4*math.Sqrt(want) {
		t.Errorf("%d synapses, want %g ± %g", len(syn), want, 4*math.Sqrt(want))
	}
	perPost := make([]int, nPost)
	for _, s := range syn {
		if s.Pre < lo || s.Pre >= hi || s.W != -9 {
			t.Fatalf("synapse %+v outside [%d,%d) or wrong weight", s, lo, hi)
		}
		perPost[s.Post]++
	}
	// Every postsynaptic neuron gets inputs: about 16 ± 4 each.
	zero := 0
	for _, c := range perPost {
		if c == 0 {
			zero++
		}
	}
	if zero > 5 {
		t.Errorf("%d neurons have no input: the pair walk is not uniform", zero)
	}
	if _, err := FromSynapses(nPost, hi, syn); err != nil {
		t.Fatal(err)
	}
	all, _ := Bernoulli(rand.New(rand.NewPCG(1, 1)), 3, 0, 2, 1, 1)
	if len(all) != 6 {
		t.Errorf("p = 1 gave %d synapses, want all 6", len(all))
	}
}
