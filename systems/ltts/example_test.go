package ltts_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/systems/ltts"
)

// ExampleLTTSNet teaches 100 binary units a trajectory of the user's own,
// a 2-D circle of 100 steps, by learning through target spikes:
//
//  1. A 5-channel clock (each channel on for a fifth of the sequence,
//     projected onto the units with random weights) is the network's input.
//  2. The target spikes S* are those of the untrained network driven by
//     the clock plus a teacher current, random projections of the target.
//  3. A linear readout of S*'s filtered spikes is fitted to the target by
//     ridge regression.
//  4. The recurrent weights J learn, with the clock alone as input, to
//     reproduce S* (online rule, Adam ascent of the spikes' likelihood).
//
// The mean squared error of the readout of the free-running network's
// spikes falls from that of the untrained network to near the error of
// the readout on S* itself.
func ExampleLTTSNet() {
	const N, T = 100, 100
	p := ltts.LTTSParams{N: N, TauM: 8, TauS: 2, TauRO: 20, Dv: 0.05, H: -4, V0: -4, SInh: 20}
	net, err := ltts.NewLTTSNet(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	rng := rand.New(rand.NewPCG(1, 2))
	target := make([][]float64, T) // the circle
	for t := range target {
		phi := 2 * math.Pi * float64(t) / T
		target[t] = []float64{math.Cos(phi), math.Sin(phi)}
	}
	wc, wt := make([]float64, N*5), make([]float64, N*2)
	for i := range wc {
		wc[i] = 4 * rng.NormFloat64()
	}
	for i := range wt {
		wt[i] = 2 * rng.NormFloat64()
	}
	clock, teach := make([][]float64, T), make([][]float64, T)
	for t := range clock {
		clock[t], teach[t] = make([]float64, N), make([]float64, N)
		for i := 0; i < N; i++ {
			clock[t][i] = wc[i*5+t*5/T]
			teach[t][i] = clock[t][i] + wt[i*2]*target[t][0] + wt[i*2+1]*target[t][1]
		}
	}
	Sstar := net.Run(teach) // the target spikes
	Jout, err := ltts.RidgeReadout(ltts.ReadoutTrace(Sstar, p.TauRO), target, 1e-3)
	if err != nil {
		fmt.Println(err)
		return
	}
	mse := func(S [][]float64) float64 {
		_, m := ltts.ReadoutGradient(Jout, ltts.ReadoutTrace(S, p.TauRO), target, 0)
		return m
	}
	fmt.Printf("readout of the target spikes: MSE %.3f\n", mse(Sstar))
	fmt.Printf("before training: MSE %.3f\n", mse(net.Run(clock)))
	adam := learn.NewAdam(N*N, 0.9, 0.999, 1e-8)
	ascend := func() float64 { return -0.01 } // Adam descends: a negative rate ascends
	for epoch := 0; epoch < 100; epoch++ {
		net.TrainOnline(Sstar, clock, adam, ascend, nil)
	}
	fmt.Printf("after 100 epochs: MSE %.3f\n", mse(net.Run(clock)))
	// Output:
	// readout of the target spikes: MSE 0.026
	// before training: MSE 0.263
	// after 100 epochs: MSE 0.047
}
