package task

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tcaFilePath returns the public TCA file in ../shared/data/shifting next
// to the module root, or skips the test when it is absent.
func tcaFilePath(t *testing.T) string {
	t.Helper()
	p := filepath.Join("..", "..", "shared", "data", "shifting", TCAFile)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("TCA data absent: %v", err)
	}
	return p
}

// within fails the test when got is not within tol of want.
func within(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.4g, want %.4g ± %.3g", what, got, want, tol)
	} else {
		t.Logf("%s = %.4g (want %.4g ± %.3g)", what, got, want, tol)
	}
}

// The generator with fresh templates reproduces the statistics measured
// from the public validation file (issue 17), within sampling error:
// ≈ 645 spikes per template (the file: 636–667), per-afferent spike counts
// 0/1/2/3 in 1.1/69/29/0.7 % (1.29 Hz), K = 1…5 in 5/1/18/22/4 of 50,
// first onset ≤ 10 ms, gaps between onsets 1.13–4.06 s, last onset ≤ 8.95
// s, background 0.372 Hz outside and 16.3 % fewer inside feature windows,
// labels the capped reward sums. The tolerances are ≈ 4 standard errors
// of the n draws.
func TestTCAGeneratorStatistics(t *testing.T) {
	o := DefaultTCAGen()
	rng := rand.New(rand.NewPCG(7, 17))
	tp, err := GenerateTCATemplates(o, rng)
	if err != nil {
		t.Fatal(err)
	}
	// Templates: spike counts per afferent, pooled over the 9 templates (4500 afferents).
	var hist [5]float64
	total := 0
	for k, x := range tp {
		if x.Reward != o.Rewards[k] || x.Times[0] != 0 || x.Times[len(x.Times)-1] >= o.TemplateLength {
			t.Fatalf("template %d: reward %d, first spike %g, last %g", k, x.Reward, x.Times[0], x.Times[len(x.Times)-1])
		}
		within(t, "template spikes", float64(len(x.Times)), 645, 4*math.Sqrt(0.25*500)+12)
		per := make([]int, o.Afferents)
		for _, s := range x.Syn {
			per[s]++
		}
		for _, c := range per {
			hist[min(c, 4)]++
		}
		total += len(x.Times)
	}
	n := float64(len(tp) * o.Afferents)
	for c, want := range []float64{0.011, 0.69, 0.29, 0.007, 0} {
		within(t, fmt.Sprintf("afferents with %d template spikes", c), hist[c]/n, want, 4*math.Sqrt(want*(1-want)/n)+0.002)
	}
	within(t, "template rate (Hz)", float64(total)/n/o.TemplateLength, 1.29, 0.02)

	o.Templates = tp
	const trials = 1000
	gen, err := GenerateTCA(o, trials, rng)
	if err != nil {
		t.Fatal(err)
	}
	var kCount [6]float64
	var bgOut, bgIn, tOut, tIn float64 // background spikes and afferent-seconds outside / inside feature windows
	labels := map[int]int{}
	for _, g := range gen {
		K := len(g.Features)
		kCount[K]++
		if g.Onsets[0] < 0 || g.Onsets[0] > o.FirstOnsetMax+1e-12 || g.Onsets[K-1] > o.LastOnsetMax+1e-12 {
			t.Fatalf("onsets %v outside the rules", g.Onsets)
		}
		sum := 0
		for k, f := range g.Features {
			sum += tp[f].Reward
			if k > 0 {
				if gap := g.Onsets[k] - g.Onsets[k-1]; gap < 1+o.SilenceMin-1e-9 || gap > 1+o.SilenceMax+1e-9 {
					t.Fatalf("onset gap %g s outside [1.13, 4.06]", gap)
				}
			}
		}
		if g.RewardSum != sum || g.Label != min(sum, 21) {
			t.Fatalf("reward sum %d label %d, want %d and %d", g.RewardSum, g.Label, sum, min(sum, 21))
		}
		labels[g.Label]++
		// Background spikes lie on the 1-ms grid; feature spikes (almost) never do.
		for _, x := range g.Times {
			if math.Abs(x-math.Round(x/o.Dt)*o.Dt) > 1e-12 {
				continue
			}
			if o.inWindow(g.Onsets, x) {
				bgIn++
			} else {
				bgOut++
			}
		}
		win := float64(K) * o.TemplateLength
		tIn += win * float64(o.Afferents)
		tOut += (o.T - win) * float64(o.Afferents)
	}
	for K, want := range []float64{5, 1, 18, 22, 4} {
		p := want / 50
		within(t, fmt.Sprintf("fraction of trials with K = %d", K+1), kCount[K+1]/trials, p, 4*math.Sqrt(p*(1-p)/trials))
	}
	rOut := bgOut / tOut
	within(t, "background rate outside windows (Hz)", rOut, 0.372, 4*math.Sqrt(0.372/tOut))
	within(t, "background removed inside windows", 1-bgIn/tIn/rOut, 0.163, 4*math.Sqrt(1/bgIn)+0.005)
	for y := range labels {
		if y < 0 || y > 21 {
			t.Errorf("label %d outside 0..21", y)
		}
	}
}

// The public file's 9 templates load with their rewards, first spike at 0
// and 636–667 spikes within 1 s, and GenerateTCA embeds every spike of
// each drawn template exactly at onset + its time.
func TestTCATemplatesEmbeddedExactly(t *testing.T) {
	path := tcaFilePath(t)
	tp, err := LoadTCATemplates(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(tp) != 9 {
		t.Fatalf("%d templates, want 9", len(tp))
	}
	for k, want := range []int{5, 0, 2, 0, 4, 0, 3, 6, 1} {
		if tp[k].Reward != want || tp[k].Times[0] != 0 || tp[k].Times[len(tp[k].Times)-1] >= 1 {
			t.Errorf("template %d: reward %d (want %d), span [%g, %g] s", k+1, tp[k].Reward, want, tp[k].Times[0], tp[k].Times[len(tp[k].Times)-1])
		}
		if n := len(tp[k].Times); n < 636 || n > 667 {
			t.Errorf("template %d has %d spikes, want 636–667", k+1, n)
		}
	}
	o := DefaultTCAGen()
	o.Templates = tp
	gen, err := GenerateTCA(o, 20, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	type spike struct {
		t float64
		s int32
	}
	for i, g := range gen {
		have := map[spike]bool{}
		for m, x := range g.Times {
			have[spike{x, g.Syn[m]}] = true
		}
		for k, f := range g.Features {
			for m, x := range tp[f].Times {
				if !have[spike{g.Onsets[k] + x, tp[f].Syn[m]}] {
					t.Fatalf("trial %d feature %d (template %d): spike %d missing", i, k, f, m)
				}
			}
		}
	}
}

// The Bayes accuracy from the first feature's identity alone, computed in
// closed form from the default distributions, is ≈ 16.4 % (issue 17) and
// matches the frequency over generated labels; a two-template, K = 2 case
// is checked by hand.
func TestTCABayesFirstFeature(t *testing.T) {
	o := DefaultTCAGen()
	bayes, maj, err := o.TCABayesFirstFeature()
	if err != nil {
		t.Fatal(err)
	}
	within(t, "Bayes accuracy from the first feature", bayes, 0.164, 0.003)
	within(t, "majority accuracy", maj, 0.092, 0.02)
	// Hand case: rewards {0, 1}, K = 2 always: label = r1 + r2; given the
	// first feature, the other is 0 or 1 with 1/2 each: Bayes 1/2; P(y) =
	// 1/4, 1/2, 1/4: majority 1/2. With MaxLabel 0 every label is 0: 1.
	h := DefaultTCAGen()
	h.Rewards, h.KWeights = []int{0, 1}, []float64{0, 1}
	if b, m, err := h.TCABayesFirstFeature(); err != nil || math.Abs(b-0.5) > 1e-12 || math.Abs(m-0.5) > 1e-12 {
		t.Errorf("hand case: Bayes %g majority %g (%v), want 0.5 and 0.5", b, m, err)
	}
	h.MaxLabel = 0
	if b, m, err := h.TCABayesFirstFeature(); err != nil || b != 1 || m != 1 {
		t.Errorf("MaxLabel 0: Bayes %g majority %g (%v), want 1 and 1", b, m, err)
	}
	// Monte Carlo: the predicted P(y) against generated labels (no background needed).
	o.BackgroundRate = 0
	gen, err := GenerateTCA(o, 4000, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	py, _, _ := o.TCALabelOdds()
	freq := make([]float64, len(py))
	for _, g := range gen {
		freq[g.Label] += 1.0 / 4000
	}
	for y, p := range py {
		within(t, fmt.Sprintf("P(label = %d)", y), freq[y], p, 4*math.Sqrt(p*(1-p)/4000)+1e-9)
	}
}

// Bad options are refused with an error naming the option.
func TestTCAGeneratorRejects(t *testing.T) {
	for name, f := range map[string]func(*TCAGenOptions){
		"T":                 func(o *TCAGenOptions) { o.T = math.NaN() },
		"Afferents":         func(o *TCAGenOptions) { o.Afferents = 0 },
		"BackgroundRemoved": func(o *TCAGenOptions) { o.BackgroundRemoved = 2 },
		"LastOnsetMax":      func(o *TCAGenOptions) { o.LastOnsetMax = 9.5 },
		"KWeights":          func(o *TCAGenOptions) { o.KWeights = []float64{0, 0} },
		"features need":     func(o *TCAGenOptions) { o.KWeights = []float64{0, 0, 0, 0, 0, 0, 0, 0, 1} },
		"GammaOrder":        func(o *TCAGenOptions) { o.GammaOrder = 0 },
		"template 1":        func(o *TCAGenOptions) { o.Templates = []TCATemplate{{Times: []float64{1.5}, Syn: []int32{0}}} },
	} {
		o := DefaultTCAGen()
		f(&o)
		_, err := GenerateTCA(o, 1, rand.New(rand.NewPCG(1, 1)))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming %s", name, err, name)
		}
	}
}

// tcaTemplateMAT builds a MAT-file whose "pattern_data" is one template
// (afferent spike vectors a and b, reward r).
func tcaTemplateMAT(a, b []float64, r float64) []byte {
	vec := func(v ...float64) []byte {
		return matMatrix("", 6, []int32{1, int32(len(v))}, matElem(miDOUBLE, f64s(v...)))
	}
	syn := matMatrix("", 1, []int32{1, 2}, vec(a...), vec(b...))
	return matFile(true, matMatrix("pattern_data", 1, []int32{1, 2}, syn, vec(r)))
}

// A template read from cells is time-ordered, shifted to its first spike
// and keeps its reward.
func TestTCATemplatesFromCells(t *testing.T) {
	vars, err := ReadMAT(bytes.NewReader(tcaTemplateMAT([]float64{2.5, 2.1}, []float64{2.3}, 4)))
	if err != nil {
		t.Fatal(err)
	}
	tp, err := TCATemplates(vars)
	if err != nil {
		t.Fatal(err)
	}
	if len(tp) != 1 || tp[0].Reward != 4 || len(tp[0].Times) != 3 || tp[0].Times[0] != 0 ||
		math.Abs(tp[0].Times[1]-0.2) > 1e-12 || math.Abs(tp[0].Times[2]-0.4) > 1e-12 || tp[0].Syn[1] != 1 {
		t.Fatalf("templates %+v", tp)
	}
	bad, _ := ReadMAT(bytes.NewReader(tcaTemplateMAT([]float64{1}, nil, -1)))
	if _, err := TCATemplates(bad); err == nil || !strings.Contains(err.Error(), "reward") {
		t.Errorf("negative reward: %v", err)
	}
}

// Whatever the bytes, TCATemplates returns an error or templates that
// start at 0, ascend and have one afferent per spike.
func FuzzTCATemplates(f *testing.F) {
	f.Add(tcaTemplateMAT([]float64{2.5, 2.1}, []float64{2.3}, 4))
	f.Fuzz(func(t *testing.T, b []byte) {
		vars, err := ReadMAT(bytes.NewReader(b))
		if err != nil {
			return
		}
		tp, err := TCATemplates(vars)
		if err != nil {
			return
		}
		for _, x := range tp {
			if len(x.Times) == 0 || x.Times[0] != 0 || len(x.Syn) != len(x.Times) || x.Reward < 0 {
				t.Fatalf("template %+v", x)
			}
			for i := 1; i < len(x.Times); i++ {
				if x.Times[i] < x.Times[i-1] {
					t.Fatalf("times not ascending: %v", x.Times)
				}
			}
		}
	})
}
