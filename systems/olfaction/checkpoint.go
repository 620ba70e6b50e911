package olfaction

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/runio"
)

// Checkpoints of the olfaction experiments (checkpoint.npz, every
// checkpoint_every_epochs epochs and at the end of every training stage
// but the last). A run trains its stages one after the other: the config's
// model, then with compare the comparison networks (the DECOLLE control,
// the ANN). A checkpoint holds stage ([stage, epochs done in it]), the
// finished stages' results (progress_json: their metrics' names, learning
// curves and the KC raster, as JSON; progress_metrics: the metrics' values;
// stdp_before, stdp_after: the hybrid's STDP block; kc_rates: the first
// model's per-KC rates) and the running stage's network with its optimiser state as in
// model.npz, its generators (rng_init: ANN dropout; rng_order: sample
// order; rng_encode: input spikes) and its curve and counters so far.

// Resumable reports that the olfaction experiments checkpoint
// (checkpoint_every_epochs).
func (c *OlfactionConfig) Resumable() bool { return true }

// olfStage is one training stage of a run.
type olfStage struct {
	prefix string // of its metrics ("" for the config's model)
	ann    bool   // the rate network (else the spiking one)
	hybrid bool   // the spiking network with the STDP block
}

// stages returns the run's training stages in order.
func (c *OlfactionConfig) stages() []olfStage {
	switch c.Model {
	case "ann":
		return []olfStage{{ann: true}}
	case "decolle":
		s := []olfStage{{}}
		if c.Compare {
			s = append(s, olfStage{prefix: "ann_", ann: true})
		}
		return s
	}
	s := []olfStage{{hybrid: true}}
	if c.Compare {
		s = append(s, olfStage{prefix: "control_"}, olfStage{prefix: "ann_", ann: true})
	}
	return s
}

// curveJSON is a learning curve in a checkpoint.
type curveJSON struct {
	Name  string    `json:"name"`
	Val   []float64 `json:"val_accuracy"`
	Train []float64 `json:"train_accuracy"`
}

func toJSON(c olfactionCurve) curveJSON {
	return curveJSON{Name: c.name, Val: c.valAcc, Train: c.trainAcc}
}

func (j curveJSON) curve() olfactionCurve {
	return olfactionCurve{name: j.Name, valAcc: j.Val, trainAcc: j.Train}
}

// olfProgress is what a checkpoint holds besides the running stage's
// arrays (JSON keeps every float64 exactly).
type olfProgress struct {
	Metrics     []string    `json:"metrics"` // names of the run's metrics so far (finished stages); values in progress_metrics
	Curves      []curveJSON `json:"curves"`  // of the finished stages
	RasterT     []float64   `json:"raster_t"`
	RasterI     []float64   `json:"raster_i"`
	RasterSteps int         `json:"raster_steps"`
	RasterName  string      `json:"raster_name"`
	Cur         curveJSON   `json:"stage_curve"`    // the running stage's curve so far
	Counters    []int64     `json:"stage_counters"` // spiking stage: batches done, STDP pairs, STDP steps
}

// stageCk connects a training stage to the checkpoints.
type stageCk struct {
	from     *runio.Model   // checkpoint to continue the stage from (nil: fresh)
	done     int            // epochs of the stage done in from
	cur      olfactionCurve // the stage's curve in from
	counters []int64
	every    int // checkpoint every this many epochs (0: none)
	// write saves a checkpoint after done epochs of the stage, with its
	// state s (network, generators), curve and counters.
	write func(done int, s *experiment.ModelState, cur olfactionCurve, counters []int64) error
}

// due reports whether a checkpoint follows epoch done (1-based) of a stage
// of epochs epochs.
func (k *stageCk) due(done, epochs int) bool {
	return k != nil && k.write != nil && k.every > 0 && done < epochs && done%k.every == 0
}

// resumeFrom loads a stage's curve into m (val_accuracy_epoch_k) and
// returns the epochs done (0 for a fresh stage).
func (k *stageCk) resumeFrom(m map[string]float64, cur *olfactionCurve) int {
	if k == nil || k.from == nil {
		return 0
	}
	*cur = k.cur
	for e, acc := range cur.valAcc {
		m[fmt.Sprintf("val_accuracy_epoch_%d", e+1)] = acc
	}
	return k.done
}

// rngs saves or loads named generators.
func saveRNGs(s *experiment.ModelState, names []string, srcs ...*rand.PCG) error {
	for i, src := range srcs {
		if err := s.AddRNG(names[i], src); err != nil {
			return err
		}
	}
	return nil
}

func loadRNGs(m *runio.Model, names []string, srcs ...*rand.PCG) error {
	for i, src := range srcs {
		if err := experiment.LoadRNG(m, names[i], src); err != nil {
			return err
		}
	}
	return nil
}

// olfRun is the state of a run's stages for its checkpoints.
type olfRun struct {
	c      *OlfactionConfig
	env    *experiment.Env
	m      map[string]float64
	curves []olfactionCurve
	rec    *olfactionRecord
	// resumeStage continues the first stage run (from the checkpoint).
	resumeStage *stageCk
}

// checkpoint writes checkpoint.npz at stage si after done of its epochs;
// s holds the stage's arrays (nil at a stage boundary).
func (o *olfRun) checkpoint(si, done int, s *experiment.ModelState, cur olfactionCurve, counters []int64) error {
	if s == nil {
		s = &experiment.ModelState{}
	}
	s.Progress, s.ProgressUnit = float64(done), "epoch"
	for _, cu := range o.curves {
		s.Progress += float64(len(cu.valAcc))
	}
	names := make([]string, 0, len(o.m))
	for k := range o.m {
		names = append(names, k)
	}
	sort.Strings(names)
	vals := make([]float64, len(names))
	for i, k := range names {
		vals[i] = o.m[k]
	}
	p := olfProgress{Metrics: names, RasterT: o.rec.rasterT, RasterI: o.rec.rasterI, RasterSteps: o.rec.rasterSteps,
		RasterName: o.rec.rasterName, Cur: toJSON(cur), Counters: counters}
	for _, cu := range o.curves {
		p.Curves = append(p.Curves, toJSON(cu))
	}
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	s.Arrays = append(s.Arrays, runio.Array{Name: "stage", Shape: []int{2}, Data: []int64{int64(si), int64(done)}},
		runio.Array{Name: "progress_json", Shape: []int{len(b)}, Data: b})
	if s.Units == nil {
		s.Units = map[string]string{}
	}
	s.Units["stage"], s.Units["progress_json"] = "[training stage, epochs done in it]", "finished stages' metric names, curves and raster (JSON)"
	s.Add("progress_metrics", "values of the metrics named in progress_json", vals)
	if o.rec.stdpBefore != nil {
		s.Add("stdp_before", "STDP block weights before training", o.rec.stdpBefore)
	}
	if o.rec.stdpAfter != nil {
		s.Add("stdp_after", "STDP block weights after training", o.rec.stdpAfter)
	}
	if o.rec.kcRates != nil {
		s.Add("kc_rates", "per-KC validation spikes per step of the first model", o.rec.kcRates)
	}
	return experiment.SaveCheckpoint(o.env, o.c, s)
}

// restore reads the checkpoint env.Resume (nil, 0: a fresh run) into o and
// returns it with the stage to continue.
func (o *olfRun) restore() (*runio.Model, int, error) {
	ck, err := experiment.LoadCheckpoint(o.env, o.c)
	if err != nil || ck == nil {
		return nil, 0, err
	}
	st, err := ck.Int64("stage", 2)
	if err != nil {
		return nil, 0, err
	}
	if n := len(o.c.stages()); st[0] < 0 || st[0] >= int64(n) || st[1] < 0 {
		return nil, 0, fmt.Errorf("checkpoint %s: stage %d (epoch %d) of %d", ck.Path, st[0], st[1], n)
	}
	b, err := ck.Uint8("progress_json", -1)
	if err != nil {
		return nil, 0, err
	}
	var p olfProgress
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, 0, fmt.Errorf("checkpoint %s: progress_json: %w", ck.Path, err)
	}
	vals, err := ck.Float64("progress_metrics", len(p.Metrics))
	if err != nil {
		return nil, 0, err
	}
	for i, k := range p.Metrics {
		o.m[k] = vals[i]
	}
	for _, cu := range p.Curves {
		o.curves = append(o.curves, cu.curve())
	}
	o.rec.rasterT, o.rec.rasterI, o.rec.rasterSteps, o.rec.rasterName = p.RasterT, p.RasterI, p.RasterSteps, p.RasterName
	if _, ok := ck.Arrays["stdp_before"]; ok {
		if o.rec.stdpBefore, err = ck.Float64("stdp_before", -1); err != nil {
			return nil, 0, err
		}
	}
	if _, ok := ck.Arrays["stdp_after"]; ok {
		if o.rec.stdpAfter, err = ck.Float64("stdp_after", -1); err != nil {
			return nil, 0, err
		}
	}
	if _, ok := ck.Arrays["kc_rates"]; ok {
		if o.rec.kcRates, err = ck.Float64("kc_rates", -1); err != nil {
			return nil, 0, err
		}
	}
	o.resumeStage = &stageCk{from: ck, done: int(st[1]), cur: p.Cur.curve(), counters: p.Counters}
	if st[1] == 0 {
		o.resumeStage.from = nil
	}
	return ck, int(st[0]), nil
}
