package olfaction_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/spikelab/spikelab/systems/olfaction"
)

// ExampleDecolleNet trains a tiny DECOLLE network (20 inputs, one block of
// 32 CUBA-LIF neurons, 2 classes) on spike patterns of its own: class 0
// fires the first 10 inputs with probability 0.3 per step and the others
// with 0.05, class 1 the reverse. Each batch of 16 new samples (8 per
// class) is presented for 10 steps after a state reset; the network learns
// at every step, and a sample's prediction is the class with the largest
// final readout summed over its steps. The printed loss is the readout's
// cross-entropy averaged over the batch's steps.
func ExampleDecolleNet() {
	const nIn, steps, batch = 20, 10, 16
	p := olfaction.DecolleParams{Neuron: olfaction.LavaNeuron(), Sizes: []int{nIn, 32}, Classes: 2, Batch: batch,
		SurrogateScale: 0.3, SurrogateTau: 3.75, LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	net, err := olfaction.NewDecolleNet(p, rand.New(rand.NewPCG(1, 2)), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	rng := rand.New(rand.NewPCG(3, 4)) // the input spikes
	labels := make([]int, batch)
	for b := range labels {
		labels[b] = b % 2
	}
	x := make([]float64, batch*nIn)
	sum := make([]float64, batch*p.Classes)
	for batchNo := 1; batchNo <= 30; batchNo++ { // 30 batches of 16 fresh samples
		net.Reset()
		clear(sum)
		loss := 0.0
		for t := 0; t < steps; t++ {
			for b, c := range labels { // Bernoulli spikes of one step
				for i := 0; i < nIn; i++ {
					rate := 0.05
					if (i < nIn/2) == (c == 0) {
						rate = 0.1
					}
					x[b*nIn+i] = 0
					if rng.Float64() < rate {
						x[b*nIn+i] = 1
					}
				}
			}
			loss += net.Step(x, batch, labels, true) / steps
			for k, y := range net.YF[:batch*p.Classes] {
				sum[k] += y
			}
		}
		correct := 0
		for b, c := range labels {
			if (sum[b*2+1] > sum[b*2]) == (c == 1) {
				correct++
			}
		}
		if batchNo == 1 || batchNo%10 == 0 {
			fmt.Printf("batch %2d: mean loss %.2f, accuracy %d/%d\n", batchNo, loss, correct, batch)
		}
	}
	// Output:
	// batch  1: mean loss 0.69, accuracy 7/16
	// batch 10: mean loss 0.63, accuracy 13/16
	// batch 20: mean loss 0.52, accuracy 13/16
	// batch 30: mean loss 0.45, accuracy 14/16
}
