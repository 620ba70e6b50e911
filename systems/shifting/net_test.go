package shifting

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/sim"
)

// firstCrossing finds the first time V(t) = Σ w_i(1 − e^−(t−t_i))H(t − t_i)
// reaches 1 by dense time stepping.
func firstCrossing(tin, w []float64) float64 {
	for t := -2.0; t < 12; t += 1e-5 {
		v := 0.0
		for i, ti := range tin {
			if t >= ti {
				v += w[i] * (1 - math.Exp(-(t - ti)))
			}
		}
		if v >= 1 {
			return t
		}
	}
	return math.Inf(1)
}

func TestForwardEqualsDenseTimeFirstCrossingForPositiveWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	for c := 0; c < 10; c++ {
		l := &ShiftingLayer{In: 6, Out: 1, W: make([]float64, 6), Etp: []float64{1}}
		tin := make([]float64, 6)
		for i := range tin {
			tin[i] = 2 * rng.Float64()
			l.W[i] = 0.6 * rng.Float64()
		}
		z := make([]float64, 6)
		for i, ti := range tin {
			z[i] = math.Exp(ti)
		}
		p := l.NewShiftingPass()
		l.Forward(z, p)
		want := firstCrossing(tin, l.W)
		if math.IsInf(want, 1) {
			if p.Y[0] != Silent {
				t.Fatalf("case %d: neuron never crosses but forward says t = %g", c, math.Log(p.Y[0]))
			}
			continue
		}
		if got := math.Log(p.Y[0]); math.Abs(got-want) > 2e-4 {
			t.Fatalf("case %d: closed form t = %.5f, dense simulation %.5f", c, got, want)
		}
		// The causal set is every input before the spike.
		for i, ti := range tin {
			causal := p.Rank[i] <= p.KStar[0]
			if causal != (ti < want) {
				t.Fatalf("case %d: input %d at %g causal=%v for a spike at %g", c, i, ti, causal, want)
			}
		}
	}
}

func TestSilentNeuronUsesSentinelAndEarliestInput(t *testing.T) {
	l := &ShiftingLayer{In: 3, Out: 1, W: []float64{0.2, 0.3, 0.1}, Etp: []float64{2}}
	p := l.NewShiftingPass()
	l.Forward([]float64{3, 1, 2}, p)
	if p.Y[0] != Silent*2 || p.KStar[0] != 0 || p.Order[0] != 1 {
		t.Fatalf("silent neuron: y %g (want %g), k* %d, first input %d", p.Y[0], Silent*2, p.KStar[0], p.Order[0])
	}
}

func TestNormalisedRuleIsScaledExactGradient(t *testing.T) {
	// With Etp = 1 the normalised rule is e¹ × the exact gradient of the
	// cross-entropy −Σ p*·log softmax(y) with respect to the output weights.
	rng := rand.New(rand.NewPCG(5, 6))
	l := NewShiftingLayer(5, 3, rng)
	z := []float64{1.2, 1.9, 1.05, 2.5, 1.4}
	loss := func() float64 {
		p := l.NewShiftingPass()
		l.Forward(z, p)
		q := make([]float64, 3)
		softmax(p.Y, q)
		tgt := []float64{math.Exp(0.99), math.Exp(0.01), math.Exp(0.99)}
		softmax(tgt, tgt)
		s := 0.0
		for j := range q {
			s -= tgt[j] * math.Log(q[j])
		}
		return s
	}
	p := l.NewShiftingPass()
	l.Forward(z, p)
	delta := make([]float64, 3)
	OutputError(p.Y, 1, delta)
	g := l.NewShiftingGrad()
	l.Backward(p, delta, true, g, nil)
	for k := range l.W {
		w := l.W[k]
		const h = 1e-7
		l.W[k] = w + h
		up := loss()
		l.W[k] = w - h
		down := loss()
		l.W[k] = w
		fd := (up - down) / (2 * h)
		if math.Abs(g.W[k]/math.E-fd) > 1e-5*math.Max(1, math.Abs(fd)) {
			t.Fatalf("W[%d]: rule/e = %g, finite difference %g", k, g.W[k]/math.E, fd)
		}
	}
}

func TestAdamMinimisesQuadratic(t *testing.T) {
	a := learn.NewAdam(2, 0.9, 0.999, 1e-8)
	p := []float64{3, -2}
	g := make([]float64, 2)
	for i := 0; i < 2000; i++ {
		g[0], g[1] = 2*(p[0]-1), 2*(p[1]+1)
		a.Step(p, g, 0.05)
	}
	if math.Abs(p[0]-1) > 1e-3 || math.Abs(p[1]+1) > 1e-3 {
		t.Fatalf("Adam ended at %v, want (1, −1)", p)
	}
}

func TestShiftingNetLearnsXORAndIsThreadIndependent(t *testing.T) {
	defer sim.AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
	xs := [][]float64{{math.Exp(0.99), math.Exp(0.99)}, {math.Exp(0.99), math.Exp(0.01)}, {math.Exp(0.01), math.Exp(0.99)}, {math.Exp(0.01), math.Exp(0.01)}}
	ys := []int{0, 1, 1, 0}
	solved := 0
	for run := 0; run < 30; run++ {
		net := NewShiftingNet(2, 8, 2, rand.New(rand.NewPCG(uint64(run), 1)), nil)
		c := 0
		for it := 0; it < 400; it++ {
			c, _ = net.TrainBatch(xs, ys, 1e-3, 1e-2)
		}
		if c == 4 {
			solved++
		}
	}
	// The reference solves about 60 % of runs; chance (all four right by luck) is far lower.
	if solved < 9 {
		t.Errorf("solved %d of 30 XOR runs, want at least 9", solved)
	}
	// A batch big enough for the parallel path gives the same weights on any team.
	rng := rand.New(rand.NewPCG(9, 9))
	bx := make([][]float64, 64)
	by := make([]int, 64)
	for b := range bx {
		bx[b] = make([]float64, 100)
		for i := range bx[b] {
			bx[b][i] = math.Exp(rng.Float64())
		}
		by[b] = b % 3
	}
	var nets []*ShiftingNet
	for _, w := range []int{1, 2} {
		team := sim.NewTeam(w)
		defer team.Close()
		n := NewShiftingNet(100, 50, 3, rand.New(rand.NewPCG(1, 2)), team)
		for s := 0; s < 3; s++ {
			n.TrainBatch(bx, by, 1e-3, 1e-3)
		}
		nets = append(nets, n)
	}
	for i := range nets[0].L1.W {
		if nets[0].L1.W[i] != nets[1].L1.W[i] {
			t.Fatalf("weight %d differs between 1 and 2 threads", i)
		}
	}
}

func TestExactForwardAgreesForPositiveAndFollowsTheMembraneForMixedWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	differ := 0
	for c := 0; c < 40; c++ {
		mixed := c >= 20
		l := &ShiftingLayer{In: 6, Out: 1, W: make([]float64, 6), Etp: []float64{1}}
		tin := make([]float64, 6)
		z := make([]float64, 6)
		for i := range tin {
			tin[i] = 2 * rng.Float64()
			z[i] = math.Exp(tin[i])
			if mixed {
				l.W[i] = 0.6 * rng.NormFloat64()
			} else {
				l.W[i] = 0.6 * rng.Float64()
			}
		}
		ref, ex := l.NewShiftingPass(), l.NewShiftingPass()
		l.Forward(z, ref)
		l.Exact = true
		l.Forward(z, ex)
		want := firstCrossing(tin, l.W)
		if math.IsInf(want, 1) {
			if ex.Y[0] != Silent {
				t.Fatalf("case %d: membrane never crosses, exact forward says t = %g", c, math.Log(ex.Y[0]))
			}
		} else if got := math.Log(ex.Y[0]); math.Abs(got-want) > 2e-4 {
			t.Fatalf("case %d: exact forward t = %.5f, membrane crosses at %.5f", c, got, want)
		}
		if ref.Y[0] != ex.Y[0] {
			if !mixed {
				t.Fatalf("case %d: positive weights, reference %g vs exact %g", c, ref.Y[0], ex.Y[0])
			}
			differ++
		}
	}
	t.Logf("reference and exact forward differ in %d of 20 mixed-sign cases", differ)
}

func TestMultiSpikeNetLearnsTwoPatterns(t *testing.T) {
	// Two classes: spikes of synapses 0–9 early and 10–19 late, or the reverse.
	rng := rand.New(rand.NewPCG(4, 4))
	trial := func(class int) ([]float64, []int32) {
		type sp struct {
			t float64
			s int32
		}
		var sps []sp
		for s := int32(0); s < 20; s++ {
			early := (s < 10) == (class == 0)
			for k := 0; k < 2; k++ {
				tt := 0.5 + 0.3*rng.Float64()
				if early {
					tt = 0.1 * rng.Float64()
				}
				sps = append(sps, sp{tt, s})
			}
		}
		for i := 1; i < len(sps); i++ {
			for j := i; j > 0 && sps[j].t < sps[j-1].t; j-- {
				sps[j], sps[j-1] = sps[j-1], sps[j]
			}
		}
		z, rows := make([]float64, len(sps)), make([]int32, len(sps))
		for i, p := range sps {
			z[i], rows[i] = math.Exp(p.t), p.s
		}
		return z, rows
	}
	net := NewShiftingNet(20, 30, 2, rand.New(rand.NewPCG(1, 1)), nil)
	net.Normalise = true
	for it := 0; it < 300; it++ {
		z, rows := trial(it % 2)
		net.TrainSpikes(z, rows, it%2, 1e-2, 1e-4)
	}
	correct := 0
	for k := 0; k < 40; k++ {
		z, rows := trial(k % 2)
		if net.PredictSpikes(z, rows) == k%2 {
			correct++
		}
	}
	if correct < 34 {
		t.Fatalf("%d of 40 test trials right after training, want ≥ 34", correct)
	}
}
