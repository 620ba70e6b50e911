package sim

import (
	"context"
	"testing"
)

// TestSpikeRecorderMatchesSpikeMonitor runs a network whose neurons fire
// at different periods with a SpikeMonitor and SpikeRecorders side by side:
// the recorder's times (Step·Dt) and indices are the monitor's values bit
// for bit, subsets and strides keep exactly the chosen neurons, and every
// recorder counts all spikes.
func TestSpikeRecorderMatchesSpikeMonitor(t *testing.T) {
	const dt = 0.1
	net, _ := NewNetwork(NetworkOptions{DtMS: dt})
	defer net.Close()
	g := &countGroup{v: make([]float64, 7), in: make([]float64, 7), period: 3}
	net.AddGroup("g", g)
	mon := NewSpikeMonitor(7, 0)
	all, err := NewSpikeRecorder(g, SpikeRecorderOptions{Capacity: 16})
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := NewSpikeRecorder(g, SpikeRecorderOptions{From: 1, To: 6, Stride: 2})
	off, _ := NewSpikeRecorder(g, SpikeRecorderOptions{Off: true})
	for _, m := range []Monitor{WatchSpikes(g, mon), all, sub, off} {
		if err := net.AddMonitor(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := net.Run(context.Background(), 200*dt, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if mon.Count == 0 || len(mon.Times) != len(all.Steps) {
		t.Fatalf("%d spikes stored by the monitor, %d by the recorder", len(mon.Times), len(all.Steps))
	}
	ts := all.Times(dt)
	for k := range ts {
		if ts[k] != mon.Times[k] || all.Index[k] != mon.Index[k] {
			t.Fatalf("spike %d: recorder (%v, %d), monitor (%v, %d)", k, ts[k], all.Index[k], mon.Times[k], mon.Index[k])
		}
	}
	var want []int32
	for k, j := range mon.Index {
		if j == 1 || j == 3 || j == 5 {
			want = append(want, j)
			if s := len(want) - 1; sub.Index[s] != j || float64(sub.Steps[s])*dt != mon.Times[k] {
				t.Fatalf("subset spike %d: (%d, %d), want (%d, %v)", s, sub.Steps[s], sub.Index[s], j, mon.Times[k])
			}
		}
	}
	if len(sub.Index) != len(want) || sub.Recorded() != 3 {
		t.Fatalf("subset stored %d spikes of %d neurons, want %d of 3", len(sub.Index), sub.Recorded(), len(want))
	}
	for _, r := range []*SpikeRecorder{all, sub, off} {
		if r.Count != mon.Count {
			t.Errorf("recorder counted %d spikes, monitor %d", r.Count, mon.Count)
		}
	}
	if len(off.Steps) != 0 || off.Recorded() != 0 {
		t.Errorf("switched-off recorder stored %d spikes", len(off.Steps))
	}
	if _, err := NewSpikeRecorder(g, SpikeRecorderOptions{From: 3, To: 2}); err == nil {
		t.Error("empty neuron range accepted")
	}
}
