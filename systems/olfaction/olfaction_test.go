package olfaction

import (
	"context"
	"io"
	"math"
	"testing"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/task"
)

func tinyOlfaction(model string) *OlfactionConfig {
	c := olfactionDefaults(model)
	c.Data.OlfactionParams = task.OlfactionParams{NOR: 10, NClass: 4, NTrain: 320, NVal: 200}
	c.SNN.ORNTiling, c.SNN.NPN, c.SNN.NKC = 4, 30, 60
	c.SNN.Steps, c.SNN.BurnIn, c.SNN.Batch, c.SNN.Epochs, c.SNN.LR, c.SNN.LREnd = 20, 5, 16, 4, 3e-3, 0
	c.Compare = false
	return c
}

// A small DECOLLE network learns the odor task: validation accuracy far
// above chance and above the majority class within a few epochs.
func TestOlfactionDecolleLearns(t *testing.T) {
	c := tinyOlfaction("decolle")
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("val accuracy per epoch %.3f %.3f %.3f %.3f (chance %.2f, majority %.3f)", m["val_accuracy_epoch_1"], m["val_accuracy_epoch_2"],
		m["val_accuracy_epoch_3"], m["val_accuracy_epoch_4"], m["chance_accuracy"], m["majority_accuracy"])
	if acc := m["val_accuracy"]; acc < 0.55 || acc < m["majority_accuracy"]+0.15 {
		t.Fatalf("val accuracy %.3f: want >= 0.55 and >= majority %.3f + 0.15", acc, m["majority_accuracy"])
	}
}

// The hybrid runs, and its STDP block changes (and only its weights are
// left out of the |W| projection).
func TestOlfactionSTDPRunsAndValidates(t *testing.T) {
	c := tinyOlfaction("stdp")
	c.SNN.Epochs = 1
	c.STDP.Eta = 1e-2
	m, err := c.Run(context.Background(), &experiment.Env{Threads: 1, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if m["stdp_pairs_per_step"] <= 0 || m["stdp_w_mean"] == m["stdp_w_mean_initial"] {
		t.Fatalf("STDP did nothing: %v pairs per step, mean weight %v → %v", m["stdp_pairs_per_step"], m["stdp_w_mean_initial"], m["stdp_w_mean"])
	}
	c.STDP.Block = 0
	if err := c.Validate(); err == nil {
		t.Fatal("stdp.block 0 (the first block) accepted")
	}
	c.STDP.Block, c.STDP.Window = -1, "box"
	if err := c.Validate(); err == nil {
		t.Fatal("unknown window accepted")
	}
}

// The schedule starts at lr, ends at lr_end, falls geometrically, and is
// constant with lr_end 0.
func TestLRSchedule(t *testing.T) {
	f := lrSchedule(1e-3, 1e-5, 5)
	for k, want := range []float64{1e-3, 1e-3 / math.Sqrt(10), 1e-4, 1e-4 / math.Sqrt(10), 1e-5} {
		if got := f(k); math.Abs(got-want) > 1e-15 {
			t.Errorf("update %d: lr %g, want %g", k, got, want)
		}
	}
	if got := lrSchedule(1e-3, 0, 5)(4); got != 1e-3 {
		t.Errorf("lr_end 0: lr %g, want constant 1e-3", got)
	}
}
