package force

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
)

// TestForceModelAndInitFrom: the run saves decoders, encoders, P and the
// recurrent weights; a run started from them with RLS off reads out the
// learnt decoders from the first step (it beats an untrained readout), and
// a network of another size is refused naming the mismatch.
func TestForceModelAndInitFrom(t *testing.T) {
	c := smallSine(2)
	dir, _ := runio.Create(t.TempDir(), "a")
	if _, err := c.Run(context.Background(), &experiment.Env{Threads: 2, Out: dir, Log: io.Discard, Name: "force-sine"}); err != nil {
		t.Fatal(err)
	}
	path := dir.File(experiment.ModelFile)
	md, err := runio.ReadModel(path, "force-sine")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := md.Float64("phi", 500, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := md.Float32("p", 500, 500); err != nil {
		t.Fatal(err)
	}
	// The same network with RLS during an early, short window only: from
	// the saved decoders its readout tracks the sine; from zero it does not.
	cont := smallSine(2)
	cont.DurationS, cont.TrainStartS, cont.TrainStopS = 2, 0.05, 0.1
	cold := runForce(t, cont, 2)
	cont.InitFrom = path
	warm := runForce(t, cont, 2)
	if !(warm["test_rmse"] < cold["test_rmse"]) {
		t.Errorf("test_rmse from the saved decoders %.3f, from zero %.3f: want lower", warm["test_rmse"], cold["test_rmse"])
	}
	other := smallSine(2)
	other.N, other.InitFrom = 400, path
	if _, err := other.Run(context.Background(), &experiment.Env{Threads: 1}); err == nil || !strings.Contains(err.Error(), "not this network's") {
		t.Errorf("another size: %v", err)
	}
}
