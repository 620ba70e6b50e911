package shifting

import (
	"math"
	"math/rand/v2"
	"testing"
)

// mnistLike returns n inputs of 784 latency-coded pixels z = e^(1−x),
// about 20 % of them bright (x in (0, 1]) and the rest background (z = e),
// like MNIST digits.
func mnistLike(rng *rand.Rand, n int) ([][]float64, []int) {
	xs := make([][]float64, n)
	ys := make([]int, n)
	for k := range xs {
		xs[k] = make([]float64, 784)
		for i := range xs[k] {
			x := 0.0
			if rng.Float64() < 0.2 {
				x = float64(1+rng.IntN(255)) / 255
			}
			xs[k][i] = math.Exp(1 - x)
		}
		ys[k] = rng.IntN(10)
	}
	return xs, ys
}

// BenchmarkShiftingForward is one sample's forward pass through the
// 784-800-10 MNIST network (per op: one sample).
func BenchmarkShiftingForward(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	net := NewShiftingNet(784, 800, 10, rng, nil)
	xs, _ := mnistLike(rng, 64)
	b.ResetTimer()
	for k := 0; k < b.N; k++ {
		net.Predict(xs[k%len(xs)])
	}
}

// BenchmarkShiftingTrainBatch is one mini-batch of 128 of the 784-800-10
// MNIST network, one thread (per op: one batch: forward, backward, Adam).
func BenchmarkShiftingTrainBatch(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	net := NewShiftingNet(784, 800, 10, rng, nil)
	xs, ys := mnistLike(rng, 128)
	b.ResetTimer()
	for k := 0; k < b.N; k++ {
		net.TrainBatch(xs, ys, 1e-4, 1e-4)
	}
}

// BenchmarkShiftGradRows is one call of the batched gradient kernel as
// batchGrad makes it for the 784-800-10 network: a tile of 64 outputs, 32
// samples (one chunk of a batch of 128), about 70 % of them causal for the
// input. Modes: "rows", the batched kernel (AVX-512 or AVX2 where
// present); "rowwise", shiftGrad sample by sample (the path without a
// batched kernel); "go", the Go loops.
func BenchmarkShiftGradRows(b *testing.B) {
	const n, stride, nb = 64, 800, 32
	rng := rand.New(rand.NewPCG(3, 4))
	e, y, kr := make([]float64, nb*stride), make([]float64, nb*stride), make([]float64, nb*stride)
	for i := range e {
		e[i], y[i], kr[i] = rng.NormFloat64(), 1+rng.Float64(), float64(rng.IntN(784))
	}
	zs, rs := make([]float64, nb), make([]float64, nb)
	for k := range zs {
		zs[k], rs[k] = 1+2*rng.Float64(), float64(rng.IntN(784))
		if rng.Float64() < 0.3 {
			rs[k] = -1
		}
	}
	gw := make([]float64, n)
	for _, mode := range []string{"rows", "rowwise", "go"} {
		b.Run(mode, func(b *testing.B) {
			avx, avx512 := useAVX, useAVX512
			defer func() { useAVX, useAVX512 = avx, avx512 }()
			if mode == "go" {
				useAVX, useAVX512 = false, false
			}
			for b.Loop() {
				if mode == "rows" {
					shiftGradRows(gw, e, y, kr, stride, zs, rs)
				} else {
					shiftGradRowsGo(gw, e, y, kr, stride, zs, rs)
				}
			}
		})
	}
}
