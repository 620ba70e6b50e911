package task

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// TCATemplate is one feature of the spike-pattern counting task: its
// spikes, with times (s) relative to its first spike (which is at 0), the
// afferent of each spike, and the reward the feature adds to a trial's
// label.
type TCATemplate struct {
	Times  []float64 // spike times (s) after the template's first spike, ascending
	Syn    []int32   // afferent of each spike
	Reward int       // reward added to the label of a trial that holds the feature
}

// TCAGenOptions configure the TCA trial generator. The defaults
// (DefaultTCAGen) are the statistics measured from the public 50-trial
// validation file (issue 17): 10-s trials of 500 afferents, 9 templates
// of ≈ 1 s (gamma process of order 5 at 1.29 Hz per afferent) with rewards
// 5, 0, 2, 0, 4, 0, 3, 6, 1, 1–5 features per trial, background Poisson
// spikes at 0.372 Hz of which 16.3 % are removed inside feature windows.
type TCAGenOptions struct {
	T         float64 // trial length (s)
	Dt        float64 // time grid (s) of the onsets and background spikes
	Afferents int     // input afferents (synapses)
	// Templates are the features embedded in the trials; nil draws fresh
	// ones (GenerateTCATemplates) with Rewards, TemplateRate, GammaOrder
	// and TemplateLength.
	Templates      []TCATemplate
	Rewards        []int   // rewards of fresh templates, one per template
	TemplateRate   float64 // spike rate (Hz) per afferent in a fresh template
	GammaOrder     int     // order of the gamma renewal process of fresh templates (1 = Poisson)
	TemplateLength float64 // feature window (s): fresh templates' length; every template must fit in it
	// CountProbs, when not nil, are the probabilities of 0, 1, 2, …
	// spikes per afferent in a fresh template (normalised): each
	// afferent's count is drawn from them and its times from the gamma
	// process conditioned on that count. The file's 1.1/69/29/0.7 % are
	// more regular than any stationary gamma process of mean 1.29 in 1 s
	// (order 5 gives 8/57/32/2.4 %), hence the conditioning; nil leaves
	// the counts to the process.
	CountProbs []float64
	// KWeights are the relative frequencies of K = 1, 2, … features per
	// trial (the file: 5, 1, 18, 22, 4 of 50 trials for K = 1…5).
	KWeights      []float64
	FirstOnsetMax float64 // the first onset is uniform on the Dt grid in [0, FirstOnsetMax] (s)
	// Each further onset is the previous one + TemplateLength + a silence
	// uniform in [SilenceMin, SilenceMax] (s), rounded to the Dt grid;
	// draws whose last onset exceeds LastOnsetMax (s) are redrawn.
	SilenceMin, SilenceMax float64
	LastOnsetMax           float64
	BackgroundRate         float64 // background Poisson rate (Hz) per afferent, flat in time, on the Dt grid
	BackgroundRemoved      float64 // fraction of background spikes removed (each independently) inside feature windows
	// MaxLabel caps the label (the sum of the trial's rewards): sums ≥
	// MaxLabel become MaxLabel, so the classes are 0…MaxLabel (the
	// reference network's 22 outputs: MaxLabel 21).
	MaxLabel int
}

// DefaultTCAGen returns the options measured from the public validation
// file (without templates: set Templates to the file's, LoadTCATemplates,
// or leave nil for fresh ones).
func DefaultTCAGen() TCAGenOptions {
	return TCAGenOptions{
		T: 10, Dt: 0.001, Afferents: 500,
		Rewards: []int{5, 0, 2, 0, 4, 0, 3, 6, 1}, TemplateRate: 1.29, GammaOrder: 5, TemplateLength: 1,
		CountProbs: []float64{0.011, 0.69, 0.29, 0.007},
		KWeights:   []float64{5, 1, 18, 22, 4}, FirstOnsetMax: 0.01, SilenceMin: 0.13, SilenceMax: 3.06, LastOnsetMax: 8.95,
		BackgroundRate: 0.372, BackgroundRemoved: 0.163, MaxLabel: 21,
	}
}

// Validate reports the first unusable option.
func (o *TCAGenOptions) Validate() error {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	for _, f := range []struct {
		n string
		v float64
	}{{"T", o.T}, {"Dt", o.Dt}, {"TemplateLength", o.TemplateLength}} {
		if !(f.v > 0) || !finite(f.v) {
			return fmt.Errorf("tca generator: %s must be > 0 and finite, got %g", f.n, f.v)
		}
	}
	switch {
	case o.Afferents < 1:
		return fmt.Errorf("tca generator: Afferents must be at least 1, got %d", o.Afferents)
	case !(o.BackgroundRate >= 0) || !finite(o.BackgroundRate):
		return fmt.Errorf("tca generator: BackgroundRate must be >= 0 and finite, got %g", o.BackgroundRate)
	case !(o.BackgroundRemoved >= 0 && o.BackgroundRemoved <= 1):
		return fmt.Errorf("tca generator: BackgroundRemoved must be in [0, 1], got %g", o.BackgroundRemoved)
	case !(o.FirstOnsetMax >= 0) || !(o.SilenceMin >= 0) || !(o.SilenceMax >= o.SilenceMin) || !finite(o.SilenceMax):
		return fmt.Errorf("tca generator: need 0 ≤ FirstOnsetMax, 0 ≤ SilenceMin ≤ SilenceMax < ∞, got %g, %g, %g", o.FirstOnsetMax, o.SilenceMin, o.SilenceMax)
	case !(o.LastOnsetMax+o.TemplateLength <= o.T):
		return fmt.Errorf("tca generator: LastOnsetMax + TemplateLength (%g s) must fit in T (%g s)", o.LastOnsetMax+o.TemplateLength, o.T)
	case o.MaxLabel < 0:
		return fmt.Errorf("tca generator: MaxLabel must be >= 0, got %d", o.MaxLabel)
	case len(o.KWeights) < 1:
		return fmt.Errorf("tca generator: KWeights is empty")
	}
	sum := 0.0
	for k, w := range o.KWeights {
		if !(w >= 0) || !finite(w) {
			return fmt.Errorf("tca generator: KWeights[%d] = %g must be >= 0", k, w)
		}
		sum += w
	}
	if !(sum > 0) {
		return fmt.Errorf("tca generator: KWeights sum to %g, want > 0", sum)
	}
	// The largest K with weight must fit with the shortest silences.
	for k := len(o.KWeights); k >= 1; k-- {
		if o.KWeights[k-1] > 0 {
			if need := float64(k-1) * (o.TemplateLength + o.SilenceMin); need > o.LastOnsetMax+1e-9 {
				return fmt.Errorf("tca generator: %d features need their last onset at %g s at least, beyond LastOnsetMax %g s", k, need, o.LastOnsetMax)
			}
			break
		}
	}
	if o.Templates == nil {
		if len(o.Rewards) < 1 {
			return fmt.Errorf("tca generator: no Templates and no Rewards for fresh ones")
		}
		if !(o.TemplateRate > 0) || !finite(o.TemplateRate) || o.GammaOrder < 1 {
			return fmt.Errorf("tca generator: fresh templates need TemplateRate > 0 (got %g) and GammaOrder ≥ 1 (got %d)", o.TemplateRate, o.GammaOrder)
		}
		for k, r := range o.Rewards {
			if r < 0 {
				return fmt.Errorf("tca generator: Rewards[%d] = %d must be >= 0", k, r)
			}
		}
		if o.CountProbs != nil {
			sum := 0.0
			for c, p := range o.CountProbs {
				if !(p >= 0) || !finite(p) || (p > 0 && c > 50) {
					return fmt.Errorf("tca generator: CountProbs[%d] = %g must be >= 0 (and 0 beyond 50 spikes)", c, p)
				}
				sum += p
			}
			if !(sum > 0) {
				return fmt.Errorf("tca generator: CountProbs sum to %g, want > 0", sum)
			}
		}
		return nil
	}
	if len(o.Templates) < 1 {
		return fmt.Errorf("tca generator: Templates is empty")
	}
	for k, tp := range o.Templates {
		if tp.Reward < 0 || len(tp.Times) != len(tp.Syn) {
			return fmt.Errorf("tca generator: template %d: reward %d < 0 or %d times for %d afferents", k+1, tp.Reward, len(tp.Times), len(tp.Syn))
		}
		for i, t := range tp.Times {
			if !(t >= 0 && t < o.TemplateLength) || tp.Syn[i] < 0 || int(tp.Syn[i]) >= o.Afferents {
				return fmt.Errorf("tca generator: template %d spike %d at %g s on afferent %d outside [0, %g s) × 0..%d",
					k+1, i+1, t, tp.Syn[i], o.TemplateLength, o.Afferents-1)
			}
		}
	}
	return nil
}

// rewards returns the rewards of the templates in use.
func (o *TCAGenOptions) rewards() []int {
	if o.Templates == nil {
		return o.Rewards
	}
	r := make([]int, len(o.Templates))
	for k, tp := range o.Templates {
		r[k] = tp.Reward
	}
	return r
}

// GenerateTCATemplates draws one fresh template per entry of o.Rewards:
// on every afferent a stationary gamma renewal process of order
// o.GammaOrder and rate o.TemplateRate (started 10 mean intervals before
// the window, so the window sees it in equilibrium), kept in
// [0, o.TemplateLength) — with o.CountProbs, redrawn until its count in
// the window is the one drawn for the afferent — and the template shifted
// so that its first spike is at 0.
func GenerateTCATemplates(o TCAGenOptions, rng *rand.Rand) ([]TCATemplate, error) {
	o.Templates = nil
	if err := o.Validate(); err != nil {
		return nil, err
	}
	cTotal := 0.0
	for _, p := range o.CountProbs {
		cTotal += p
	}
	out := make([]TCATemplate, len(o.Rewards))
	scale := 1 / (float64(o.GammaOrder) * o.TemplateRate) // mean of each exponential stage (s)
	var w []float64                                       // one afferent's spikes in the window
	window := func() {
		w = w[:0]
		for t := -10 / o.TemplateRate; ; {
			for s := 0; s < o.GammaOrder; s++ {
				t += rng.ExpFloat64() * scale
			}
			if t >= o.TemplateLength {
				return
			}
			if t >= 0 {
				w = append(w, t)
			}
		}
	}
	for k, r := range o.Rewards {
		tr := TCATrial{}
		for a := 0; a < o.Afferents; a++ {
			window()
			if o.CountProbs != nil {
				u, want := rng.Float64()*cTotal, len(o.CountProbs)-1
				for c, p := range o.CountProbs {
					if u < p {
						want = c
						break
					}
					u -= p
				}
				for try := 0; len(w) != want; try++ {
					if try == 1000000 {
						return nil, fmt.Errorf("tca generator: the gamma process (rate %g Hz, order %d) gives %d spikes in %g s too rarely for CountProbs",
							o.TemplateRate, o.GammaOrder, want, o.TemplateLength)
					}
					window()
				}
			}
			for _, t := range w {
				tr.Times = append(tr.Times, t)
				tr.Syn = append(tr.Syn, int32(a))
			}
		}
		sort.Sort(bySpikeTime{&tr})
		if len(tr.Times) > 0 {
			t0 := tr.Times[0]
			for i := range tr.Times {
				tr.Times[i] -= t0
			}
		}
		out[k] = TCATemplate{Times: tr.Times, Syn: tr.Syn, Reward: r}
	}
	return out, nil
}

// LoadTCATemplates reads the feature templates of a TCA MAT-file
// (variable "pattern_data": one row per template, spike-time vectors per
// afferent, reward).
func LoadTCATemplates(path string) ([]TCATemplate, error) {
	vars, err := LoadMAT(path)
	if err != nil {
		return nil, err
	}
	tp, err := TCATemplates(vars)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tp, nil
}

// TCATemplates extracts the feature templates from the variables of a TCA
// MAT-file: "pattern_data" holds one row per template, its first column
// one spike-time vector per afferent (stored at absolute times) and its
// second the reward. Each template's times are shifted so that its first
// spike is at 0.
func TCATemplates(vars map[string]*MatArray) ([]TCATemplate, error) {
	p := vars["pattern_data"]
	if p == nil || p.Class != "cell" || len(p.Dims) != 2 || p.Dims[1] < 2 {
		return nil, fmt.Errorf(`no cell array "pattern_data" with at least 2 columns (spike times, reward)`)
	}
	out := make([]TCATemplate, p.Dims[0])
	for r := range out {
		syn, rew := p.Cell(r, 0), p.Cell(r, 1)
		if syn.Class != "cell" || !rew.Supported || len(rew.Data) != 1 {
			return nil, fmt.Errorf("template %d: bad spike times or reward", r+1)
		}
		if v := rew.Data[0]; v < 0 || v != math.Trunc(v) || v > 1e6 {
			return nil, fmt.Errorf("template %d: reward %v is not a count", r+1, v)
		}
		var tr TCATrial
		for k, c := range syn.Cells {
			for _, t := range c.Data {
				if math.IsNaN(t) || math.IsInf(t, 0) {
					return nil, fmt.Errorf("template %d afferent %d: spike time %v", r+1, k+1, t)
				}
				tr.Times = append(tr.Times, t)
				tr.Syn = append(tr.Syn, int32(k))
			}
		}
		if len(tr.Times) == 0 {
			return nil, fmt.Errorf("template %d has no spikes", r+1)
		}
		sort.Sort(bySpikeTime{&tr})
		t0 := tr.Times[0]
		for i := range tr.Times {
			tr.Times[i] -= t0
		}
		out[r] = TCATemplate{Times: tr.Times, Syn: tr.Syn, Reward: int(rew.Data[0])}
	}
	return out, nil
}

// TCAGenTrial is a generated trial with what it was made of: the
// templates embedded (indices into the options' templates, in time
// order), their onsets (s; a feature's first spike is at its onset) and
// the reward sum before the MaxLabel cap.
type TCAGenTrial struct {
	TCATrial
	Features  []int
	Onsets    []float64
	RewardSum int
}

// GenerateTCA draws n trials from rng with the options o (templates: o's,
// or fresh ones drawn first from rng when o.Templates is nil). Each trial:
// K features drawn by KWeights, identities uniform with replacement,
// onsets by the onset rules, every template spike copied at onset + its
// time; background Poisson spikes on the Dt grid, each removed with
// probability BackgroundRemoved inside a feature window [onset, onset +
// TemplateLength); label = min(Σ rewards, MaxLabel).
func GenerateTCA(o TCAGenOptions, n int, rng *rand.Rand) ([]TCAGenTrial, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, fmt.Errorf("tca generator: %d trials", n)
	}
	if o.Templates == nil {
		tp, err := GenerateTCATemplates(o, rng)
		if err != nil {
			return nil, err
		}
		o.Templates = tp
	}
	kTotal := 0.0
	for _, w := range o.KWeights {
		kTotal += w
	}
	out := make([]TCAGenTrial, n)
	for i := range out {
		// K by the weights.
		u, K := rng.Float64()*kTotal, len(o.KWeights)
		for k, w := range o.KWeights {
			if u < w {
				K = k + 1
				break
			}
			u -= w
		}
		onsets, err := o.drawOnsets(K, rng)
		if err != nil {
			return nil, err
		}
		g := TCAGenTrial{Onsets: onsets, Features: make([]int, K)}
		for k := range g.Features {
			f := rng.IntN(len(o.Templates))
			g.Features[k] = f
			g.RewardSum += o.Templates[f].Reward
			tp := o.Templates[f]
			for s, t := range tp.Times {
				g.Times = append(g.Times, onsets[k]+t)
				g.Syn = append(g.Syn, tp.Syn[s])
			}
		}
		o.background(&g, rng)
		sort.Sort(bySpikeTime{&g.TCATrial})
		g.Label = min(g.RewardSum, o.MaxLabel)
		out[i] = g
	}
	return out, nil
}

// drawOnsets draws the K onsets (s) on the Dt grid: the first uniform in
// [0, FirstOnsetMax], each next the previous + TemplateLength + a uniform
// silence, redrawn until the last is ≤ LastOnsetMax.
func (o *TCAGenOptions) drawOnsets(K int, rng *rand.Rand) ([]float64, error) {
	grid := func(t float64) float64 { return math.Round(t/o.Dt) * o.Dt }
	on := make([]float64, K)
	for try := 0; try < 100000; try++ {
		on[0] = o.Dt * float64(rng.IntN(int(math.Floor(o.FirstOnsetMax/o.Dt+1e-9))+1))
		for k := 1; k < K; k++ {
			on[k] = grid(on[k-1] + o.TemplateLength + o.SilenceMin + rng.Float64()*(o.SilenceMax-o.SilenceMin))
		}
		if on[K-1] <= o.LastOnsetMax+1e-9 {
			return on, nil
		}
	}
	return nil, fmt.Errorf("tca generator: no onsets of %d features within LastOnsetMax %g s after 100000 draws", K, o.LastOnsetMax)
}

// background adds the background spikes of every afferent to g: a
// Poisson process of BackgroundRate on [0, T) put on the Dt grid (at most
// one spike per afferent and step), each spike inside a feature window
// removed with probability BackgroundRemoved.
func (o *TCAGenOptions) background(g *TCAGenTrial, rng *rand.Rand) {
	if o.BackgroundRate == 0 {
		return
	}
	steps := int(math.Round(o.T / o.Dt))
	for a := 0; a < o.Afferents; a++ {
		last := -1
		for t := rng.ExpFloat64() / o.BackgroundRate; ; t += rng.ExpFloat64() / o.BackgroundRate {
			b := int(t / o.Dt)
			if b >= steps {
				break
			}
			if b == last {
				continue
			}
			last = b
			tb := float64(b) * o.Dt
			if o.inWindow(g.Onsets, tb) && rng.Float64() < o.BackgroundRemoved {
				continue
			}
			g.Times = append(g.Times, tb)
			g.Syn = append(g.Syn, int32(a))
		}
	}
}

// inWindow reports whether t lies in a feature window [onset, onset + TemplateLength).
func (o *TCAGenOptions) inWindow(onsets []float64, t float64) bool {
	for _, s := range onsets {
		if t >= s && t < s+o.TemplateLength {
			return true
		}
	}
	return false
}

// TCALabelOdds returns, under the generator's distributions (o.KWeights,
// identities uniform over the templates' rewards, the MaxLabel cap), the
// label distribution P(y) and the distributions P(y | f) given that the
// first feature is template f.
func (o *TCAGenOptions) TCALabelOdds() (py []float64, pyf [][]float64, err error) {
	if err := o.Validate(); err != nil {
		return nil, nil, err
	}
	rw := o.rewards()
	nT := float64(len(rw))
	// sums[m] = distribution of the sum of m i.i.d. uniform rewards.
	maxR := 0
	for _, r := range rw {
		maxR = max(maxR, r)
	}
	K := len(o.KWeights)
	sums := make([][]float64, K)
	sums[0] = []float64{1}
	for m := 1; m < K; m++ {
		s := make([]float64, len(sums[m-1])+maxR)
		for v, p := range sums[m-1] {
			for _, r := range rw {
				s[v+r] += p / nT
			}
		}
		sums[m] = s
	}
	kTotal := 0.0
	for _, w := range o.KWeights {
		kTotal += w
	}
	py = make([]float64, o.MaxLabel+1)
	pyf = make([][]float64, len(rw))
	for f, r := range rw {
		d := make([]float64, o.MaxLabel+1)
		for k, w := range o.KWeights {
			for v, p := range sums[k] { // k more features after the first
				d[min(v+r, o.MaxLabel)] += w / kTotal * p
			}
		}
		pyf[f] = d
		for y, p := range d {
			py[y] += p / nT
		}
	}
	return py, pyf, nil
}

// TCABayesFirstFeature returns the accuracy of the best guess of the
// label from the identity of the first feature alone (Σ_f P(f) max_y
// P(y | f)) and from nothing (max_y P(y), the majority class), under the
// generator's distributions; a network that beats the first figure on
// fresh trials uses more than one feature.
func (o *TCAGenOptions) TCABayesFirstFeature() (bayes, majority float64, err error) {
	py, pyf, err := o.TCALabelOdds()
	if err != nil {
		return 0, 0, err
	}
	for _, d := range pyf {
		m := 0.0
		for _, p := range d {
			m = max(m, p)
		}
		bayes += m / float64(len(pyf))
	}
	for _, p := range py {
		majority = max(majority, p)
	}
	return bayes, majority, nil
}
