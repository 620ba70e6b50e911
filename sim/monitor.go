package sim

// SpikeMonitor counts every spike it is shown and keeps the times and
// indices of the spikes of neurons with index below Record. Attach it by
// calling Observe once per step with that step's spikes.
type SpikeMonitor struct {
	// Record is the number of neurons (indices 0..Record-1) whose spikes are stored.
	Record int32
	// Times are the stored spike times, in the model's time unit.
	Times []float64
	// Index are the neuron indices of the stored spikes.
	Index []int32
	// Count is the total number of spikes observed, stored or not.
	Count int64
}

// NewSpikeMonitor returns a monitor storing the spikes of the first record
// neurons, with room reserved for about capacity spikes.
func NewSpikeMonitor(record, capacity int) *SpikeMonitor {
	return &SpikeMonitor{Record: int32(record), Times: make([]float64, 0, capacity), Index: make([]int32, 0, capacity)}
}

// Observe records the spikes of one step at time t.
func (m *SpikeMonitor) Observe(t float64, spikes []int32) {
	m.Count += int64(len(spikes))
	for _, j := range spikes {
		if j < m.Record {
			m.Times = append(m.Times, t)
			m.Index = append(m.Index, j)
		}
	}
}

// Trace samples a fixed-width vector every Every steps. Samples are stored
// row-major in Data (one row of Width values per sample) with their times in T.
type Trace struct {
	Every int       // sampling period in steps
	Width int       // values per sample
	T     []float64 // sample times, in the model's time unit
	Data  []float64 // len(T)×Width values, row-major
}

// NewTrace returns a trace of width values sampled every `every` steps for a
// run of `steps` steps, with its storage allocated up front.
func NewTrace(width, every, steps int) *Trace {
	if every < 1 {
		every = 1
	}
	n := steps/every + 1
	return &Trace{Every: every, Width: width, T: make([]float64, 0, n), Data: make([]float64, 0, n*width)}
}

// Due reports whether step i is a sampling step.
func (tr *Trace) Due(i int) bool { return i%tr.Every == 0 }

// Add appends one sample; v must have Width values.
func (tr *Trace) Add(t float64, v []float64) {
	tr.T = append(tr.T, t)
	tr.Data = append(tr.Data, v[:tr.Width]...)
}

// Len returns the number of samples.
func (tr *Trace) Len() int { return len(tr.T) }

// Row returns sample k (aliasing Data).
func (tr *Trace) Row(k int) []float64 { return tr.Data[k*tr.Width : (k+1)*tr.Width] }

// Column returns a copy of component c over all samples.
func (tr *Trace) Column(c int) []float64 {
	out := make([]float64, tr.Len())
	for k := range out {
		out[k] = tr.Data[k*tr.Width+c]
	}
	return out
}
