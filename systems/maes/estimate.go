package maes

import (
	"fmt"

	"github.com/spikelab/spikelab/experiment"
)

// add adds the network's big arrays to e: the n²·p recurrent synapses
// (built as a list, stored as CSR with a transposed index for the
// plasticity rules) and the per-neuron state.
func (c *MaesNetConfig) add(e *experiment.Estimate) float64 {
	n := float64(c.NE) + float64(c.NI)
	nnz := experiment.Count(n, n, min(max(c.P, 0), 1))
	e.Add(fmt.Sprintf("recurrent synapses (n²·p = %.3g, n = n_exc + n_inh = %.0f)", nnz, n), (16*1.05+12+8)*nnz)
	e.Array("neuron state and conductances (n×16)", n, 16)
	return n
}

// spikes adds a spike monitor of n neurons over durS seconds at rateHz.
func spikes(e *experiment.Estimate, n, rateHz, durS float64) {
	e.Add(fmt.Sprintf("recorded spikes (n × %g spikes/s × %g s)", rateHz, durS), 12*experiment.Count(n, rateHz, durS))
}

// Estimate returns the memory of the run's big arrays (bytes) and its steps.
func (c *MaesReplayConfig) Estimate() (experiment.Estimate, error) {
	var e experiment.Estimate
	n := c.Network.add(&e)
	spikes(&e, n, 10, c.DurationS)
	e.Array("replay analysis windows (duration / replay.step_ms × clusters)", c.DurationS*1000/max(c.Replay.StepMS, 1e-3), float64(max(c.Network.Clusters, 30)))
	e.Steps = experiment.StepsOf(c.DurationS*1000, c.Network.DtMS)
	return e, nil
}

// Estimate returns the memory of the run's big arrays (bytes) and its steps.
func (c *MaesTrainConfig) Estimate() (experiment.Estimate, error) {
	var e experiment.Estimate
	n := c.Network.add(&e)
	spikes(&e, n, 20, c.ReplayS)
	k := float64(max(c.Network.Clusters, 30))
	totalS := (c.TrainMin+c.SpontMin)*60 + c.ReplayS
	e.Array("block-mean weight history (blocks × clusters²)", totalS/max(c.BlockS, 1e-3)+1, k+1, k+1)
	e.Steps = experiment.StepsOf(totalS*1000, c.Network.DtMS)
	return e, nil
}

// Estimate returns the memory of the run's big arrays (bytes) and its steps.
func (c *MaesReadoutConfig) Estimate() (experiment.Estimate, error) {
	var e experiment.Estimate
	n := c.Network.add(&e)
	nR := 5.0
	if c.Target == "song" {
		nR = 45
	}
	e.Add("clock → read-out synapses (n_exc × read-outs)", 40*experiment.Count(float64(c.Network.NE), nR))
	totalS := c.TrainS + c.TestS
	spikes(&e, n, 10, totalS)
	e.Array("read-out rates and targets over the test (test steps × read-outs × 4)", c.TestS*1000/max(c.Network.DtMS, 1e-6), nR, 4)
	e.Steps = experiment.StepsOf(totalS*1000, c.Network.DtMS)
	return e, nil
}
