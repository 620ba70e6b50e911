//go:build amd64 && !purego

package vec

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"golang.org/x/sys/cpu"
)

// useAVX is set when the CPU has AVX2 and FMA.
var useAVX = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// useAVX512 is set when the CPU also has AVX-512 F and VL.
var useAVX512 = useAVX && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL

// useAVX2 is set when the CPU has AVX2 (kernels without FMA).
var useAVX2 = cpu.X86.HasAVX2

// dot4RowsAVX adds, for the four rows a_r at a + r·stride (r = 0..3) and
// n a multiple of 4, to lanes[4r+l] the products a_r[j]·x[j] over j < n,
// j ≡ l (mod 4), in increasing j with separate multiply and add: from
// zeroed lanes, floats.Dot's partial sums; from a previous call's lanes,
// their continuation over the next columns.
//
//go:noescape
func dot4RowsAVX(a *float64, stride int, x *float64, n int, lanes *[16]float64)

// addRowsAVX512 adds to dst[i] (i < n) the values w[rows[r]·stride + i]
// for r < k, in the order of rows; it returns false at once on a row
// index outside [0, maxRow].
//
//go:noescape
func addRowsAVX512(dst *float64, n int, w *float64, stride int, rows *int32, k, maxRow int) bool

// addRowsAVX2 is addRowsAVX512 on four lanes (AVX2, no FMA needed).
//
//go:noescape
func addRowsAVX2(dst *float64, n int, w *float64, stride int, rows *int32, k, maxRow int) bool

// addRows adds to dst the rows w[j·stride : j·stride+len(dst)] for j in
// rows, one after another in the order of rows.
func addRows(dst, w []float64, stride int, rows []int32) {
	if len(rows) == 0 || len(dst) == 0 {
		return
	}
	if useAVX2 && len(w) >= len(dst) && stride > 0 {
		maxRow := (len(w) - len(dst)) / stride // rows j ≤ maxRow lie inside w
		kernel := addRowsAVX2
		if useAVX512 {
			kernel = addRowsAVX512
		}
		if !kernel(&dst[0], len(dst), &w[0], stride, &rows[0], len(rows), maxRow) {
			panic(fmt.Sprintf("vec.AddRows: a row index in %v is outside the %d rows", rows, maxRow+1))
		}
		return
	}
	addRowsGo(dst, w, stride, rows)
}

// expAVX512 sets dst[i] = math.Exp(x[i]) for i < n (n a multiple of 8) in
// groups of eight, bit for bit as math.Exp computes it with FMA, up to the
// first group with an argument that needs math.Exp's special cases; it
// returns where it stopped (n when done).
//
//go:noescape
func expAVX512(dst, x *float64, n int) int

// expAVX2 is expAVX512 on four lanes: n a multiple of 4, groups of four.
//
//go:noescape
func expAVX2(dst, x *float64, n int) int

// vexpOK says whether the vector exp kernels reproduce math.Exp here:
// math.Exp takes its FMA path where the CPU has AVX and FMA. expInto uses
// them where useAVX (AVX2 and FMA) is also set: expAVX512 with AVX-512,
// else expAVX2.
var vexpOK = cpu.X86.HasAVX && cpu.X86.HasFMA

// expInto sets dst[i] = math.Exp(x[i]) for all i, bit for bit.
func expInto(dst, x []float64) {
	dst = dst[:len(x)]
	i := 0
	if vexpOK && useAVX {
		kernel, g := expAVX2, 4
		if useAVX512 {
			kernel, g = expAVX512, 8
		}
		ng := len(x) &^ (g - 1)
		for i < ng {
			i += kernel(&dst[i], &x[i], ng-i)
			if i < ng { // a group with a special case: math.Exp does it
				for j := i; j < i+g; j++ {
					dst[j] = math.Exp(x[j])
				}
				i += g
			}
		}
	}
	for ; i < len(x); i++ {
		dst[i] = math.Exp(x[i])
	}
}

// nonzeroAVX512 writes the indices i < n (n a multiple of 8) with x[i] ≠ 0
// to dst in order and returns their number.
//
//go:noescape
func nonzeroAVX512(dst *int32, x *float64, n int) int

// nonzeroAVX2 is nonzeroAVX512 with AVX2 and POPCNT; it stores four
// indices at a time, so dst needs room for n even where fewer are nonzero.
//
//go:noescape
func nonzeroAVX2(dst *int32, x *float64, n int) int

// hasPOPCNT is set when the CPU has POPCNT (nonzeroAVX2 counts with it).
var hasPOPCNT = cpu.X86.HasPOPCNT

// appendNonzero appends to list, in order, the indices of the nonzero
// entries of x (spikes given as 0 and 1).
func appendNonzero(list []int32, x []float64) []int32 {
	i := 0
	if n8 := len(x) &^ 7; useAVX2 && hasPOPCNT && n8 > 0 {
		kernel := nonzeroAVX2
		if useAVX512 {
			kernel = nonzeroAVX512
		}
		k := len(list)
		list = slices.Grow(list, len(x))
		// The kernels may store whole groups of indices: room for them.
		k += kernel(&list[k : k+len(x)][0], &x[0], n8)
		list = list[:k]
		i = n8
	}
	for ; i < len(x); i++ {
		if x[i] != 0 {
			list = append(list, int32(i))
		}
	}
	return list
}

// scaleAVX does x[i] *= k for n a multiple of 4.
//
//go:noescape
func scaleAVX(x *float64, n int, k float64)

// scale does x[i] *= k (AVX2 where available; the same products).
func scale(x []float64, k float64) {
	if n4 := len(x) &^ 3; useAVX2 && n4 > 0 {
		scaleAVX(&x[0], n4, k)
		x = x[n4:]
	}
	for i := range x {
		x[i] *= k
	}
}

// axpyKAVX adds to c[j], j < n, the terms t[p]·b[rows[p]·ldb + j] for
// p < k in order, multiply then add: with AVX2 32 columns at a time in
// registers over all terms, then 16, 8 and 4, then the last one to three
// (masked loads and store); with avx512 set (AVX-512)
// 32 columns at a time, the last group masked (the same products and sums).
//
//go:noescape
func axpyKAVX(c *float64, n int, b *float64, ldb int, t *float64, rows *int32, k int, avx512 bool)

// axpyBuf holds the nonzero coefficients of one AxpyK call and their rows.
type axpyBuf struct {
	t    []float64
	rows []int32
	cnt  []int // AxpyKRows: each row's number of nonzero coefficients
}

var axpyPool = sync.Pool{New: func() any { return new(axpyBuf) }}

// axpyK is AxpyK: the nonzero coefficients listed first (no branch per
// term in the kernel), then AVX-512 (or AVX2) over the columns (the same multiply and
// add per term); column by column in Go without AVX2.
func axpyK(c, b []float64, ldb int, t []float64) {
	if len(t) == 0 || len(c) == 0 {
		return
	}
	_ = b[(len(t)-1)*ldb+len(c)-1] // every row lies inside b
	if !useAVX2 || len(t) > math.MaxInt32 {
		axpyColumns(c, b, ldb, t)
		return
	}
	buf := axpyPool.Get().(*axpyBuf)
	if cap(buf.t) < len(t) {
		buf.t, buf.rows = make([]float64, len(t)), make([]int32, len(t))
	}
	bt, br := buf.t[:len(t)], buf.rows[:len(t)]
	m := 0
	for l, tl := range t {
		// Every term is written and kept when nonzero (NaN too, as the
		// loop): no branch to mispredict on a sparse row.
		bt[m], br[m] = tl, int32(l)
		if tl != 0 {
			m++
		}
	}
	buf.t, buf.rows = bt[:m], br[:m]
	if len(buf.t) > 0 {
		axpyKAVX(&c[0], len(c), &b[0], ldb, &buf.t[0], &buf.rows[0], len(buf.t), useAVX512)
	}
	axpyPool.Put(buf)
}

// axpyKRowsBlock is the width of AxpyKRows's column blocks: 64 columns of
// k rows of b (k·512 bytes) stay in L1 while every row of c takes them.
const axpyKRowsBlock = 64

// axpyKRows lists every row's nonzero coefficients once, then runs the
// AxpyK kernel block of columns by block, all rows per block.
func axpyKRows(c []float64, ldc, n int, b []float64, ldb int, t []float64, k int) {
	m := len(t) / k
	if !useAVX2 || len(t) > math.MaxInt32 || n <= axpyKRowsBlock || m < 2 {
		axpyKRowsGo(c, ldc, n, b, ldb, t, k)
		return
	}
	buf := axpyPool.Get().(*axpyBuf)
	if cap(buf.t) < len(t) {
		buf.t, buf.rows = make([]float64, len(t)), make([]int32, len(t))
	}
	bt, br := buf.t[:len(t)], buf.rows[:len(t)]
	if cap(buf.cnt) < m {
		buf.cnt = make([]int, m)
	}
	cnt := buf.cnt[:m]
	for i := range m {
		ti, bti, bri := t[i*k:(i+1)*k], bt[i*k:(i+1)*k], br[i*k:(i+1)*k]
		q := 0
		for l, tl := range ti {
			bti[q], bri[q] = tl, int32(l)
			if tl != 0 {
				q++
			}
		}
		cnt[i] = q
	}
	for j0 := 0; j0 < n; j0 += axpyKRowsBlock {
		w := min(axpyKRowsBlock, n-j0)
		for i, q := range cnt {
			if q > 0 {
				axpyKAVX(&c[i*ldc+j0], w, &b[j0], ldb, &bt[i*k], &br[i*k], q, useAVX512)
			}
		}
	}
	buf.t, buf.rows = bt, br
	axpyPool.Put(buf)
}

// matVec computes four rows at a time with dot4RowsAVX, in floats.Dot's
// order: four partial sums over j ≡ l (mod 4), the tail added to the first,
// then (s0 + s2) + (s1 + s3).
func matVec(dst, a, x []float64) {
	n := len(x)
	m := len(dst)
	i := 0
	if n4 := n &^ 3; useAVX && n4 > 0 {
		var l [16]float64
		for ; i+4 <= m; i += 4 {
			clear(l[:])
			dot4RowsAVX(&a[i*n], n, &x[0], n4, &l)
			dot4Finish(dst[i:i+4], a[i*n:], n, x, &l)
		}
	}
	matVecGo(dst[i:], a[i*n:], x)
}

// dot4Finish ends floats.Dot for the four rows a[r·n : (r+1)·n] (r < 4)
// from their lanes over the first n&^3 columns: the rest added to lane 0,
// then (l0 + l2) + (l1 + l3) into dst[r].
func dot4Finish(dst, a []float64, n int, x []float64, l *[16]float64) {
	for r := range 4 {
		row, lr := a[r*n:(r+1)*n], l[4*r:4*r+4]
		for j := n &^ 3; j < n; j++ {
			lr[0] += float64(row[j] * x[j])
		}
		dst[r] = (lr[0] + lr[2]) + (lr[1] + lr[3])
	}
}

// matVecsBlock is the number of columns matVecs takes through all the
// vectors at a time: four rows of it (32 KiB) stay in the L1 cache.
const matVecsBlock = 1024

// matVecs is MatVecs: per group of four rows, the columns in blocks of
// matVecsBlock, each block through every vector before the next (the
// lanes carry over, so each sum keeps floats.Dot's order).
func matVecs(dst, a, xs []float64, m, n int) {
	nv := len(xs) / n
	n4, m4 := n&^3, m&^3
	if !useAVX || n4 == 0 {
		for v := range nv {
			matVecGo(dst[v*m:(v+1)*m], a[:m*n], xs[v*n:(v+1)*n])
		}
		return
	}
	lanes := make([][16]float64, nv)
	for i := 0; i < m4; i += 4 {
		clear(lanes)
		for k0 := 0; k0 < n4; k0 += matVecsBlock {
			kb := min(matVecsBlock, n4-k0)
			for v := range nv {
				dot4RowsAVX(&a[i*n+k0], n, &xs[v*n+k0], kb, &lanes[v])
			}
		}
		for v := range nv {
			dot4Finish(dst[v*m+i:v*m+i+4], a[i*n:], n, xs[v*n:(v+1)*n], &lanes[v])
		}
	}
	if m4 < m {
		for v := range nv {
			matVecGo(dst[v*m+m4:(v+1)*m], a[m4*n:m*n], xs[v*n:(v+1)*n])
		}
	}
}

// SetVectorKernels turns the assembly kernels on (where the CPU has them)
// or off and returns the previous setting. Results are the same either
// way; tests and benchmarks use it to compare the two paths. Not safe to
// call while kernels run.
func SetVectorKernels(on bool) (was bool) {
	was = useAVX2
	useAVX = on && cpu.X86.HasAVX2 && cpu.X86.HasFMA
	useAVX512 = useAVX && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL
	useAVX2 = on && cpu.X86.HasAVX2
	return was
}

// Kernels names the arithmetic kernel set this build and CPU select:
// "amd64-avx512" (AVX-512F/VL with FMA), "amd64-avx2" (AVX2 with FMA) or
// "amd64-generic" (pure Go loops on this CPU).
func Kernels() string {
	switch {
	case useAVX512:
		return "amd64-avx512"
	case useAVX:
		return "amd64-avx2"
	}
	return "amd64-generic"
}

// setAVX512 turns only the AVX-512 kernels off (or back on where the CPU
// and the current setting allow them), so tests reach the AVX2 kernels.
func setAVX512(on bool) {
	useAVX512 = on && useAVX && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL
}

// absAVX sets dst[i] = |src[i]| for n a multiple of 4 (the sign bits
// cleared, as math.Abs).
//
//go:noescape
func absAVX(dst, src *float64, n int)

// abs is Abs: AVX2 for the multiple of four, Go for the rest.
func abs(dst, src []float64) {
	if n4 := len(src) &^ 3; useAVX2 && n4 > 0 {
		absAVX(&dst[0], &src[0], n4)
		dst, src = dst[n4:], src[n4:]
	}
	absGo(dst, src)
}

// signMulAVX is signMulGo for n a multiple of 4: g's sign bit xor w's,
// then cleared to +0 where w = ±0 (an unordered not-equal compare, so a
// NaN w keeps g, as the Go loop does).
//
//go:noescape
func signMulAVX(gp, w *float64, n int)

// signMul is SignMul: AVX2 for the multiple of four, Go for the rest.
func signMul(g, w []float64) {
	if n4 := len(w) &^ 3; useAVX2 && n4 > 0 {
		signMulAVX(&g[0], &w[0], n4)
		g, w = g[n4:], w[n4:]
	}
	signMulGo(g, w)
}

// axpyRows is AxpyRows through the AxpyK kernel (which takes its terms'
// rows from a list).
func axpyRows(c, b []float64, ldb int, t []float64, rows []int32) {
	if !useAVX2 {
		axpyRowsGo(c, b, ldb, t, rows)
		return
	}
	axpyKAVX(&c[0], len(c), &b[0], ldb, &t[0], &rows[0], len(rows), useAVX512)
}

// mulRows4AVX sets rows 0…3 of C (columns 0…n−1) to A·B over k terms,
// MulRows's operations: 8 columns at a time in eight registers, then 4,
// then the last one to three through masked loads and stores.
//
//go:noescape
func mulRows4AVX(c *float64, ldc int, a *float64, lda int, b *float64, ldb int, k, n int)

// mulRows is MulRows: four rows at a time with AVX2, the rows left over
// in Go.
func mulRows(c []float64, ldc int, a []float64, lda int, b []float64, ldb int, m, n, k int) {
	i := 0
	if useAVX2 && m >= 4 {
		// Panels of 64 columns where B is larger than about half an L2
		// cache (each panel of B then stays in cache for all the rows).
		w := n
		if k*n*8 > 256<<10 {
			w = 64
		}
		for j0 := 0; j0 < n; j0 += w {
			wj := min(w, n-j0)
			for i = 0; i+4 <= m; i += 4 {
				mulRows4AVX(&c[i*ldc+j0], ldc, &a[i*lda], lda, &b[j0], ldb, k, wj)
			}
		}
	}
	if i < m {
		mulRowsGo(c[i*ldc:], ldc, a[i*lda:], lda, b, ldb, m-i, n, k)
	}
}

// transpose is Transpose: the multiple-of-four block with AVX2, the last
// rows and columns in Go.
func transpose(dst []float64, ldd int, src []float64, lds int, r, c int) {
	r4, c4 := r&^3, c&^3
	if !useAVX2 || r4 == 0 || c4 == 0 {
		transposeGo(dst, ldd, src, lds, r, c)
		return
	}
	transposeSign4AVX(&dst[0], ldd, &src[0], lds, r4, c4, &src[0], 0, false, false)
	for j := c4; j < c; j++ { // the last columns, every row
		for i := range r {
			dst[j*ldd+i] = src[i*lds+j]
		}
	}
	for j := range c4 { // the last rows, the other columns
		for i := r4; i < r; i++ {
			dst[j*ldd+i] = src[i*lds+j]
		}
	}
}

// scatterAxpyAVX is scatterAxpyGo: 16 columns of x at a time held in
// registers over all the rows, then 4, then the last one to three
// (masked loads and stores).
//
//go:noescape
func scatterAxpyAVX(c *float64, ldc int, rows *int32, t *float64, k int, x *float64, n int)

// scatterAxpy is ScatterAxpy.
func scatterAxpy(c []float64, ldc int, rows []int32, t, x []float64) {
	if !useAVX2 {
		scatterAxpyGo(c, ldc, rows, t, x)
		return
	}
	scatterAxpyAVX(&c[0], ldc, &rows[0], &t[0], len(rows), &x[0], len(x))
}

// reluBiasAVX is reluBiasGo for n a multiple of 4: VMAXPD(0, x + b)
// keeps a NaN and gives −0 for −0, and adding +0 makes that +0.
//
//go:noescape
func reluBiasAVX(x, y, b *float64, n int)

// reluBias is ReLUBias: AVX2 for the multiple of four, Go for the rest.
func reluBias(x, y, b []float64) {
	if n4 := len(x) &^ 3; useAVX2 && n4 > 0 {
		reluBiasAVX(&x[0], &y[0], &b[0], n4)
		x, y, b = x[n4:], y[n4:], b[n4:]
	}
	reluBiasGo(x, y, b)
}

// transposeSign4AVX transposes the r4 × c4 top-left block of src (r4
// and c4 multiples of 4; strides in elements) into dst in 4 × 4 blocks,
// all row blocks of a column block before the next column block (the
// source lines stay in cache while their columns are written); with
// sign, SignMul's rule against w (dst-shaped, stride ldw) is applied to
// every block before it is stored (w unread otherwise); with clear, +0
// is written over every block of src it has read.
//
//go:noescape
func transposeSign4AVX(dst *float64, ldd int, src *float64, lds int, r4, c4 int, w *float64, ldw int, sign, clear bool)

// transposeSignMul is TransposeSignMul: the multiple-of-four block with
// AVX2, the last rows and columns in Go.
func transposeSignMul(dst []float64, ldd int, src []float64, lds int, r, c int, w []float64, ldw int, clearSrc bool) {
	r4, c4 := r&^3, c&^3
	if !useAVX2 || r4 == 0 || c4 == 0 {
		transposeSignMulGo(dst, ldd, src, lds, r, c, w, ldw, clearSrc, 0, 0)
		return
	}
	transposeSign4AVX(&dst[0], ldd, &src[0], lds, r4, c4, &w[0], ldw, true, clearSrc)
	transposeSignMulGo(dst, ldd, src, lds, r, c, w, ldw, clearSrc, r4, c4)
}
