package maes

import (
	"context"
	"testing"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/sim"
)

func TestNewNetworkRejectsBadOptions(t *testing.T) {
	small, err := connect.NewSparse(10, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]NetworkOptions{
		"clusters do not divide NE": {NE: 241, NI: 60, Clusters: 6},
		"negative threads":          {NE: 240, NI: 60, Clusters: 6, Threads: -1},
		"negative size":             {NE: -1},
		"p above 1":                 {NE: 240, NI: 60, Clusters: 6, P: 1.5},
		"weights of the wrong size": {NE: 240, NI: 60, Clusters: 6, Weights: small},
		"unknown matrix file":       {NE: 240, NI: 60, Clusters: 6, Matrix: "no/such/file.mat"},
		"bad rules":                 {NE: 240, NI: 60, Clusters: 6, Plastic: true, Rules: &Plasticity{}},
	} {
		if net, err := NewNetwork(o); err == nil {
			net.Close()
			t.Errorf("%s: no error", name)
		}
	}
}

// A user's monitor on the frame sees the same E spikes as the network's counters.
func TestNetworkFrameTakesUserMonitors(t *testing.T) {
	net, err := NewNetwork(NetworkOptions{NE: 240, NI: 60, Clusters: 6, Seed: 3, Plastic: true})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	e := sim.NewSpikeMonitor(net.NE, 0)
	if err := net.Frame().AddMonitor(sim.WatchSpikes(net.E, e)); err != nil {
		t.Fatal(err)
	}
	if err := net.Run(context.Background(), 300); err != nil {
		t.Fatal(err)
	}
	if e.Count == 0 || int64(e.Count) != net.SpikesE {
		t.Fatalf("monitor saw %d E spikes, network counted %d", e.Count, net.SpikesE)
	}
	if net.Frame().Steps() != 3000 {
		t.Fatalf("%d steps, want 3000", net.Frame().Steps())
	}
}
