package connect

import (
	"context"
	"fmt"
	"testing"

	"github.com/spikelab/spikelab/sim"
)

// pulseGroup spikes neuron 0 at the listed steps and keeps an "exc" input.
type pulseGroup struct {
	v, in []float64
	at    map[int]bool
}

func (g *pulseGroup) Len() int { return len(g.v) }
func (g *pulseGroup) Step(sc *sim.StepContext, sp []int32) []int32 {
	if g.at[sc.Step] {
		sp = append(sp, 0)
	}
	return sp
}
func (g *pulseGroup) Reset([]int32)        {}
func (g *pulseGroup) Potential() []float64 { return g.v }
func (g *pulseGroup) Input(name string) ([]float64, error) {
	if name != "exc" {
		return nil, fmt.Errorf("no input %q", name)
	}
	return g.in, nil
}

// inputProbe records the target input at the end of every step and clears it.
type inputProbe struct {
	in  []float64
	got map[int]float64
}

func (p *inputProbe) Sample(sc *sim.StepContext) {
	if p.in[1] != 0 {
		p.got[sc.Step] = p.in[1]
	}
	clear(p.in)
}

func TestProjectionDeliversAfterItsDelay(t *testing.T) {
	for _, d := range []int{0, 1, 3} {
		net, _ := sim.NewNetwork(sim.NetworkOptions{DtMS: 0.1})
		pre := &pulseGroup{v: make([]float64, 1), in: make([]float64, 1), at: map[int]bool{2: true, 3: true, 7: true}}
		post := &pulseGroup{v: make([]float64, 2), in: make([]float64, 2)}
		w, _ := FromSynapses(2, 1, []Synapse{{Post: 1, Pre: 0, W: 2.5}})
		p, err := NewProjection(ProjectionOptions{Pre: pre, Post: post, Input: "exc", Weights: w, DelaySteps: d})
		if err != nil {
			t.Fatal(err)
		}
		probe := &inputProbe{in: post.in, got: map[int]float64{}}
		net.AddGroup("pre", pre)
		net.AddGroup("post", post)
		net.AddProjection(p)
		net.AddMonitor(probe)
		if err := net.Run(context.Background(), 2, sim.RunOptions{}); err != nil {
			t.Fatal(err)
		}
		net.Close()
		want := map[int]float64{2 + d: 2.5, 3 + d: 2.5, 7 + d: 2.5}
		if fmt.Sprint(probe.got) != fmt.Sprint(want) {
			t.Errorf("delay %d: delivered %v, want %v", d, probe.got, want)
		}
	}
	pre := &pulseGroup{v: make([]float64, 1), in: make([]float64, 1)}
	w, _ := FromSynapses(2, 1, nil)
	if _, err := NewProjection(ProjectionOptions{Pre: pre, Post: pre, Input: "exc", Weights: w}); err == nil {
		t.Error("wrong matrix size accepted")
	}
	w, _ = FromSynapses(1, 1, nil)
	if _, err := NewProjection(ProjectionOptions{Pre: pre, Post: pre, Input: "inh", Weights: w}); err == nil {
		t.Error("unknown input accepted")
	}
	if _, err := NewProjection(ProjectionOptions{Pre: pre, Post: pre, Input: "exc", Weights: w, DelaySteps: -1}); err == nil {
		t.Error("negative delay accepted")
	}
}
