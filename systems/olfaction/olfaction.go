package olfaction

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/neuron"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/task"
)

// OlfactionConfig configures the fly-olfaction experiments: the odor task
// of Wang et al. 2021 (Neuron 109:3879) solved by their rate network
// (olfaction-ann), by a spiking CUBA-LIF network trained with DECOLLE
// everywhere (olfaction-decolle, the control) and by the same network with
// pair-based STDP instead of DECOLLE in the PN→KC expansion block
// (olfaction-stdp, the hybrid). All three see the same generated dataset.
type OlfactionConfig struct {
	Seed  uint64              `yaml:"seed"`  // seed of every random stream
	Model string              `yaml:"model"` // ann, decolle or stdp
	Data  OlfactionData       `yaml:"data"`  // the dataset
	ANN   OlfactionANNConfig  `yaml:"ann"`   // the rate network (model ann, and compare)
	SNN   OlfactionSNNConfig  `yaml:"snn"`   // the spiking network (models decolle and stdp)
	STDP  OlfactionSTDPConfig `yaml:"stdp"`  // the STDP block (model stdp)
	// Homeostasis of the STDP block's KCs (model stdp).
	Homeostasis OlfactionHomeostasisConfig `yaml:"homeostasis"`
	// ProbeOdors is the number of training odors (the first ones) whose KC
	// spike counts, with the network frozen after training, fit a ridge
	// linear classifier tested on the validation odors' counts
	// (probe_accuracy: the linear separability of the KC code; 0: none;
	// more than data.n_train: all of them).
	ProbeOdors int `yaml:"probe_odors"`
	// Compare also trains the other models on the same data (the ANN and,
	// for the hybrid, the DECOLLE control) and draws all learning curves on
	// one figure; their metrics get the prefixes ann_ and control_.
	Compare bool `yaml:"compare"`
	// RasterSamples is the number of validation odors whose KC spikes are
	// stored and drawn after training.
	RasterSamples int `yaml:"raster_samples"`
	// InitFrom is a model.npz of an olfaction run of the same model and
	// sizes whose network (weights and optimiser state) this run's model
	// starts from ("" = random initial weights; comparison networks always
	// start fresh). The learning-rate schedule starts again.
	InitFrom string `yaml:"init_from"`
	// CheckpointEveryEpochs writes checkpoint.npz every this many epochs of
	// a training stage and after every stage but the last (0: none);
	// spikelab resume continues a stopped run from it.
	CheckpointEveryEpochs int `yaml:"checkpoint_every_epochs"`
}

// OlfactionANNConfig configures the rate network (Wang et al. FullConfig).
type OlfactionANNConfig struct {
	ORNTiling int     `yaml:"orn_tiling"` // ORNs per OR type (N_ORN_DUPLICATION, 10): N_ORN = n_or·orn_tiling
	NPN       int     `yaml:"n_pn"`       // projection neurons (50)
	NKC       int     `yaml:"n_kc"`       // Kenyon cells (2500)
	Batch     int     `yaml:"batch"`      // batch size (256)
	Epochs    int     `yaml:"epochs"`     // passes over the training set
	LR        float64 `yaml:"lr"`         // Adam learning rate (1e-3)
	// LREnd is the learning rate of the last batch: the rate falls
	// geometrically from lr to lr_end over the run (0: constant lr).
	LREnd     float64 `yaml:"lr_end"`
	Dropout   float64 `yaml:"dropout"`     // KC dropout probability (0.5)
	KCBias    float64 `yaml:"kc_bias"`     // initial KC bias (−1)
	InitORNPN float64 `yaml:"init_orn_pn"` // ORN→PN weights U(0, a); 0 means 4/N_ORN
	InitPNKC  float64 `yaml:"init_pn_kc"`  // PN→KC weights U(0, a); 0 means 4/N_PN
}

// OlfactionSNNConfig configures the spiking network and its DECOLLE
// training. Layers: input (n_or·orn_tiling Bernoulli spike trains) → ORN
// (n_orn; 0 omits it) → PN (n_pn) → KC (n_kc) → trainable readout.
type OlfactionSNNConfig struct {
	ORNTiling int     `yaml:"orn_tiling"` // independent input spike trains per OR type (the value tiled as [x, x, …])
	Rate      float64 `yaml:"rate"`       // spike probability per step = rate·x
	NORN      int     `yaml:"n_orn"`      // ORN layer size (0: no ORN layer; the input feeds the PNs)
	NPN       int     `yaml:"n_pn"`       // PN layer size
	NKC       int     `yaml:"n_kc"`       // KC layer size
	Steps     int     `yaml:"steps"`      // time steps per odor after burn-in (trained and classified)
	BurnIn    int     `yaml:"burn_in"`    // time steps per odor run first without updates
	Batch     int     `yaml:"batch"`      // odors per batch
	Epochs    int     `yaml:"epochs"`     // passes over the training set
	LR        float64 `yaml:"lr"`         // Adam learning rate (one step per time step)
	// LREnd is the learning rate of the last batch: the rate falls
	// geometrically from lr to lr_end over the run (0: constant lr).
	LREnd float64 `yaml:"lr_end"`
	Reg   float64 `yaml:"reg"` // voltage regulariser λ of the DECOLLE loss
	// AbsFromBlock: blocks with this index or above (except an STDP block)
	// are set to |W| after every step (the original: 1, all but the first).
	AbsFromBlock   int                  `yaml:"abs_from_block"`
	Neuron         neuron.CUBALIFParams `yaml:"neuron"`
	SurrogateScale float64              `yaml:"surrogate_scale"` // σ' height ·2τ (lava: scale_grad·0.1 = 0.3)
	SurrogateTau   float64              `yaml:"surrogate_tau"`   // σ' width τ (lava: tau_grad·ϑ·100 = 3.75)
}

// STDP-block rules of the hybrid (stdp.rule).
const (
	// RuleTrace is additive pair STDP with online traces (no pre–pre or
	// post–post pairs), a balanced window and bounds: stdp.trace.
	RuleTrace = "trace"
	// RulePairing is the spec's pairing machine (§4.2) with |A+| = |A−| =
	// stdp.eta: stdp.eta, tau_c, window, ignore_zeros, clip, w_min, w_max.
	// It collapses on this task (README).
	RulePairing = "pairing"
	// RuleOriginal is the pairing machine with the original code's stated
	// conventions: A+ : A− = 5 : 2 (A+ = stdp.eta), τ− : τ+ = 5 : 2 (τ+ =
	// 2·tau_c, τ− = 5·tau_c), ignore_zeros always on and |W| of the block
	// after every update (and at the start); stdp.eta, tau_c, window, clip,
	// w_min, w_max apply.
	RuleOriginal = "original"
	// RuleCompetitive is Hebbian learning with a norm constraint and
	// k-winners-take-all (Krotov & Hopfield 2019; BioHash, Ryali et al.
	// 2020): stdp.competitive.
	RuleCompetitive = "competitive"
)

// originalDepression is A−/A+ of the original rule (2 : 5).
const originalDepression = 0.4

// OlfactionSTDPConfig configures the STDP block of the hybrid. The
// top-level keys eta, tau_c, window, ignore_zeros, clip, w_min and w_max
// are those of the pairing machine (rules pairing and original; they keep
// their old meaning); the trace and competitive rules read their own
// sections.
type OlfactionSTDPConfig struct {
	Block int `yaml:"block"` // index of the STDP block (≥ 1; −1 = the last block)
	// Rule is the learning rule of the block: trace (default), pairing,
	// original or competitive.
	Rule                    string `yaml:"rule"`
	learn.STDPPairingParams `yaml:",inline"`
	Trace                   OlfactionTraceConfig       `yaml:"trace"`       // rule trace
	Competitive             OlfactionCompetitiveConfig `yaml:"competitive"` // rule competitive
}

// OlfactionTraceConfig configures the trace rule (learn.DenseTraceSTDP).
// Times in steps, weights in units of the KC input current. The rule
// conserves each KC's summed input weight (Conserve: a fixed total
// synaptic weight per KC, as the connectome suggests), so STDP only
// redistributes weight among a KC's PNs and the block's mean weight moves
// only by the homeostasis.
type OlfactionTraceConfig struct {
	Eta     float64 `yaml:"eta"`      // A+, potentiation per pair at Δt = 0 (5e-6; the pairing machine's stdp.eta is separate)
	AMinus  float64 `yaml:"a_minus"`  // A−/A+ (0.4)
	TauPlus float64 `yaml:"tau_plus"` // τ+ of the PN trace (steps, 4)
	// TauMinus is τ− of the KC trace (steps); 0 balances the window:
	// τ− = τ+/a_minus, so that A+τ+ = A−τ− (10 with the defaults).
	TauMinus float64 `yaml:"tau_minus"`
	WMin     float64 `yaml:"w_min"` // lower bound of the block's weights (−0.15)
	WMax     float64 `yaml:"w_max"` // upper bound (0.15; the initial weights lie within ±1/√n_pn ≈ 0.07)
}

// params returns the rule's parameters.
func (t OlfactionTraceConfig) params() learn.DenseTraceSTDPParams {
	tm := t.TauMinus
	if tm == 0 && t.AMinus > 0 {
		tm = t.TauPlus / t.AMinus
	}
	return learn.DenseTraceSTDPParams{Eta: t.Eta, AMinus: t.AMinus, TauPlus: t.TauPlus, TauMinus: tm, WMin: t.WMin, WMax: t.WMax, Conserve: true}
}

// OlfactionCompetitiveConfig configures the competitive rule
// (learn.CompetitiveHebb on the PN spikes of every step, the KCs ranked by
// their synaptic drive).
type OlfactionCompetitiveConfig struct {
	Eta  float64 `yaml:"eta"`  // learning rate per winner and odor (1e-4)
	K    int     `yaml:"k"`    // winners per odor and step (50 = 10 % of 500 KCs)
	Anti float64 `yaml:"anti"` // anti-Hebbian strength of the unit of rank k+1 (0)
	// Norm is the column norm the rule keeps (weight units; 0.577 = 1/√3,
	// the expected norm of a KC's initial U(±1/√n_pn) weights).
	Norm   float64 `yaml:"norm"`
	Center bool    `yaml:"center"` // subtract the batch-mean PN spikes of the step (true)
}

// OlfactionHomeostasisConfig configures the KC homeostasis of the hybrid
// (learn.RateError; model stdp, the STDP block's neurons).
type OlfactionHomeostasisConfig struct {
	// Kind: none; scaling (per-KC additive synaptic scaling of the block's
	// weights: every input weight of KC j moves by −scaling_gamma·(s̄_j − ρ)
	// per step; Turrigiano et al. 1998, Abdelrahman et al. 2021);
	// threshold (per-KC adaptive threshold θ_j += threshold_gamma·(s̄_j −
	// ρ); Apostolopoulou & Lin 2020); apl (global feedback inhibition: each
	// KC gets −g·(fraction of KCs that spiked in the odor's previous step)
	// as input current, g += apl_gamma·(mean rate − ρ), g ≥ 0; the APL
	// neuron, Lin et al. 2014). s̄_j: KC j's spikes this step, mean over
	// the batch. Updated during training only.
	Kind           string  `yaml:"kind"`
	TargetRate     float64 `yaml:"target_rate"`     // ρ, KC spikes per step (0.1)
	ScalingGamma   float64 `yaml:"scaling_gamma"`   // weight change per step per unit rate error (5e-5)
	ThresholdGamma float64 `yaml:"threshold_gamma"` // threshold change per step per unit rate error (voltage units, 2e-2)
	APLGamma       float64 `yaml:"apl_gamma"`       // feedback-gain change per step per unit rate error (current units, 1e-1)
}

// Homeostasis kinds.
const (
	HomeostasisNone      = "none"
	HomeostasisScaling   = "scaling"
	HomeostasisThreshold = "threshold"
	HomeostasisAPL       = "apl"
)

// KeyNotes says which stdp and homeostasis keys each rule reads (none for
// the rate network).
func (c *OlfactionConfig) KeyNotes() string {
	if c.Model == "ann" {
		return ""
	}
	return `model stdp: stdp.rule selects the STDP block's rule.
  trace (default): stdp.trace.* (eta, a_minus, tau_plus, tau_minus, w_min, w_max); bounds always on,
    each KC's summed input weight conserved.
  pairing: stdp.eta, tau_c, window, ignore_zeros, clip, w_min, w_max (the spec's machine; collapses).
  original: as pairing with A-/A+ = 0.4, ignore_zeros on and |W| after every update.
  competitive: stdp.competitive.* (eta, k, anti, norm, center).
homeostasis.kind (none, scaling, threshold, apl) acts on the STDP block's KCs with any rule;
  target_rate for all, scaling_gamma, threshold_gamma, apl_gamma for their kind.
probe_odors: training odors of the linear probe on KC spike counts (0: none).
`
}

func olfactionDefaults(model string) *OlfactionConfig {
	return &OlfactionConfig{
		Seed: 1, Model: model,
		// n_train 20000, twice the top of the spec's 2000–10000: the ANN
		// reaches ≈ 0.73 with 4000 odors, ≈ 0.87 with 10000 and ≈ 0.91 with
		// 20000 (the task is linearly separable; a converged linear softmax
		// on the clean odors gets 0.96, but Adam on 10⁴ odors does not get there).
		Data: OlfactionData{OlfactionParams: task.OlfactionParams{NOR: 50, NClass: 10, NTrain: 20000, NVal: 1000}},
		// Dropout 0 and a 3e-3 → 1e-4 schedule instead of the paper's 0.5 and
		// constant 1e-3: with 10⁴ odors (not 1M) both learn too slowly.
		ANN: OlfactionANNConfig{ORNTiling: 10, NPN: 50, NKC: 2500, Batch: 32, Epochs: 30, LR: 3e-3, LREnd: 1e-4, Dropout: 0, KCBias: -1},
		// 2 epochs of 20000 odors with lr 1e-3 falling to 1e-5 (without the
		// decay the validation accuracy jumps by ±0.05 from epoch to epoch).
		// Four deviations from the spec's recommendation and the original,
		// each measured (notes of issue 7, session 4): 200 PNs instead of 50
		// (a 50-unit layer trained through a fixed random 50×10 readout passes
		// on less than its input carries: +0.07), 60 steps instead of 30 (the
		// rate code's count noise: +0.04), threshold 5 instead of lava's 1.25
		// (less saturated layers: +0.07), and no |W| projection
		// (abs_from_block 9; the original's is abs_from_block 1: +0.01 with
		// 200 PNs, sparser KCs: ≈ 0.5 instead of ≈ 0.75 spikes per step).
		SNN: OlfactionSNNConfig{ORNTiling: 10, Rate: 0.5, NORN: 0, NPN: 200, NKC: 500, Steps: 60, BurnIn: 10, Batch: 32, Epochs: 2,
			LR: 1e-3, LREnd: 1e-5, Reg: 0, AbsFromBlock: 9, Neuron: olfactionNeuron(), SurrogateScale: 0.3, SurrogateTau: 3.75},
		STDP: OlfactionSTDPConfig{Block: -1, Rule: RuleTrace,
			STDPPairingParams: learn.STDPPairingParams{Eta: 1e-3, TauC: 2, Window: learn.STDPWindowStandard, IgnoreZeros: true, WMin: 0, WMax: 0.15},
			Trace:             OlfactionTraceConfig{Eta: 5e-6, AMinus: 0.4, TauPlus: 4, WMin: -0.15, WMax: 0.15},
			Competitive:       OlfactionCompetitiveConfig{Eta: 1e-4, K: 50, Norm: math.Sqrt(1.0 / 3), Center: true}},
		Homeostasis:           OlfactionHomeostasisConfig{Kind: HomeostasisScaling, TargetRate: 0.1, ScalingGamma: 5e-5, ThresholdGamma: 2e-2, APLGamma: 1e-1},
		ProbeOdors:            probeOdors(model),
		Compare:               model == "stdp",
		RasterSamples:         4,
		CheckpointEveryEpochs: 1,
	}
}

// probeOdors is the default of probe_odors: 2000 for the hybrid's
// experiment (its ablations compare linear separability), none otherwise.
func probeOdors(model string) int {
	if model == "stdp" {
		return 2000
	}
	return 0
}

// olfactionNeuron returns lava-DECOLLE's CUBA-LIF constants with the
// threshold raised from 1.25 to 5 (decays 0.25 and 0.03 kept).
func olfactionNeuron() neuron.CUBALIFParams {
	p := LavaNeuron()
	p.Threshold = 5
	return p
}

func init() {
	experiment.Register(experiment.Experiment{Name: "olfaction-ann", Description: "fly olfaction (Wang et al. 2021): rate network OR→ORN→PN→KC→class, |W| constraints, Adam; 10 classes",
		Defaults: func() experiment.Config { return olfactionDefaults("ann") }})
	experiment.Register(experiment.Experiment{Name: "olfaction-decolle", Description: "fly olfaction: CUBA-LIF spiking OR→ORN→PN→KC network trained with DECOLLE everywhere (control)",
		Defaults: func() experiment.Config { return olfactionDefaults("decolle") }})
	experiment.Register(experiment.Experiment{Name: "olfaction-stdp", Description: "fly olfaction: DECOLLE network with pair-based STDP in the PN→KC expansion block (hybrid), compared with the control and the ANN",
		Defaults: func() experiment.Config { return olfactionDefaults("stdp") }})
}

// sizes returns the spiking network's layer sizes, input first.
func (c *OlfactionConfig) sizes() []int {
	s := []int{c.Data.NOR * c.SNN.ORNTiling}
	if c.SNN.NORN > 0 {
		s = append(s, c.SNN.NORN)
	}
	return append(s, c.SNN.NPN, c.SNN.NKC)
}

// stdpBlock returns the index of the STDP block.
func (c *OlfactionConfig) stdpBlock() int {
	if c.STDP.Block < 0 {
		return len(c.sizes()) - 2
	}
	return c.STDP.Block
}

// Validate reports the first unusable field.
func (c *OlfactionConfig) Validate() error {
	if err := experiment.Guard(c); err != nil {
		return err
	}
	switch c.Model {
	case "ann", "decolle", "stdp":
	default:
		return fmt.Errorf("model %q is unknown: use ann, decolle or stdp", c.Model)
	}
	if err := c.Data.Validate(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if c.CheckpointEveryEpochs < 0 {
		return fmt.Errorf("checkpoint_every_epochs must be >= 0 (0: no checkpoints), got %d", c.CheckpointEveryEpochs)
	}
	a := c.ANN
	if c.Model == "ann" || c.Compare {
		if a.ORNTiling < 1 || a.NPN < 1 || a.NKC < 1 || a.Batch < 2 || a.Epochs < 1 {
			return fmt.Errorf("ann: orn_tiling, n_pn, n_kc and epochs must be at least 1 and batch at least 2")
		}
		if err := experiment.Positive("ann.lr", a.LR); err != nil {
			return err
		}
		if !(a.Dropout >= 0 && a.Dropout < 1) {
			return fmt.Errorf("ann.dropout must be in [0, 1), got %g", a.Dropout)
		}
		if !(a.LREnd >= 0) || a.LREnd > a.LR {
			return fmt.Errorf("ann.lr_end must be in [0, ann.lr] (0 = constant lr), got %g", a.LREnd)
		}
		if a.InitORNPN < 0 || a.InitPNKC < 0 {
			return fmt.Errorf("ann.init_orn_pn and ann.init_pn_kc must be >= 0 (0 = the paper's 4/fan-in)")
		}
	}
	s := c.SNN
	if c.Model != "ann" {
		if s.ORNTiling < 1 || s.NORN < 0 || s.NPN < 1 || s.NKC < 1 || s.Steps < 1 || s.BurnIn < 0 || s.Batch < 1 || s.Epochs < 1 {
			return fmt.Errorf("snn: orn_tiling, n_pn, n_kc, steps, batch and epochs must be at least 1, n_orn and burn_in at least 0")
		}
		if !(s.Rate > 0 && s.Rate <= 1) {
			return fmt.Errorf("snn.rate must be in (0, 1] (spike probability rate·x per step), got %g", s.Rate)
		}
		if !(s.LR >= 0) || !(s.Reg >= 0) {
			return fmt.Errorf("snn.lr and snn.reg must be >= 0")
		}
		if !(s.LREnd >= 0) || s.LREnd > s.LR {
			return fmt.Errorf("snn.lr_end must be in [0, snn.lr] (0 = constant lr), got %g", s.LREnd)
		}
		if s.AbsFromBlock < 0 {
			return fmt.Errorf("snn.abs_from_block must be >= 0, got %d", s.AbsFromBlock)
		}
		if err := experiment.Keyed("snn.neuron", s.Neuron, s.Neuron.Validate()); err != nil {
			return err
		}
		if !(s.SurrogateScale > 0 && s.SurrogateTau > 0) {
			return fmt.Errorf("snn.surrogate_scale and snn.surrogate_tau must be > 0")
		}
	}
	if c.Model == "stdp" {
		nb := len(c.sizes()) - 1
		if b := c.stdpBlock(); b < 1 || b >= nb {
			return fmt.Errorf("stdp.block %d is not usable: the network has blocks 0..%d and the first cannot be the STDP block (−1 = the last)", c.STDP.Block, nb-1)
		}
		if err := c.validateRule(); err != nil {
			return err
		}
	}
	if c.ProbeOdors < 0 {
		return fmt.Errorf("probe_odors must be >= 0 (0: no probe), got %d", c.ProbeOdors)
	}
	if c.RasterSamples < 0 {
		return fmt.Errorf("raster_samples must be >= 0")
	}
	return c.checkDataSizes()
}

// validateRule checks the STDP block's rule and homeostasis (model stdp).
func (c *OlfactionConfig) validateRule() error {
	st := c.STDP
	switch st.Rule {
	case RulePairing, RuleOriginal:
		if err := experiment.Keyed("stdp", st, c.pairingParams().Validate()); err != nil {
			return err
		}
	case RuleTrace:
		if st.Trace.TauMinus == 0 && !(st.Trace.AMinus > 0) {
			return fmt.Errorf("stdp.trace.tau_minus 0 (balanced window) needs stdp.trace.a_minus > 0, got %g", st.Trace.AMinus)
		}
		if err := experiment.Keyed("stdp.trace", st.Trace, st.Trace.params().Validate()); err != nil {
			return err
		}
	case RuleCompetitive:
		p := st.Competitive
		if err := experiment.Keyed("stdp.competitive", p, c.competitiveParams().Validate()); err != nil {
			return err
		}
		if p.K > c.SNN.NKC {
			return fmt.Errorf("stdp.competitive.k (%d) exceeds snn.n_kc (%d)", p.K, c.SNN.NKC)
		}
	default:
		return fmt.Errorf("stdp.rule %q is unknown: use %s, %s, %s or %s", st.Rule, RuleTrace, RulePairing, RuleOriginal, RuleCompetitive)
	}
	h := c.Homeostasis
	switch h.Kind {
	case HomeostasisNone, HomeostasisScaling, HomeostasisThreshold, HomeostasisAPL:
	default:
		return fmt.Errorf("homeostasis.kind %q is unknown: use %s, %s, %s or %s", h.Kind, HomeostasisNone, HomeostasisScaling, HomeostasisThreshold, HomeostasisAPL)
	}
	if !(h.TargetRate >= 0 && h.TargetRate <= 1) {
		return fmt.Errorf("homeostasis.target_rate must be in [0, 1] spikes per step, got %g", h.TargetRate)
	}
	for _, g := range []struct {
		key string
		v   float64
	}{{"scaling_gamma", h.ScalingGamma}, {"threshold_gamma", h.ThresholdGamma}, {"apl_gamma", h.APLGamma}} {
		if !(g.v >= 0) || math.IsInf(g.v, 0) {
			return fmt.Errorf("homeostasis.%s must be a finite number >= 0, got %g", g.key, g.v)
		}
	}
	return nil
}

// pairingParams returns the pairing machine's parameters of the rules
// pairing and original.
func (c *OlfactionConfig) pairingParams() learn.STDPPairingParams {
	p := c.STDP.STDPPairingParams
	if c.STDP.Rule == RuleOriginal {
		p.DepressionRatio, p.IgnoreZeros = originalDepression, true
	}
	return p
}

// competitiveParams returns the competitive rule's parameters.
func (c *OlfactionConfig) competitiveParams() learn.CompetitiveHebbParams {
	p := c.STDP.Competitive
	return learn.CompetitiveHebbParams{Eta: p.Eta, K: p.K, Anti: p.Anti, Norm: p.Norm, Center: p.Center}
}

// checkDataSizes cross-checks the dataset's sizes against the models: every
// class needs a training odor, and the raster's odors come from the first
// validation batch.
func (c *OlfactionConfig) checkDataSizes() error {
	if c.Data.NTrain < c.Data.NClass {
		return fmt.Errorf("data.n_train (%d) is less than data.n_class (%d): some classes would have no training odor", c.Data.NTrain, c.Data.NClass)
	}
	if c.Model != "ann" && c.RasterSamples > 0 {
		if lim := min(c.SNN.Batch, c.Data.NVal); c.RasterSamples > lim {
			return fmt.Errorf("raster_samples (%d) exceeds the odors of the first validation batch (min(snn.batch, data.n_val) = %d)", c.RasterSamples, lim)
		}
	}
	return nil
}

// olfactionCurve is one model's learning curve.
type olfactionCurve struct {
	name     string
	valAcc   []float64 // per epoch
	trainAcc []float64
}

// Run performs the experiment.
func (c *OlfactionConfig) Run(ctx context.Context, env *experiment.Env) (map[string]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Model == "stdp" && (c.STDP.Rule == RulePairing || c.STDP.Rule == RuleOriginal) && c.STDP.Grows() {
		fmt.Fprintf(env.Log, "warning: stdp.window=literal with tau_c=%g > 0 grows with |Δt| (×e^(%d/%g) = %.3g at Δt = %d): weights will explode; the standard window is the decaying one\n",
			c.STDP.TauC, c.SNN.Steps, 2*c.STDP.TauC, math.Exp(float64(c.SNN.Steps)/(2*c.STDP.TauC)), c.SNN.Steps)
	}
	start := time.Now()
	team := sim.NewTeam(env.Threads)
	defer team.Close()
	data, err := c.generate()
	if err != nil {
		return nil, err
	}
	m := map[string]float64{
		"chance_accuracy":   1 / float64(c.Data.NClass),
		"majority_accuracy": task.MajorityAccuracy(data.TrainY, data.ValY, c.Data.NClass),
	}
	counts := task.ClassCounts(data.TrainY, c.Data.NClass)
	lo, hi := counts[0], counts[0]
	for _, v := range counts {
		lo, hi = min(lo, v), max(hi, v)
	}
	m["class_count_min"], m["class_count_max"] = float64(lo), float64(hi)
	fmt.Fprintf(env.Log, "data: %d classes, %d training odors (class counts %d..%d), %d validation odors; chance %.3f, majority class %.3f\n",
		c.Data.NClass, c.Data.NTrain, lo, hi, c.Data.NVal, m["chance_accuracy"], m["majority_accuracy"])
	rec := &olfactionRecord{}
	// The network of the config's model is saved (model.npz), not the comparisons.
	save := func(prefix string) func(*experiment.ModelState) error {
		if prefix != "" {
			return nil
		}
		return func(s *experiment.ModelState) error { return experiment.SaveModel(env, c, s) }
	}
	o := &olfRun{c: c, env: env, m: m, rec: rec}
	_, first, err := o.restore()
	if err != nil {
		return nil, err
	}
	stages := c.stages()
	for si := first; si < len(stages); si++ {
		sg := stages[si]
		k := &stageCk{every: c.CheckpointEveryEpochs}
		if si == first && o.resumeStage != nil {
			k = o.resumeStage
			k.every = c.CheckpointEveryEpochs
		}
		k.write = func(done int, s *experiment.ModelState, cur olfactionCurve, counters []int64) error {
			return o.checkpoint(si, done, s, cur, counters)
		}
		var cur olfactionCurve
		var sm map[string]float64
		if sg.ann {
			cur, sm, err = c.runANN(ctx, env, data, team, save(sg.prefix), k)
		} else {
			cur, sm, err = c.runSNN(ctx, env, data, team, sg.hybrid, rec, save(sg.prefix), k)
		}
		if err != nil {
			return nil, err
		}
		for key, v := range sm {
			m[sg.prefix+key] = v
		}
		o.curves = append(o.curves, cur)
		if si < len(stages)-1 && c.CheckpointEveryEpochs > 0 {
			if err := o.checkpoint(si+1, 0, nil, olfactionCurve{}, nil); err != nil {
				return nil, err
			}
		}
	}
	curves := o.curves
	m["wall_seconds"] = time.Since(start).Seconds()
	if env.Out != nil {
		if err := c.writeOutputs(env, m, curves, rec); err != nil {
			return nil, err
		}
		experiment.RemoveCheckpoint(env)
	}
	return m, nil
}

// runANN trains the rate network and returns its curve and metrics.
// save (nil: none) receives the trained network's state.
// k (nil: none) continues the stage from a checkpoint and writes them.
func (c *OlfactionConfig) runANN(ctx context.Context, env *experiment.Env, d *task.Olfaction, team *sim.Team, save func(*experiment.ModelState) error, k *stageCk) (olfactionCurve, map[string]float64, error) {
	a := c.ANN
	p := c.annParams()
	initSrc := sim.Source(c.Seed, "olfaction-ann-init") // sim.Stream's generator
	net, err := NewFlyANN(p, rand.New(initSrc))
	if err != nil {
		return olfactionCurve{}, nil, err
	}
	net.Threads = env.Threads
	if save != nil && c.InitFrom != "" { // the config's own model only
		md, err := experiment.LoadInitModel(c.InitFrom, "olfaction-ann")
		if err != nil {
			return olfactionCurve{}, nil, err
		}
		if err := loadANN(md, net); err != nil {
			return olfactionCurve{}, nil, fmt.Errorf("init_from: %w", err)
		}
	}
	orderSrc := sim.Source(c.Seed, "olfaction-ann-order")
	order := rand.New(orderSrc)
	rngNames := []string{"rng_init", "rng_order"}
	cur := olfactionCurve{name: "ANN (rate)"}
	xb := make([]float64, a.Batch*c.Data.NOR)
	yb := make([]int, a.Batch)
	pred := make([]int, d.NValid)
	nor := c.Data.NOR
	prog := experiment.ProgressOf(env, int64(a.Epochs), "ANN epochs")
	defer prog.Finish()
	m := map[string]float64{}
	t0, cpu0 := time.Now(), experiment.CPUSeconds()
	nBatch := 0
	for lo := 0; lo+2 <= d.NTrain; lo += a.Batch {
		nBatch++
	}
	sched := lrSchedule(a.LR, a.LREnd, a.Epochs*nBatch)
	first := k.resumeFrom(m, &cur)
	if first > 0 {
		if err := loadANN(k.from, net); err != nil {
			return cur, nil, err
		}
		if err := loadRNGs(k.from, rngNames, initSrc, orderSrc); err != nil {
			return cur, nil, err
		}
	}
	step := first * nBatch
	for e := first; e < a.Epochs; e++ {
		perm := order.Perm(d.NTrain)
		correct, loss, nb := 0, 0.0, 0
		for lo := 0; lo+2 <= d.NTrain; lo += a.Batch {
			hi := min(lo+a.Batch, d.NTrain)
			net.P.LR = sched(step)
			step++
			for k, s := range perm[lo:hi] {
				copy(xb[k*nor:(k+1)*nor], d.TrainX[s*nor:(s+1)*nor])
				yb[k] = d.TrainY[s]
			}
			l, cr := net.TrainBatch(xb[:(hi-lo)*nor], yb[:hi-lo])
			if math.IsNaN(l) || math.IsInf(l, 0) {
				return cur, nil, fmt.Errorf("ann diverged in epoch %d (loss %g): lower ann.lr", e+1, l)
			}
			correct += cr
			loss += l
			nb++
		}
		net.Predict(d.ValX, pred)
		acc := accuracy(pred, d.ValY)
		cur.valAcc = append(cur.valAcc, acc)
		cur.trainAcc = append(cur.trainAcc, float64(correct)/float64(d.NTrain))
		m[fmt.Sprintf("val_accuracy_epoch_%d", e+1)] = acc
		if (e+1)%10 == 0 || e == a.Epochs-1 {
			fmt.Fprintf(env.Log, "ANN epoch %d: loss %.4f, train %.4f (during the epoch), validation %.4f\n", e+1, loss/float64(nb), cur.trainAcc[e], acc)
		}
		prog.Set(int64(e + 1))
		if k.due(e+1, a.Epochs) {
			st := annState(net)
			if err := saveRNGs(st, rngNames, initSrc, orderSrc); err != nil {
				return cur, nil, err
			}
			if err := k.write(e+1, st, cur, nil); err != nil {
				return cur, nil, err
			}
		}
		if err := ctx.Err(); err != nil {
			return cur, nil, err
		}
	}
	m["val_accuracy"] = cur.valAcc[len(cur.valAcc)-1]
	m["train_accuracy"] = cur.trainAcc[len(cur.trainAcc)-1]
	m["train_seconds"] = time.Since(t0).Seconds()
	m["train_cpu_seconds"] = experiment.CPUSeconds() - cpu0
	m["kc_active_fraction"] = c.annKCActive(net, d, pred)
	if save != nil {
		st := annState(net)
		st.Progress = float64(a.Epochs)
		if err := save(st); err != nil {
			return cur, nil, err
		}
	}
	return cur, m, nil
}

// annParams returns the rate network's parameters (the initial weight
// scales default to 4/fan-in).
func (c *OlfactionConfig) annParams() FlyANNParams {
	a := c.ANN
	norn := c.Data.NOR * a.ORNTiling
	p := FlyANNParams{NOR: c.Data.NOR, Tile: a.ORNTiling, NPN: a.NPN, NKC: a.NKC, Classes: c.Data.NClass, Batch: a.Batch,
		Dropout: a.Dropout, KCBias: a.KCBias, InitORNPN: a.InitORNPN, InitPNKC: a.InitPNKC,
		LR: a.LR, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, BNMomentum: 0.1, BNEps: 1e-5}
	if p.InitORNPN == 0 {
		p.InitORNPN = 4 / float64(norn)
	}
	if p.InitPNKC == 0 {
		p.InitPNKC = 4 / float64(a.NPN)
	}
	return p
}

// annKCActive returns the fraction of KCs active per validation odor,
// predicting in batches into pred (len NValid).
func (c *OlfactionConfig) annKCActive(net *FlyANN, d *task.Olfaction, pred []int) float64 {
	a, nor := c.ANN, c.Data.NOR
	kcAct := 0.0
	for lo := 0; lo < d.NValid; lo += a.Batch {
		hi := min(lo+a.Batch, d.NValid)
		net.Predict(d.ValX[lo*nor:hi*nor], pred[lo:hi])
		act := net.KCActivity()
		for _, v := range act[:(hi-lo)*a.NKC] {
			if v > 0 {
				kcAct++
			}
		}
	}
	return kcAct / float64(d.NValid*a.NKC)
}

// lrSchedule returns the learning rate of update k of n: constant lr if
// end is 0, otherwise falling geometrically from lr (k = 0) to end (k = n−1).
func lrSchedule(lr, end float64, n int) func(k int) float64 {
	if end == 0 || n < 2 {
		return func(int) float64 { return lr }
	}
	r := math.Log(end / lr)
	return func(k int) float64 { return lr * math.Exp(r*float64(k)/float64(n-1)) }
}

func accuracy(pred, y []int) float64 {
	hit := 0
	for i, v := range pred {
		if v == y[i] {
			hit++
		}
	}
	return float64(hit) / float64(len(y))
}
