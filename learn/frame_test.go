package learn

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/sim"
)

// wave is a group of n neurons whose potential is a fixed function of the
// step; neuron i spikes when its potential crosses −45 mV.
type wave struct{ v []float64 }

func waveV(step, i int) float64 { return -60 + 20*math.Sin(0.05*float64(step)+1.3*float64(i)) }

func (g *wave) Len() int { return len(g.v) }
func (g *wave) Step(sc *sim.StepContext, sp []int32) []int32 {
	for i := range g.v {
		g.v[i] = waveV(sc.Step, i)
		if g.v[i] > -45 && waveV(sc.Step-1, i) <= -45 {
			sp = append(sp, int32(i))
		}
	}
	return sp
}
func (g *wave) Reset([]int32)                   {}
func (g *wave) Potential() []float64            { return g.v }
func (g *wave) Input(string) ([]float64, error) { return nil, fmt.Errorf("no inputs") }

// TestFrameRulesMatchTheirManualOrder runs VoltageSTDP and InhibSTDP on the
// frame and by hand in the order of the Maes et al. loop (filters from the
// old V, neurons, pre traces, iSTDP, LTD, LTP) and wants the same weights.
func TestFrameRulesMatchTheirManualOrder(t *testing.T) {
	const n, dt, steps = 12, 0.1, 3000
	var syn []connect.Synapse
	for i := range n {
		for j := range n {
			if i != j {
				syn = append(syn, connect.Synapse{Post: int32(i), Pre: int32(j), W: 60 + float64(i+j)})
			}
		}
	}
	build := func() (*connect.Sparse, *VoltageSTDP, *InhibSTDP) {
		m, err := connect.NewSparse(n, n, syn)
		if err != nil {
			t.Fatal(err)
		}
		p := eeRule()
		p.WMax = 1000
		v, err := NewVoltageSTDP(p, dt, m, 0, 8, 0, 8, -60)
		if err != nil {
			t.Fatal(err)
		}
		q, err := NewInhibSTDP(ieRule(), dt, m, 8, n, 0, 8)
		if err != nil {
			t.Fatal(err)
		}
		return m, v, q
	}
	// By hand.
	m1, v1, q1 := build()
	g1 := &wave{v: make([]float64, n)}
	for i := range g1.v {
		g1.v[i] = waveV(0, i)
	}
	var sp []int32
	for s := 1; s <= steps; s++ {
		v1.Filters(g1.v)
		q1.Decay()
		sp = g1.Step(&sim.StepContext{Step: s}, sp[:0])
		v1.PreSpikes(sp)
		q1.Spikes(sp)
		v1.LTD(sp)
		v1.LTP(g1.v)
	}
	// On the frame, with the iSTDP rule added first: its steps commute with
	// those of the voltage rule that the hand loop runs before them
	// (different traces, disjoint synapses).
	m2, v2, q2 := build()
	g2 := &wave{v: make([]float64, n)}
	for i := range g2.v {
		g2.v[i] = waveV(0, i)
	}
	net, _ := sim.NewNetwork(sim.NetworkOptions{DtMS: dt})
	defer net.Close()
	rv, err := NewVoltageSTDPRule(v2, g2, g2)
	if err != nil {
		t.Fatal(err)
	}
	ri, err := NewInhibSTDPRule(q2, g2)
	if err != nil {
		t.Fatal(err)
	}
	net.AddGroup("g", g2)
	net.AddRule(ri)
	net.AddRule(rv)
	if err := net.Run(context.Background(), steps*dt, sim.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m1.W, m2.W) {
		t.Error("frame and hand-written order give different weights")
	}
	m0, _, _ := build()
	changedE, changedI := 0, 0
	for j := range n {
		for k := m0.Start[j]; k < m0.Start[j+1]; k++ {
			if m1.W[k] != m0.W[k] && j < 8 {
				changedE++
			}
			if m1.W[k] != m0.W[k] && j >= 8 {
				changedI++
			}
		}
	}
	t.Logf("%d excitatory and %d inhibitory weights changed", changedE, changedI)
	if changedE == 0 || changedI == 0 {
		t.Error("no weight changed: the test checks nothing")
	}
	if _, err := NewVoltageSTDPRule(v2, &wave{v: make([]float64, 3)}, g2); err == nil {
		t.Error("wrong group size accepted")
	}
}
