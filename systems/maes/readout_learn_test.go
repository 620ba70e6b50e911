package maes

import (
	"context"
	"io"
	"math"
	"testing"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/learn"
)

// TestMaesReadoutLearnsAgainstUntrained runs the README's maes-readout
// (ABCBA, 12 s of training on the built 30-cluster clock, seed 1; ≈ 6 s)
// and the same circuit untrained (A_LTP = A_LTD = 0: the read-out weights
// stay 0, so the training length does not matter and 2 s are used).
// Measured: readout_error 0.155, after deleting a third of the synapses
// 0.195, silent read-out (all rates 0) 0.3125; untrained 0.3125 (its
// read-outs never fire in the test). Want readout_error ≤ silent − 0.1,
// deleted ≤ silent − 0.05, and the untrained error no better than
// silence (≥ silent − 0.01). Smaller clocks (480 or 960 E neurons) do not
// drive the read-out above threshold within 8 s of training, so the
// test uses the full size.
func TestMaesReadoutLearnsAgainstUntrained(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 14 s of a 3000-neuron network")
	}
	run := func(c *MaesReadoutConfig) map[string]float64 {
		m, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Log: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := run(MaesReadout())
	u := MaesReadout()
	u.Rule.ALTP, u.Rule.ALTD, u.TrainS = 0, 0, 2
	mu := run(u)
	silent := m["readout_error_silent"]
	if m["readout_error"] > silent-0.1 || m["readout_error_deleted"] > silent-0.05 {
		t.Errorf("readout_error %.4f, deleted %.4f, silent %.4f: want ≤ silent − 0.1 and ≤ silent − 0.05", m["readout_error"], m["readout_error_deleted"], silent)
	}
	if mu["readout_error"] < mu["readout_error_silent"]-0.01 || mu["w_readout_mean"] != 0 {
		t.Errorf("untrained read-out: error %.4f (silent %.4f), mean weight %g; want no better than silence and weights 0",
			mu["readout_error"], mu["readout_error_silent"], mu["w_readout_mean"])
	}
}

// TestReadoutPlasticityIsOneUpdate checks the read-out rule against the
// spec's formula, W += dt·(LTP − LTD) then max(W, 0), with LTP's soft
// bound on the W before the update, on 3 presynaptic × 2 read-out
// synapses: a synapse at 0 both depressed and potentiated in one step
// ends at dt·(LTP − LTD) > 0 (LTD clipped before LTP would give dt·LTP),
// a small weight only depressed is clipped at 0, and in a step without
// LTP only the spiking neurons' synapses change.
func TestReadoutPlasticityIsOneUpdate(t *testing.T) {
	var syn []connect.Synapse
	for j := int32(0); j < 3; j++ {
		for i := int32(0); i < 2; i++ {
			syn = append(syn, connect.Synapse{Pre: j, Post: i})
		}
	}
	M, err := connect.NewSparse(2, 3, syn)
	if err != nil {
		t.Fatal(err)
	}
	p := ReadoutRule()
	const dt = 0.1
	rule, err := learn.NewVoltageSTDP(p, dt, M, 0, 3, 0, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	w0 := map[[2]int]float64{{0, 0}: 0, {0, 1}: 0.001, {1, 0}: 10, {1, 1}: 3, {2, 0}: 24, {2, 1}: 0.0001}
	at := func(j, i int) *float64 {
		for q := M.Start[j]; q < M.Start[j+1]; q++ {
			if int(M.Post[q]) == i {
				return &M.W[q]
			}
		}
		t.Fatalf("no synapse %d→%d", j, i)
		return nil
	}
	for k, w := range w0 {
		*at(k[0], k[1]) = w
	}
	copy(rule.U, []float64{-55, -65})
	copy(rule.VBar, []float64{-50, -60})
	copy(rule.X, []float64{2, 0.5, 0})
	v := []float64{-40, -60} // read-out 0 above θ_LTP, read-out 1 below
	spikes := []int32{0, 2}
	s := &readoutSim{}
	s.plasticity(rule, spikes, v)
	want := func(j, i int, w float64) float64 {
		ltp := 0.0
		if v[i] > p.ThetaLTP && rule.VBar[i] > p.ThetaLTD {
			ltp = p.ALTP * (p.WMax - w) / p.WMax * rule.X[j] * (v[i] - p.ThetaLTP) * (rule.VBar[i] - p.ThetaLTD)
		}
		ltd := 0.0
		if j == 0 || j == 2 {
			ltd = p.ALTD * math.Max(rule.U[i]-p.ThetaLTD, 0)
		}
		return math.Max(w+dt*(ltp-ltd), 0)
	}
	for k, w := range w0 {
		if got, exp := *at(k[0], k[1]), want(k[0], k[1], w); math.Abs(got-exp) > 1e-15 {
			t.Errorf("W %d→%d: %g → %.17g, want %.17g", k[0], k[1], w, got, exp)
		}
	}
	// Pinned by hand: 0 + 0.1·(0.0008·2·9·20 − 0.0014·15) = 0.0267; 0.0001 − 0.1·0.0014·5 < 0 → 0.
	if got := *at(0, 0); math.Abs(got-0.0267) > 1e-12 {
		t.Errorf("W 0→0 = %.6g, want 0.0267", got)
	}
	if got := *at(2, 1); got != 0 {
		t.Errorf("W 2→1 = %g, want 0 (clipped)", got)
	}
	// A step without LTP: only the synapses of spiking neuron 1 change.
	before := append([]float64(nil), M.W...)
	v = []float64{-60, -60}
	s.plasticity(rule, []int32{1}, v)
	for j := 0; j < 3; j++ {
		for i := 0; i < 2; i++ {
			w := before[0]
			for q := M.Start[j]; q < M.Start[j+1]; q++ {
				if int(M.Post[q]) == i {
					w = before[q]
				}
			}
			exp := w
			if j == 1 {
				exp = math.Max(w-dt*p.ALTD*math.Max(rule.U[i]-p.ThetaLTD, 0), 0)
			}
			if got := *at(j, i); got != exp {
				t.Errorf("step without LTP: W %d→%d = %.17g, want %.17g", j, i, got, exp)
			}
		}
	}
}
