package olfaction

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/vec"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// FlyANNParams configure the rate network of Wang et al. 2021 (Neuron
// 109:3879, gyyang/olfaction_evolution torchmodel.py FullModel):
//
//	OR (NOR) → ORN (NOR·Tile, plain tiling [x, x, …])
//	  → PN  = ReLU(BatchNorm(ORN·|W_orn→pn|))
//	  → KC  = Dropout(ReLU(PN·|W_pn→kc| + b_kc))
//	  → out = KC·W_out + b_out,  cross-entropy, Adam.
//
// The ORN→PN and PN→KC weights act through their absolute values (the
// forward pass uses |W|, as the paper's code does); the output layer is
// unconstrained.
type FlyANNParams struct {
	NOR, Tile, NPN, NKC, Classes int
	Batch                        int     // largest batch
	Dropout                      float64 // KC dropout probability (0.5)
	KCBias                       float64 // initial KC bias (−1)
	// InitORNPN and InitPNKC are the upper ends of the uniform initial
	// weights U(0, a) (paper: 4/N_ORN and 4/N_PN).
	InitORNPN, InitPNKC   float64
	LR, Beta1, Beta2, Eps float64 // Adam
	BNMomentum, BNEps     float64 // BatchNorm running-average momentum (0.1) and ε (1e-5)
}

// Validate reports the first unusable field.
func (p FlyANNParams) Validate() error {
	if p.NOR < 1 || p.Tile < 1 || p.NPN < 1 || p.NKC < 1 || p.Classes < 2 || p.Batch < 2 {
		return fmt.Errorf("ann sizes must be positive (classes ≥ 2, batch ≥ 2 for BatchNorm): n_or %d tile %d n_pn %d n_kc %d classes %d batch %d",
			p.NOR, p.Tile, p.NPN, p.NKC, p.Classes, p.Batch)
	}
	if !(p.Dropout >= 0 && p.Dropout < 1) {
		return fmt.Errorf("ann dropout must be in [0, 1), got %g", p.Dropout)
	}
	if !(p.LR > 0) || !(p.InitORNPN > 0) || !(p.InitPNKC > 0) {
		return fmt.Errorf("ann lr, init_orn_pn and init_pn_kc must be > 0")
	}
	return nil
}

// FlyANN is the network with its parameters in one array (one Adam).
type FlyANN struct {
	P FlyANNParams
	// Threads is the number of goroutines the matrix products use (≤ 1:
	// one); the results do not depend on it.
	Threads int
	Par     []float64 // all parameters; the views below alias it
	W1      []float64 // NORN × NPN (input-major), effective |W1|
	Gam     []float64 // BatchNorm scale, NPN
	Bet     []float64 // BatchNorm shift, NPN
	W2      []float64 // NPN × NKC, effective |W2|
	B2      []float64 // KC bias, NKC
	W3      []float64 // NKC × Classes
	B3      []float64 // output bias
	grad    []float64
	adam    *learn.Adam
	// BatchNorm running statistics (evaluation)
	RunMean, RunVar []float64
	// activations and scratch for one batch
	orn, h1, xhat, pn, kcPre, kc, mask, out, dOut, dKC, dPN, dH1 []float64
	a1, a2                                                       []float64 // |W1|, |W2|
	istd, mu                                                     []float64
	rng                                                          *rand.Rand
	// The sparse path (see sparseBackward): each sample's active KCs
	// (kc ≠ 0, increasing) in act, their dKC in dk; a2T = a2ᵀ and
	// g2T = g2ᵀ (NKC × NPN); dPN's four partial sums in lanes, over the
	// active KCs of each residue mod 4 (laneR, their dKC in laneT).
	act      [][]int32
	dk       []float64
	a2T, g2T []float64
	lanes    []float64
	laneT    [4][]float64
	laneR    [4][]int32
	// masked: the last forward pass drew a dropout mask (else mask is
	// 1 everywhere and left unwritten).
	masked bool
	// a1Finite: every entry of a1 is finite (effectiveWeights).
	a1Finite bool
	// dense, when set, runs every product through gemm (the reference the
	// sparse path is tested against).
	dense bool
}

// NewFlyANN initialises the network from rng: W1 ~ U(0, InitORNPN),
// W2 ~ U(0, InitPNKC), KC bias KCBias, BatchNorm γ = 1, β = 0, output layer
// PyTorch's default U(±1/√NKC). Dropout masks are drawn from rng too.
func NewFlyANN(p FlyANNParams, rng *rand.Rand) (*FlyANN, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	norn := p.NOR * p.Tile
	sizes := []int{norn * p.NPN, p.NPN, p.NPN, p.NPN * p.NKC, p.NKC, p.NKC * p.Classes, p.Classes}
	tot := 0
	for _, s := range sizes {
		tot += s
	}
	a := &FlyANN{P: p, Par: make([]float64, tot), grad: make([]float64, tot), rng: rng}
	views := make([][]float64, len(sizes))
	off := 0
	for k, s := range sizes {
		views[k] = a.Par[off : off+s : off+s]
		off += s
	}
	a.W1, a.Gam, a.Bet, a.W2, a.B2, a.W3, a.B3 = views[0], views[1], views[2], views[3], views[4], views[5], views[6]
	for i := range a.W1 {
		a.W1[i] = p.InitORNPN * rng.Float64()
	}
	for i := range a.Gam {
		a.Gam[i] = 1
	}
	for i := range a.W2 {
		a.W2[i] = p.InitPNKC * rng.Float64()
	}
	for i := range a.B2 {
		a.B2[i] = p.KCBias
	}
	bound := 1 / math.Sqrt(float64(p.NKC))
	for i := range a.W3 {
		a.W3[i] = bound * (2*rng.Float64() - 1)
	}
	for i := range a.B3 {
		a.B3[i] = bound * (2*rng.Float64() - 1)
	}
	a.adam = learn.NewAdam(tot, p.Beta1, p.Beta2, p.Eps)
	a.RunMean, a.RunVar = make([]float64, p.NPN), make([]float64, p.NPN)
	for i := range a.RunVar {
		a.RunVar[i] = 1
	}
	B := p.Batch
	mk := func(n int) []float64 { return make([]float64, n) }
	a.orn, a.h1, a.xhat, a.pn = mk(B*norn), mk(B*p.NPN), mk(B*p.NPN), mk(B*p.NPN)
	a.kcPre, a.kc, a.mask = mk(B*p.NKC), mk(B*p.NKC), mk(B*p.NKC)
	a.out, a.dOut, a.dKC, a.dPN, a.dH1 = mk(B*p.Classes), mk(B*p.Classes), mk(B*p.NKC), mk(B*p.NPN), mk(B*p.NPN)
	a.a1, a.a2 = mk(len(a.W1)), mk(len(a.W2))
	a.istd, a.mu = mk(p.NPN), mk(p.NPN)
	a.dk, a.a2T, a.g2T, a.lanes = mk(B*p.NKC), mk(len(a.W2)), mk(len(a.W2)), mk(4*p.NPN)
	for r := range a.laneT {
		a.laneT[r], a.laneR[r] = mk(p.NKC), make([]int32, p.NKC)
	}
	actBuf := make([]int32, B*p.NKC)
	a.act = make([][]int32, B)
	for s := range a.act {
		a.act[s] = actBuf[s*p.NKC : s*p.NKC : (s+1)*p.NKC]
	}
	return a, nil
}

// gemm computes C = alpha·op(A)·op(B) + beta·C on row-major matrices, bit
// for bit as gonum's blas64.Gemm does on amd64 (see gemmExact), faster;
// par > 1 splits C's rows between that many goroutines (the same
// results).
func gemm(par int, tA, tB bool, m, n, k int, alpha float64, A []float64, lda int, Bm []float64, ldb int, beta float64, Cm []float64, ldc int) {
	if !gemmExact(par, tA, tB, m, n, k, alpha, A, lda, Bm, ldb, beta, Cm, ldc) {
		gemmGonum(tA, tB, m, n, k, alpha, A, lda, Bm, ldb, beta, Cm, ldc)
	}
}

// gemmGonum is gemm through gonum's blas64.Gemm.
func gemmGonum(tA, tB bool, m, n, k int, alpha float64, A []float64, lda int, Bm []float64, ldb int, beta float64, Cm []float64, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	ar, ac := m, k
	if tA {
		ta, ar, ac = blas.Trans, k, m
	}
	br, bc := k, n
	if tB {
		tb, br, bc = blas.Trans, n, k
	}
	blas64.Gemm(ta, tb, alpha,
		blas64.General{Rows: ar, Cols: ac, Stride: lda, Data: A},
		blas64.General{Rows: br, Cols: bc, Stride: ldb, Data: Bm},
		beta, blas64.General{Rows: m, Cols: n, Stride: ldc, Data: Cm})
}

// gemmBlock and gemmMinParBlocks are gonum's Dgemm block size and the
// number of C blocks from which it goes parallel, splitting the sum over
// k into blocks (which changes a dot product's rounding).
const gemmBlock, gemmMinParBlocks = 64, 4

// gemmMinParWork is the number of multiply-adds from which a product is
// split between goroutines: below about 4 M (the default network's
// largest product, PN→KC for a batch of 32, is 4.0 M) two goroutines were
// slower by wall than one on a 2-core AMD EPYC VM (the hand-off per
// product costs more than half the product).
const gemmMinParWork = 1 << 22

// gemmExact does the products whose order of operations gonum's Dgemm
// fixes per element of C, on amd64 only (elsewhere gonum's Go loops may
// fuse multiply and add), and reports whether it did: after C = beta·C
// (zeroed for beta 0), op(B) not transposed adds the terms alpha·A(i,l)·B(l,:)
// row by row in increasing l, skipping zero coefficients (vec.AxpyK, the
// same multiply and add); B transposed and A not adds to each C(i,j)
// alpha times the dot product of A's row i and B's row j in gonum's lane
// order (vec.MatVec), where gonum does not split k. The results equal
// blas64.Gemm's bit for bit (TestGemmEqualsGonum) for finite inputs.
func gemmExact(par int, tA, tB bool, m, n, k int, alpha float64, A []float64, lda int, Bm []float64, ldb int, beta float64, Cm []float64, ldc int) bool {
	if runtime.GOARCH != "amd64" || alpha == 0 || k == 0 || m == 0 || n == 0 || (tA && tB) {
		return false
	}
	blocks := func(x int) int { return (x + gemmBlock - 1) / gemmBlock }
	if tB && (ldb != k || (blocks(m)*blocks(n) >= gemmMinParBlocks && k > gemmBlock)) {
		return false
	}
	// Two shapes of the ANN's backward pass run faster through whole rows
	// of a transposed operand, with the same terms in the same order.
	var bT, tcol []float64
	switch {
	case tA && !tB && alpha == 1 && beta == 0 && n < 16 && m >= 64 && allFinite(A, Bm):
		tcol = gemmColumns(Bm, ldb, k, n)
	case tB && !tA && alpha == 1 && k >= 4 && k <= 16 && n >= 64 && allFinite(Bm[:n*k]):
		bT = transpose(Bm[:n*k], n, k)
	}
	rows := func(lo, hi int) {
		if tcol != nil {
			gemmTransposedC(lo, hi, m, n, k, A, lda, tcol, Cm, ldc)
			return
		}
		if bT != nil {
			gemmLanes(lo, hi, n, k, A, lda, bT, beta, Cm, ldc)
			return
		}
		if beta != 1 {
			for i := lo; i < hi; i++ {
				row := Cm[i*ldc : i*ldc+n]
				if beta == 0 {
					clear(row)
				} else {
					vec.Scale(row, beta)
				}
			}
		}
		if tB {
			// All the rows' dot products in one pass over B (MatVecs)
			// where A's rows are contiguous, else row by row.
			dot := make([]float64, n*(hi-lo))
			if lda == k {
				vec.MatVecs(dot, Bm[:n*k], A[lo*k:hi*k], n, k)
			} else {
				for i := lo; i < hi; i++ {
					vec.MatVec(dot[(i-lo)*n:(i-lo+1)*n], Bm[:n*k], A[i*lda:i*lda+k])
				}
			}
			for i := lo; i < hi; i++ {
				row := Cm[i*ldc : i*ldc+n]
				for j, d := range dot[(i-lo)*n : (i-lo+1)*n] {
					row[j] += float64(alpha * d)
				}
			}
			return
		}
		// The coefficients of every row first, then all rows at once
		// (column block by column block: the block of B stays in cache).
		// Each element still gets its terms in increasing l.
		t := make([]float64, (hi-lo)*k)
		for i := lo; i < hi; i++ {
			ti := t[(i-lo)*k : (i-lo+1)*k]
			for l := range ti {
				if tA {
					ti[l] = alpha * A[l*lda+i]
				} else {
					ti[l] = alpha * A[i*lda+l]
				}
			}
		}
		vec.AxpyKRows(Cm[lo*ldc:], ldc, n, Bm, ldb, t, k)
	}
	// Split only products worth a goroutine (≥ gemmMinParWork).
	if par = min(par, m); par < 2 || m*n*k < gemmMinParWork {
		rows(0, m)
		return true
	}
	var wg sync.WaitGroup
	for g := range par {
		wg.Go(func() { rows(g*m/par, (g+1)*m/par) })
	}
	wg.Wait()
	return true
}

// effectiveWeights sets a1 = |W1| and a2 = |W2| from the current weights.
func (a *FlyANN) effectiveWeights() {
	vec.Abs(a.a1, a.W1)
	vec.Abs(a.a2, a.W2)
	a.a1Finite = sumFinite(a.a1)
}

// mulRows sets the m × n matrix c to x·w (x m × k, w k × n, all
// contiguous) through vec.MulRows, the rows split in groups of four
// between a.Threads goroutines for products of gemmMinParWork
// multiply-adds or more (the same results).
func (a *FlyANN) mulRows(c, x, w []float64, m, n, k int) {
	par := min(a.Threads, m/4)
	if par < 2 || m*n*k < gemmMinParWork {
		vec.MulRows(c, n, x, k, w, n, m, n, k)
		return
	}
	var wg sync.WaitGroup
	for g := range par {
		lo, hi := g*m/par&^3, (g+1)*m/par&^3
		if g == par-1 {
			hi = m
		}
		wg.Go(func() { vec.MulRows(c[lo*n:], n, x[lo*k:], k, w, n, hi-lo, n, k) })
	}
	wg.Wait()
}

// sumFinite reports whether the sum of x (≥ 0 here: |W2|) is finite,
// through gonum's vector sum: true means every entry is finite, false
// that one is not or that the sum overflows (then the caller takes its
// slower exact path).
func sumFinite(x []float64) bool {
	s := floats.Sum(x)
	return !math.IsNaN(s) && !math.IsInf(s, 0)
}

// allFinite reports whether every entry of the slices is finite.
func allFinite(xs ...[]float64) bool {
	// v·0 is ±0 for finite v and NaN otherwise: four sums of them, no
	// branch per entry.
	var s [4]float64
	for _, x := range xs {
		i := 0
		for ; i+4 <= len(x); i += 4 {
			s[0] += x[i] * 0
			s[1] += x[i+1] * 0
			s[2] += x[i+2] * 0
			s[3] += x[i+3] * 0
		}
		for ; i < len(x); i++ {
			s[0] += x[i] * 0
		}
	}
	return s[0]+s[1]+s[2]+s[3] == 0
}

// transpose returns the transpose (c × r) of the row-major r × c matrix a.
func transpose(a []float64, r, c int) []float64 {
	t := make([]float64, r*c)
	for i := range r {
		for j, v := range a[i*c : (i+1)*c] {
			t[j*r+i] = v
		}
	}
	return t
}

// gemmColumns returns the k × n matrix B (row stride ldb) column by
// column: entry j·k+l is B(l, j).
func gemmColumns(Bm []float64, ldb, k, n int) []float64 {
	t := make([]float64, n*k)
	for l := range k {
		for j := range n {
			t[j*k+l] = Bm[l*ldb+j]
		}
	}
	return t
}

// gemmTransposedC does rows lo…hi−1 of C = Aᵀ·B (alpha 1, beta 0; A is
// k × m, B's columns in tcol) as rows of Cᵀ: Cᵀ(j, lo:hi) sums B(l, j)·A(l, lo:hi)
// in increasing l (vec.AxpyK), the same products in the same order as the
// row-by-row sums. AxpyK skips the terms with B(l, j) = 0 where the rows
// skip those with A(l, i) = 0: with finite inputs either kind of term is
// ±0, which leaves a sum that starts at +0 unchanged.
func gemmTransposedC(lo, hi, m, n, k int, A []float64, lda int, tcol, Cm []float64, ldc int) {
	w := hi - lo
	ct := make([]float64, n*w)
	for j := range n {
		vec.AxpyK(ct[j*w:(j+1)*w], A[lo:], lda, tcol[j*k:(j+1)*k])
	}
	for i := lo; i < hi; i++ {
		row := Cm[i*ldc : i*ldc+n]
		for j := range row {
			row[j] = ct[j*w+i-lo]
		}
	}
}

// gemmLanes does rows lo…hi−1 of C = A·Bᵀ + beta·C (alpha 1) for a short k
// (4…16; B's transpose in bT, k × n) with floats.Dot's partial sums formed
// for all of C's columns at once: lane q sums A(i, l)·B(j, l) over
// l ≡ q (mod 4), l < k&^3, in increasing l, lane 0 then the rest of l in
// order, and the dot product is (lane0 + lane2) + (lane1 + lane3), as
// vec.MatVec computes it. AxpyK skips coefficients A(i, l) = 0, whose
// terms (±0, B finite) leave a lane that starts at +0 unchanged.
func gemmLanes(lo, hi, n, k int, A []float64, lda int, bT []float64, beta float64, Cm []float64, ldc int) {
	k4 := k &^ 3
	lane := make([]float64, 4*n)
	t := make([]float64, 0, k)
	for i := lo; i < hi; i++ {
		a := A[i*lda : i*lda+k]
		clear(lane)
		for q := range 4 {
			t = t[:0]
			for l := q; l < k4; l += 4 {
				t = append(t, a[l])
			}
			vec.AxpyK(lane[q*n:(q+1)*n], bT[q*n:], 4*n, t)
		}
		vec.AxpyK(lane[:n], bT[k4*n:], n, a[k4:])
		row := Cm[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			vec.Scale(row, beta)
		}
		l0, l1, l2, l3 := lane[:n], lane[n:2*n], lane[2*n:3*n], lane[3*n:]
		for j := range row {
			row[j] += (l0[j] + l2[j]) + (l1[j] + l3[j]) // alpha = 1: alpha·d is d
		}
	}
}

// forward computes the outputs of x (bsz × NOR) into a.out from the
// effective weights a1, a2 (effectiveWeights); train uses batch statistics
// and dropout, otherwise the running statistics.
func (a *FlyANN) forward(x []float64, bsz int, train bool) {
	p := a.P
	norn := p.NOR * p.Tile
	for s := 0; s < bsz; s++ {
		for r := 0; r < p.Tile; r++ {
			copy(a.orn[s*norn+r*p.NOR:s*norn+(r+1)*p.NOR], x[s*p.NOR:(s+1)*p.NOR])
		}
	}
	if a.sparse() && a.a1Finite {
		// Every odor's ORN rates times |W1| in register tiles (the same
		// bits: the sums start at +0 and |W1| is finite).
		a.mulRows(a.h1, a.orn, a.a1, bsz, p.NPN, norn)
	} else {
		gemm(a.Threads, false, false, bsz, p.NPN, norn, 1, a.orn, norn, a.a1, p.NPN, 0, a.h1, p.NPN)
	}
	// BatchNorm
	for i := 0; i < p.NPN; i++ {
		var mu, va float64
		if train {
			for s := 0; s < bsz; s++ {
				mu += a.h1[s*p.NPN+i]
			}
			mu /= float64(bsz)
			for s := 0; s < bsz; s++ {
				d := a.h1[s*p.NPN+i] - mu
				va += d * d
			}
			va /= float64(bsz)
			m := p.BNMomentum
			a.RunMean[i] = (1-m)*a.RunMean[i] + m*mu
			a.RunVar[i] = (1-m)*a.RunVar[i] + m*va*float64(bsz)/float64(bsz-1)
		} else {
			mu, va = a.RunMean[i], a.RunVar[i]
		}
		a.mu[i], a.istd[i] = mu, 1/math.Sqrt(va+p.BNEps)
	}
	for s := 0; s < bsz; s++ {
		for i := 0; i < p.NPN; i++ {
			k := s*p.NPN + i
			xh := (a.h1[k] - a.mu[i]) * a.istd[i]
			a.xhat[k] = xh
			a.pn[k] = max(a.Gam[i]*xh+a.Bet[i], 0)
		}
	}
	gemm(a.Threads, false, false, bsz, p.NKC, p.NPN, 1, a.pn, p.NPN, a.a2, p.NKC, 0, a.kcPre, p.NKC)
	keep := 1 / (1 - p.Dropout)
	drop := train && p.Dropout > 0
	a.masked = drop
	for s := 0; s < bsz; s++ {
		pre, kc, mask := a.kcPre[s*p.NKC:(s+1)*p.NKC], a.kc[s*p.NKC:(s+1)*p.NKC], a.mask[s*p.NKC:(s+1)*p.NKC]
		if !drop {
			// no mask (1): kc = v·1 = v
			vec.ReLUBias(pre, kc, a.B2)
		} else {
			for i, b := range a.B2[:len(pre)] {
				v := max(pre[i]+b, 0)
				pre[i] = v
				m := 0.0
				if a.rng.Float64() >= p.Dropout {
					m = keep
				}
				mask[i] = m
				kc[i] = v * m
			}
		}
		if a.sparse() {
			a.act[s] = vec.AppendNonzero(a.act[s][:0], kc)
		}
	}
	for s := 0; s < bsz; s++ {
		copy(a.out[s*p.Classes:(s+1)*p.Classes], a.B3)
	}
	if !a.sparse() {
		gemm(a.Threads, false, false, bsz, p.Classes, p.NKC, 1, a.kc, p.NKC, a.W3, p.Classes, 1, a.out, p.Classes)
		return
	}
	// out += kc·W3 over each sample's active KCs only: the terms gemm
	// adds (it skips zero coefficients), in the same order. The active
	// kc values stay in dk for the backward pass's g3.
	for s := 0; s < bsz; s++ {
		act := a.act[s]
		t := a.dk[s*p.NKC : s*p.NKC+len(act)]
		kc := a.kc[s*p.NKC : (s+1)*p.NKC]
		for q, i := range act {
			t[q] = kc[i]
		}
		vec.AxpyRows(a.out[s*p.Classes:(s+1)*p.Classes], a.W3, p.Classes, t, act)
	}
}

// TrainBatch takes one Adam step on the batch (x: bsz × NOR, labels) and
// returns the mean cross-entropy and the number of correct predictions.
func (a *FlyANN) TrainBatch(x []float64, labels []int) (float64, int) {
	loss, correct := a.Gradient(x, labels)
	a.adam.Step(a.Par, a.grad, a.P.LR)
	return loss, correct
}

// Gradient runs the batch in training mode and leaves the gradient of the
// mean cross-entropy with respect to Par in Grad(); it returns the loss and
// the number of correct predictions.
func (a *FlyANN) Gradient(x []float64, labels []int) (float64, int) {
	p := a.P
	bsz := len(labels)
	if bsz > p.Batch || bsz < 2 {
		panic(fmt.Sprintf("learn: FlyANN.TrainBatch with %d samples (2..%d)", bsz, p.Batch))
	}
	a.effectiveWeights()
	a.forward(x, bsz, true)
	C := p.Classes
	loss, correct := 0.0, 0
	for s := 0; s < bsz; s++ {
		if floats.MaxIdx(a.out[s*C:(s+1)*C]) == labels[s] {
			correct++
		}
		loss += softmaxCE(a.out[s*C:(s+1)*C], labels[s], a.dOut[s*C:(s+1)*C])
	}
	inv := 1 / float64(bsz)
	for k := range a.dOut[:bsz*C] {
		a.dOut[k] *= inv
	}
	// g1 and g2 are written whole below (gemm with beta 0); the rest
	// are sums.
	n := len(a.W1)
	clear(a.grad[n : n+2*p.NPN])
	clear(a.grad[n+2*p.NPN+len(a.W2):])
	g1, gGam, gBet := a.grad[:n], a.grad[n:n+p.NPN], a.grad[n+p.NPN:n+2*p.NPN]
	n += 2 * p.NPN
	g2, gB2 := a.grad[n:n+len(a.W2)], a.grad[n+len(a.W2):n+len(a.W2)+p.NKC]
	n += len(a.W2) + p.NKC
	g3, gB3 := a.grad[n:n+len(a.W3)], a.grad[n+len(a.W3):]
	if !a.sparse() || C > gemmBlock || math.IsNaN(loss) || math.IsInf(loss, 0) || !sumFinite(a.a2) {
		a.denseBackward(bsz, g3, gB3, g2, gB2)
	} else {
		a.sparseBackward(bsz, g3, gB3, g2, gB2)
	}
	// ReLU and BatchNorm
	for i := 0; i < p.NPN; i++ {
		var sdy, sdyx float64
		for s := 0; s < bsz; s++ {
			k := s*p.NPN + i
			if a.pn[k] <= 0 {
				a.dPN[k] = 0
			}
			gBet[i] += a.dPN[k]
			gGam[i] += a.dPN[k] * a.xhat[k]
			dx := a.dPN[k] * a.Gam[i]
			sdy += dx
			sdyx += dx * a.xhat[k]
		}
		for s := 0; s < bsz; s++ {
			k := s*p.NPN + i
			dx := a.dPN[k] * a.Gam[i]
			a.dH1[k] = a.istd[i] * inv * (float64(bsz)*dx - sdy - a.xhat[k]*sdyx)
		}
	}
	// The Tile copies of an odor in orn are equal, so are the rows of
	// ornᵀ·dH1 they give (each row's sums have the same terms in the same
	// order): compute the first NOR rows and copy them.
	gemm(a.Threads, true, false, p.NOR, p.NPN, bsz, 1, a.orn, p.NOR*p.Tile, a.dH1, p.NPN, 0, g1[:p.NOR*p.NPN], p.NPN)
	for r := 1; r < p.Tile; r++ {
		copy(g1[r*p.NOR*p.NPN:(r+1)*p.NOR*p.NPN], g1[:p.NOR*p.NPN])
	}
	signMul(g1, a.W1)
	return loss * inv, correct
}

// sparse reports whether the passes go over each sample's active KCs
// (see sparseBackward): on amd64 unless dense is set.
func (a *FlyANN) sparse() bool { return !a.dense && runtime.GOARCH == "amd64" }

// denseBackward computes the output layer's and the KC layer's
// gradients (g3, gB3, g2, gB2) and dPN through gemm over whole matrices.
func (a *FlyANN) denseBackward(bsz int, g3, gB3, g2, gB2 []float64) {
	p, C := a.P, a.P.Classes
	if !a.masked {
		for k := range a.mask[:bsz*p.NKC] {
			a.mask[k] = 1
		}
	}
	gemm(a.Threads, true, false, p.NKC, C, bsz, 1, a.kc, p.NKC, a.dOut, C, 0, g3, C)
	for s := 0; s < bsz; s++ {
		vec.AddTo(gB3, a.dOut[s*C:(s+1)*C])
	}
	gemm(a.Threads, false, true, bsz, p.NKC, C, 1, a.dOut, C, a.W3, C, 0, a.dKC, p.NKC)
	for k := range a.dKC[:bsz*p.NKC] {
		// 0 where the ReLU was off (kcPre ≤ 0), else dKC·mask: the
		// product's bits kept or cleared, no branch to mispredict.
		var keep uint64
		if !(a.kcPre[k] <= 0) {
			keep = ^uint64(0)
		}
		a.dKC[k] = math.Float64frombits(math.Float64bits(a.dKC[k]*a.mask[k]) & keep)
	}
	for s := 0; s < bsz; s++ {
		vec.AddTo(gB2, a.dKC[s*p.NKC:(s+1)*p.NKC])
	}
	gemm(a.Threads, true, false, p.NPN, p.NKC, bsz, 1, a.pn, p.NPN, a.dKC, p.NKC, 0, g2, p.NKC)
	signMul(g2, a.W2)
	gemm(a.Threads, false, true, bsz, p.NPN, p.NKC, 1, a.dKC, p.NKC, a.a2, p.NKC, 0, a.dPN, p.NPN)
}

// sparseBackward is denseBackward over each sample's active KCs only
// (act: kc ≠ 0), bit for bit: every term it leaves out is a product
// with a zero factor (an inactive KC's kc or dKC) that the dense sums
// add to a sum that starts at +0, which leaves it unchanged (a sum that
// starts at +0 never becomes −0, and x + ±0 = x otherwise), provided the
// other factor is finite (Gradient checks |W2| and the loss first). It
// needs Classes ≤ gemmBlock, where gemm forms dOut·W3ᵀ as vec.MatVec's
// dot products (gonum splits longer ones), and forms dPN through gemm
// where gemm would hand it to gonum. On amd64 only (elsewhere gemm is
// gonum's, whose Go loops may fuse multiply and add).
func (a *FlyANN) sparseBackward(bsz int, g3, gB3, g2, gB2 []float64) {
	p, C := a.P, a.P.Classes
	for s := 0; s < bsz; s++ {
		vec.AddTo(gB3, a.dOut[s*C:(s+1)*C])
	}
	// g3 = kcᵀ·dOut: rows of active KCs, terms in increasing s (the
	// forward pass left each sample's active kc values in dk).
	for s := 0; s < bsz; s++ {
		act := a.act[s]
		vec.ScatterAxpy(g3, C, act, a.dk[s*p.NKC:s*p.NKC+len(act)], a.dOut[s*C:(s+1)*C])
	}
	// dKC = (dOut·W3ᵀ)·mask at the active KCs (vec.MatVec's lanes:
	// j ≡ q mod 4 below C&^3, the tail on lane 0, (l0 + l2) + (l1 + l3)),
	// in dk.
	c4 := C &^ 3
	finite := true
	for s := 0; s < bsz; s++ {
		d, dk := a.dOut[s*C:(s+1)*C], a.dk[s*p.NKC:(s+1)*p.NKC]
		for q, i := range a.act[s] {
			w := a.W3[int(i)*C : int(i)*C+C]
			var l [4]float64
			for j := 0; j < c4; j += 4 {
				l[0] += float64(d[j] * w[j])
				l[1] += float64(d[j+1] * w[j+1])
				l[2] += float64(d[j+2] * w[j+2])
				l[3] += float64(d[j+3] * w[j+3])
			}
			for j := c4; j < C; j++ {
				l[0] += float64(d[j] * w[j])
			}
			v := (l[0] + l[2]) + (l[1] + l[3])
			if v == 0 {
				v = 0 // gemm adds the dot product to a cleared C: +0
			}
			if a.masked {
				v *= a.mask[s*p.NKC+int(i)]
			}
			finite = finite && v-v == 0
			dk[q] = v
			gB2[i] += v
		}
	}
	blocks := func(x int) int { return (x + gemmBlock - 1) / gemmBlock }
	if !finite || blocks(bsz)*blocks(p.NPN) >= gemmMinParBlocks && p.NKC > gemmBlock {
		// A dKC that is not finite (the terms left out below would be
		// NaN), or a shape whose dKC·a2ᵀ gemm hands to gonum (which splits
		// the dot products): the whole dKC matrix through gemm.
		clear(a.dKC[:bsz*p.NKC])
		for s := 0; s < bsz; s++ {
			for q, i := range a.act[s] {
				a.dKC[s*p.NKC+int(i)] = a.dk[s*p.NKC+q]
			}
		}
		gemm(a.Threads, true, false, p.NPN, p.NKC, bsz, 1, a.pn, p.NPN, a.dKC, p.NKC, 0, g2, p.NKC)
		signMul(g2, a.W2)
		gemm(a.Threads, false, true, bsz, p.NPN, p.NKC, 1, a.dKC, p.NKC, a.a2, p.NKC, 0, a.dPN, p.NPN)
		return
	}
	// g2ᵀ: row j adds dKC(s, j)·pn(s, :) for the samples s where KC j is
	// active, in increasing s (the terms with pn(s, i) = 0, which gemm
	// skips, are ±0: no change). dPN(s, :) = Σ_j dKC(s, j)·a2ᵀ(j, :) as
	// vec.MatVec's four partial sums, each over the active KCs of its
	// residue mod 4 in increasing order (the tail, j ≥ NKC&^3, on lane 0).
	vec.Transpose(a.a2T, p.NPN, a.a2, p.NKC, p.NPN, p.NKC)
	// g2T is all +0 here: zeroed when made and cleared by the
	// transpose that ends every call.
	k4 := p.NKC &^ 3
	for s := 0; s < bsz; s++ {
		act := a.act[s]
		dk := a.dk[s*p.NKC : s*p.NKC+len(act)]
		vec.ScatterAxpy(a.g2T, p.NPN, act, dk, a.pn[s*p.NPN:(s+1)*p.NPN])
		var n [4]int
		for q, i := range act {
			r := int(i) & 3
			if int(i) >= k4 {
				r = 0
			}
			a.laneT[r][n[r]], a.laneR[r][n[r]] = dk[q], i
			n[r]++
		}
		clear(a.lanes)
		for r := range 4 {
			vec.AxpyRows(a.lanes[r*p.NPN:(r+1)*p.NPN], a.a2T, p.NPN, a.laneT[r][:n[r]], a.laneR[r][:n[r]])
		}
		l0, l1, l2, l3 := a.lanes[:p.NPN], a.lanes[p.NPN:2*p.NPN], a.lanes[2*p.NPN:3*p.NPN], a.lanes[3*p.NPN:]
		row := a.dPN[s*p.NPN : (s+1)*p.NPN]
		for i := range row {
			v := (l0[i] + l2[i]) + (l1[i] + l3[i])
			if v == 0 {
				v = 0
			}
			row[i] = v
		}
	}
	// g2 = (g2T)ᵀ with the sign rule of |W2|, g2T cleared for the next
	// batch.
	vec.TransposeSignMul(g2, p.NKC, a.g2T, p.NPN, p.NKC, p.NPN, a.W2, p.NKC, true)
}

// Grad returns the gradient left by the last Gradient or TrainBatch, laid out like Par.
func (a *FlyANN) Grad() []float64 { return a.grad }

// Predict writes the predicted class of each odor of x into pred (evaluation mode).
func (a *FlyANN) Predict(x []float64, pred []int) {
	p := a.P
	a.effectiveWeights() // once: the weights do not change while predicting
	for lo := 0; lo < len(pred); lo += p.Batch {
		hi := min(lo+p.Batch, len(pred))
		a.forward(x[lo*p.NOR:hi*p.NOR], hi-lo, false)
		for s := lo; s < hi; s++ {
			pred[s] = floats.MaxIdx(a.out[(s-lo)*p.Classes : (s-lo+1)*p.Classes])
		}
	}
}

// KCActivity returns the KC activations (bsz × NKC, before dropout) of
// the last forward pass.
func (a *FlyANN) KCActivity() []float64 { return a.kcPre }

// signMul multiplies g by sign(w) elementwise (the chain rule of |w|):
// g's sign bit is flipped where w < 0 (−g), g is set to +0 where w = ±0
// (vec.SignMul; w is never NaN here: a NaN loss stops training first).
func signMul(g, w []float64) { vec.SignMul(g, w) }
