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
