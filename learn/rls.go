package learn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/spikelab/spikelab/sim"
)

// HalfP is the state of P in float16 storage (see RLS.State): Tri the
// binary16 bit patterns of P/PScale's upper triangle row by row, zero on
// the diagonal, and Diag P's diagonal (model units).
type HalfP struct {
	Tri  []uint16
	Diag []float64
}

// RLSForm selects the decoder update of recursive least squares.
type RLSForm int

const (
	// RLSCode is the form of the FORCE reference code (Nicola & Clopath
	// 2017): φ ← φ − (P_old·r)·errᵀ, a step larger than textbook RLS by the
	// factor 1 + rᵀP_old r.
	RLSCode RLSForm = iota
	// RLSTextbook is Sussillo & Abbott's form: φ ← φ − (P_new·r)·errᵀ.
	RLSTextbook
)

// ParseRLSForm maps "code" or "textbook" to an RLSForm.
func ParseRLSForm(s string) (RLSForm, error) {
	switch s {
	case "code", "":
		return RLSCode, nil
	case "textbook":
		return RLSTextbook, nil
	}
	return 0, fmt.Errorf("unknown RLS form %q: use \"code\" or \"textbook\"", s)
}

// PStorage selects the number format in which RLS stores P.
type PStorage int

const (
	// PFloat64 stores P in float64.
	PFloat64 PStorage = iota
	// PFloat32 stores P in float32, halving the memory P·r and the rank
	// updates move, while all arithmetic stays float64: each stored
	// element is widened exactly, and a block of deferred updates is
	// accumulated in float64 and rounded to float32 once per flush.
	PFloat32
	// PFloat16 stores P's off-diagonal upper triangle, divided by a
	// power of two 2^e, in IEEE binary16 (half precision: 11 significant
	// bits, largest 65504), a quarter of float64's memory traffic, and
	// its diagonal in float64. 2^e is the power of two with α/2^e in
	// [2^14, 2^15) (RLS.PScale): as 0 ≺ P ⪯ α·I, |P_ij| ≤ α, and the
	// stored entries keep 11 bits down to |P_ij| ≈ 2⁻²⁸·α. The diagonal
	// stays exact because it dominates: a trained FORCE P is close to
	// α·I (off-diagonal entries ~10⁻³·α), and a half's rounding of the
	// diagonal would be as large as the learnt part. As in PFloat32 all
	// arithmetic is float64: each element is widened exactly, and a block
	// of deferred updates is accumulated in float64 with fused
	// multiply-adds and rounded once per flush, to the nearest half, ties
	// to even.
	PFloat16
)

// ParsePStorage maps "float64", "float32" or "float16" to a PStorage.
func ParsePStorage(s string) (PStorage, error) {
	switch s {
	case "float64", "":
		return PFloat64, nil
	case "float32":
		return PFloat32, nil
	case "float16":
		return PFloat16, nil
	}
	return 0, fmt.Errorf("unknown P storage %q: use \"float64\", \"float32\" or \"float16\"", s)
}

// String names the storage as ParsePStorage spells it.
func (s PStorage) String() string {
	switch s {
	case PFloat64:
		return "float64"
	case PFloat32:
		return "float32"
	case PFloat16:
		return "float16"
	}
	return fmt.Sprintf("PStorage(%d)", int(s))
}

// rowBlocks is the fixed number of row blocks P is split into. It does not
// depend on the worker count, so results are bitwise identical for any
// number of threads.
const rowBlocks = 16

// RLS trains a linear decoder φ (N×K) from inputs r (length N) to outputs
// z = φᵀr by recursive least squares, with the inverse correlation matrix
// P (N×N, P(0) = α·I) shared by all K outputs.
//
// P is symmetric and only its upper triangle is stored and updated. Each
// rank-1 update P ← P − c·cᵀ/(1 + rᵀc) is deferred: up to Block pending
// vectors are kept and applied to P in one pass (a blocked rank-Block
// update), while P·r is corrected for the pending vectors exactly. This
// reads P from memory once per update instead of three times; the result
// equals the plain sequence of rank-1 updates up to rounding. In float32
// storage a full block is applied by the next P·r, row group by row
// group, so that the rows it rewrites are read again from the cache and
// P crosses memory once less per block (the same operations on every
// element as a separate Flush, so the same result bit for bit). P may be
// stored in float32 (NewRLSStored with PFloat32), which halves the memory
// traffic; all arithmetic stays float64 and each flush rounds P once; or
// in binary16 (PFloat16, scaled by PScale), which halves it again, with a
// block applied by the next P·r as in float32.
//
// With SetFactored(L), the first L updates leave the stored P at α·I and
// keep it as P = α·I − Σ ĉ·ĉᵀ: P·r costs two passes over the vectors so
// far (m·N float64 values, 16·m·N bytes) instead of one over the triangle
// (N²/2 stored values), and P is exact in float64 whatever the storage.
// A run with up to about N/4 updates is cheapest never forming P; a
// longer one gains most from a phase of about N/9 (forming P costs a pass
// over the triangle per Block vectors). On the L-th update (or a Flush, P or SetP) the vectors are
// applied to the stored P, Block at a time, and the learner goes on as
// without it.
type RLS struct {
	N, K  int
	Alpha float64 // initial diagonal of P (1/regulariser), model units
	Form  RLSForm
	// Phi is the decoder, row-major N×K: Phi[i*K+k] maps r_i to z_k.
	Phi []float64
	// Updates counts calls to Update.
	Updates int

	p     []float64 // N×N row-major, upper triangle (j ≥ i) valid (PFloat64)
	p32   []float32 // the same in float32 (PFloat32)
	p16   []uint16  // P/2^e in binary16 (PFloat16), 2^e = scale, diagonal 0
	diag  []float64 // P's diagonal (PFloat16)
	scale float64   // 2^e of PFloat16, 1 otherwise
	store PStorage
	pendH []float64 // pend/2^e (PFloat16): the coefficients of its rank updates
	xs    []float64 // x·2^e (PFloat16): P·x = (P/2^e)·(x·2^e), bit for bit
	block int
	pend  []float64 // max(block, factored)×N pending vectors ĉ = c/√(1+rᵀc)
	m     int       // number of pending vectors
	// factored is the number of updates kept as vectors while the stored
	// P is still α·I (SetFactored; 0: none); formed says that P has been
	// written since, which ends the factored phase.
	factored int
	formed   bool
	dots     []float64 // ĉ_q·x of the factored product
	// eachDots and eachCols are the two team passes of mulFactored on
	// r.x into r.y (made once: no allocation per product).
	eachDots, eachCols func(b int)
	y                  []float64
	team               *sim.Team
	lo                 [rowBlocks + 1]int // row block boundaries
	partial            [][]float64        // per row block partial P·r
	cd                 []float64
	// eachBlock runs productBlock(b, x, partial[b], flushing) for a
	// team (made once: no allocation per product).
	eachBlock func(b int)
	x         []float64
	flushing  bool
	ready     chan struct{} // closed once P is allocated; nil after wait
	started   bool          // P's allocation has started (LazyP: not before its first use)
}

// NewRLS returns an RLS learner for n inputs and k outputs with P(0) = α·I.
// block is the number of rank-1 updates deferred before P is rewritten (1
// applies each at once); team (nil: none) shares the P products among its
// workers.
func NewRLS(n, k int, alpha float64, form RLSForm, block int, team *sim.Team) (*RLS, error) {
	return NewRLSStored(n, k, alpha, form, block, PFloat64, team)
}

// NewRLSStored is NewRLS with P stored in the given format.
func NewRLSStored(n, k int, alpha float64, form RLSForm, block int, store PStorage, team *sim.Team) (*RLS, error) {
	return NewRLSWith(RLSOptions{N: n, K: k, Alpha: alpha, Form: form, Block: block, Store: store, Team: team})
}

// RLSOptions configure an RLS learner (NewRLSWith); the fields are
// NewRLSStored's arguments, and LazyP.
type RLSOptions struct {
	N, K  int     // inputs and outputs
	Alpha float64 // P(0) = α·I
	Form  RLSForm
	Block int // rank-1 updates deferred before P is rewritten (< 1: 1)
	Store PStorage
	Team  *sim.Team // shares the P products among its workers (nil: none)
	// LazyP allocates P at its first use (an update, P, SetP, State, …)
	// instead of at once in the background: a learner that only reads out
	// (an evaluation of a saved network) never holds P's n² values.
	LazyP bool
}

// NewRLSWith returns an RLS learner configured by o.
func NewRLSWith(o RLSOptions) (*RLS, error) {
	n, k, alpha, form, block, store, team := o.N, o.K, o.Alpha, o.Form, o.Block, o.Store, o.Team
	if n < 1 || k < 1 {
		return nil, fmt.Errorf("RLS needs n ≥ 1 inputs and k ≥ 1 outputs, got %d, %d", n, k)
	}
	if !(alpha > 0) || math.IsInf(alpha, 0) {
		return nil, fmt.Errorf("RLS alpha (P0) must be positive and finite, got %g", alpha)
	}
	if block < 1 {
		block = 1
	}
	r := &RLS{N: n, K: k, Alpha: alpha, Form: form, Phi: make([]float64, n*k),
		block: block, pend: make([]float64, block*n),
		team: team, cd: make([]float64, n)}
	if store != PFloat64 && store != PFloat32 && store != PFloat16 {
		return nil, fmt.Errorf("unknown P storage %d", store)
	}
	if a32 := float32(alpha); store == PFloat32 && (!(a32 > 0) || math.IsInf(float64(a32), 0)) {
		return nil, fmt.Errorf("RLS alpha (P0) %g is outside the float32 range: store P as float64", alpha)
	}
	r.scale, r.store = 1, store
	if store == PFloat16 {
		// The scale and x·2^e must stay normal float64 numbers (exact
		// powers of two): α within about 10^±290.
		if e := halfScaleExp(alpha); e < -950 || e > 950 {
			return nil, fmt.Errorf("RLS alpha (P0) %g is outside the float16 storage range (1e-280 … 1e280): store P as float32 or float64", alpha)
		}
		r.scale = math.Ldexp(1, halfScaleExp(alpha))
		r.pendH = make([]float64, block*n)
		r.xs = make([]float64, n)
	}
	// P (N² values, tens of MB for a FORCE network) is allocated and its
	// pages are touched in the background: the caller goes on building
	// and simulating until the first use of P waits for it (with LazyP,
	// the first use starts it).
	if !o.LazyP {
		r.startP()
	}
	// Split rows so that every block holds about the same share of the
	// upper triangle.
	total := float64(n) * float64(n+1) / 2
	row := 0
	acc := 0.0
	for b := 1; b < rowBlocks; b++ {
		goal := total * float64(b) / rowBlocks
		for row < n && acc+float64(n-row) <= goal {
			acc += float64(n - row)
			row++
		}
		r.lo[b] = row
	}
	r.lo[rowBlocks] = n
	if store == PFloat16 {
		// Whole groups of eight rows per block (the float16 P·r takes
		// four or eight rows at a time; single rows are slow Go loops).
		for b := 1; b < rowBlocks; b++ {
			r.lo[b] = min(n, (r.lo[b]+4)&^7)
		}
	}
	r.partial = make([][]float64, rowBlocks)
	for b := range r.partial {
		r.partial[b] = make([]float64, n)
	}
	r.eachBlock = func(b int) { r.productBlock(b, r.x, r.partial[b], r.flushing) }
	return r, nil
}

// initP allocates P = α·I in the given storage and touches every memory
// page of its upper triangle, so that the page faults of a fresh
// allocation are taken here rather than inside the first updates.
func (r *RLS) initP(store PStorage) {
	n := r.N
	const page = 4096
	switch store {
	case PFloat64:
		r.p = make([]float64, n*n)
		adviseHugePages(r.p)
		for i := 0; i < n; i++ {
			for j := i*n + i; j < i*n+n; j += page / 8 {
				r.p[j] = 0
			}
			r.p[i*n+n-1] = 0
			r.p[i*n+i] = r.Alpha
		}
	case PFloat32:
		r.p32 = make([]float32, n*n)
		adviseHugePages(r.p32)
		for i := 0; i < n; i++ {
			for j := i*n + i; j < i*n+n; j += page / 4 {
				r.p32[j] = 0
			}
			r.p32[i*n+n-1] = 0
			r.p32[i*n+i] = float32(r.Alpha)
		}
	case PFloat16:
		r.p16 = make([]uint16, n*n)
		r.diag = make([]float64, n)
		for i := range r.diag {
			r.diag[i] = r.Alpha
		}
		adviseHugePages(r.p16)
		for i := 0; i < n; i++ {
			for j := i*n + i; j < i*n+n; j += page / 2 {
				r.p16[j] = 0
			}
			r.p16[i*n+n-1] = 0
		}
	}
}

// Storage returns the format in which P is stored.
func (r *RLS) Storage() PStorage { return r.store }

// PScale returns the power of two 2^e by which float16 storage divides
// P's off-diagonal entries (HalfP.Tri's values times PScale); 1 for the
// other storages.
func (r *RLS) PScale() float64 { return r.scale }

// SetFactored keeps the first l updates (0, or l ≤ Block, turns it off)
// in factored form, P = α·I − Σ ĉ·ĉᵀ, before they are applied to the stored
// P (see RLS): it must be called before the first update and holds l×N
// float64 values. P·r then costs two passes over the m vectors so far, in
// float64 whatever the storage, instead of one pass over the stored
// triangle (see RLS for the lengths that pay); a run with fewer than l
// updates in all never writes P.
func (r *RLS) SetFactored(l int) error {
	if r.Updates > 0 || r.m > 0 || r.formed {
		return fmt.Errorf("RLS: the factored phase must be set before the first update")
	}
	if l < 0 {
		return fmt.Errorf("RLS: factored updates must be ≥ 0, got %d", l)
	}
	if l > 0 && l <= r.block {
		l = 0 // no longer than the block: the plain deferred updates
	}
	r.factored = l
	if need := max(r.block, l) * r.N; len(r.pend) < need {
		r.pend = make([]float64, need)
		if r.pendH != nil {
			r.pendH = make([]float64, need)
		}
	}
	if l > 0 {
		r.dots = make([]float64, l)
		r.eachDots = func(b int) { r.factoredDots(b*r.m/rowBlocks, (b+1)*r.m/rowBlocks, r.x) }
		r.eachCols = func(b int) {
			// Column ranges of whole groups of 32 values (256 bytes).
			n := r.N
			lo, hi := (b*n/rowBlocks)&^31, ((b+1)*n/rowBlocks)&^31
			if b == rowBlocks-1 {
				hi = n
			}
			r.factoredCols(lo, hi, r.x, r.y)
		}
	}
	return nil
}

// diagA is the stored diagonal of P = α·I: α, rounded to float32 in
// float32 storage (the factored phase uses α itself).
func (r *RLS) diagA() float64 {
	if r.p32 != nil {
		return float64(float32(r.Alpha))
	}
	return r.Alpha
}

// Factored returns the length of the factored phase (SetFactored) and
// whether the learner is in it (the stored P still α·I).
func (r *RLS) Factored() (l int, in bool) { return r.factored, r.inFactored() }

// inFactored says that P·r is α·x minus the pending vectors' terms.
func (r *RLS) inFactored() bool { return r.factored > 0 && !r.formed }

// Wait blocks until P is allocated and its pages touched, which
// NewRLSStored starts in the background. A caller that times its loop
// calls it first, so that the allocation (tens of MB of fresh pages for a
// FORCE network, 0.005–0.4 CPU s at N = 4000 depending on the kernel's
// free huge pages) counts as set-up.
func (r *RLS) Wait() { r.wait() }

// startP allocates P in the background (see NewRLSWith).
func (r *RLS) startP() {
	r.started = true
	r.ready = make(chan struct{})
	go func() {
		defer close(r.ready)
		r.initP(r.store)
	}()
}

// wait blocks until P is allocated (see NewRLSWith), starting the
// allocation if it has not started.
func (r *RLS) wait() {
	if !r.started {
		r.startP()
	}
	if r.ready != nil {
		<-r.ready
		r.ready = nil
	}
}

// Team returns the worker team the learner shares its products among (nil: none).
func (r *RLS) Team() *sim.Team { return r.team }

// Readout computes z = φᵀ·x (len K) from inputs x (len N).
func (r *RLS) Readout(x, z []float64) {
	k := r.K
	if k == 1 {
		z[0] = floats.Dot(r.Phi, x[:r.N])
		return
	}
	for c := range z[:k] {
		z[c] = 0
	}
	for i, xi := range x[:r.N] {
		if xi == 0 {
			continue
		}
		row := r.Phi[i*k : i*k+k]
		for c, w := range row {
			z[c] += w * xi
		}
	}
}

// mulP computes dst = P·x using the stored upper triangle and the pending
// deferred updates.
func (r *RLS) mulP(x, dst []float64) {
	r.wait()
	n := r.N
	if r.inFactored() {
		r.mulFactored(x, dst)
		return
	}
	// A full block of pending updates (float32 and float16 storage, see
	// Update) is applied in this pass.
	flush := r.m == r.block && r.store != PFloat64
	px := x
	if r.store == PFloat16 {
		// (P/2^e)·(x·2^e): the same products, all scaled by powers of
		// two, so the same bits as with P's values.
		px = r.xs
		floats.ScaleTo(px, r.scale, x[:n])
	}
	for j := 0; j < n; j++ {
		dst[j] = 0
	}
	if r.team.Workers() == 1 {
		// One block after the other, each added to dst at once from the
		// one cache-resident buffer: the same sums in the same order as
		// the per-block partials below.
		y := r.partial[0]
		for b := 0; b < rowBlocks; b++ {
			r.productBlock(b, px, y, flush)
			if lo := r.lo[b]; lo < r.lo[b+1] {
				floats.Add(dst[lo:], y[lo:])
			}
		}
	} else {
		r.x, r.flushing = px, flush
		r.team.Each(rowBlocks, r.eachBlock)
		r.x = nil
		for b := 0; b < rowBlocks; b++ {
			if lo := r.lo[b]; lo < r.lo[b+1] {
				floats.Add(dst[lo:], r.partial[b][lo:])
			}
		}
	}
	if flush {
		r.m = 0
	}
	if r.p16 != nil {
		// The diagonal, which float16 storage keeps apart.
		for j, xj := range x[:n] {
			dst[j] = math.FMA(r.diag[j], xj, dst[j])
		}
	}
	for q := 0; q < r.m; q++ {
		v := r.pend[q*n : q*n+n]
		floats.AddScaled(dst, -floats.Dot(v, x[:n]), v)
	}
}

// mulFactored computes dst = P·x in the factored phase, P = α·I − Σ ĉ·ĉᵀ
// in float64 whatever the storage (so the same bits in every storage):
// first every ĉ_q·x, then dst = α·x − Σ (ĉ_q·x)·ĉ_q, four vectors per pass
// over dst in the order of the updates. With a team the dots are split by
// vector and the sum by fixed column ranges, which changes no operation:
// the same bits for any worker count.
func (r *RLS) mulFactored(x, dst []float64) {
	if r.team.Workers() == 1 {
		r.factoredDots(0, r.m, x)
		r.factoredCols(0, r.N, x, dst)
		return
	}
	r.x, r.y = x, dst
	r.team.Each(rowBlocks, r.eachDots)
	r.team.Each(rowBlocks, r.eachCols)
	r.x, r.y = nil, nil
}

// factoredDots sets dots[q] = ĉ_q·x for the vectors lo ≤ q < hi.
func (r *RLS) factoredDots(lo, hi int, x []float64) {
	n := r.N
	for q := lo; q < hi; q++ {
		r.dots[q] = floats.Dot(r.pend[q*n:q*n+n], x[:n])
	}
}

// factoredCols writes dst[lo:hi] = α·x − Σ_q dots[q]·ĉ_q on those columns.
func (r *RLS) factoredCols(lo, hi int, x, dst []float64) {
	if lo >= hi {
		return
	}
	n, m := r.N, r.m
	d := dst[lo:hi]
	floats.ScaleTo(d, r.Alpha, x[lo:hi])
	q := 0
	var c [4]float64
	for ; q+3 < m; q += 4 {
		c = [4]float64{-r.dots[q], -r.dots[q+1], -r.dots[q+2], -r.dots[q+3]}
		v := r.pend[q*n:]
		axpy4(d, &c, v[lo:hi], v[n+lo:n+hi], v[2*n+lo:2*n+hi], v[3*n+lo:3*n+hi])
	}
	for ; q < m; q++ {
		floats.AddScaled(d, -r.dots[q], r.pend[q*n+lo:q*n+hi])
	}
}

// productBlock writes to y[lo:] (lo the first row of row block b) the
// products of the block's rows with x (see mulP); with flush it first
// applies the pending updates to those rows.
func (r *RLS) productBlock(b int, x, y []float64, flush bool) {
	n := r.N
	lo, hi := r.lo[b], r.lo[b+1]
	if flush {
		// The rows after the last group of four, row by row, with y as
		// scratch before it holds the partial product.
		for i := lo + (hi-lo)&^3; i < hi; i++ {
			if r.p16 != nil {
				r.flushRow16(i)
				continue
			}
			r.flushRow(i, y)
		}
	}
	for j := lo; j < n; j++ {
		y[j] = 0
	}
	// Row i of the upper triangle serves P[i, j≥i]·x[j] (the dot) and, by
	// symmetry, P[j, i]·x[i] for j > i (the axpy); the diagonal would be
	// counted twice, so it is taken out once.
	if r.p32 != nil {
		r.mulP32(lo, hi, x, y, flush)
		return
	}
	if r.p16 != nil {
		r.mulP16(lo, hi, x, y, flush)
		return
	}
	for i := lo; i < hi; i++ {
		row := r.p[i*n+i : i*n+n]
		xi := x[i]
		y[i] += dotAxpy(row, x[i:n], y[i:n], xi) - xi*row[0]
	}
}

// mulP32 adds the products of rows lo..hi−1 of the float32 upper triangle
// to y (see mulP), four rows at a time; with flush, each group of four
// rows first takes the pending updates (flush32), the rows after the last
// group must have taken them already.
func (r *RLS) mulP32(lo, hi int, x, y []float64, flush bool) {
	n, p := r.N, r.p32
	i := lo
	for ; i+3 < hi; i += 4 {
		if flush {
			r.flush32(i, i+4)
		}
		// The corner of the four rows left of column i+3, element by element.
		for q := i; q < i+3; q++ {
			row := p[q*n : q*n+i+3]
			y[q] += float64(row[q]) * x[q]
			for j := q + 1; j < i+3; j++ {
				v := float64(row[j])
				y[q] += v * x[j]
				y[j] += v * x[q]
			}
		}
		c := i + 3
		a := [4]float64{x[i], x[i+1], x[i+2], x[i+3]}
		var d [4]float64
		dotAxpy32x4(p[i*n+c:], n, x[c:n], y[c:n], &a, &d)
		// Row i+3's diagonal went into both its dot and the axpy.
		y[i] += d[0]
		y[i+1] += d[1]
		y[i+2] += d[2]
		y[c] += d[3] - x[c]*float64(p[c*n+c])
	}
	for ; i < hi; i++ {
		row := p[i*n+i : i*n+n]
		xi := x[i]
		y[i] += dotAxpy32(row, x[i:n], y[i:n], xi) - xi*float64(row[0])
	}
}

// mulP16 is mulP32 for the float16 triangle without its diagonal (zero
// there; x already scaled by 2^e, see mulP): four rows at a time, with
// flush16 first when flushing, the corner element by element and the
// rest by dotAxpy16x4; every product fused with its sum.
func (r *RLS) mulP16(lo, hi int, x, y []float64, flush bool) {
	n, p := r.N, r.p16
	i := lo
	for ; i+3 < hi; i += 4 {
		if flush {
			r.flush16(i, i+4)
		}
		for q := i; q < i+3; q++ {
			row := p[q*n : q*n+i+3]
			for j := q + 1; j < i+3; j++ {
				v := halfTo64(row[j])
				y[q] = math.FMA(v, x[j], y[q])
				y[j] = math.FMA(v, x[q], y[j])
			}
		}
		c := i + 3
		a := [4]float64{x[i], x[i+1], x[i+2], x[i+3]}
		var d [4]float64
		dotAxpy16x4(p[i*n+c:], n, x[c:n], y[c:n], &a, &d)
		y[i] += d[0]
		y[i+1] += d[1]
		y[i+2] += d[2]
		y[c] += d[3]
	}
	for ; i < hi; i++ {
		y[i] += dotAxpy16Go(p[i*n+i:i*n+n], x[i:n], y[i:n], x[i])
	}
}

// Update performs one RLS step with input x (len N) and error
// err = z − target (len K), where z was computed with the current decoder:
// c = P·x; φ ← φ − g·errᵀ with g = c (code form) or c/(1 + xᵀc) (textbook);
// P ← P − c·cᵀ/(1 + xᵀc). It returns an error, leaving the state
// unchanged, if 1 + xᵀP·x is not positive and finite (P has lost
// positive definiteness or x is not finite).
func (r *RLS) Update(x, err []float64) error {
	n, k := r.N, r.K
	cd := r.cd
	r.mulP(x, cd)
	den := 1 + floats.Dot(x[:n], cd)
	if !(den > 0) || math.IsInf(den, 0) {
		return fmt.Errorf("RLS update %d: 1 + rᵀPr = %g is not positive and finite; P has lost positive definiteness or the rates diverged", r.Updates+1, den)
	}
	gain := 1.0
	if r.Form == RLSTextbook {
		gain = 1 / den
	}
	for i, c := range cd {
		g := gain * c
		row := r.Phi[i*k : i*k+k]
		for q, e := range err[:k] {
			row[q] -= g * e
		}
	}
	s := 1 / math.Sqrt(den)
	floats.ScaleTo(r.pend[r.m*n:(r.m+1)*n], s, cd)
	if r.pendH != nil {
		floats.ScaleTo(r.pendH[r.m*n:(r.m+1)*n], 1/r.scale, r.pend[r.m*n:(r.m+1)*n])
	}
	r.m++
	r.Updates++
	if r.inFactored() {
		if r.m == r.factored {
			r.Flush() // the end of the factored phase: P is formed
		}
		return nil
	}
	// A full block is applied at once in float64 storage, by the next
	// P·r in float32 and float16 storage (mulP).
	if r.m == r.block && r.store == PFloat64 {
		r.Flush()
	}
	return nil
}

// Flush applies all pending rank-1 updates to the stored P; in the
// factored phase, Block vectors at a time, which ends the phase.
func (r *RLS) Flush() {
	r.wait()
	if r.m == 0 {
		return
	}
	if r.inFactored() {
		n, all, allH, m := r.N, r.pend, r.pendH, r.m
		for q := 0; q < m; q += r.block {
			r.m = min(r.block, m-q)
			r.pend = all[q*n:]
			if allH != nil {
				r.pendH = allH[q*n:]
			}
			r.flushPending()
		}
		r.pend, r.pendH, r.m, r.formed = all, allH, 0, true
		return
	}
	r.flushPending()
}

// flushPending applies the m ≤ Block pending updates to the stored P.
func (r *RLS) flushPending() {
	r.team.Each(rowBlocks, func(b int) {
		i := r.lo[b]
		if r.p16 != nil {
			for i = r.flush16(i, r.lo[b+1]); i < r.lo[b+1]; i++ {
				r.flushRow16(i)
			}
			return
		}
		if r.p32 != nil {
			i = r.flush32(i, r.lo[b+1])
		}
		for ; i < r.lo[b+1]; i++ {
			r.flushRow(i, r.partial[b]) // the block's scratch, free outside mulP
		}
	})
	r.m = 0
}

// flushRow applies the pending updates to row i of the stored upper
// triangle; float32 rows are widened into scratch (length ≥ N − i),
// updated in float64 and rounded back once.
func (r *RLS) flushRow(i int, scratch []float64) {
	n, m := r.N, r.m
	var row []float64
	if r.p32 != nil {
		row = scratch[:n-i]
		widen(row, r.p32[i*n+i:i*n+n])
	} else {
		row = r.p[i*n+i : i*n+n]
	}
	// Four pending vectors per pass over the row; a short last group
	// repeats vector 0 with coefficient 0.
	var a [4]float64
	for q := 0; q < m; q += 4 {
		var v [4][]float64
		for k := 0; k < 4; k++ {
			if q+k < m {
				v[k] = r.pend[(q+k)*n+i : (q+k)*n+n]
				a[k] = -v[k][0]
			} else {
				v[k], a[k] = r.pend[i:n], 0
			}
		}
		axpy4(row, &a, v[0], v[1], v[2], v[3])
	}
	if r.p32 != nil {
		narrow(r.p32[i*n+i:i*n+n], row)
	}
}

// flush32 applies the pending updates to the float32 rows lo, lo+1, ...
// four at a time, and returns the first row it left (fewer than four
// before hi) for the row-by-row path.
func (r *RLS) flush32(lo, hi int) int {
	n, m, p, v := r.N, r.m, r.p32, r.pend
	// sub updates row q at columns j0..j1−1 (at most 8) element by
	// element: each element sees the pending vectors in order, the
	// elements side by side (independent chains).
	sub := func(q, j0, j1 int) {
		row := p[q*n+j0 : q*n+j1]
		var buf [8]float64
		s := buf[:len(row)]
		for j, e := range row {
			s[j] = float64(e)
		}
		for k := 0; k < m; k++ {
			vk := v[k*n+j0 : k*n+j1]
			a := v[k*n+q]
			for j := range s {
				s[j] -= a * vk[j]
			}
		}
		for j := range row {
			row[j] = float32(s[j])
		}
	}
	i := lo
	for ; i+3 < hi; i += 4 {
		c := i + 3 // first column of the four rows' common part
		cols := (n - c) &^ 7
		for q := i; q < c; q++ {
			sub(q, q, c)
		}
		rank32x4(p[i*n+c:], n, cols, v[c:], v[i:], n, m)
		for q := i; q <= c; q++ {
			sub(q, c+cols, n)
		}
	}
	return i
}

// flush16 is flush32 for the float16 triangle: the pending updates go to
// rows lo, lo+1, ... four at a time (rank16x4 on the columns the four
// rows share, rank16Go on the corner left of them), and it returns the
// first row it left (fewer than four before hi).
func (r *RLS) flush16(lo, hi int) int {
	n, m, p, v, a := r.N, r.m, r.p16, r.pend, r.pendH
	i := lo
	for ; i+3 < hi; i += 4 {
		c := i + 3
		for q := i; q < c; q++ {
			rank16Go(p[q*n+q:], n, 1, c-q, v[q:], a[q:], n, m)
		}
		rank16x4(p[i*n+c:], n, n-c, v[c:], a[i:], n, m)
		for q := i; q <= c; q++ {
			r.flushDiag(q)
		}
	}
	return i
}

// flushDiag applies the pending updates to P's diagonal element q (kept
// in float64 in float16 storage) and zeroes the half that the rank update
// wrote there.
func (r *RLS) flushDiag(q int) {
	n, v := r.N, r.pend
	s := r.diag[q]
	for k := 0; k < r.m; k++ {
		s = math.FMA(-v[k*n+q], v[k*n+q], s)
	}
	r.diag[q] = s
	r.p16[q*n+q] = 0
}

// flushRow16 applies the pending updates to row i of the float16
// triangle (the same operations per element as flush16).
func (r *RLS) flushRow16(i int) {
	n := r.N
	rank16Go(r.p16[i*n+i:], n, 1, n-i, r.pend[i:], r.pendH[i:], n, r.m)
	r.flushDiag(i)
}

// P returns the current inverse correlation matrix as a dense symmetric
// row-major N×N copy (pending updates applied).
func (r *RLS) P() []float64 { return denseP[float64](r) }

// P32 returns P as P does, each value rounded to float32 (float32 storage:
// exactly as stored), without P's float64 copy: half the memory.
func (r *RLS) P32() []float32 { return denseP[float32](r) }

func denseP[T float32 | float64](r *RLS) []T {
	r.Flush()
	n := r.N
	out := make([]T, n*n)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			v := T(r.stored(i, j))
			out[i*n+j], out[j*n+i] = v, v
		}
	}
	return out
}

// stored returns P's entry (i, j), i ≤ j, as stored (exactly, as float64).
func (r *RLS) stored(i, j int) float64 {
	n := r.N
	switch {
	case r.p16 != nil && i == j:
		return r.diag[i]
	case r.p16 != nil:
		return halfTo64(r.p16[i*n+j]) * r.scale
	case r.p32 != nil:
		return float64(r.p32[i*n+j])
	}
	return r.p[i*n+j]
}

// SetP replaces P by the symmetric N×N row-major matrix p (its upper
// triangle is used; rounded to float32 in float32 storage, off the
// diagonal P/PScale to the nearest half in float16 storage), discarding
// pending updates: a saved learner continues from it.
func (r *RLS) SetP(p []float64) error { return setP(r, p) }

// SetP32 is SetP from float32 values (each taken exactly as float64), as
// model files store P: no float64 copy of it is needed.
func (r *RLS) SetP32(p []float32) error { return setP(r, p) }

func setP[T float32 | float64](r *RLS, p []T) error {
	n := r.N
	if len(p) != n*n {
		return fmt.Errorf("RLS P needs %d×%d values, got %d", n, n, len(p))
	}
	r.wait()
	r.m = 0
	r.formed = r.factored > 0 // P is written: no factored phase after it
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			v := float64(p[i*n+j])
			if r.p16 != nil {
				r.p16[i*n+j] = halfFrom64(v / r.scale)
				if i == j {
					r.p16[i*n+j], r.diag[i] = 0, v
				}
			} else if r.p32 != nil {
				r.p32[i*n+j] = float32(v)
			} else {
				r.p[i*n+j] = v
			}
		}
	}
	return nil
}

// isAlphaI says that the stored P is exactly its initial α·I.
func (r *RLS) isAlphaI() bool {
	n, a := r.N, r.diagA()
	for i := 0; i < n; i++ {
		var ok bool
		switch {
		case r.p16 != nil: // the diagonal apart, zero halves on it
			ok = r.diag[i] == a && allZero(r.p16[i*n+i:i*n+n])
		case r.p32 != nil:
			ok = float64(r.p32[i*n+i]) == a && allZero(r.p32[i*n+i+1:i*n+n])
		default:
			ok = r.p[i*n+i] == a && allZero(r.p[i*n+i+1:i*n+n])
		}
		if !ok {
			return false
		}
	}
	return true
}

// allZero says that every element of s is zero.
func allZero[T uint16 | float32 | float64](s []T) bool {
	for _, v := range s {
		if v != 0 {
			return false
		}
	}
	return true
}

// State returns a copy of the learner's exact state for a checkpoint,
// without applying the pending updates (so that saving it changes
// nothing): the stored upper triangle of P row by row (N(N+1)/2 values,
// []float64, []float32 or, in float16 storage, a HalfP, as stored) and the pending vectors (m×N). Phi and
// Updates are the caller's to save.
func (r *RLS) State() (tri any, pend []float64) {
	r.wait()
	if r.m == r.block && !r.inFactored() {
		// A full block (left for the next P·r) is applied now, as it
		// would be there: SetState takes fewer than a block.
		r.Flush()
	}
	n := r.N
	pend = append([]float64(nil), r.pend[:r.m*n]...)
	if r.p16 != nil {
		t := make([]uint16, 0, n*(n+1)/2)
		for i := 0; i < n; i++ {
			t = append(t, r.p16[i*n+i:i*n+n]...)
		}
		return HalfP{Tri: t, Diag: append([]float64(nil), r.diag...)}, pend
	}
	if r.p32 != nil {
		t := make([]float32, 0, n*(n+1)/2)
		for i := 0; i < n; i++ {
			t = append(t, r.p32[i*n+i:i*n+n]...)
		}
		return t, pend
	}
	t := make([]float64, 0, n*(n+1)/2)
	for i := 0; i < n; i++ {
		t = append(t, r.p[i*n+i:i*n+n]...)
	}
	return t, pend
}

// SetState restores a state returned by State: tri must be stored in
// this learner's format (and, in float16, with this learner's PScale,
// that is the same alpha's power of two) and hold N(N+1)/2 values, pend a
// whole number of pending vectors, fewer than the block or, in the
// factored phase (SetFactored, and tri still α·I), than its length.
func (r *RLS) SetState(tri any, pend []float64) error {
	r.wait()
	n := r.N
	size := n * (n + 1) / 2
	limit := max(r.block, r.factored)
	if len(pend)%n != 0 || len(pend)/n >= limit {
		return fmt.Errorf("RLS state: %d pending values is not a whole number of vectors of %d below %d", len(pend), n, limit)
	}
	have := func(kind string) error {
		return fmt.Errorf("RLS state: P is stored as %s, this learner stores %v (rls_storage must match)", kind, r.store)
	}
	switch t := tri.(type) {
	case HalfP:
		if r.p16 == nil {
			return have("float16")
		}
		if len(t.Tri) != size || len(t.Diag) != n {
			return fmt.Errorf("RLS state: P triangle has %d values and diagonal %d, need %d and %d for n = %d", len(t.Tri), len(t.Diag), size, n, n)
		}
		for i, o := 0, 0; i < n; i++ {
			o += copy(r.p16[i*n+i:i*n+n], t.Tri[o:])
			if r.p16[i*n+i] != 0 {
				return fmt.Errorf("RLS state: float16 P triangle with a nonzero diagonal half at row %d (the diagonal is kept apart)", i)
			}
		}
		copy(r.diag, t.Diag)
	case []float32:
		if r.p32 == nil {
			return have("float32")
		}
		if len(t) != size {
			return fmt.Errorf("RLS state: P triangle has %d values, need %d for n = %d", len(t), size, n)
		}
		for i, o := 0, 0; i < n; i++ {
			o += copy(r.p32[i*n+i:i*n+n], t[o:])
		}
	case []float64:
		if r.p == nil {
			return have("float64")
		}
		if len(t) != size {
			return fmt.Errorf("RLS state: P triangle has %d values, need %d for n = %d", len(t), size, n)
		}
		for i, o := 0, 0; i < n; i++ {
			o += copy(r.p[i*n+i:i*n+n], t[o:])
		}
	default:
		return fmt.Errorf("RLS state: P triangle of type %T", tri)
	}
	r.formed = r.factored > 0 && !r.isAlphaI()
	if !r.inFactored() && len(pend)/n >= r.block {
		return fmt.Errorf("RLS state: %d pending vectors, the block is %d and P is not α·I (not in the factored phase)", len(pend)/n, r.block)
	}
	r.m = copy(r.pend, pend) / n
	if r.pendH != nil {
		floats.ScaleTo(r.pendH[:r.m*n], 1/r.scale, r.pend[:r.m*n])
	}
	return nil
}
