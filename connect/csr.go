// Package connect builds and stores connectivity: random weight matrices as
// pure functions of a seeded source, and the compressed sparse row (CSR)
// storage indexed by presynaptic neuron that event-driven propagation uses.
package connect

import (
	"fmt"
	"sort"
	"unsafe"
)

// Synapse is one connection with its weight.
type Synapse struct {
	Post, Pre int32
	W         float64
}

// CSR stores a sparse weight matrix by presynaptic neuron: the targets of
// neuron j are Post[Start[j]:Start[j+1]] with weights W[...], or, in a
// uniform matrix, all with the weight Value.
type CSR struct {
	NPre, NPost int
	Start       []int64 // len NPre+1
	Post        []int32 // postsynaptic index of each synapse
	// W is the weight of each synapse; nil in a uniform matrix.
	W []float64
	// Uniform says that every synapse has the weight Value and that W is
	// nil: 4 bytes per synapse instead of 12, for a homogeneous projection
	// that no rule changes (BernoulliUniformCSR; Expand gives it a W).
	Uniform bool
	// Value is the weight of every synapse of a uniform matrix (unused
	// otherwise).
	Value float64
}

// Expand gives a uniform matrix its W (every entry Value), so that its
// weights can be read and changed one by one; it does nothing to a
// matrix that has W.
func (c *CSR) Expand() {
	if !c.Uniform {
		return
	}
	c.W = make([]float64, len(c.Post))
	for k := range c.W {
		c.W[k] = c.Value
	}
	c.Uniform = false
}

// Check reports an inconsistent matrix: Start not running from 0 to
// len(Post) without decreasing, a target outside NPost, or W not holding
// one weight per synapse (none in a uniform matrix).
func (c *CSR) Check() error {
	if c.NPre < 0 || c.NPost < 0 || len(c.Start) != c.NPre+1 {
		return fmt.Errorf("csr: %d presynaptic neurons need %d row starts, got %d", c.NPre, c.NPre+1, len(c.Start))
	}
	if c.Start[0] != 0 || c.Start[c.NPre] != int64(len(c.Post)) {
		return fmt.Errorf("csr: row starts must run from 0 to %d synapses, got %d to %d", len(c.Post), c.Start[0], c.Start[c.NPre])
	}
	for j := range c.NPre {
		if c.Start[j+1] < c.Start[j] {
			return fmt.Errorf("csr: row starts decrease at presynaptic neuron %d", j)
		}
	}
	for _, i := range c.Post {
		if i < 0 || int(i) >= c.NPost {
			return fmt.Errorf("csr: target %d outside %d postsynaptic neurons", i, c.NPost)
		}
	}
	switch {
	case c.Uniform && c.W != nil:
		return fmt.Errorf("csr: a uniform matrix has no per-synapse weights, got %d", len(c.W))
	case !c.Uniform && len(c.W) != len(c.Post):
		return fmt.Errorf("csr: %d weights for %d synapses", len(c.W), len(c.Post))
	}
	return nil
}

// FromSynapses builds a CSR matrix from a list of synapses. Within each
// presynaptic row targets are sorted by postsynaptic index. Duplicate
// (post, pre) pairs are an error.
func FromSynapses(nPost, nPre int, syn []Synapse) (*CSR, error) {
	c := &CSR{NPre: nPre, NPost: nPost, Start: make([]int64, nPre+1), Post: make([]int32, len(syn)), W: make([]float64, len(syn))}
	for _, s := range syn {
		if s.Pre < 0 || int(s.Pre) >= nPre || s.Post < 0 || int(s.Post) >= nPost {
			return nil, fmt.Errorf("synapse (post %d, pre %d) outside a %d×%d matrix", s.Post, s.Pre, nPost, nPre)
		}
		c.Start[s.Pre+1]++
	}
	for j := 0; j < nPre; j++ {
		c.Start[j+1] += c.Start[j]
	}
	fill := append([]int64(nil), c.Start[:nPre]...)
	for _, s := range syn {
		k := fill[s.Pre]
		c.Post[k], c.W[k] = s.Post, s.W
		fill[s.Pre]++
	}
	for j := 0; j < nPre; j++ {
		a, b := c.Start[j], c.Start[j+1]
		row := rowSorter{c.Post[a:b], c.W[a:b]}
		sort.Sort(row)
		for k := 1; k < len(row.post); k++ {
			if row.post[k] == row.post[k-1] {
				return nil, fmt.Errorf("duplicate synapse (post %d, pre %d)", row.post[k], j)
			}
		}
	}
	return c, nil
}

type rowSorter struct {
	post []int32
	w    []float64
}

func (r rowSorter) Len() int           { return len(r.post) }
func (r rowSorter) Less(i, j int) bool { return r.post[i] < r.post[j] }
func (r rowSorter) Swap(i, j int) {
	r.post[i], r.post[j] = r.post[j], r.post[i]
	r.w[i], r.w[j] = r.w[j], r.w[i]
}

// NNZ returns the number of synapses.
func (c *CSR) NNZ() int { return len(c.Post) }

// Propagate adds scale·W[post, j] to target[post] for every spiking
// presynaptic neuron j: the event-driven form of target += scale·W·spikes.
func (c *CSR) Propagate(spikes []int32, target []float64, scale float64) {
	if c.Uniform {
		c.propagateUniform(nil, 0, spikes, target, scale*c.Value)
		return
	}
	for _, j := range spikes {
		a, b := c.Start[j], c.Start[j+1]
		post, w := c.Post[a:b], c.W[a:b]
		for k, i := range post {
			target[i] += scale * w[k]
		}
	}
}

// Split divides every row's targets into postsynaptic ranges, so that
// the owners of disjoint ranges of target neurons can propagate the same
// spikes concurrently (PropagateBlock).
type Split struct {
	blocks int
	off    []int64 // row j, range b starts at off[j*(blocks+1)+b]
}

// Split returns the division of every row at the postsynaptic bounds
// 0 = bounds[0] < bounds[1] < … < bounds[B] = NPost (B ranges).
func (c *CSR) Split(bounds []int) (*Split, error) {
	nb := len(bounds) - 1
	if nb < 1 || bounds[0] != 0 || bounds[nb] != c.NPost {
		return nil, fmt.Errorf("split bounds must run from 0 to %d, got %v", c.NPost, bounds)
	}
	for b := 0; b < nb; b++ {
		if bounds[b+1] < bounds[b] {
			return nil, fmt.Errorf("split bounds must not decrease, got %v", bounds)
		}
	}
	sp := &Split{blocks: nb, off: make([]int64, c.NPre*(nb+1))}
	for j := 0; j < c.NPre; j++ {
		k := c.Start[j]
		for b := 0; b <= nb; b++ {
			for k < c.Start[j+1] && int(c.Post[k]) < bounds[b] {
				k++
			}
			if b == nb {
				k = c.Start[j+1]
			}
			sp.off[j*(nb+1)+b] = k
		}
	}
	return sp, nil
}

// PropagateBlock is Propagate restricted to the postsynaptic range b of
// the split. Every target receives its additions in spike order, as in
// Propagate, so the sums are bitwise the same.
func (c *CSR) PropagateBlock(sp *Split, b int, spikes []int32, target []float64, scale float64) {
	if c.Uniform {
		c.propagateUniform(sp, b, spikes, target, scale*c.Value)
		return
	}
	stride := sp.blocks + 1
	for _, j := range spikes {
		o := sp.off[int(j)*stride+b : int(j)*stride+b+2]
		post, w := c.Post[o[0]:o[1]], c.W[o[0]:o[1]]
		for k, i := range post {
			target[i] += scale * w[k]
		}
	}
}

// propagateUniform is PropagateBlock (or, with a nil split, Propagate)
// for a matrix whose scaled weights all equal w: it adds w without reading
// the weights, so the sums are bitwise those of PropagateBlock.
func (c *CSR) propagateUniform(sp *Split, b int, spikes []int32, target []float64, w float64) {
	for _, j := range spikes {
		lo, hi := c.Start[j], c.Start[j+1]
		if sp != nil {
			stride := sp.blocks + 1
			lo, hi = sp.off[int(j)*stride+b], sp.off[int(j)*stride+b+1]
		}
		for _, i := range c.Post[lo:hi] {
			target[i] += w
		}
	}
}

// Dense returns the matrix as a dense row-major NPost×NPre slice (for tests
// and small analyses).
func (c *CSR) Dense() []float64 {
	d := make([]float64, c.NPost*c.NPre)
	for j := 0; j < c.NPre; j++ {
		for k := c.Start[j]; k < c.Start[j+1]; k++ {
			d[int(c.Post[k])*c.NPre+j] = c.weight(k)
		}
	}
	return d
}

// weight returns the weight of synapse k.
func (c *CSR) weight(k int64) float64 {
	if c.Uniform {
		return c.Value
	}
	return c.W[k]
}

// Prefetch asks the CPU to start loading the rows of the given
// presynaptic neurons (their targets and weights), so that a Propagate of
// these spikes soon after finds them in the caches.
func (c *CSR) Prefetch(spikes []int32) { c.prefetchRows(spikes, !c.Uniform) }

// prefetchRows is Prefetch, of the targets alone without weights.
func (c *CSR) prefetchRows(spikes []int32, weights bool) {
	for _, j := range spikes {
		a, b := c.Start[j], c.Start[j+1]
		if b > a {
			prefetch((*byte)(unsafe.Pointer(&c.Post[a])), int(b-a)*4)
			if weights {
				prefetch((*byte)(unsafe.Pointer(&c.W[a])), int(b-a)*8)
			}
		}
	}
}

// prefetchBlock is prefetchRows for the targets of range b of a split.
func (c *CSR) prefetchBlock(sp *Split, b int, spikes []int32, weights bool) {
	stride := sp.blocks + 1
	for _, j := range spikes {
		lo, hi := sp.off[int(j)*stride+b], sp.off[int(j)*stride+b+1]
		if hi > lo {
			prefetch((*byte)(unsafe.Pointer(&c.Post[lo])), int(hi-lo)*4)
			if weights {
				prefetch((*byte)(unsafe.Pointer(&c.W[lo])), int(hi-lo)*8)
			}
		}
	}
}
