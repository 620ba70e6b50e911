package ltts

import (
	"context"
	"fmt"
	"testing"

	"github.com/spikelab/spikelab/experiment"
)

func TestLTTSTrajectoryLearns(t *testing.T) {
	c := &LTTSConfig{Seed: 1, T: 150, SigmaTeach: 2, SigmaClock: 4, Alpha: 0.01, AlphaOut: 0.02, Epochs: 40, OffT: 10, Online: true, Drop: 0.9,
		Net: LTTSParams{N: 100, TauM: 8, TauS: 2, TauRO: 20, Dv: 0.05, H: -4, V0: -4, SInh: 20}}
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if m["mse"] > m["mse_epoch_1"]/1.5 {
		t.Errorf("free-running MSE %.3f after 40 epochs, %.3f after 1: want a 1.5-fold drop", m["mse"], m["mse_epoch_1"])
	}
}

func TestLTTSFastOnlineBeatsExactEarly(t *testing.T) {
	c := Lookup1(t, "ltts-fast").(*LTTSFastConfig)
	c.Seeds, c.Net.N = 1, 200
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !(m["mse_online_iter4"] < m["mse_exact_iter4"]) {
		t.Errorf("iteration 4: online %.4f, exact %.4f; the online rule should be ahead", m["mse_online_iter4"], m["mse_exact_iter4"])
	}
	// Untrained baseline: the same network and ridge read-out before any
	// update (fastCurve's evaluation with no training step).
	cfg := c.LTTSConfig
	cfg.Seed = c.Seed
	net, err := NewLTTSNet(cfg.Net)
	if err != nil {
		t.Fatal(err)
	}
	clock, target, Sstar := cfg.lttsTask(net)
	Jout, err := RidgeReadout(ReadoutTrace(Sstar, cfg.Net.TauRO), target, c.RidgeLambda)
	if err != nil {
		t.Fatal(err)
	}
	_, base := ReadoutGradient(Jout, ReadoutTrace(net.Run(clock), cfg.Net.TauRO), target, cfg.OffT)
	t.Logf("untrained %.4f", base)
	last := fmt.Sprintf("_iter%d", c.Epochs)
	// Measured (N = 200): untrained 0.19, online 0.091, exact 0.167 after 13.
	if on, ex := m["mse_online"+last], m["mse_exact"+last]; !(on < 0.6*base) || !(ex < base) {
		t.Errorf("after %d iterations: online %.4f (want < 0.6 × untrained), exact %.4f (want < untrained); untrained %.4f", c.Epochs, on, ex, base)
	}
}

// Lookup1 returns the default config of a registered experiment.
func Lookup1(t *testing.T, name string) experiment.Config {
	t.Helper()
	e, err := experiment.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return e.Defaults()
}
