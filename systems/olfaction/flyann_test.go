package olfaction

import (
	"math"
	"testing"

	"github.com/spikelab/spikelab/sim"
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
