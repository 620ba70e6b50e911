package experiment

import (
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/spikelab/spikelab/sim"
)

func TestAnalyseReplaySynthetic(t *testing.T) {
	// 4 clusters of 10 neurons; cluster c fires (every neuron, every ms)
	// during [20c, 20c+20) ms of each 80 ms cycle, plus one backward blip.
	var ts []float64
	var idx []int32
	for cyc := 0; cyc < 4; cyc++ {
		for c := 0; c < 4; c++ {
			for ms := 0; ms < 20; ms++ {
				for i := 0; i < 10; i++ {
					ts = append(ts, float64(cyc*80+c*20+ms)+0.5)
					idx = append(idx, int32(10*c+i))
				}
			}
		}
	}
	st := AnalyseReplay(ts, idx, 4, 10, 0, 320, ReplayParams{WindowMS: 10, StepMS: 1, ActiveHz: 15, MinDwellMS: 3})
	if st.Transitions != 15 || st.Forward != 15 {
		t.Fatalf("transitions %d, forward %d; want 15, 15 (seq %v)", st.Transitions, st.Forward, st.Seq)
	}
	if per, _ := st.Period(); per != 80 {
		t.Fatalf("period %g ms, want 80", per)
	}
}

func TestMaesBuildAndDetectClusters(t *testing.T) {
	c := MaesNet()
	c.NE, c.NI, c.Clusters = 120, 30, 6
	m, k, err := maesMatrix(&c, "build", sim.Stream(1, "weights"))
	if err != nil {
		t.Fatal(err)
	}
	if k != 6 || DetectClusters(m, c.NE) != 6 {
		t.Fatalf("clusters %d, detected %d; want 6", k, DetectClusters(m, c.NE))
	}
	b := maesBlockMeans(m, c.NE, k)
	if b.Within != 29 || b.Forward != 10 || b.Backward != 3.5 || math.Abs(b.Other-1.45) > 1e-9 || b.IE != c.BuildIE {
		t.Fatalf("block means %+v", b)
	}
	for j := 0; j < m.NPre; j++ {
		if _, ok := m.At(j, j); ok {
			t.Fatalf("autapse on %d", j)
		}
	}
}

func TestMaesReplayShippedNC160(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "data", "maes")
	if _, err := os.Stat(filepath.Join(dir, "FF60b_2400_nc160.mat")); err != nil {
		t.Skip("shared Maes data not present")
	}
	c := MaesReplay()
	c.Matrix, c.DataDir, c.DurationS = "nc160", dir, 1
	m, err := c.Run(context.Background(), &Env{Threads: 1, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if m["clusters"] != 15 || m["forward_fraction"] < 0.9 || m["rate_e_hz"] < 1.5 || m["rate_e_hz"] > 4 || m["period_ms"] < 300 || m["period_ms"] > 400 {
		t.Fatalf("nc160 replay: %v", m)
	}
}
