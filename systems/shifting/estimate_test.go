package shifting

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/spikelab/spikelab/experiment"
)

// TestEstimateCountsTheNetwork builds shifting-tca's 500-3200-22 network
// and checks that the heap it holds is what the estimate's weights item
// counts (W, Adam's moments and a gradient per batch chunk: 7 copies),
// within 10 %: the item fell short by two copies when it counted one
// gradient per CPU on a 2-core machine.
func TestEstimateCountsTheNetwork(t *testing.T) {
	x, err := experiment.Lookup("shifting-tca")
	if err != nil {
		t.Fatal(err)
	}
	c := x.Defaults().(*ShiftingConfig)
	e, err := c.Estimate()
	if err != nil {
		t.Fatal(err)
	}
	var weights float64
	for _, it := range e.Items {
		if it.Bytes > weights {
			weights = it.Bytes // the largest item: the weights and their copies
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	net := NewShiftingNet(500, c.Hidden, tcaClasses, rand.New(rand.NewPCG(1, 2)), nil)
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	runtime.KeepAlive(net)
	if held > 1.1*weights || held < 0.9*weights {
		t.Fatalf("the network holds %s, the estimate counts %s for it", experiment.HumanBytes(held), experiment.HumanBytes(weights))
	}
	t.Logf("network %s, estimate %s", experiment.HumanBytes(held), experiment.HumanBytes(weights))
}
