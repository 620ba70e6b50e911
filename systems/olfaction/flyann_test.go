package olfaction

import (
	"math"
	"math/rand/v2"
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
	c1, c2 := make([]float64, 32*2500), make([]float64, 50*2500)
	b.Run("forward", func(b *testing.B) {
		for b.Loop() {
			gemm(1, false, false, 32, 2500, 50, 1, pn, 50, a2, 2500, 0, c1, 2500)
		}
	})
	b.Run("gradW2", func(b *testing.B) {
		for b.Loop() {
			gemm(1, true, false, 50, 2500, 32, 1, pn, 50, dkc, 2500, 0, c2, 2500)
		}
	})
}
