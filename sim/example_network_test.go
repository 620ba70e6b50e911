package sim_test

import (
	"context"
	"fmt"
	"log"

	"github.com/spikelab/spikelab/connect"
	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/synapse"
	"gonum.org/v1/gonum/floats"
)

// An E/I network of current-based LIF neurons (800 excitatory, 200 inhibitory) driven by
// Poisson input, with trace STDP on the E→E synapses and a spike monitor.
func ExampleNetwork() {
	net, err := sim.NewNetwork(sim.NetworkOptions{DtMS: 0.1, Threads: 1, Seed: 1})
	check(err)
	defer net.Close()
	env, rng := net.Env(), sim.Stream(1, "weights")
	exc, err := neuron.NewLIFExpGroup(env, 800, neuron.DefaultLIFExp())
	check(err)
	inh, err := neuron.NewLIFExpGroup(env, 200, neuron.DefaultLIFExp())
	check(err)
	exc.Init(sim.Stream(1, "init/exc"))
	inh.Init(sim.Stream(1, "init/inh"))
	check(net.AddGroup("exc", exc))
	check(net.AddGroup("inh", inh))
	// Random connections with probability 0.05, weights in mV (the unit of the CUBA inputs):
	// E→E as a Sparse matrix with a weight per synapse, which STDP changes; the others as
	// uniform CSR matrices (one weight, 4 bytes per synapse), the same synapses drawn.
	syn, err := connect.Bernoulli(rng, 800, 0, 800, 0.05, 0.5)
	check(err)
	ee, err := connect.NewSparse(800, 800, syn)
	check(err)
	project := func(pre, post sim.Group, input string, w *connect.CSR) {
		p, err := connect.NewProjection(connect.ProjectionOptions{Pre: pre, Post: post, Input: input, Weights: w})
		check(err)
		check(net.AddProjection(p))
	}
	project(exc, exc, "exc", &ee.CSR)
	for _, c := range []struct {
		pre, post sim.Group
		input     string
		wMV       float64
	}{{exc, inh, "exc", 0.5}, {inh, exc, "inh", -3}, {inh, inh, "inh", -3}} {
		w, err := connect.BernoulliUniformCSR(rng, c.post.Len(), c.pre.Len(), 0, c.pre.Len(), 0.05, c.wMV)
		check(err)
		project(c.pre, c.post, c.input, w)
	}
	drive, err := synapse.NewPoissonInput(env, synapse.PoissonInputOptions{Target: exc, Input: "exc", RateHz: 4000, Weight: 0.5})
	check(err)
	check(net.AddInput(drive))
	stdp, err := learn.NewTraceSTDP(env, exc, exc, ee, learn.TraceSTDPParams{APlus: 0.01, AMinus: 0.012,
		TauPlusMS: 20, TauMinusMS: 20, WMin: 0, WMax: 1})
	check(err)
	check(net.AddRule(stdp))
	spikes := sim.WatchSpikes(exc, sim.NewSpikeMonitor(800, 0))
	check(net.AddMonitor(spikes))
	check(net.Run(context.Background(), 500, sim.RunOptions{}))
	fmt.Printf("excitatory rate %.0f Hz, mean E→E weight %.4f mV\n", float64(spikes.Count)/800/0.5, floats.Sum(ee.W)/float64(len(ee.W)))
	// Output:
	// excitatory rate 30 Hz, mean E→E weight 0.4840 mV
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
