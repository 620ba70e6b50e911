package force_test

import (
	"context"
	"fmt"
	"math"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/systems/force"
)

// A FORCE network learns a target the user writes in Go: 800 LIF neurons,
// trained by RLS from 0.5 s to 3 s on sin(2π·3t) + 0.5·sin(2π·6t), then
// left running on their own until 4 s.
func ExampleForceConfig_userTarget() {
	c := force.ForceLIFSine()
	c.N, c.Seed = 800, 2
	c.DurationS, c.TrainStartS, c.TrainStopS = 4, 0.5, 3
	c.Record.RasterNeurons, c.Record.DecoderNeurons = 0, 0
	c.Outputs = 1
	c.TargetFunc = func(t float64, out []float64) {
		out[0] = math.Sin(2*math.Pi*3*t) + 0.5*math.Sin(2*math.Pi*6*t)
	}
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The error of the readout while RLS trains it (second half of the
	// training time), against the error of a silent readout.
	fmt.Printf("train RMSE %.2f (target RMS %.2f)\n", m["train_rmse"], m["target_rms"])
	// Output: train RMSE 0.09 (target RMS 0.79)
}
