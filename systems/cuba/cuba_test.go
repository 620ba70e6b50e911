package cuba

import (
	"context"
	"github.com/spikelab/spikelab/sim"
	"testing"

	"github.com/spikelab/spikelab/experiment"
)

func TestCUBARateMatchesBrian2(t *testing.T) {
	defer sim.AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
	m, err := CUBA().Run(context.Background(), &experiment.Env{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Brian2 2.5.1 gives ≈ 5.6 Hz on this network; seeds scatter by a few tenths.
	if r := m["rate_hz"]; r < 4.5 || r > 7 {
		t.Errorf("rate %.2f Hz, Brian2 gives ≈ 5.6 Hz", r)
	}
	if s := m["synapses"]; s < 0.95*320000 || s > 1.05*320000 {
		t.Errorf("%g synapses, want ≈ 4000²·0.02 = 320000", s)
	}
	if m["synaptic_events"] < 20*m["spikes"] {
		t.Errorf("%g events for %g spikes: want ≈ 80 per spike", m["synaptic_events"], m["spikes"])
	}
	m2, err := CUBA().Run(context.Background(), &experiment.Env{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if m2["spikes"] != m["spikes"] || m2["synaptic_events"] != m["synaptic_events"] {
		t.Errorf("threads changed the result: %g vs %g spikes", m2["spikes"], m["spikes"])
	}
}
