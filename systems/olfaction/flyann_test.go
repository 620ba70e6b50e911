package olfaction

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/vec"
)

// The backward pass (|W| chain rule, BatchNorm, ReLU, cross-entropy) must
// match a finite difference of the training-mode loss.
func TestFlyANNGradientMatchesFiniteDifference(t *testing.T) {
	p := FlyANNParams{NOR: 3, Tile: 2, NPN: 4, NKC: 6, Classes: 3, Batch: 5, KCBias: -0.2,
		InitORNPN: 1, InitPNKC: 1, LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, BNMomentum: 0.1, BNEps: 1e-5}
	a, err := NewFlyANN(p, sim.Stream(2, "ann-test"))
	if err != nil {
		t.Fatal(err)
	}
	rng := sim.Stream(3, "ann-test-data")
	for i := range a.W1 {
		if i%3 == 0 {
			a.W1[i] = -a.W1[i] // the sign must not matter
		}
	}
	for i := range a.Gam {
		a.Gam[i], a.Bet[i] = 0.5+rng.Float64(), rng.Float64()-0.3
	}
	x := make([]float64, 5*3)
	for i := range x {
		x[i] = rng.Float64()
	}
	y := []int{0, 2, 1, 1, 0}
	a.Gradient(x, y)
	g := append([]float64(nil), a.Grad()...)
	nz := 0
	for k := range a.Par {
		const h = 1e-6
		w := a.Par[k]
		a.Par[k] = w + h
		lp, _ := a.Gradient(x, y)
		a.Par[k] = w - h
		lm, _ := a.Gradient(x, y)
		a.Par[k] = w
		fd := (lp - lm) / (2 * h)
		if math.Abs(fd-g[k]) > 1e-6+1e-4*math.Abs(fd) {
			t.Errorf("parameter %d: gradient %.8g, finite difference %.8g", k, g[k], fd)
		}
		if fd != 0 {
			nz++
		}
	}
	if nz < len(a.Par)/2 {
		t.Fatalf("only %d of %d finite differences non-zero", nz, len(a.Par))
	}
}

// TestGemmEqualsGonum compares gemm with gonum's blas64.Gemm bit for bit
// on the ANN's products (and a few more shapes: C blocks that make gonum
// go parallel, k split into blocks, alpha and beta other than 0 and 1,
// zero coefficients from a ReLU), with the vector kernels on and off, on
// one to three goroutines.
func TestGemmEqualsGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	mat := func(n int, zeros bool) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
			if zeros && rng.IntN(3) == 0 {
				x[i] = 0
			}
		}
		return x
	}
	type shape struct {
		tA, tB      bool
		m, n, k     int
		alpha, beta float64
	}
	var shapes []shape
	for _, s := range [][3]int{{32, 50, 500}, {32, 2500, 50}, {32, 10, 2500}, {2500, 10, 32}, {32, 2500, 10},
		{50, 2500, 32}, {32, 50, 2500}, {500, 50, 32}, {130, 200, 70}, {7, 3, 5}, {5, 9, 3}, {256, 200, 300},
		{32, 100, 4}, {33, 64, 7}, {32, 100, 16}, {200, 5, 12}, {64, 15, 9}} {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}} {
			shapes = append(shapes, shape{tr[0], tr[1], s[0], s[1], s[2], 1, 0}, shape{tr[0], tr[1], s[0], s[1], s[2], 0.5, 1},
				shape{tr[0], tr[1], s[0], s[1], s[2], -1.5, 0.25}, shape{tr[0], tr[1], s[0], s[1], s[2], 1, 0.25})
		}
	}
	for _, on := range []bool{true, false} {
		was := vec.SetVectorKernels(on)
		for _, s := range shapes {
			a, b := mat(s.m*s.k, true), mat(s.k*s.n, s.m%2 == 0)
			if len(b) > 3 {
				a[0], b[1] = math.Copysign(0, -1), math.Copysign(0, -1)
			}
			lda, ldb := s.k, s.n
			if s.tA {
				lda = s.m
			}
			if s.tB {
				ldb = s.k
			}
			c0 := mat(s.m*s.n, false)
			got, want := append([]float64(nil), c0...), append([]float64(nil), c0...)
			gemm(1+len(got)%3, s.tA, s.tB, s.m, s.n, s.k, s.alpha, a, lda, b, ldb, s.beta, got, s.n)
			gemmGonum(s.tA, s.tB, s.m, s.n, s.k, s.alpha, a, lda, b, ldb, s.beta, want, s.n)
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("kernels %v, %+v: C[%d] = %v, gonum %v", on, s, i, got[i], want[i])
				}
			}
		}
		vec.SetVectorKernels(was)
	}
}

// signMul is g·sign(w) with +0 at w = ±0 and a sign flip (NaN's too) at
// negative w; allFinite finds an Inf or a NaN anywhere in its slices.
func TestSignMulAndAllFinite(t *testing.T) {
	negz := math.Copysign(0, -1)
	w := []float64{2, -3, 0, negz, 5e-324, -5e-324, math.Inf(1), math.Inf(-1), -1, 1}
	g := []float64{1.5, 1.5, 7, -7, -2, -2, 3, 3, math.NaN(), negz}
	want := []float64{1.5, -1.5, 0, 0, -2, 2, 3, -3, math.Copysign(math.NaN(), -1), negz}
	signMul(g, w)
	for i := range g {
		if math.Float64bits(g[i])&^(1<<63) != math.Float64bits(want[i])&^(1<<63) && !(math.IsNaN(g[i]) && math.IsNaN(want[i])) ||
			math.Signbit(g[i]) != math.Signbit(want[i]) {
			t.Errorf("w %v: g·sign(w) = %v, want %v", w[i], g[i], want[i])
		}
	}
	if !allFinite([]float64{1, negz, -3}, nil, []float64{5e-324, 1e308, 2, 3, 4}) {
		t.Error("finite slices reported non-finite")
	}
	for _, bad := range []float64{math.Inf(1), math.Inf(-1), math.NaN()} {
		if allFinite([]float64{1, 2}, []float64{0, 1, 2, 3, 4, bad}) {
			t.Errorf("%v not found", bad)
		}
	}
}

// BenchmarkGemmANN times the ANN's two largest products per batch of 32:
// the forward PN·|W2| (32 × 50 · 50 × 2500) and the gradient PNᵀ·dKC
// (50 × 32 · 32 × 2500), one goroutine.
func BenchmarkGemmANN(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	mat := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.Float64()
		}
		return x
	}
	pn, a2, dkc := mat(32*50), mat(50*2500), mat(32*2500)
	for i := range pn {
		if i%2 == 1 {
			pn[i] = 0 // ReLU: about half the PNs are silent
		}
	}
	c1, c2 := make([]float64, 32*2500), make([]float64, 50*2500)
	b.Run("forward", func(b *testing.B) {
		for b.Loop() {
			gemm(1, false, false, 32, 2500, 50, 1, pn, 50, a2, 2500, 0, c1, 2500)
		}
	})
	orn, a1, h1 := mat(32*500), mat(500*50), make([]float64, 32*50)
	b.Run("forwardW1", func(b *testing.B) {
		for b.Loop() {
			gemm(1, false, false, 32, 50, 500, 1, orn, 500, a1, 50, 0, h1, 50)
		}
	})
	b.Run("forward/MulRows", func(b *testing.B) {
		for b.Loop() {
			vec.MulRows(c1, 2500, pn, 50, a2, 2500, 32, 2500, 50)
		}
	})
	b.Run("forwardW1/MulRows", func(b *testing.B) {
		for b.Loop() {
			vec.MulRows(h1, 50, orn, 500, a1, 50, 32, 50, 500)
		}
	})
	b.Run("gradW2", func(b *testing.B) {
		for b.Loop() {
			gemm(1, true, false, 50, 2500, 32, 1, pn, 50, dkc, 2500, 0, c2, 2500)
		}
	})
}

// The sparse passes (only the active KCs) give the dense gemm passes'
// bits: gradients, Adam steps and predictions, with and without dropout,
// for the paper's sizes and for shapes that take gemm's other paths
// (few classes, more than 16 classes, a batch that makes gonum split dPN),
// on one goroutine and on two.
func TestFlyANNSparseEqualsDense(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the sparse passes run on amd64 only")
	}
	for _, c := range []struct {
		nor, tile, npn, nkc, classes, batch int
		dropout                             float64
	}{
		{50, 10, 50, 2500, 10, 32, 0},
		{50, 10, 50, 2500, 10, 32, 0.5},
		{7, 3, 9, 301, 3, 17, 0},
		{7, 2, 11, 203, 21, 9, 0.3},
		{5, 2, 130, 150, 2, 130, 0},
	} {
		p := FlyANNParams{NOR: c.nor, Tile: c.tile, NPN: c.npn, NKC: c.nkc, Classes: c.classes, Batch: c.batch,
			Dropout: c.dropout, KCBias: -1, InitORNPN: 4 / float64(c.nor*c.tile), InitPNKC: 4 / float64(c.npn),
			LR: 3e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, BNMomentum: 0.1, BNEps: 1e-5}
		nets := [2]*FlyANN{}
		for k := range nets {
			a, err := NewFlyANN(p, sim.Stream(5, "ann-sparse"))
			if err != nil {
				t.Fatal(err)
			}
			for i := range a.W2 {
				if i%7 == 0 {
					a.W2[i] = -a.W2[i] // negative weights: the sign rule
				}
			}
			a.W2[3] = 0
			nets[k] = a
		}
		nets[0].Threads = 1 + c.batch%2 // two goroutines for odd batches
		nets[1].dense = true
		rng := sim.Stream(6, "ann-sparse-data")
		x := make([]float64, c.batch*c.nor)
		y := make([]int, c.batch)
		active := 0
		for step := range 6 {
			for i := range x {
				x[i] = rng.Float64()
			}
			for i := range y {
				y[i] = rng.IntN(c.classes)
			}
			bsz := c.batch - step%2 // a short batch too
			var loss [2]float64
			for k, a := range nets {
				loss[k], _ = a.TrainBatch(x[:bsz*c.nor], y[:bsz])
			}
			for s := range bsz {
				active += len(nets[0].act[s])
			}
			if math.Float64bits(loss[0]) != math.Float64bits(loss[1]) {
				t.Fatalf("%+v, step %d: loss %v sparse, %v dense", c, step, loss[0], loss[1])
			}
			for i, g := range nets[0].Grad() {
				if h := nets[1].Grad()[i]; math.Float64bits(g) != math.Float64bits(h) {
					t.Fatalf("%+v, step %d: gradient %d = %v sparse, %v dense", c, step, i, g, h)
				}
			}
			for i, w := range nets[0].Par {
				if v := nets[1].Par[i]; math.Float64bits(w) != math.Float64bits(v) {
					t.Fatalf("%+v, step %d: parameter %d = %v sparse, %v dense", c, step, i, w, v)
				}
			}
		}
		if active == 0 || active == 6*c.batch*c.nkc {
			t.Fatalf("%+v: %d active KCs over the steps: nothing sparse to test", c, active)
		}
		pred := [2][]int{make([]int, 3*c.batch+1), make([]int, 3*c.batch+1)}
		xs := make([]float64, len(pred[0])*c.nor)
		for i := range xs {
			xs[i] = rng.Float64()
		}
		for k, a := range nets {
			a.Predict(xs, pred[k])
		}
		for i := range pred[0] {
			if pred[0][i] != pred[1][i] {
				t.Fatalf("%+v: prediction %d = %d sparse, %d dense", c, i, pred[0][i], pred[1][i])
			}
		}
	}
}
