package cuba

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/sim"
)

// cubaOnFrame builds the network of CUBAConfig.Run on sim.Network (same
// streams, same connectivity calls) and returns its spike monitor.
func cubaOnFrame(t *testing.T, c *CUBAConfig, threads int) *sim.SpikeMonitor {
	t.Helper()
	n := c.NExc + c.NInh
	net, err := sim.NewNetwork(sim.NetworkOptions{DtMS: c.DtMS, Threads: threads, Seed: c.Seed})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	g, err := neuron.NewLIFExpGroup(net.Env(), n, c.Neuron)
	if err != nil {
		t.Fatal(err)
	}
	g.Init(sim.Stream(c.Seed, "init"))
	rng := sim.Stream(c.Seed, "weights")
	se, err := connect.Bernoulli(rng, n, 0, c.NExc, c.P, c.WeMV)
	if err != nil {
		t.Fatal(err)
	}
	si, err := connect.Bernoulli(rng, n, c.NExc, n, c.P, c.WiMV)
	if err != nil {
		t.Fatal(err)
	}
	exc, err := connect.FromSynapses(n, n, se)
	if err != nil {
		t.Fatal(err)
	}
	inh, err := connect.FromSynapses(n, n, si)
	if err != nil {
		t.Fatal(err)
	}
	pe, err := connect.NewProjection(connect.ProjectionOptions{Pre: g, Post: g, Input: "exc", Weights: exc})
	if err != nil {
		t.Fatal(err)
	}
	pi, err := connect.NewProjection(connect.ProjectionOptions{Pre: g, Post: g, Input: "inh", Weights: inh})
	if err != nil {
		t.Fatal(err)
	}
	mon := sim.NewSpikeMonitor(min(c.RasterNeurons, n), int(float64(n)*c.DurationS*10))
	for _, err := range []error{net.AddGroup("cuba", g), net.AddProjection(pe), net.AddProjection(pi),
		net.AddMonitor(sim.WatchSpikes(g, mon))} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := net.Run(context.Background(), c.DurationS*1000, sim.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	return mon
}

func TestCUBAOnTheFrameIsBitIdenticalToTheHandWrittenLoop(t *testing.T) {
	defer sim.AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
	c := CUBA()
	c.NExc, c.NInh, c.DurationS, c.RasterNeurons = 1600, 400, 0.2, 2000
	for _, threads := range []int{1, 2} {
		dir, err := runio.Create(t.TempDir(), "cuba")
		if err != nil {
			t.Fatal(err)
		}
		m, err := c.Run(context.Background(), &experiment.Env{Threads: threads, Out: dir})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := runio.ReadNPZ(dir.File("recordings.npz"))
		if err != nil {
			t.Fatal(err)
		}
		mon := cubaOnFrame(t, c, threads)
		if float64(mon.Count) != m["spikes"] || mon.Count == 0 {
			t.Fatalf("threads %d: frame %d spikes, hand-written loop %g", threads, mon.Count, m["spikes"])
		}
		// The loop stores times in s (t/1000); do the same to the frame's ms.
		ts := make([]float64, len(mon.Times))
		for i, v := range mon.Times {
			ts[i] = v / 1000
		}
		if !reflect.DeepEqual(ts, rec["spike_t"].Data) || !reflect.DeepEqual(mon.Index, rec["spike_i"].Data) {
			t.Errorf("threads %d: rasters differ (%d spikes each)", threads, mon.Count)
		}
		t.Logf("threads %d: %d spikes, identical rasters", threads, mon.Count)
	}
}

// TestCUBARecordKeys checks the record.* keys against the full raster of
// the same run: a strided subset stores exactly the spikes of its neurons,
// record.spikes=false writes no recordings, and bad values are refused
// with the key named.
func TestCUBARecordKeys(t *testing.T) {
	defer sim.AtLeastProcs(3)()
	run := func(edit func(*CUBAConfig)) (map[string]float64, map[string]runio.Array, *runio.Dir) {
		c := CUBA()
		c.NExc, c.NInh, c.DurationS = 400, 100, 0.2
		edit(c)
		dir, err := runio.Create(t.TempDir(), "cuba")
		if err != nil {
			t.Fatal(err)
		}
		m, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Out: dir})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := runio.ReadNPZ(dir.File("recordings.npz"))
		if err != nil {
			rec = nil
		}
		return m, rec, dir
	}
	mAll, all, _ := run(func(*CUBAConfig) {})
	mSub, sub, _ := run(func(c *CUBAConfig) { c.Record.From, c.Record.Neurons, c.Record.Stride = 100, 200, 3 })
	if mSub["spikes"] != mAll["spikes"] {
		t.Fatalf("recording changed the run: %g vs %g spikes", mSub["spikes"], mAll["spikes"])
	}
	var wantT []float64
	var wantI []int32
	for k, j := range all["spike_i"].Data.([]int32) {
		if j >= 100 && j < 300 && (j-100)%3 == 0 {
			wantT, wantI = append(wantT, all["spike_t"].Data.([]float64)[k]), append(wantI, j)
		}
	}
	if len(wantI) == 0 || !reflect.DeepEqual(sub["spike_i"].Data, wantI) || !reflect.DeepEqual(sub["spike_t"].Data, wantT) {
		t.Fatalf("subset: %d spikes stored, want %d", len(sub["spike_i"].Data.([]int32)), len(wantI))
	}
	mOff, off, dir := run(func(c *CUBAConfig) { c.Record.Spikes = false })
	if off != nil || mOff["spikes"] != mAll["spikes"] {
		t.Fatalf("record.spikes=false: recordings %v, %g spikes", off != nil, mOff["spikes"])
	}
	if _, err := os.Stat(dir.File("summary.png")); err == nil {
		t.Error("record.spikes=false drew a raster")
	}
	for key, edit := range map[string]func(*CUBAConfig){
		"record.from":    func(c *CUBAConfig) { c.Record.From = -1 },
		"record.neurons": func(c *CUBAConfig) { c.Record.Neurons = -2 },
		"record.stride":  func(c *CUBAConfig) { c.Record.Stride = 0 },
	} {
		c := CUBA()
		edit(c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: error %v", key, err)
		}
	}
}
