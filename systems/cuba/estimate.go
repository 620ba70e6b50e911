package cuba

import (
	"fmt"

	"github.com/spikelab/spikelab/experiment"
)

// Estimate returns the memory of the run's big arrays (bytes) and its
// steps: the n²·p synapses (drawn straight into CSR: a 4-byte target with
// 5 % room each; one weight per projection), the neuron
// state, the split of both projections over the threads (one 8-byte offset
// per neuron, thread and projection, and one more per neuron and
// projection; counted for 2 threads) and the spike monitor (sized for 10
// spikes per neuron and second).
func (c *CUBAConfig) Estimate() (experiment.Estimate, error) {
	var e experiment.Estimate
	n := float64(c.NExc) + float64(c.NInh)
	nnz := experiment.Count(n, n, min(max(c.P, 0), 1))
	e.Add(fmt.Sprintf("synapses (n²·p = %.3g, n = n_exc + n_inh = %.0f)", nnz, n), 4*1.05*nnz)
	e.Array("neuron state (n×8)", n, 8)
	e.Array("propagation split (2 projections × n × (threads + 1) offsets, 2 threads)", 2*n, 3)
	e.Add("spike monitor (n × 10 spikes/s × duration_s)", 12*experiment.Count(n, 10, c.DurationS))
	e.Steps = experiment.StepsOf(c.DurationS*1000, c.DtMS)
	return e, nil
}
