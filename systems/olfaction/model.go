package olfaction

import (
	"context"
	"fmt"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/task"
)

// OlfactionData is the dataset section of the olfaction config: the
// generator's parameters and the seed of the odors.
type OlfactionData struct {
	task.OlfactionParams `yaml:",inline"`
	// Seed seeds the generated odors (prototypes, training and validation
	// sets); 0 means the run's seed. spikelab eval --set data.seed=N tests a
	// saved network on newly generated odors.
	Seed uint64 `yaml:"seed"`
}

// dataSeed returns the seed of the odors.
func (c *OlfactionConfig) dataSeed() uint64 {
	if c.Data.Seed != 0 {
		return c.Data.Seed
	}
	return c.Seed
}

// generate makes the dataset.
func (c *OlfactionConfig) generate() (*task.Olfaction, error) {
	return task.GenerateOlfaction(c.Data.OlfactionParams, sim.Stream(c.dataSeed(), "olfaction-data"))
}

// Model files of the olfaction experiments hold the network of the
// config's model (with compare, not the comparison networks).
// olfaction-ann: par (every parameter: |W1| ORN→PN input-major,
// BatchNorm γ and β, |W2| PN→KC, KC bias, W3 KC→class, output bias, in
// that order; dimensionless rates), bn_mean and bn_var (BatchNorm running
// statistics), adam_m, adam_v, adam_steps. olfaction-decolle and -stdp:
// per block l: wL (inputs × neurons, input-major; weight in units of the
// CUBA-LIF input), gL (the fixed local readout, neurons × classes, where
// the block has one), adam_wL_m, adam_wL_v, adam_wL_steps; r (the final
// readout, (last layer + 1 bias row) × classes) with adam_r_m, adam_r_v,
// adam_r_steps; with homeostasis.kind threshold thetaL (the STDP block's
// threshold offsets), with apl feedbackL (its feedback gain).

func annState(net *FlyANN) *experiment.ModelState {
	s := &experiment.ModelState{ProgressUnit: "epoch"}
	s.Add("par", "parameters: |W1|, γ, β, |W2|, KC bias, W3, output bias (flattened in that order)", net.Par)
	s.Add("bn_mean", "BatchNorm running mean (PN)", net.RunMean)
	s.Add("bn_var", "BatchNorm running variance (PN)", net.RunVar)
	m, v := net.adam.Moments()
	s.Add("adam_m", "Adam first moment of par", m)
	s.Add("adam_v", "Adam second moment of par", v)
	s.Add("adam_steps", "Adam steps taken", []float64{float64(net.adam.Steps())})
	return s
}

func loadANN(md *runio.Model, net *FlyANN) error {
	m, v := net.adam.Moments()
	for _, a := range []struct {
		n string
		d []float64
	}{{"par", net.Par}, {"bn_mean", net.RunMean}, {"bn_var", net.RunVar}, {"adam_m", m}, {"adam_v", v}} {
		if err := md.CopyFloat64(a.n, a.d); err != nil {
			return err
		}
	}
	st, err := md.Scalar("adam_steps")
	if err != nil {
		return err
	}
	net.adam.SetSteps(int(st))
	return nil
}

func decolleState(net *DecolleNet) *experiment.ModelState {
	s := &experiment.ModelState{ProgressUnit: "epoch"}
	for l, b := range net.Blocks {
		p := fmt.Sprint(l)
		s.Add("w"+p, "weight (CUBA-LIF input units), input-major", b.W, b.NIn, b.NOut)
		if b.G != nil {
			s.Add("g"+p, "fixed local readout, neuron-major", b.G, b.NOut, len(b.G)/b.NOut)
		}
		if b.adam != nil {
			m, v := b.adam.Moments()
			s.Add("adam_w"+p+"_m", "Adam first moment of w"+p, m, b.NIn, b.NOut)
			s.Add("adam_w"+p+"_v", "Adam second moment of w"+p, v, b.NIn, b.NOut)
			s.Add("adam_w"+p+"_steps", "Adam steps taken", []float64{float64(b.adam.Steps())})
		}
		if b.Theta != nil {
			s.Add("theta"+p, "adaptive threshold offsets (voltage units), per neuron", b.Theta)
		}
		if b.FeedbackOn {
			s.Add("feedback"+p, "gain of the global feedback inhibition (current units)", []float64{b.Feedback})
		}
	}
	C := net.P.Classes
	s.Add("r", "final readout, input-major, bias as the last row", net.R, len(net.R)/C, C)
	m, v := net.adamR.Moments()
	s.Add("adam_r_m", "Adam first moment of r", m, len(net.R)/C, C)
	s.Add("adam_r_v", "Adam second moment of r", v, len(net.R)/C, C)
	s.Add("adam_r_steps", "Adam steps taken", []float64{float64(net.adamR.Steps())})
	return s
}

func loadDecolle(md *runio.Model, net *DecolleNet) error {
	for l, b := range net.Blocks {
		p := fmt.Sprint(l)
		if err := md.CopyFloat64("w"+p, b.W); err != nil {
			return err
		}
		if b.G != nil {
			if err := md.CopyFloat64("g"+p, b.G); err != nil {
				return err
			}
		}
		if b.adam != nil {
			m, v := b.adam.Moments()
			if err := md.CopyFloat64("adam_w"+p+"_m", m); err != nil {
				return err
			}
			if err := md.CopyFloat64("adam_w"+p+"_v", v); err != nil {
				return err
			}
			st, err := md.Scalar("adam_w" + p + "_steps")
			if err != nil {
				return err
			}
			b.adam.SetSteps(int(st))
		}
		if b.Theta != nil {
			if err := md.CopyFloat64("theta"+p, b.Theta); err != nil {
				return err
			}
		}
		if b.FeedbackOn {
			g, err := md.Scalar("feedback" + p)
			if err != nil {
				return err
			}
			b.Feedback = g
		}
	}
	m, v := net.adamR.Moments()
	for _, a := range []struct {
		n string
		d []float64
	}{{"r", net.R}, {"adam_r_m", m}, {"adam_r_v", v}} {
		if err := md.CopyFloat64(a.n, a.d); err != nil {
			return err
		}
	}
	st, err := md.Scalar("adam_r_steps")
	if err != nil {
		return err
	}
	net.adamR.SetSteps(int(st))
	return nil
}

// Eval tests a saved network on the validation odors (spikelab eval):
// with the config unchanged its val_accuracy equals the run's;
// --set data.seed=N generates new odors (new prototypes, so a new task:
// the accuracy shows what the network does with odors it never saw).
func (c *OlfactionConfig) Eval(ctx context.Context, env *experiment.Env, md *runio.Model) (map[string]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	team := sim.NewTeam(env.Threads)
	defer team.Close()
	d, err := c.generate()
	if err != nil {
		return nil, err
	}
	m := map[string]float64{"chance_accuracy": 1 / float64(c.Data.NClass),
		"majority_accuracy": task.MajorityAccuracy(d.TrainY, d.ValY, c.Data.NClass)}
	if c.Model == "ann" {
		net, err := NewFlyANN(c.annParams(), sim.Stream(c.Seed, "olfaction-ann-init"))
		if err != nil {
			return nil, err
		}
		if err := loadANN(md, net); err != nil {
			return nil, err
		}
		pred := make([]int, d.NValid)
		net.Predict(d.ValX, pred)
		m["val_accuracy"] = accuracy(pred, d.ValY)
		m["kc_active_fraction"] = c.annKCActive(net, d, pred)
		return m, nil
	}
	rec := &olfactionRecord{}
	r, err := c.buildSNN(env, d, team, c.Model == "stdp", rec)
	if err != nil {
		return nil, err
	}
	r.prog.Finish()
	if err := loadDecolle(md, r.net); err != nil {
		return nil, err
	}
	acc, act, rate := r.evaluate(false)
	m["val_accuracy"], m["kc_active_fraction"], m["kc_spike_rate"] = acc, act, rate
	return m, nil
}
