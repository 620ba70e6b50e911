package connect

import "testing"

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
