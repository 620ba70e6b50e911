package shifting_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/spikelab/spikelab/systems/shifting"
)

// ExampleShiftingNet trains a 2-10-2 Shifting Learning network on a toy
// data set of its own: a noisy XOR of 48 points in four clusters around
// the corners (0.1, 0.1), (0.9, 0.1), (0.1, 0.9) and (0.9, 0.9) of the unit
// square, class 1 where exactly one feature is large. Each feature x
// becomes an input spike time in the exp domain, z = e^(1 − x) (larger
// values spike earlier); the predicted class is the output neuron that
// fires first.
func ExampleShiftingNet() {
	rng := rand.New(rand.NewPCG(1, 2))
	var xs [][]float64
	var ys []int
	for k := 0; k < 48; k++ {
		q := k % 4 // the cluster
		cx, cy := 0.1+0.8*float64(q&1), 0.1+0.8*float64(q>>1)
		x := []float64{cx + 0.05*rng.NormFloat64(), cy + 0.05*rng.NormFloat64()}
		z := make([]float64, len(x))
		for i, v := range x {
			z[i] = math.Exp(1 - v)
		}
		xs, ys = append(xs, z), append(ys, (q&1)^(q>>1))
	}
	accuracy := func(net *shifting.ShiftingNet) float64 {
		ok := 0
		for k, z := range xs {
			if net.Predict(z) == ys[k] {
				ok++
			}
		}
		return float64(ok) / float64(len(xs))
	}

	// Initial weights from a seeded generator; nil: no worker team.
	net := shifting.NewShiftingNet(2, 10, 2, rand.New(rand.NewPCG(3, 4)), nil)
	fmt.Printf("epoch  0: training accuracy %.2f\n", accuracy(net))
	for epoch := 1; epoch <= 50; epoch++ {
		for b := 0; b < len(xs); b += 8 { // mini-batches of 8
			net.TrainBatch(xs[b:b+8], ys[b:b+8], 1e-2, 1e-6)
		}
		if epoch%25 == 0 {
			fmt.Printf("epoch %2d: training accuracy %.2f\n", epoch, accuracy(net))
		}
	}
	// Output:
	// epoch  0: training accuracy 0.75
	// epoch 25: training accuracy 1.00
	// epoch 50: training accuracy 1.00
}
