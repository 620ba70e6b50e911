package sim

import (
	"fmt"
	"math"
)

// SpikeRecorderOptions choose which spikes a SpikeRecorder stores.
type SpikeRecorderOptions struct {
	// Off stores no spikes (they are still counted).
	Off bool
	// From and To bound the recorded neurons: indices From ≤ j < To.
	// To = 0 means the whole group.
	From, To int
	// Stride keeps every Stride-th neuron from From (a neuron subset for
	// large networks); 0 means 1.
	Stride int
	// Capacity is the number of spikes to reserve room for (they grow
	// beyond it if needed).
	Capacity int
}

// SpikeRecorder is a compact spike Monitor of one group: for each stored
// spike the 1-based step at whose end it occurred (its time is Step·Dt)
// and the neuron index, both int32, in preallocated buffers: 8 bytes per
// spike, and nothing but a comparison per spike in the step loop. It
// counts every spike of the group, stored or not. Steps beyond 2³¹ − 1
// (60 simulated hours at 0.1 ms) do not fit its step counts.
type SpikeRecorder struct {
	Group Group
	// Steps are the steps of the stored spikes.
	Steps []int32
	// Index are the neuron indices of the stored spikes.
	Index []int32
	// Count is the total number of spikes of the group.
	Count int64

	from, to, stride int32
}

// NewSpikeRecorder returns a recorder of g's spikes.
func NewSpikeRecorder(g Group, o SpikeRecorderOptions) (*SpikeRecorder, error) {
	if g == nil {
		return nil, fmt.Errorf("spike recorder: nil group")
	}
	n := g.Len()
	if o.To == 0 {
		o.To = n
	}
	if o.Stride == 0 {
		o.Stride = 1
	}
	if o.From < 0 || o.To > n || o.From > o.To || o.Stride < 1 || o.Capacity < 0 || n > math.MaxInt32 {
		return nil, fmt.Errorf("spike recorder: bad options %+v for a group of %d neurons", o, n)
	}
	r := &SpikeRecorder{Group: g, from: int32(o.From), to: int32(o.To), stride: int32(o.Stride)}
	if o.Off {
		r.to = r.from
	}
	if r.to > r.from {
		r.Steps, r.Index = make([]int32, 0, o.Capacity), make([]int32, 0, o.Capacity)
	}
	return r, nil
}

// Recorded returns the number of neurons whose spikes are stored.
func (r *SpikeRecorder) Recorded() int {
	if r.to <= r.from {
		return 0
	}
	return int((r.to - r.from + r.stride - 1) / r.stride)
}

// Sample stores the step's spikes of the chosen neurons (slot 8).
func (r *SpikeRecorder) Sample(sc *StepContext) {
	spikes := sc.Spikes(r.Group)
	r.Count += int64(len(spikes))
	if r.to <= r.from {
		return
	}
	step := int32(sc.Step)
	for _, j := range spikes {
		if j >= r.from && j < r.to && (r.stride == 1 || (j-r.from)%r.stride == 0) {
			r.Steps = append(r.Steps, step)
			r.Index = append(r.Index, j)
		}
	}
}

// Times returns the stored spikes' times Step·dt in dt's unit: with the
// network's step in ms, the values a SpikeMonitor stores, bit for bit.
func (r *SpikeRecorder) Times(dt float64) []float64 {
	ts := make([]float64, len(r.Steps))
	for k, s := range r.Steps {
		ts[k] = float64(s) * dt
	}
	return ts
}
