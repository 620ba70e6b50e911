package sim

import (
	"math"
	"sync/atomic"
	"testing"
)

func TestStreamsAreReproducibleAndIndependent(t *testing.T) {
	a, b, c := Stream(1, "weights"), Stream(1, "weights"), Stream(1, "init")
	d := Stream(2, "weights")
	for i := 0; i < 10; i++ {
		x, y, z, w := a.Uint64(), b.Uint64(), c.Uint64(), d.Uint64()
		if x != y {
			t.Fatal("same seed and name gave different draws")
		}
		if x == z || x == w {
			t.Fatal("different streams gave the same draw")
		}
	}
}

func TestTeamVisitsEveryBlockOnce(t *testing.T) {
	defer AtLeastProcs(3)()            // the worker counts asked for, also under GOMAXPROCS=1
	for _, w := range []int{1, 2, 7} { // 7 is capped at GOMAXPROCS
		team := NewTeam(w)
		for rep := 0; rep < 200; rep++ {
			var hits [50]int32
			team.Each(50, func(b int) { atomic.AddInt32(&hits[b], 1) })
			for b, h := range hits {
				if h != 1 {
					t.Fatalf("workers %d: block %d visited %d times", w, b, h)
				}
			}
		}
		var ran [8]int32
		team.Run(func(k int) { atomic.AddInt32(&ran[k], 1) })
		for k := 0; k < team.Workers(); k++ {
			if ran[k] != 1 {
				t.Fatalf("worker %d ran %d times", k, ran[k])
			}
		}
		team.Close()
	}
	var nilTeam *Team
	n := 0
	nilTeam.Each(3, func(int) { n++ })
	if n != 3 {
		t.Fatal("nil team did not run inline")
	}
}

func TestMonitorsAndClock(t *testing.T) {
	m := NewSpikeMonitor(2, 0)
	m.Observe(0.1, []int32{0, 5, 1})
	m.Observe(0.2, []int32{3})
	if m.Count != 4 || len(m.Times) != 2 || m.Index[1] != 1 {
		t.Fatalf("monitor %+v", m)
	}
	tr := NewTrace(2, 10, 100)
	for i := 1; i <= 100; i++ {
		if tr.Due(i) {
			tr.Add(float64(i), []float64{float64(i), -float64(i)})
		}
	}
	if tr.Len() != 10 || tr.Column(1)[9] != -100 {
		t.Fatalf("trace has %d samples, last %v", tr.Len(), tr.Row(9))
	}
	c, err := NewClock(0.05, 15000)
	if err != nil || c.Steps != 300000 || c.Index(5000) != 100000 {
		t.Fatalf("clock %+v %v", c, err)
	}
	if _, err := NewClock(0, 1); err == nil {
		t.Fatal("dt = 0 accepted")
	}
	if err := CheckFinite("v", []float64{1, math.Inf(1)}, 3); err == nil {
		t.Fatal("Inf not caught")
	}
}
