package connect

import (
	"slices"
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

// Segments is PreSegment (or PostSegment) of every neuron as flat (a, b)
// pairs; checked against them and by hand on a 3 post × 4 pre matrix.
func TestSparseSegmentsArePerNeuronSegments(t *testing.T) {
	syn := []Synapse{{Post: 0, Pre: 0}, {Post: 2, Pre: 0}, {Post: 1, Pre: 1}, {Post: 0, Pre: 3}, {Post: 1, Pre: 3}, {Post: 2, Pre: 3}}
	s, err := NewSparse(3, 4, syn)
	if err != nil {
		t.Fatal(err)
	}
	pre := s.Segments(false, 1, 3) // posts [1, 3) of every pre
	if len(pre) != 2*s.NPre {
		t.Fatalf("Segments(pre) has %d values, want %d", len(pre), 2*s.NPre)
	}
	for j := 0; j < s.NPre; j++ {
		if a, b := s.PreSegment(j, 1, 3); pre[2*j] != a || pre[2*j+1] != b {
			t.Errorf("pre %d: segment [%d,%d), PreSegment [%d,%d)", j, pre[2*j], pre[2*j+1], a, b)
		}
	}
	// By hand: pre 0 → post 2 only (CSR position 1), pre 2 has none, pre 3 → posts 1, 2 (positions 4, 5).
	if want := []int64{1, 2, 2, 3, 3, 3, 4, 6}; !slices.Equal(pre, want) {
		t.Errorf("Segments(pre, [1,3)) = %v, want %v", pre, want)
	}
	post := s.Segments(true, 0, 3) // pres [0, 3) of every post
	if len(post) != 2*s.NPost {
		t.Fatalf("Segments(post) has %d values, want %d", len(post), 2*s.NPost)
	}
	for i := 0; i < s.NPost; i++ {
		if a, b := s.PostSegment(i, 0, 3); post[2*i] != a || post[2*i+1] != b {
			t.Errorf("post %d: segment [%d,%d), PostSegment [%d,%d)", i, post[2*i], post[2*i+1], a, b)
		}
	}
	// By hand: post 0 ← pres 0, 3 (by-post 0, 1): [0, 1); post 1 ← 1, 3: [2, 3); post 2 ← 0, 3: [4, 5).
	if want := []int64{0, 1, 2, 3, 4, 5}; !slices.Equal(post, want) {
		t.Errorf("Segments(post, [0,3)) = %v, want %v", post, want)
	}
}
