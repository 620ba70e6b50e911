package shifting

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/spikelab/spikelab/sim"
)

// The vector kernels must give the portable loops' results bit for bit,
// on every lane count and with weights of both signs (valid, invalid and
// Silent candidates all occur).
func TestShiftingKernelsBitIdenticalToGo(t *testing.T) {
	has512 := useAVX512
	defer func() { useAVX512 = has512 }()
	for _, wide := range []bool{false, true} {
		useAVX512 = has512 && wide // the 4-lane kernels, then the 8-lane ones where present
		checkShiftingKernels(t)
	}
	t.Logf("AVX2 kernels: %v, AVX-512: %v", useAVX, has512)
}

func checkShiftingKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, n := range []int{1, 3, 4, 5, 8, 9, 13, 16, 64, 203} {
		st := make([][]float64, 10) // s, a, best, kr, sk: vector then Go
		for k := range st {
			st[k] = make([]float64, n)
		}
		for j := 0; j < n; j++ {
			st[2][j], st[7][j] = math.Inf(1), math.Inf(1)
		}
		w := make([]float64, n)
		z := 0.5
		for r := 0; r < 60; r++ {
			for j := range w {
				w[j] = 0.15*rng.NormFloat64() + 0.05
			}
			z += rng.Float64() * 0.2
			shiftScan(w, st[0], st[1], st[2], st[3], st[4], z, float64(r))
			shiftScanGo(w, st[5], st[6], st[7], st[8], st[9], z, float64(r))
		}
		for k := 0; k < 5; k++ {
			for j := 0; j < n; j++ {
				if math.Float64bits(st[k][j]) != math.Float64bits(st[k+5][j]) {
					t.Fatalf("scan n=%d: state %d lane %d: %v vs Go %v", n, k, j, st[k][j], st[k+5][j])
				}
			}
		}
		// Gradient rows: three samples, stride n+3, the middle one not causal.
		stride, nb := n+3, 3
		e, y, kr := make([]float64, stride*nb), make([]float64, stride*nb), make([]float64, stride*nb)
		for i := range e {
			e[i], y[i], kr[i] = rng.NormFloat64(), 1+rng.Float64(), float64(rng.IntN(8))
			switch i % 29 { // a NaN rank is never causal; infinite terms
			case 5:
				kr[i] = math.NaN()
			case 11:
				e[i] = math.Inf(1)
			case 17:
				e[i] = math.Inf(-1)
			}
		}
		zs, rs := []float64{1.3, 1.7, 2.1}, []float64{3, -1, 5}
		g1, g2 := make([]float64, n), make([]float64, n)
		for j := range g1 {
			g1[j] = rng.NormFloat64()
			if j%7 == 3 {
				g1[j] = math.Copysign(0, -1) // stays −0 where nothing is added
			}
			g2[j] = g1[j]
		}
		shiftGradRows(g1, e, y, kr, stride, zs, rs)
		for b := range zs {
			if rs[b] >= 0 {
				shiftGradGo(g2, e[b*stride:], y[b*stride:], kr[b*stride:], zs[b], rs[b])
			}
		}
		g3 := slices.Clone(g1)
		for j := range g1 {
			if math.Float64bits(g1[j]) != math.Float64bits(g2[j]) {
				t.Fatalf("grad rows n=%d lane %d: %v vs Go %v", n, j, g1[j], g2[j])
			}
		}
		shiftGrad(g1, e, y, kr, 1.1, 4)
		shiftGradGo(g3, e, y, kr, 1.1, 4)
		for j := range g1 {
			if math.Float64bits(g1[j]) != math.Float64bits(g3[j]) {
				t.Fatalf("grad n=%d lane %d: %v vs Go %v", n, j, g1[j], g3[j])
			}
		}
	}
}

func TestSortByZIsAscendingWithTiesByIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, n := range []int{0, 1, 2, 17, smallSort, smallSort + 1, 784} {
		z := make([]float64, n)
		for i := range z {
			switch rng.IntN(5) {
			case 0:
				z[i] = math.E // many ties, as MNIST background
			case 1:
				z[i] = -rng.Float64() * 3
			case 2:
				z[i] = math.Copysign(0, float64(rng.IntN(2))-0.5) // ±0 tie
			default:
				z[i] = math.Exp(rng.Float64() * 2)
			}
		}
		want := make([]int32, n)
		for i := range want {
			want[i] = int32(i)
		}
		slices.SortStableFunc(want, func(a, b int32) int {
			switch {
			case z[a] < z[b]:
				return -1
			case z[a] > z[b]:
				return 1
			}
			return 0
		})
		got := make([]int32, n)
		sortByZ(z, got, make([]int32, n), make([]uint64, n))
		if !slices.Equal(got, want) {
			t.Fatalf("n=%d: order %v, want %v", n, got, want)
		}
	}
}

// referenceForward is the candidate rule written out per output neuron,
// over all inputs (no early stop), for comparison with Forward.
func referenceForward(l *ShiftingLayer, zin []float64) ([]float64, []int32) {
	order := make([]int, len(zin))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if zin[a] < zin[b] {
			return -1
		} else if zin[a] > zin[b] {
			return 1
		}
		return 0
	})
	y, ks := make([]float64, l.Out), make([]int32, l.Out)
	for j := range y {
		s, a, best := 0.0, 0.0, math.Inf(1)
		for r, i := range order {
			w := l.W[i*l.Out+j]
			s += w
			a += w * zin[i]
			valid := false
			if s >= 1 {
				den := min(max(s-1, 1e-10), 1e10)
				if a >= zin[i]*den && a < best*den {
					valid = true
					if c := a / den; c < best {
						best, ks[j] = c, int32(r)
					}
				}
			}
			if !valid && best > Silent {
				best, ks[j] = Silent, int32(r)
			}
		}
		y[j] = best * l.Etp[j]
	}
	return y, ks
}

// Forward (vector kernels, early stop once every output is settled) gives
// the per-neuron rule's outputs and causal sets exactly, also when most
// neurons fire after a few early inputs and the scan stops early.
func TestForwardMatchesPerNeuronRuleWithEarlyStop(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	for c := 0; c < 6; c++ {
		l := NewShiftingLayer(300, 37, rng)
		for k := range l.W {
			l.W[k] = 0.03*rng.NormFloat64() + 0.004*float64(c)
		}
		z := make([]float64, 300)
		for i := range z {
			z[i] = math.Exp(3 * rng.Float64())
		}
		p := l.NewShiftingPass()
		l.Forward(z, p)
		y, ks := referenceForward(l, z)
		for j := range y {
			if math.Float64bits(p.Y[j]) != math.Float64bits(y[j]) || p.KStar[j] != ks[j] {
				t.Fatalf("case %d neuron %d: y %v k* %d, per-neuron rule %v %d", c, j, p.Y[j], p.KStar[j], y[j], ks[j])
			}
		}
	}
	// Strong positive weights: every neuron fires within the first inputs,
	// so the scan must stop early and still agree.
	l := NewShiftingLayer(256, 16, rng)
	for k := range l.W {
		l.W[k] = 0.5 * rng.Float64()
	}
	z := make([]float64, 256)
	for i := range z {
		z[i] = 1 + float64(i)/64
	}
	p := l.NewShiftingPass()
	l.Forward(z, p)
	y, ks := referenceForward(l, z)
	last := int32(0)
	for j := range y {
		if p.Y[j] != y[j] || p.KStar[j] != ks[j] {
			t.Fatalf("early neuron %d: y %v k* %d, per-neuron rule %v %d", j, p.Y[j], p.KStar[j], y[j], ks[j])
		}
		last = max(last, ks[j])
	}
	if last > 64 {
		t.Fatalf("test setup: neurons fire up to rank %d, want early spikes", last)
	}
	if p.s[0] == refSum(l, 0) {
		t.Fatalf("scan did not stop early: S holds the sum over all inputs")
	}
}

func refSum(l *ShiftingLayer, j int) float64 {
	s := 0.0
	for i := 0; i < l.In; i++ {
		s += l.W[i*l.Out+j]
	}
	return s
}

// TrainBatch's tiled layer-1 gradient equals per-sample Backward into one
// gradient per chunk, chunks then added in order, bit for bit, with any
// number of threads.
func TestBatchGradientEqualsPerSampleBackward(t *testing.T) {
	defer sim.AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
	for _, threads := range []int{1, 2} {
		for _, norm := range []bool{false, true} {
			checkBatchGradient(t, threads, norm, 29)
			checkBatchGradient(t, threads, norm, 2) // chunks 0 and 2 empty
		}
	}
}

func checkBatchGradient(t *testing.T, threads int, norm bool, batch int) {
	{
		{
			rng := rand.New(rand.NewPCG(61, 62))
			team := sim.NewTeam(threads)
			net := NewShiftingNet(130, 72, 5, rng, team)
			net.Normalise = norm
			xs := make([][]float64, batch)
			ys := make([]int, len(xs))
			for b := range xs {
				xs[b] = make([]float64, 130)
				for i := range xs[b] {
					xs[b][i] = math.Exp(rng.Float64())
				}
				ys[b] = b % 5
			}
			// A few steps first so weights of both signs occur.
			for s := 0; s < 3; s++ {
				net.TrainBatch(xs, ys, 3e-3, 1e-3)
			}
			// Expected: the pre-tiling sum, from the current weights.
			want := net.L1.NewShiftingGrad()
			for w := 0; w < shiftingChunks; w++ {
				g1, g2 := net.L1.NewShiftingGrad(), net.L2.NewShiftingGrad()
				p1, p2 := net.L1.NewShiftingPass(), net.L2.NewShiftingPass()
				d, dh := make([]float64, 5), make([]float64, 72)
				for b := w * len(xs) / shiftingChunks; b < (w+1)*len(xs)/shiftingChunks; b++ {
					net.L1.Forward(xs[b], p1)
					net.L2.Forward(p1.Y, p2)
					OutputError(p2.Y, ys[b], d)
					net.L2.Backward(p2, d, norm, g2, dh)
					net.L1.Backward(p1, dh, norm, g1, nil)
				}
				if w == 0 {
					copy(want.W, g1.W)
				} else {
					addTo(want.W, g1.W)
				}
			}
			// Adam with lr 0 leaves the weights, so net.g1 holds the batch gradient.
			net.TrainBatch(xs, ys, 0, 0)
			for k := range want.W {
				if math.Float64bits(want.W[k]) != math.Float64bits(net.g1.W[k]) {
					t.Fatalf("threads %d normalise %v batch %d: gradient %d = %v, per-sample Backward %v", threads, norm, batch, k, net.g1.W[k], want.W[k])
				}
			}
			team.Close()
		}
	}
}
