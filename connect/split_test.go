package connect

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/spikelab/spikelab/sim"
)

// TestProjectionSplitIsBitIdentical propagates the same spike trains with
// teams of 1 to 4 workers and checks that the target input is bitwise the
// one a lone caller computes, for steps below and above ParallelEvents,
// with and without a delay, and for one repeated weight with FixedWeights
// (added without reading W) or a uniform matrix (no W) against the loop
// that reads W.
func TestProjectionSplitIsBitIdentical(t *testing.T) {
	defer sim.AtLeastProcs(4)() // the worker counts asked for, also under GOMAXPROCS=1
	const n = 3001              // not a multiple of 8: the last range is ragged
	rng := rand.New(rand.NewPCG(7, 8))
	w, u, uw := splitTestWeights(t, rng, n, 0.1)
	// Steps of 0 to 40 spikes: about 300 events each, so both paths run.
	steps := make([][]int32, 200)
	for s := range steps {
		k := rng.IntN(41)
		if s%10 == 0 {
			k = 0
		}
		for range k {
			steps[s] = append(steps[s], int32(rng.IntN(n)))
		}
	}
	run := func(w *CSR, workers, delay int, fixed bool) ([]float64, int) {
		team := sim.NewTeam(workers)
		defer team.Close()
		g := &pulseGroup{v: make([]float64, n), in: make([]float64, n)}
		p, err := NewProjection(ProjectionOptions{Pre: g, Post: g, Input: "exc", Weights: w, DelaySteps: delay, Team: team, FixedWeights: fixed})
		if err != nil {
			t.Fatal(err)
		}
		split := 0
		for s, sp := range steps {
			if p.split != nil && len(sp) > 0 {
				var ev int64
				for _, j := range sp {
					ev += w.Start[j+1] - w.Start[j]
				}
				if ev >= ParallelEvents {
					split++
				}
			}
			if delay == 0 {
				p.deliver(sp)
				continue
			}
			k := s % len(p.ring)
			p.deliver(p.ring[k])
			p.ring[k] = append(p.ring[k][:0], sp...)
			for i := range g.in { // a decay, so that the order of the sums matters over steps
				g.in[i] *= 0.9
			}
		}
		if fixed != p.uniform && !w.Uniform {
			t.Fatalf("fixed weights %v, uniform path %v", fixed, p.uniform)
		}
		return g.in, split
	}
	for _, c := range []struct {
		w, ref *CSR
		fixed  bool
	}{{w, w, false}, {u, u, true}, {uw, u, true}} {
		for _, delay := range []int{0, 3} {
			want, _ := run(c.ref, 1, delay, false)
			for workers := 1; workers <= 4; workers++ {
				if workers == 1 && !c.fixed {
					continue
				}
				got, split := run(c.w, workers, delay, c.fixed)
				if workers > 1 && (split == 0 || split == len(steps)) {
					t.Fatalf("%d workers: %d of %d steps split; the test needs both paths", workers, split, len(steps))
				}
				for i := range want {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("fixed %v, delay %d, %d workers: target %d is %v, one worker reading W gives %v",
							c.fixed, delay, workers, i, got[i], want[i])
					}
				}
			}
		}
	}
}

func TestSplitBlocks(t *testing.T) {
	for _, c := range []struct{ n, workers, want int }{{4000, 1, 1}, {4000, 2, 2}, {100, 4, 1}, {128, 4, 2}, {64000, 3, 3}} {
		if got := splitBlocks(c.n, c.workers); got != c.want {
			t.Errorf("splitBlocks(%d, %d) = %d, want %d", c.n, c.workers, got, c.want)
		}
	}
}

// TestBernoulliCSREqualsTheList: the same stream gives the same matrix
// drawn straight into CSR as through Bernoulli's list and FromSynapses,
// and the same error for a bad probability.
func TestBernoulliCSREqualsTheList(t *testing.T) {
	for _, c := range []struct {
		nPost, nPre, lo, hi int
		p                   float64
	}{{500, 500, 0, 400, 0.05}, {500, 500, 400, 500, 0.05}, {300, 200, 50, 120, 1}, {10, 10, 3, 3, 0.5}} {
		syn, err := Bernoulli(rand.New(rand.NewPCG(1, 2)), c.nPost, c.lo, c.hi, c.p, 1.5)
		if err != nil {
			t.Fatal(err)
		}
		want, err := FromSynapses(c.nPost, c.nPre, syn)
		if err != nil {
			t.Fatal(err)
		}
		got, err := BernoulliCSR(rand.New(rand.NewPCG(1, 2)), c.nPost, c.nPre, c.lo, c.hi, c.p, 1.5)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Start, want.Start) || !slices.Equal(got.Post, want.Post) || !slices.Equal(got.W, want.W) ||
			got.NPre != want.NPre || got.NPost != want.NPost {
			t.Errorf("%+v: CSR drawn directly differs from the list's (%d vs %d synapses)", c, got.NNZ(), want.NNZ())
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range []float64{0, 1.5, math.NaN()} {
		if _, err := BernoulliUniformCSR(rng, 10, 10, 0, 10, p, 1); err == nil {
			t.Errorf("uniform: p = %g accepted", p)
		}
		if _, err := BernoulliCSR(rng, 10, 10, 0, 10, p, 1); err == nil {
			t.Errorf("p = %g accepted", p)
		}
	}
	if _, err := BernoulliCSR(rng, 10, 10, 0, 11, 0.5, 1); err == nil {
		t.Error("presynaptic range beyond nPre accepted")
	}
}

// TestDeliverRangeIsBitIdentical delivers the same spike trains range by
// range (sim.RangeProjection, the fused step of sim.Network.Fuse), the
// ranges in reverse order, and checks that the target input is bitwise
// the one Propagate's serial loop gives, with W read, with one fixed
// weight and with a uniform matrix (no W); a delayed projection refuses
// to be split.
func TestDeliverRangeIsBitIdentical(t *testing.T) {
	const n = 3001 // not a multiple of 8: the last range is ragged
	rng := rand.New(rand.NewPCG(9, 10))
	w, u, uw := splitTestWeights(t, rng, n, 0.05)
	steps := make([][]int32, 100)
	for s := range steps {
		for range rng.IntN(30) {
			steps[s] = append(steps[s], int32(rng.IntN(n)))
		}
		slices.Sort(steps[s])
		steps[s] = slices.Compact(steps[s])
	}
	run := func(m *CSR, fixed bool, ranges int) []float64 {
		g := &pulseGroup{v: make([]float64, n), in: make([]float64, n)}
		p, err := NewProjection(ProjectionOptions{Pre: g, Post: g, Input: "exc", Weights: m, FixedWeights: fixed})
		if err != nil {
			t.Fatal(err)
		}
		bounds := make([]int, ranges+1)
		for b := range bounds {
			bounds[b] = (b * n / ranges) &^ 7
		}
		bounds[ranges] = n
		if ok, err := p.SplitTargets(bounds); !ok || err != nil {
			t.Fatalf("SplitTargets: %v, %v", ok, err)
		}
		for _, sp := range steps {
			if ranges == 1 {
				p.w.Propagate(sp, g.in, 1)
			} else {
				for b := ranges - 1; b >= 0; b-- {
					p.DeliverRange(b, sp)
				}
			}
			for i := range g.in { // a decay, so that the order of the sums matters over steps
				g.in[i] *= 0.9
			}
		}
		return g.in
	}
	for _, c := range []struct {
		m, ref *CSR
		fixed  bool
	}{{w, w, false}, {u, u, true}, {u, u, false}, {uw, u, true}, {uw, u, false}} {
		want := run(c.ref, false, 1)
		for ranges := 2; ranges <= 4; ranges++ {
			got := run(c.m, c.fixed, ranges)
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("fixed %v, %d ranges: target %d is %v, Propagate gives %v", c.fixed, ranges, i, got[i], want[i])
				}
			}
		}
	}
	g := &pulseGroup{v: make([]float64, n), in: make([]float64, n)}
	p, err := NewProjection(ProjectionOptions{Pre: g, Post: g, Input: "exc", Weights: w, DelaySteps: 2})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := p.SplitTargets([]int{0, 1496, n}); ok || err != nil {
		t.Errorf("delayed projection: SplitTargets %v, %v; want false, nil", ok, err)
	}
}

// splitTestWeights draws an n×n Gaussian connectivity of density p and
// returns it (w) and the same synapses with one weight 0.3 (u: the
// FixedWeights path adds it without reading W), and u as a uniform matrix
// without W (uw).
func splitTestWeights(t *testing.T, rng *rand.Rand, n int, p float64) (w, u, uw *CSR) {
	t.Helper()
	syn, err := BernoulliGaussian(rng, n, n, p, 1)
	if err != nil {
		t.Fatal(err)
	}
	if w, err = FromSynapses(n, n, syn); err != nil {
		t.Fatal(err)
	}
	for k := range syn {
		syn[k].W = 0.3
	}
	if u, err = FromSynapses(n, n, syn); err != nil {
		t.Fatal(err)
	}
	uw = &CSR{NPre: u.NPre, NPost: u.NPost, Start: u.Start, Post: u.Post, Uniform: true, Value: 0.3}
	return w, u, uw
}

// TestUniformCSR checks the uniform matrix against the same matrix with
// W: BernoulliUniformCSR draws BernoulliCSR's synapses, Propagate and
// Dense give the same bits, Expand and SparseFromCSR give it a W, and
// Check refuses inconsistent matrices.
func TestUniformCSR(t *testing.T) {
	const n = 700
	full, err := BernoulliCSR(rand.New(rand.NewPCG(3, 4)), n, n, 100, 600, 0.05, -1.7)
	if err != nil {
		t.Fatal(err)
	}
	uni, err := BernoulliUniformCSR(rand.New(rand.NewPCG(3, 4)), n, n, 100, 600, 0.05, -1.7)
	if err != nil {
		t.Fatal(err)
	}
	if !uni.Uniform || uni.W != nil || uni.Value != -1.7 || full.Uniform || len(full.W) != full.NNZ() {
		t.Fatalf("uniform %v, W %d, value %g; full uniform %v, W %d of %d", uni.Uniform, len(uni.W), uni.Value, full.Uniform, len(full.W), full.NNZ())
	}
	if !slices.Equal(uni.Start, full.Start) || !slices.Equal(uni.Post, full.Post) {
		t.Fatal("the uniform matrix has other synapses")
	}
	for _, c := range []*CSR{full, uni} {
		if err := c.Check(); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(uni.Dense(), full.Dense()) {
		t.Error("Dense differs")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	a, b := make([]float64, n), make([]float64, n)
	sp, err := full.Split([]int{0, 200, 456, n})
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		var spikes []int32
		for range rng.IntN(40) {
			spikes = append(spikes, int32(rng.IntN(n)))
		}
		full.Propagate(spikes, a, 0.37)
		uni.Propagate(spikes, b, 0.37)
		for blk := range 3 {
			full.PropagateBlock(sp, blk, spikes, a, 1.3)
			uni.PropagateBlock(sp, blk, spikes, b, 1.3)
		}
		for i := range a {
			a[i] *= 0.9
			b[i] *= 0.9
		}
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			t.Fatalf("target %d: uniform %v, with W %v", i, b[i], a[i])
		}
	}
	sparse, err := SparseFromCSR(&CSR{NPre: uni.NPre, NPost: uni.NPost, Start: uni.Start, Post: uni.Post, Uniform: true, Value: uni.Value})
	if err != nil {
		t.Fatal(err)
	}
	if sparse.Uniform || !slices.Equal(sparse.W, full.W) {
		t.Error("SparseFromCSR of a uniform matrix has no W, or another")
	}
	uni.Expand()
	if uni.Uniform || !slices.Equal(uni.W, full.W) || uni.Check() != nil {
		t.Error("Expand gives another W")
	}
	for _, c := range []*CSR{
		{NPre: 2, NPost: 2, Start: []int64{0, 1, 2}, Post: []int32{0, 1}, W: []float64{1}},
		{NPre: 2, NPost: 2, Start: []int64{0, 1, 2}, Post: []int32{0, 1}, W: []float64{1, 2}, Uniform: true},
		{NPre: 2, NPost: 2, Start: []int64{0, 1, 2}, Post: []int32{0, 2}, Uniform: true},
		{NPre: 2, NPost: 2, Start: []int64{0, 3, 2}, Post: []int32{0, 1}, Uniform: true},
		{NPre: 2, NPost: 2, Start: []int64{0, 1}, Post: []int32{0}, Uniform: true},
	} {
		if c.Check() == nil {
			t.Errorf("%+v passes Check", c)
		}
		g := &pulseGroup{v: make([]float64, 2), in: make([]float64, 2)}
		if _, err := NewProjection(ProjectionOptions{Pre: g, Post: g, Input: "exc", Weights: c}); err == nil {
			t.Errorf("%+v accepted by NewProjection", c)
		}
	}
}

// TestGeometricGapIsExact compares geometricGap with the formula it
// replaces, math.Floor(math.Log(v)/logq), bit for bit: on random draws
// for several p, at v = 1 and the smallest v, and next to every gap
// boundary v = q^j (where the fast path must defer to math.Log).
func TestGeometricGapIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	check := func(v, logq float64) {
		t.Helper()
		want := math.Floor(math.Log(v) / logq)
		if got := geometricGap(v, logq); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("v = %v (%#x), log q = %v: gap %v, want %v", v, math.Float64bits(v), logq, got, want)
		}
	}
	n := 400000
	if testing.Short() {
		n = 50000
	}
	for _, p := range []float64{0.999, 0.5, 0.1, 0.02, 0.005, 0.00125, 1e-4, 1e-7} {
		logq := math.Log1p(-p)
		for range n {
			check(1-rng.Float64(), logq)
		}
		for _, v := range []float64{1, 0x1p-53, 1 - 0x1p-53, 0.5, math.Sqrt2 / 2, math.Nextafter(math.Sqrt2/2, 1)} {
			check(v, logq)
		}
		for j := 1; j < 2000; j++ {
			v := math.Exp(float64(j) * logq)
			if v < 0x1p-53 {
				break
			}
			for k := -3; k <= 3; k++ {
				w := v
				for range max(k, -k) {
					if k < 0 {
						w = math.Nextafter(w, 0)
					} else {
						w = math.Nextafter(w, 2)
					}
				}
				if w > 0 && w <= 1 {
					check(w, logq)
				}
			}
		}
	}
}
