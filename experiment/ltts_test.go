package experiment

import (
	"context"
	"testing"
)

func TestLTTSTrajectoryRidgeReadoutLearns(t *testing.T) {
	// A small 3D task (N = 200, T = 200): the ridge readout reaches a low
	// floor on the target spikes at once, and training the recurrent
	// weights brings the free-running MSE down towards it (0.31 → 0.018
	// at seed 1).
	c := Lookup1(t, "ltts-trajectory").(*LTTSConfig)
	c.Net.N, c.T, c.Epochs, c.Readout = 200, 200, 40, ReadoutRidge
	m, err := c.Run(context.Background(), &Env{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if m["mse_target_spikes"] > 0.01 {
		t.Errorf("ridge readout on the target spikes: MSE %.4f, want < 0.01", m["mse_target_spikes"])
	}
	if m["mse"] > m["mse_epoch_1"]/5 {
		t.Errorf("free-running MSE %.4f → %.4f, want a 5-fold drop", m["mse_epoch_1"], m["mse"])
	}
}
