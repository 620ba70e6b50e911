package all_test

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/spikelab/spikelab/experiment"
)

// oversized are configurations far beyond any machine (or beyond the
// test's limit of 4 GB): each must be refused by experiment.Check with a
// message, before anything big is allocated, never by a panic.
var oversized = []struct {
	name string
	sets []string
	want string // part of the message
}{
	{"force-sine", []string{"n=1000000000"}, "RLS matrix P"},
	{"force-sine", []string{"n=200000"}, "RLS matrix P (n×n float32, n = 200000) 160 GB"},
	{"force-sine", []string{"n=200000", "rls_storage=float64"}, "320 GB"},
	{"force-sine", []string{"n=200000", "rls_storage=float16"}, "RLS matrix P (n×n float16, n = 200000) 80 GB"},
	{"force-sine", []string{"duration_s=1e12", "train_stop_s=10"}, "steps"},
	{"force-sine", []string{"rls_block=1000000000"}, "RLS block"},
	{"force-sine", []string{"record.sample_ms=0.05", "duration_s=1e6", "train_stop_s=10", "record.raster_neurons=0"}, "recorded readout"},
	{"force-sine", []string{"record.raster_neurons=2000", "duration_s=1e6", "train_stop_s=10"}, "raster spikes"},
	{"force-ode-to-joy", []string{"target.song=long", "record.decoder_neurons=5000"}, "recorded decoders"},
	{"force-izhikevich-sine", []string{"n=1000000"}, "RLS matrix P"},
	{"force-theta-sine", []string{"duration_s=1e9", "train_stop_s=10"}, ""},
	{"force-sawtooth", []string{"n=100000"}, "RLS matrix P"},
	{"force-vdp-harmonic", []string{"duration_s=1e12", "train_stop_s=10"}, "steps"},
	{"force-vdp-relaxation", []string{"n=1000000000"}, "RLS matrix P"},
	{"force-prodsines", []string{"n=100000"}, "RLS matrix P"},
	{"force-noisy-prodsines", []string{"n=100000"}, "RLS matrix P"},
	{"force-lorenz", []string{"n=1000000"}, "RLS matrix P"},
	{"force-ode-to-joy", []string{"target.song=long", "n=100000"}, "RLS matrix P"},
	{"cuba", []string{"n_exc=1000000000"}, "synapses"},
	{"cuba", []string{"duration_s=1e12"}, ""},
	{"cuba", []string{"n_exc=100000", "p=1"}, "synapses"},
	{"shifting-xor", []string{"hidden=1000000000"}, "weights"},
	{"shifting-iris", []string{"hidden=1000000000"}, "weights"},
	{"shifting-mnist", []string{"hidden=1000000000"}, "hidden = 1000000000"},
	{"shifting-fashion", []string{"hidden=100000000"}, "weights"},
	{"shifting-mnist-causal", []string{"train_eval_size=5", "hidden=1000000000"}, "weights"},
	{"shifting-fashion", []string{"batch_size=1000000000"}, "batch buffers"},
	{"shifting-tca", []string{"hidden=1000000000"}, "weights"},
	{"shifting-mnist", []string{"epochs=1000000000000"}, "steps"},
	{"ltts-trajectory", []string{"net.n=1000000"}, "recurrent weights J"},
	{"ltts-trajectory", []string{"t_steps=1000000000"}, "spike and trace sequences"},
	{"ltts-fast", []string{"net.n=1000000"}, "recurrent weights J"},
	{"ltts-xor", []string{"net.n=1000000"}, "recurrent weights J"},
	{"ltts-xor", []string{"off=1000000000000"}, ""},
	{"ltts-noise", []string{"net.n=1000000"}, "recurrent weights J"},
	{"ltts-noise", []string{"epochs=1000000000000"}, "steps"},
	{"ltts-walking", []string{"net.n=1000000"}, "recurrent weights J"},
	{"ltts-walking", []string{"total_bins=1000000000"}, ""},
	{"maes-replay", []string{"network.n_exc=1000000000"}, "recurrent synapses"},
	{"maes-replay", []string{"duration_s=1e12"}, ""},
	{"maes-train", []string{"network.n_exc=1000000"}, "recurrent synapses"},
	{"maes-train", []string{"train_min=1e12"}, "steps"},
	{"maes-readout", []string{"network.n_exc=1000000"}, "recurrent synapses"},
	{"maes-readout", []string{"train_s=1e12"}, ""},
	{"olfaction-ann", []string{"data.n_train=1000000000"}, "odors"},
	{"olfaction-ann", []string{"ann.n_kc=1000000000"}, "ANN weights"},
	{"olfaction-decolle", []string{"snn.n_kc=1000000000"}, "SNN weights"},
	{"olfaction-decolle", []string{"data.n_train=1000000000"}, "odors"},
	{"olfaction-stdp", []string{"data.n_train=1000000000"}, "odors"},
	{"olfaction-stdp", []string{"snn.batch=1000000000"}, "SNN batch"},
	{"force-songbird", []string{"n=1000000"}, "RLS matrix P"},
	{"force-movie", []string{"n=1000000"}, "RLS matrix P"},
	{"force-classify", []string{"n=1000000"}, "RLS matrix P"},
	{"force-panel", []string{"n=1000000"}, "RLS matrix P"},
	{"force-panel", []string{"preset=theta20-prodsine", "duration_scale=1e7"}, "steps"},
	{"maes-spectrum", []string{"network.n_exc=1000000"}, "dense signed matrix"},
	{"maes-variability", []string{"network.n_exc=1000000000"}, "recurrent matrix"},
}

// TestOversizedConfigsAreRefusedBeforeAllocating checks every row of
// oversized against a 4 GB limit, and that the heap hardly grows (nothing
// big was allocated).
func TestOversizedConfigsAreRefusedBeforeAllocating(t *testing.T) {
	seen := map[string]bool{}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, tc := range oversized {
		seen[tc.name] = true
		e, err := experiment.Lookup(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		cfg := e.Defaults()
		for _, s := range tc.sets {
			if err := experiment.Set(cfg, s); err != nil {
				t.Fatalf("%s %v: %v", tc.name, tc.sets, err)
			}
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%s %v: panic %v", tc.name, tc.sets, p)
				}
			}()
			err = experiment.Check(cfg, 4e9)
		}()
		if err == nil || !errors.Is(err, experiment.ErrRefused) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: got %v, want a refusal naming %q", tc.name, tc.sets, err, tc.want)
		}
	}
	runtime.ReadMemStats(&after)
	if grew := float64(after.TotalAlloc - before.TotalAlloc); grew > 100e6 {
		t.Errorf("checking the oversized configs allocated %s", experiment.HumanBytes(grew))
	}
	for _, e := range experiment.All() {
		if !seen[e.Name] {
			t.Errorf("%s has no oversized config in the table", e.Name)
		}
	}
	t.Logf("%d oversized probes refused", len(oversized))
}

// TestEveryExperimentEstimatesItsDefaults: every registered config is an
// Estimator, its defaults fit in a few GB and pass Check.
func TestEveryExperimentEstimatesItsDefaults(t *testing.T) {
	for _, e := range experiment.All() {
		cfg := e.Defaults()
		est, ok := cfg.(experiment.Estimator)
		if !ok {
			t.Errorf("%s: config has no Estimate", e.Name)
			continue
		}
		m, err := est.Estimate()
		if err != nil || m.Bytes() <= 0 || m.Bytes() > 8e9 || m.Steps <= 0 {
			t.Errorf("%s: estimate %s, %d steps, %v", e.Name, experiment.HumanBytes(m.Bytes()), m.Steps, err)
		}
		if err := experiment.CheckMemory(m, 8e9); err != nil {
			t.Errorf("%s: %v", e.Name, err)
		}
		t.Logf("%-24s %9s %12d steps", e.Name, experiment.HumanBytes(m.Bytes()), m.Steps)
	}
}
