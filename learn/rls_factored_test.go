package learn

import (
	"math"
	"testing"
)

// sineTargets returns m one-output targets for the rates of rates().
func sineTargets(m int) [][]float64 {
	y := make([][]float64, m)
	for s := range y {
		y[s] = []float64{math.Sin(float64(s) / 5)}
	}
	return y
}

// TestFactoredPhaseMatchesFloat64 checks the factored phase against
// plain float64 RLS (block 1): P = α·I − Σ ĉĉᵀ in float64 gives the same
// decoder and P up to rounding in every storage, before and after the
// phase ends (30 vectors kept, 70 updates); with fewer updates than the
// phase, φ is float64's, the same bits in every storage.
func TestFactoredPhaseMatchesFloat64(t *testing.T) {
	const n, m = 157, 70
	const alpha = 1.0 / 1024 // exact in float32: the stored α·I equals float64's
	X, Y := rates(n, m, 11), sineTargets(m)
	ref, _ := NewRLSStored(n, 1, alpha, RLSCode, 1, PFloat64, nil)
	train(t, ref, X, Y)
	pref := ref.P()
	maxPhi, maxP := 0.0, 0.0
	for _, v := range ref.Phi {
		maxPhi = math.Max(maxPhi, math.Abs(v))
	}
	for _, v := range pref {
		maxP = math.Max(maxP, math.Abs(v))
	}
	for _, c := range []struct {
		store    PStorage
		phiTol   float64
		ptol     float64
		upd, len int
	}{
		{PFloat64, 1e-9, 1e-12, m, 30}, {PFloat32, 1e-4, 1e-6, m, 30}, {PFloat16, 1e-2, alpha, m, 30},
		// fewer updates than the phase: P never written, φ float64's
		// (P() itself rounds P into the storage)
		{PFloat32, 1e-12, 1e-6, 25, 30}, {PFloat16, 1e-12, 1e-3, 25, 30},
	} {
		r, _ := NewRLSStored(n, 1, alpha, RLSCode, 8, c.store, nil)
		if err := r.SetFactored(c.len); err != nil {
			t.Fatal(err)
		}
		train(t, r, X[:c.upd], Y[:c.upd])
		l, in := r.Factored()
		if l != c.len || in != (c.upd < c.len) {
			t.Fatalf("%+v: Factored() = %d, %v", c, l, in)
		}
		want := ref
		if c.upd < m {
			want, _ = NewRLSStored(n, 1, alpha, RLSCode, 1, PFloat64, nil)
			train(t, want, X[:c.upd], Y[:c.upd])
		}
		for i := range r.Phi {
			if d := math.Abs(r.Phi[i] - want.Phi[i]); !(d <= c.phiTol*maxPhi) {
				t.Fatalf("%+v: φ[%d] = %g, float64 %g", c, i, r.Phi[i], want.Phi[i])
			}
		}
		p, pw := r.P(), want.P()
		for i := range p {
			if d := math.Abs(p[i] - pw[i]); !(d <= c.ptol*maxP) {
				t.Fatalf("%+v: P[%d] = %g, float64 %g", c, i, p[i], pw[i])
			}
		}
		if _, in := r.Factored(); in {
			t.Fatalf("%+v: still factored after P()", c)
		}
	}
	// Within the phase P is α·I − Σ ĉĉᵀ in float64 in every storage: the
	// same bits, also for an α that float32 cannot hold (1e-3).
	var phis [][]float64
	for _, store := range []PStorage{PFloat64, PFloat32, PFloat16} {
		r, _ := NewRLSStored(n, 1, 1e-3, RLSCode, 8, store, nil)
		if err := r.SetFactored(40); err != nil {
			t.Fatal(err)
		}
		train(t, r, X[:39], Y[:39])
		phis = append(phis, r.Phi)
	}
	for s := 1; s < len(phis); s++ {
		for i := range phis[0] {
			if phis[s][i] != phis[0][i] {
				t.Fatalf("storage %d: φ[%d] = %v in the factored phase, float64 storage %v", s, i, phis[s][i], phis[0][i])
			}
		}
	}
}

// TestFactoredPhaseIdenticalForAnyWorkerCount: the factored product
// splits dots by vector and sums by column range, and the phase's end
// flushes Block vectors at a time; any worker count gives the same bits,
// before, at and after the end of the phase.
func TestFactoredPhaseIdenticalForAnyWorkerCount(t *testing.T) {
	const n, m = 301, 60
	X, Y := rates(n, m, 12), sineTargets(m)
	for _, store := range []PStorage{PFloat64, PFloat32, PFloat16} {
		for _, upd := range []int{23, 40, 60} {
			var got [][]float64
			for _, w := range []int{1, 2, 3} {
				r, _ := NewRLSStored(n, 1, 1e-3, RLSCode, 8, store, team(t, w))
				if err := r.SetFactored(40); err != nil {
					t.Fatal(err)
				}
				train(t, r, X[:upd], Y[:upd])
				got = append(got, append(append([]float64(nil), r.Phi...), r.P()...))
			}
			for w := 1; w < len(got); w++ {
				for i := range got[0] {
					if got[w][i] != got[0][i] {
						t.Fatalf("%v, %d updates: value %d differs between 1 and %d workers: %v vs %v", store, upd, i, w+1, got[0][i], got[w][i])
					}
				}
			}
		}
	}
}

// TestFactoredStateRoundTrip: a state saved in the factored phase (more
// pending vectors than a block, P still α·I) restores into a learner with
// the same phase and continues bit for bit through the phase's end; a
// learner without the phase, or a P that is not α·I, refuses it.
func TestFactoredStateRoundTrip(t *testing.T) {
	const n, m = 90, 50
	X, Y := rates(n, m, 13), sineTargets(m)
	for _, store := range []PStorage{PFloat64, PFloat32, PFloat16} {
		a, _ := NewRLSStored(n, 1, 1e-3, RLSCode, 4, store, nil)
		b, _ := NewRLSStored(n, 1, 1e-3, RLSCode, 4, store, nil)
		plain, _ := NewRLSStored(n, 1, 1e-3, RLSCode, 4, store, nil)
		for _, r := range []*RLS{a, b} {
			if err := r.SetFactored(30); err != nil {
				t.Fatal(err)
			}
		}
		train(t, a, X[:17], Y[:17])
		tri, pend := a.State()
		if len(pend) != 17*n {
			t.Fatalf("%v: %d pending values, want %d", store, len(pend), 17*n)
		}
		if err := plain.SetState(tri, pend); err == nil {
			t.Fatalf("%v: 17 pending vectors accepted by a learner with a block of 4 and no factored phase", store)
		}
		if err := b.SetState(tri, pend); err != nil {
			t.Fatal(err)
		}
		copy(b.Phi, a.Phi)
		b.Updates = a.Updates
		train(t, a, X[17:], Y[17:])
		train(t, b, X[17:], Y[17:])
		sameLearner(t, store, a, b)
		// After the phase P is formed: a saved state has fewer than a
		// block of vectors and restores as formed.
		tri, pend = a.State()
		c, _ := NewRLSStored(n, 1, 1e-3, RLSCode, 4, store, nil)
		if err := c.SetFactored(30); err != nil {
			t.Fatal(err)
		}
		if err := c.SetState(tri, pend); err != nil {
			t.Fatal(err)
		}
		if _, in := c.Factored(); in {
			t.Fatalf("%v: a formed P restored into the factored phase", store)
		}
		if err := c.SetState(tri, make([]float64, 10*n)); err == nil {
			t.Fatalf("%v: 10 pending vectors with a formed P accepted", store)
		}
	}
	r, _ := NewRLSStored(10, 1, 1, RLSCode, 4, PFloat32, nil)
	if err := r.SetFactored(-1); err == nil {
		t.Error("negative factored length accepted")
	}
	train(t, r, [][]float64{make([]float64, 10)}, [][]float64{{1}})
	if err := r.SetFactored(8); err == nil {
		t.Error("SetFactored after an update accepted")
	}
}

func benchmarkFactored(b *testing.B, n, l int) {
	X := rates(n, 64, 5)
	r, _ := NewRLSStored(n, 1, 1e-3, RLSCode, 16, PFloat32, nil)
	if err := r.SetFactored(l + 1); err != nil {
		b.Fatal(err)
	}
	e := []float64{1e-3}
	for s := 0; s < l; s++ {
		if err := r.Update(X[s%len(X)], e); err != nil {
			b.Fatal(err)
		}
	}
	d := make([]float64, n)
	b.SetBytes(int64(8 * n * l))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.mulP(X[i%len(X)], d)
	}
}

// BenchmarkRLSFactoredProduct400: P·r with 400 vectors of 4000 (12.8 MB),
// the average of a factored phase of 800 updates at N = 4000; bytes are
// those of one pass over the vectors.
func BenchmarkRLSFactoredProduct400(b *testing.B) { benchmarkFactored(b, 4000, 400) }
