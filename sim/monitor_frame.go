package sim

import "fmt"

// GroupSpikes is the Monitor that feeds one group's spikes to a
// SpikeMonitor at every step (times in ms). Make one with WatchSpikes.
type GroupSpikes struct {
	Group Group
	*SpikeMonitor
}

// WatchSpikes returns a Monitor that records the spikes of g in m.
func WatchSpikes(g Group, m *SpikeMonitor) *GroupSpikes {
	return &GroupSpikes{Group: g, SpikeMonitor: m}
}

// Sample records the spikes of the step (slot 8).
func (w *GroupSpikes) Sample(sc *StepContext) { w.Observe(sc.T, sc.Spikes(w.Group)) }

// StateMonitor records the potential (mV) of the first Width neurons of a
// group every Every steps into a Trace (times in ms), after the reset.
type StateMonitor struct {
	Group Group
	*Trace
	src []float64
}

// StateMonitorOptions configure a StateMonitor.
type StateMonitorOptions struct {
	// Neurons is the number of neurons recorded (indices 0..Neurons−1); 0 means all.
	Neurons int
	// Every is the sampling period in steps (≥ 1; 0 means 1).
	Every int
	// Steps is the expected number of steps, to reserve storage (0: grow as needed).
	Steps int
}

// NewStateMonitor returns a monitor of g's potential.
func NewStateMonitor(g Group, o StateMonitorOptions) (*StateMonitor, error) {
	if g == nil {
		return nil, fmt.Errorf("state monitor: nil group")
	}
	if o.Neurons < 0 || o.Neurons > g.Len() || o.Every < 0 || o.Steps < 0 {
		return nil, fmt.Errorf("state monitor: bad options %+v for a group of %d neurons", o, g.Len())
	}
	if o.Neurons == 0 {
		o.Neurons = g.Len()
	}
	return &StateMonitor{Group: g, Trace: NewTrace(o.Neurons, max(1, o.Every), o.Steps), src: g.Potential()}, nil
}

// Sample records a sample when the step is due (slot 8).
func (m *StateMonitor) Sample(sc *StepContext) {
	if m.Due(sc.Step) {
		m.Add(sc.T, m.src)
	}
}
