package connect

import (
	"fmt"
	"sort"
)

// Sparse is a sparse weight matrix stored once (the CSR by presynaptic
// neuron: W, Start, Post) with a second, by-postsynaptic view of the same
// weight array: the inputs of neuron i are the synapses
// W[Idx[k]] from presynaptic neuron Pre[k], k in [PostStart[i], PostStart[i+1]),
// sorted by presynaptic index. Plasticity rules that act on outgoing
// synapses (LTD on a presynaptic spike, propagation) use the CSR; rules
// that act on incoming synapses (LTP of a depolarised neuron, normalisation)
// use the by-post view; both change the same weights.
//
// The set of synapses is structural and never changes: a weight that
// reaches 0 is still a synapse. Rows within each view are sorted, so a
// block of presynaptic (or postsynaptic) indices is a contiguous segment
// (see PreSegment and PostSegment).
type Sparse struct {
	CSR
	PostStart []int64 // len NPost+1
	Pre       []int32 // presynaptic index of the k-th synapse in by-post order
	Idx       []int32 // position in W (and Post) of the k-th synapse in by-post order
}

// NewSparse builds the two views from a list of synapses (duplicate pairs
// are an error; zero weights are kept as synapses).
func NewSparse(nPost, nPre int, syn []Synapse) (*Sparse, error) {
	c, err := FromSynapses(nPost, nPre, syn)
	if err != nil {
		return nil, err
	}
	return SparseFromCSR(c)
}

// SparseFromCSR adds the by-post view to c (which it takes over; a
// uniform c gets its W, see CSR.Expand, as rules change a Sparse's weights).
func SparseFromCSR(c *CSR) (*Sparse, error) {
	c.Expand()
	if len(c.Post) > 1<<31-1 {
		return nil, fmt.Errorf("sparse matrix with %d synapses exceeds the 2^31 index limit", len(c.Post))
	}
	s := &Sparse{CSR: *c, PostStart: make([]int64, c.NPost+1), Pre: make([]int32, len(c.Post)), Idx: make([]int32, len(c.Post))}
	for _, i := range c.Post {
		s.PostStart[i+1]++
	}
	for i := 0; i < c.NPost; i++ {
		s.PostStart[i+1] += s.PostStart[i]
	}
	fill := append([]int64(nil), s.PostStart[:c.NPost]...)
	// Visiting presynaptic rows in order leaves every column sorted by pre.
	for j := 0; j < c.NPre; j++ {
		for k := c.Start[j]; k < c.Start[j+1]; k++ {
			i := c.Post[k]
			s.Pre[fill[i]], s.Idx[fill[i]] = int32(j), int32(k)
			fill[i]++
		}
	}
	return s, nil
}

// PreSegment returns the range [a, b) of CSR positions of presynaptic
// neuron j whose postsynaptic index lies in [lo, hi).
func (s *Sparse) PreSegment(j, lo, hi int) (a, b int64) {
	r0, r1 := s.Start[j], s.Start[j+1]
	row := s.Post[r0:r1]
	a = r0 + int64(sort.Search(len(row), func(k int) bool { return int(row[k]) >= lo }))
	b = r0 + int64(sort.Search(len(row), func(k int) bool { return int(row[k]) >= hi }))
	return a, b
}

// PostSegment returns the range [a, b) of by-post positions of
// postsynaptic neuron i whose presynaptic index lies in [lo, hi).
func (s *Sparse) PostSegment(i, lo, hi int) (a, b int64) {
	c0, c1 := s.PostStart[i], s.PostStart[i+1]
	col := s.Pre[c0:c1]
	a = c0 + int64(sort.Search(len(col), func(k int) bool { return int(col[k]) >= lo }))
	b = c0 + int64(sort.Search(len(col), func(k int) bool { return int(col[k]) >= hi }))
	return a, b
}

// Segments precomputes PreSegment (for every presynaptic neuron) or
// PostSegment (for every postsynaptic neuron) for a block [lo, hi) of the
// other side, as flat (a, b) pairs: out[2n], out[2n+1].
func (s *Sparse) Segments(byPost bool, lo, hi int) []int64 {
	n := s.NPre
	seg := s.PreSegment
	if byPost {
		n, seg = s.NPost, s.PostSegment
	}
	out := make([]int64, 2*n)
	for k := 0; k < n; k++ {
		out[2*k], out[2*k+1] = seg(k, lo, hi)
	}
	return out
}

// At returns the weight of synapse (post i, pre j) and whether it exists.
func (s *Sparse) At(i, j int) (float64, bool) {
	a, b := s.PreSegment(j, i, i+1)
	if a == b {
		return 0, false
	}
	return s.W[a], true
}

// PropagateSplit adds, for every spiking presynaptic neuron j, its outgoing
// weights to exc[post] if j < split and to inh[post] otherwise (one matrix
// holding an excitatory and an inhibitory presynaptic population).
func (s *Sparse) PropagateSplit(spikes []int32, split int, exc, inh []float64) {
	for _, j := range spikes {
		a, b := s.Start[j], s.Start[j+1]
		post, w := s.Post[a:b], s.W[a:b]
		t := exc
		if int(j) >= split {
			t = inh
		}
		for k, i := range post {
			t[i] += w[k]
		}
	}
}
