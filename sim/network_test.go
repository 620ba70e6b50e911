package sim

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

// logGroup spikes neuron 0 at every step in fire and logs every call.
type logGroup struct {
	name string
	log  *[]string
	v    []float64
	in   []float64
	fire map[int]bool
}

func (g *logGroup) Len() int { return len(g.v) }
func (g *logGroup) Step(sc *StepContext, spikes []int32) []int32 {
	*g.log = append(*g.log, "step "+g.name)
	if g.fire[sc.Step] {
		spikes = append(spikes, 0)
	}
	return spikes
}
func (g *logGroup) Reset(sp []int32)       { *g.log = append(*g.log, "reset "+g.name) }
func (g *logGroup) Potential() []float64   { return g.v }
func (g *logGroup) Filter(sc *StepContext) { *g.log = append(*g.log, "filter "+g.name) }
func (g *logGroup) Input(name string) ([]float64, error) {
	if name != "exc" {
		return nil, errors.New("no such input")
	}
	return g.in, nil
}

type logPart struct {
	name string
	log  *[]string
	pre  Group
	post Group
}

func (p *logPart) Inject(sc *StepContext)    { *p.log = append(*p.log, "input "+p.name) }
func (p *logPart) Apply(sc *StepContext)     { *p.log = append(*p.log, "rule "+p.name) }
func (p *logPart) Filter(sc *StepContext)    { *p.log = append(*p.log, "filter "+p.name) }
func (p *logPart) Sample(sc *StepContext)    { *p.log = append(*p.log, "monitor "+p.name) }
func (p *logPart) Pre() Group                { return p.pre }
func (p *logPart) Post() Group               { return p.post }
func (p *logPart) Propagate(sc *StepContext) { *p.log = append(*p.log, "propagate "+p.name) }

func TestNetworkRunsTheDocumentedSchedule(t *testing.T) {
	var log []string
	net, err := NewNetwork(NetworkOptions{DtMS: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	a := &logGroup{name: "a", log: &log, v: make([]float64, 2), in: make([]float64, 2), fire: map[int]bool{1: true}}
	b := &logGroup{name: "b", log: &log, v: make([]float64, 2), in: make([]float64, 2)}
	for _, err := range []error{
		net.AddGroup("a", a), net.AddGroup("b", b),
		net.AddMonitor(&logPart{name: "m1", log: &log}), net.AddMonitor(&logPart{name: "m2", log: &log}),
		net.AddRule(&logPart{name: "r1", log: &log}),
		net.AddProjection(&logPart{name: "p1", log: &log, pre: a, post: b}),
		net.AddInput(&logPart{name: "i1", log: &log}), net.AddInput(&logPart{name: "i2", log: &log}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := net.Run(context.Background(), 1, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "input i1,input i2,filter a,filter b,filter r1,step a,step b,propagate p1,rule r1,reset a,monitor m1,monitor m2," +
		"input i1,input i2,filter a,filter b,filter r1,step a,step b,propagate p1,rule r1,monitor m1,monitor m2"
	if got := strings.Join(log, ","); got != want {
		t.Errorf("schedule\n got %s\nwant %s", got, want)
	}
	if net.Steps() != 2 || net.Time() != 1 {
		t.Errorf("after 1 ms at 0.5 ms: %d steps, t = %g ms", net.Steps(), net.Time())
	}
	if err := net.AddGroup("a", &logGroup{v: []float64{0}}); err == nil {
		t.Error("duplicate group name accepted")
	}
	if err := net.AddProjection(&logPart{pre: a, post: &logGroup{}}); err == nil {
		t.Error("projection to a group outside the network accepted")
	}
}

// spikeProbe records the spikes of a group it sees in each slot.
type spikeProbe struct {
	g           Group
	inFilter    []int32
	inRule, mon []int32
	t           float64
}

func (p *spikeProbe) Filter(sc *StepContext) { p.inFilter = append(p.inFilter[:0], sc.Spikes(p.g)...) }
func (p *spikeProbe) Apply(sc *StepContext)  { p.inRule = append(p.inRule[:0], sc.Spikes(p.g)...) }
func (p *spikeProbe) Sample(sc *StepContext) {
	p.mon = append(p.mon[:0], sc.Spikes(p.g)...)
	p.t = sc.T
}

func TestStepContextSpikesBeforeAndAfterThreshold(t *testing.T) {
	var log []string
	net, _ := NewNetwork(NetworkOptions{DtMS: 0.1})
	defer net.Close()
	g := &logGroup{name: "g", log: &log, v: make([]float64, 1), in: make([]float64, 1), fire: map[int]bool{3: true}}
	net.AddGroup("g", g)
	p := &spikeProbe{g: g}
	net.AddRule(p)
	net.AddMonitor(p)
	mon := WatchSpikes(g, NewSpikeMonitor(1, 4))
	net.AddMonitor(mon)
	net.Run(context.Background(), 0.3, RunOptions{}) // steps 1..3
	if len(p.inFilter) != 0 || len(p.inRule) != 1 || len(p.mon) != 1 {
		t.Errorf("step 3: filter saw %v (want the spikes of step 2: none), rule %v, monitor %v", p.inFilter, p.inRule, p.mon)
	}
	net.Run(context.Background(), 0.1, RunOptions{}) // step 4
	if len(p.inFilter) != 1 || len(p.inRule) != 0 {
		t.Errorf("step 4: filter saw %v (want the spike of step 3), rule %v", p.inFilter, p.inRule)
	}
	if mon.Count != 1 || mon.Times[0] != float64(mon.Count+2)*0.1 || math.Abs(p.t-0.4) > 1e-15 {
		t.Errorf("spike monitor %+v, last time %g ms", mon.SpikeMonitor, p.t)
	}
}

func TestNetworkStopsOnCancelAndDivergence(t *testing.T) {
	var log []string
	net, _ := NewNetwork(NetworkOptions{DtMS: 1, CheckEvery: 5})
	defer net.Close()
	g := &logGroup{name: "g", log: &log, v: make([]float64, 3), in: make([]float64, 3)}
	net.AddGroup("g", g)
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := net.Run(ctx, 100, RunOptions{Every: 10, Progress: func(done, total int64) {
		calls++
		if total != 100 {
			t.Errorf("total %d steps, want 100", total)
		}
		if done == 20 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "t=30 ms") || calls != 2 {
		t.Errorf("cancelled run: %v after %d progress calls", err, calls)
	}
	// Between progress reports: a run whose one report is at its end
	// stops within ContextEvery steps of the cancellation.
	steps0 := net.Steps()
	err = net.Run(ctx, 1e6, RunOptions{Every: 1e6})
	if !errors.Is(err, context.Canceled) || net.Steps()-steps0 != ContextEvery {
		t.Errorf("cancelled long run: %v after %d steps, want %d", err, net.Steps()-steps0, ContextEvery)
	}
	g.v[1] = math.NaN()
	var de *DivergenceError
	if err := net.Run(context.Background(), 100, RunOptions{}); !errors.As(err, &de) || de.Index != 1 || de.Time != float64(((30+ContextEvery)/5+1)*5) {
		t.Errorf("NaN potential: %v", err)
	}
	if err := net.Run(context.Background(), 0.1, RunOptions{}); err == nil {
		t.Error("a run shorter than one step was accepted")
	}
	if _, err := NewNetwork(NetworkOptions{DtMS: 0}); err == nil {
		t.Error("dt = 0 accepted")
	}
	steps := 0
	if err := net.Run(context.Background(), 0, RunOptions{}); err == nil {
		t.Error("zero duration accepted")
	}
	g.v[1] = 0
	if err := net.Run(context.Background(), 4, RunOptions{Every: 2, Checkpoint: func(s int) error { steps = s; return nil }}); err != nil || steps != net.Steps() {
		t.Errorf("checkpoint saw step %d of %d: %v", steps, net.Steps(), err)
	}
}

// countGroup is a group of n neurons that spike every period steps.
type countGroup struct {
	v      []float64
	in     []float64
	period int
}

func (g *countGroup) Len() int { return len(g.v) }
func (g *countGroup) Step(sc *StepContext, spikes []int32) []int32 {
	for i := range g.v {
		g.v[i] += g.in[i]
		g.in[i] = 0
		if (sc.Step+i)%g.period == 0 {
			spikes = append(spikes, int32(i))
		}
	}
	return spikes
}
func (g *countGroup) Reset(spikes []int32) {
	for _, i := range spikes {
		g.v[i] = 0
	}
}
func (g *countGroup) Potential() []float64            { return g.v }
func (g *countGroup) Input(string) ([]float64, error) { return g.in, nil }

type allToAll struct{ pre, post *countGroup }

func (p *allToAll) Pre() Group  { return p.pre }
func (p *allToAll) Post() Group { return p.post }
func (p *allToAll) Propagate(sc *StepContext) {
	for range sc.Spikes(p.pre) {
		for i := range p.post.in {
			p.post.in[i] += 0.5
		}
	}
}

func TestNetworkRunDoesNotAllocate(t *testing.T) {
	defer AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
	net, _ := NewNetwork(NetworkOptions{DtMS: 0.1, Threads: 2, CheckEvery: 3})
	defer net.Close()
	a := &countGroup{v: make([]float64, 10), in: make([]float64, 10), period: 3}
	b := &countGroup{v: make([]float64, 5), in: make([]float64, 5), period: 2}
	net.AddGroup("a", a)
	net.AddGroup("b", b)
	net.AddProjection(&allToAll{a, b})
	mon := WatchSpikes(b, NewSpikeMonitor(0, 0))
	net.AddMonitor(mon)
	sm, err := NewStateMonitor(a, StateMonitorOptions{Neurons: 2, Every: 10, Steps: 20000})
	if err != nil {
		t.Fatal(err)
	}
	net.AddMonitor(sm)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(10, func() {
		if err := net.Run(ctx, 100, RunOptions{Every: 100}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%g allocations per run of 1000 steps", allocs)
	}
	if sm.Len() != 1100 || mon.Count != 11000*5/2 {
		t.Errorf("state monitor %d samples, spike monitor %d spikes", sm.Len(), mon.Count)
	}
}
