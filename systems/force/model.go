package force

import (
	"fmt"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
)

// Model files of the FORCE experiments (written at the end of the run):
// phi (N × K decoders: readout per filtered rate, the model's units),
// enc (N × K encoders Q·U(−1, 1)), p (the RLS inverse correlation matrix,
// N × N symmetric, float32 when rls_storage is float32, as stored), and the
// static recurrent weights as CSR by presynaptic neuron: w (weights,
// G/(√N·p) scale), w_start (int64 row pointers), w_post (int32 targets).
// The network's state (membranes, filters) is not saved: there is no eval
// and no resume for FORCE yet.

func (c *ForceConfig) saveModel(env *experiment.Env, net *forceNet) error {
	n, k := c.N, len(net.rls.Phi)/c.N
	s := &experiment.ModelState{Progress: c.DurationS, ProgressUnit: "s"}
	s.Add("phi", "decoder: readout per filtered rate", net.rls.Phi, n, k)
	s.Add("enc", "encoder: feedback weight per readout unit", net.enc, n, k)
	P := net.rls.P()
	if c.RLSStorage == "float32" {
		p32 := make([]float32, len(P))
		for i, v := range P {
			p32[i] = float32(v)
		}
		s.Arrays = append(s.Arrays, runio.Array{Name: "p", Shape: []int{n, n}, Data: p32})
		s.Units["p"] = "RLS inverse correlation matrix (model units)"
	} else {
		s.Add("p", "RLS inverse correlation matrix (model units)", P, n, n)
	}
	s.Add("w", "recurrent weight (CSR order)", net.w.W)
	s.Arrays = append(s.Arrays, runio.Array{Name: "w_start", Shape: []int{len(net.w.Start)}, Data: net.w.Start},
		runio.Array{Name: "w_post", Shape: []int{len(net.w.Post)}, Data: net.w.Post})
	s.Units["w_start"], s.Units["w_post"] = "CSR row pointers (by presynaptic neuron)", "postsynaptic neuron of each weight"
	return experiment.SaveModel(env, c, s)
}

// initFrom loads the decoders and P of init_from into net.
func (c *ForceConfig) initFrom(net *forceNet) error {
	if c.InitFrom == "" {
		return nil
	}
	md, err := experiment.LoadInitModel(c.InitFrom, "")
	if err != nil {
		return err
	}
	w, err := md.Float64("w", -1)
	if err != nil {
		return fmt.Errorf("init_from: %w", err)
	}
	if len(w) != len(net.w.W) || w[0] != net.w.W[0] || w[len(w)-1] != net.w.W[len(w)-1] {
		return fmt.Errorf("init_from %s: its recurrent weights are not this network's (same model, n, p, g and seed needed)", md.Path)
	}
	if err := md.CopyFloat64("phi", net.rls.Phi); err != nil {
		return fmt.Errorf("init_from: %w (same number of outputs needed)", err)
	}
	n := c.N
	var P []float64
	switch a := md.Arrays["p"].Data.(type) {
	case []float32:
		P = make([]float64, len(a))
		for i, v := range a {
			P[i] = float64(v)
		}
	case []float64:
		P = a
	default:
		return fmt.Errorf("init_from %s: no RLS matrix p", md.Path)
	}
	if len(P) != n*n {
		return fmt.Errorf("init_from %s: p has %d values, this network needs %d×%d", md.Path, len(P), n, n)
	}
	return net.rls.SetP(P)
}
