package connect

import (
	"math/rand/v2"
	"testing"
)

func TestSparseViewsShareOneWeightArray(t *testing.T) {
	syn := []Synapse{{Post: 0, Pre: 1, W: 1}, {Post: 2, Pre: 1, W: 2}, {Post: 1, Pre: 0, W: 0}, {Post: 2, Pre: 0, W: 4}, {Post: 0, Pre: 2, W: 5}}
	s, err := NewSparse(3, 3, syn)
	if err != nil {
		t.Fatal(err)
	}
	// A zero weight is still a synapse.
	if w, ok := s.At(1, 0); !ok || w != 0 {
		t.Fatalf("At(1,0) = %g, %v", w, ok)
	}
	if _, ok := s.At(1, 1); ok {
		t.Fatal("absent synapse reported")
	}
	// Inputs of post 2 via the by-post view: pre 0 (w 4) then pre 1 (w 2).
	a, b := s.PostStart[2], s.PostStart[3]
	if b-a != 2 || s.Pre[a] != 0 || s.Pre[a+1] != 1 || s.W[s.Idx[a]] != 4 || s.W[s.Idx[a+1]] != 2 {
		t.Fatalf("by-post view of 2: pre %v", s.Pre[a:b])
	}
	s.W[s.Idx[a]] = 7               // write through the by-post view ...
	if w, _ := s.At(2, 0); w != 7 { // ... and read through the by-pre view
		t.Fatalf("views do not share weights: %g", w)
	}
	if a, b := s.PreSegment(0, 2, 3); b-a != 1 || s.Post[a] != 2 {
		t.Fatalf("PreSegment(0, [2,3)) = [%d,%d)", a, b)
	}
	if a, b := s.PostSegment(0, 2, 3); b-a != 1 || s.Pre[a] != 2 {
		t.Fatalf("PostSegment(0, [2,3)) = [%d,%d)", a, b)
	}
	exc, inh := make([]float64, 3), make([]float64, 3)
	s.PropagateSplit([]int32{0, 2}, 2, exc, inh)
	if exc[1] != 0 || exc[2] != 7 || inh[0] != 5 {
		t.Fatalf("PropagateSplit: exc %v inh %v", exc, inh)
	}
}

// TestSparseByPostStorage: in by-post storage every view, Propagate,
// PropagateSplit, Dense, At and WeightsByPre give what the CSR storage
// gives, the by-post view is contiguous (Idx the identity), and switching
// back restores the original array.
func TestSparseByPostStorage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var syn []Synapse
	for j := 0; j < 30; j++ {
		for i := 0; i < 25; i++ {
			if rng.Float64() < 0.3 {
				syn = append(syn, Synapse{Pre: int32(j), Post: int32(i), W: rng.Float64()})
			}
		}
	}
	a, _ := NewSparse(25, 30, syn)
	b, _ := NewSparse(25, 30, syn)
	b.SetStorage(true)
	if !b.ByPost() || a.ByPost() {
		t.Fatal("ByPost")
	}
	for k := range b.Idx {
		if b.Idx[k] != int32(k) || b.W[k] != a.W[a.Idx[k]] {
			t.Fatalf("by-post view %d: idx %d, w %g want %g", k, b.Idx[k], b.W[k], a.W[a.Idx[k]])
		}
	}
	spikes := []int32{0, 3, 17, 29}
	ta, tb := make([]float64, 25), make([]float64, 25)
	a.Propagate(spikes, ta, 0.5)
	b.Propagate(spikes, tb, 0.5)
	ea, ia, eb, ib := make([]float64, 25), make([]float64, 25), make([]float64, 25), make([]float64, 25)
	a.PropagateSplit(spikes, 10, ea, ia)
	b.PropagateSplit(spikes, 10, eb, ib)
	for i := range ta {
		if ta[i] != tb[i] || ea[i] != eb[i] || ia[i] != ib[i] {
			t.Fatalf("propagation to %d differs", i)
		}
	}
	da, db := a.Dense(), b.Dense()
	for q := range da {
		if da[q] != db[q] {
			t.Fatalf("Dense differs at %d", q)
		}
	}
	for i := 0; i < 25; i++ {
		for j := 0; j < 30; j++ {
			wa, oka := a.At(i, j)
			wb, okb := b.At(i, j)
			if wa != wb || oka != okb {
				t.Fatalf("At(%d,%d)", i, j)
			}
		}
	}
	wp := b.WeightsByPre(nil)
	for q := range wp {
		if wp[q] != a.W[q] {
			t.Fatalf("WeightsByPre %d", q)
		}
	}
	wp[0] = 42
	b.SetWeightsByPre(wp)
	if w, _ := b.At(int(b.Post[0]), 0); w != 42 {
		t.Fatalf("SetWeightsByPre: %g", w)
	}
	b.SetStorage(false)
	wp[0] = a.W[0]
	b.SetWeightsByPre(wp)
	for q := range a.W {
		if a.W[q] != b.W[q] || a.Idx[q] != b.Idx[q] {
			t.Fatalf("back to CSR storage: %d", q)
		}
	}
}
