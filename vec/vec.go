// Package vec holds the vector kernels that models and rules share: row
// sums selected by an index list, the exponential of a vector, the indices
// of nonzero entries, scaling, and row-wise dot products. Each kernel has
// an assembly form (amd64, AVX2/AVX-512 where the CPU has it) and a pure-Go
// twin that gives bit for bit the same result (the assembly keeps the Go
// code's order of operations and uses no fused multiply-add where the Go
// code has none); the tests compare the two. Build with -tags purego to use
// only the Go code.
package vec

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// AddRows adds to dst the rows w[j·stride : j·stride+len(dst)] for j in
// rows, one after another in the order of rows. A row index outside w is
// a programming error and panics.
func AddRows(dst, w []float64, stride int, rows []int32) { addRows(dst, w, stride, rows) }

// SumRows sets dst to the sum, from +0, of the rows of w listed in rows
// (see AddRows).
func SumRows(dst, w []float64, stride int, rows []int32) {
	clear(dst)
	addRows(dst, w, stride, rows)
}

// SumRowsBlock is the width, in columns, of the blocks in which
// SumRowsEach goes over w (32 float64: four cache lines of each row, the
// AVX2 kernel's widest part).
const SumRowsBlock = 32

// SumRowsEach does SumRows for several index lists at once: for every
// k < len(lists) it sets dst[k·dstStride : k·dstStride+n] to the sum, from
// +0, of the rows w[j·stride : j·stride+n] for j in lists[k], each element
// taking the rows in list order, as SumRows does, so the results are the
// same bit for bit. It goes over the columns in blocks of SumRowsBlock,
// every list per block, so that a block of w's columns (rows × 256 bytes)
// stays in cache across the lists where a whole w would not: a batch of
// samples' event-driven input sums. A row index outside w panics.
func SumRowsEach(dst []float64, dstStride, n int, w []float64, stride int, lists [][]int32) {
	if n == 0 || len(lists) == 0 {
		return
	}
	_ = dst[(len(lists)-1)*dstStride+n-1]
	for c := 0; c < n; c += SumRowsBlock {
		e := min(c+SumRowsBlock, n)
		for k, rows := range lists {
			d := dst[k*dstStride+c : k*dstStride+e]
			clear(d)
			if len(rows) > 0 {
				addRows(d, w[c:], stride, rows)
			}
		}
	}
}

// addRowsGo is AddRows without vector kernels.
func addRowsGo(dst, w []float64, stride int, rows []int32) {
	for _, j := range rows {
		AddTo(dst, w[int(j)*stride:int(j)*stride+len(dst)])
	}
}

// AddTo adds x to y element by element (gonum's kernel for rows of 16 or
// more, a plain loop below; the sums are the same).
func AddTo(y, x []float64) {
	x = x[:len(y)]
	if len(y) >= 16 {
		floats.Add(y, x)
		return
	}
	for i, v := range x {
		y[i] += v
	}
}

// Exp sets dst[i] = math.Exp(x[i]) for every i < len(x), bit for bit as
// math.Exp (dst must be at least as long as x).
func Exp(dst, x []float64) { expInto(dst, x) }

// expGo is Exp without vector kernels.
func expGo(dst, x []float64) {
	for i, v := range x {
		dst[i] = math.Exp(v)
	}
}

// AppendNonzero appends to list, in order, the indices of the nonzero
// entries of x (for example spikes given as 0 and 1).
func AppendNonzero(list []int32, x []float64) []int32 { return appendNonzero(list, x) }

// appendNonzeroGo is AppendNonzero without vector kernels.
func appendNonzeroGo(list []int32, x []float64) []int32 {
	for i, v := range x {
		if v != 0 {
			list = append(list, int32(i))
		}
	}
	return list
}

// Scale multiplies every x[i] by k (the same products as a loop).
func Scale(x []float64, k float64) { scale(x, k) }

// MatVec sets dst[i] to the dot product of row i of the row-major matrix
// a (len(dst) rows of len(x) columns) with x, bit for bit as gonum's
// floats.Dot computes each row.
func MatVec(dst, a, x []float64) { matVec(dst, a, x) }

// AxpyK adds to c[j], for every j < len(c), the products t[l]·b[l·ldb+j]
// for l = 0, 1, …, len(t)−1 in this order, skipping every l with t[l] = 0
// (the terms of a matrix product's row, the way gonum's Dgemm updates a
// row of C: one multiply and one add per term, no fused multiply-add).
// b must hold the rows l·ldb … l·ldb+len(c)−1 for l < len(t).
func AxpyK(c, b []float64, ldb int, t []float64) { axpyK(c, b, ldb, t) }

// AxpyKRows is AxpyK for the len(t)/k rows of a matrix product at once:
// for every row i it adds to c[i·ldc+j] (j < n) the products
// t[i·k+l]·b[l·ldb+j], l = 0 … k−1 in this order, skipping zero
// coefficients, bit for bit as AxpyK row by row. It goes through the
// columns in narrow blocks, every row per block, so a block of b is read
// from cache once per row rather than from memory.
func AxpyKRows(c []float64, ldc, n int, b []float64, ldb int, t []float64, k int) {
	if n <= 0 || k <= 0 || len(t) < k {
		return
	}
	m := len(t) / k
	_ = c[(m-1)*ldc+n-1]
	_ = b[(k-1)*ldb+n-1]
	axpyKRows(c, ldc, n, b, ldb, t[:m*k], k)
}

// axpyKRowsGo is AxpyKRows as AxpyK row after row.
func axpyKRowsGo(c []float64, ldc, n int, b []float64, ldb int, t []float64, k int) {
	for i := range len(t) / k {
		axpyK(c[i*ldc:i*ldc+n], b, ldb, t[i*k:(i+1)*k])
	}
}

// axpyKGo is AxpyK without vector kernels.
func axpyKGo(c, b []float64, ldb int, t []float64) {
	for l, tl := range t {
		if tl == 0 {
			continue
		}
		row := b[l*ldb : l*ldb+len(c)]
		for j, v := range row {
			c[j] += float64(tl * v)
		}
	}
}

// axpyColumns is AxpyK for a few columns: each c[j] summed in a register
// over the terms (the same operations, column by column).
func axpyColumns(c, b []float64, ldb int, t []float64) {
	for j := range c {
		cj := c[j]
		for l, tl := range t {
			if tl != 0 {
				cj += float64(tl * b[l*ldb+j])
			}
		}
		c[j] = cj
	}
}

// MatVecs sets dst[v·m+i] to the dot product of row i of the row-major
// matrix a (m rows of n columns) with the vector v of xs (len(xs)/n
// vectors of n, one after another), bit for bit as MatVec computes each
// vector: the rows of X·Aᵀ. It takes a through the cache once for all
// the vectors rather than once per vector.
func MatVecs(dst, a, xs []float64, m, n int) { matVecs(dst, a, xs, m, n) }

// matVecGo is MatVec without vector kernels.
func matVecGo(dst, a, x []float64) {
	n := len(x)
	for i := range dst {
		dst[i] = floats.Dot(a[i*n:(i+1)*n], x)
	}
}

// Abs sets dst[i] = |src[i]| for every i < len(src), bit for bit as
// math.Abs (the sign bit cleared); dst must be at least as long as src.
func Abs(dst, src []float64) { abs(dst[:len(src)], src) }

// absGo is Abs without vector kernels.
func absGo(dst, src []float64) {
	for i, v := range src {
		dst[i] = math.Abs(v)
	}
}

// SignMul multiplies every g[i], i < len(w), by the sign of w[i] (the
// chain rule of |w|): g[i]'s sign bit is flipped where w[i]'s is set
// (w < 0, or a NaN with the sign bit), and g[i] becomes +0 where w[i] is
// ±0; g must be at least as long as w.
func SignMul(g, w []float64) { signMul(g[:len(w)], w) }

// signMulGo is SignMul without vector kernels.
func signMulGo(g, w []float64) {
	for i, v := range w {
		b := math.Float64bits(v)
		// x = 0 exactly for w = ±0; nz is then 0 (all bits cleared),
		// else 1: no branch per entry.
		x := b << 1
		nz := (x | -x) >> 63
		g[i] = math.Float64frombits((math.Float64bits(g[i]) ^ b&(1<<63)) & -nz)
	}
}

// AxpyRows adds to c[j], for every j < len(c), the products
// t[p]·b[rows[p]·ldb+j] for p = 0, 1, …, len(rows)−1 in this order: one
// multiply and one add per term, no fused multiply-add, zero coefficients
// included (AxpyK over a list of rows of b). t must be at least as long
// as rows, and b must hold every listed row; it panics otherwise.
func AxpyRows(c, b []float64, ldb int, t []float64, rows []int32) {
	if len(rows) == 0 || len(c) == 0 {
		return
	}
	t = t[:len(rows)]
	_ = b[lastRow(rows, "AxpyRows")*ldb+len(c)-1]
	axpyRows(c, b, ldb, t, rows)
}

// lastRow returns the largest entry of the row list (non-empty) of the
// function fn, and panics on a negative one (the kernels index with it).
func lastRow(rows []int32, fn string) int {
	hi := int32(0)
	for _, r := range rows {
		if r < 0 {
			panic("vec: " + fn + " with a negative row")
		}
		hi = max(hi, r)
	}
	return int(hi)
}

// axpyRowsGo is AxpyRows without vector kernels.
func axpyRowsGo(c, b []float64, ldb int, t []float64, rows []int32) {
	for p, r := range rows {
		tp, row := t[p], b[int(r)*ldb:int(r)*ldb+len(c)]
		for j, v := range row {
			c[j] += float64(tp * v)
		}
	}
}

// MulRows sets the m × n matrix C (row stride ldc) to A·B for the m × k
// matrix A (row stride lda) and the k × n matrix B (row stride ldb):
// every C(i, j) starts at +0 and adds A(i, l)·B(l, j) for l = 0, 1, …,
// k−1 in this order, one multiply and one add per term (no fused
// multiply-add, no zero skipped). For finite B this is bit for bit
// clearing C's rows and AxpyKRows, which skips zero coefficients: their
// terms are ±0, which leave a sum that starts at +0 unchanged. With AVX2
// it keeps a tile of four rows by eight columns in registers, so every
// value of B loaded serves four rows.
func MulRows(c []float64, ldc int, a []float64, lda int, b []float64, ldb int, m, n, k int) {
	if m <= 0 || n <= 0 {
		return
	}
	_ = c[(m-1)*ldc+n-1]
	if k <= 0 {
		for i := range m {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	_ = a[(m-1)*lda+k-1]
	_ = b[(k-1)*ldb+n-1]
	mulRows(c, ldc, a, lda, b, ldb, m, n, k)
}

// mulRowsGo is MulRows without vector kernels.
func mulRowsGo(c []float64, ldc int, a []float64, lda int, b []float64, ldb int, m, n, k int) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		clear(row)
		for l, t := range a[i*lda : i*lda+k] {
			for j, v := range b[l*ldb : l*ldb+n] {
				row[j] += float64(t * v)
			}
		}
	}
}

// Transpose writes the transpose of the r × c matrix src (row stride
// lds) into dst (c × r, row stride ldd): dst[j·ldd+i] = src[i·lds+j].
// With AVX2 it moves blocks of 4 × 4, column block by column block (the
// source lines stay in cache while their columns are written).
func Transpose(dst []float64, ldd int, src []float64, lds int, r, c int) {
	if r <= 0 || c <= 0 {
		return
	}
	_ = src[(r-1)*lds+c-1]
	_ = dst[(c-1)*ldd+r-1]
	transpose(dst, ldd, src, lds, r, c)
}

// transposeGo is Transpose without vector kernels.
func transposeGo(dst []float64, ldd int, src []float64, lds int, r, c int) {
	for j := range c {
		out := dst[j*ldd : j*ldd+r]
		for i := range out {
			out[i] = src[i*lds+j]
		}
	}
}

// ScatterAxpy adds t[p]·x[j] to c[rows[p]·ldc+j] for every j < len(x) and
// p = 0, 1, …, len(rows)−1 in this order (one multiply and one add per
// term, no fused multiply-add): x scaled into the listed rows of c. t
// must be at least as long as rows, and c must hold every listed row; it
// panics otherwise.
func ScatterAxpy(c []float64, ldc int, rows []int32, t, x []float64) {
	if len(rows) == 0 || len(x) == 0 {
		return
	}
	t = t[:len(rows)]
	_ = c[lastRow(rows, "ScatterAxpy")*ldc+len(x)-1]
	scatterAxpy(c, ldc, rows, t, x)
}

// scatterAxpyGo is ScatterAxpy without vector kernels.
func scatterAxpyGo(c []float64, ldc int, rows []int32, t, x []float64) {
	for p, r := range rows {
		tp, row := t[p], c[int(r)*ldc:int(r)*ldc+len(x)]
		for j, v := range x {
			row[j] += float64(tp * v)
		}
	}
}

// ReLUBias sets x[i] = max(x[i]+b[i], 0) and y[i] to the same value for
// every i < len(x), as Go's max: +0 for a sum of −0 and a NaN for a NaN
// (y and b at least as long as x).
func ReLUBias(x, y, b []float64) { reluBias(x, y[:len(x)], b[:len(x)]) }

// reluBiasGo is ReLUBias without vector kernels.
func reluBiasGo(x, y, b []float64) {
	for i, v := range x {
		v = max(v+b[i], 0)
		x[i], y[i] = v, v
	}
}

// TransposeSignMul writes the transpose of the r × c matrix src (row
// stride lds) into the c × r matrix dst (row stride ldd) multiplied by
// the sign of w (c × r, row stride ldw) as SignMul does: dst[j·ldd+i] is
// src[i·lds+j] with its sign bit xor w[j·ldw+i]'s, +0 where that w is
// ±0. With clearSrc it sets the r × c block of src to +0 as it goes
// (ready for the next sums).
func TransposeSignMul(dst []float64, ldd int, src []float64, lds int, r, c int, w []float64, ldw int, clearSrc bool) {
	if r <= 0 || c <= 0 {
		return
	}
	_ = src[(r-1)*lds+c-1]
	_ = dst[(c-1)*ldd+r-1]
	_ = w[(c-1)*ldw+r-1]
	transposeSignMul(dst, ldd, src, lds, r, c, w, ldw, clearSrc)
}

// transposeSignMulGo is TransposeSignMul without vector kernels, for the
// rows i0 ≤ i < r of every column and the columns j0 ≤ j < c of the rows
// above i0.
func transposeSignMulGo(dst []float64, ldd int, src []float64, lds int, r, c int, w []float64, ldw int, clearSrc bool, i0, j0 int) {
	one := func(i, j int) {
		x, wv := src[i*lds+j], w[j*ldw+i]
		b := math.Float64bits(wv)
		x2 := b << 1
		nz := (x2 | -x2) >> 63
		dst[j*ldd+i] = math.Float64frombits((math.Float64bits(x) ^ b&(1<<63)) & -nz)
		if clearSrc {
			src[i*lds+j] = 0
		}
	}
	for i := i0; i < r; i++ {
		for j := range c {
			one(i, j)
		}
	}
	for i := range i0 {
		for j := j0; j < c; j++ {
			one(i, j)
		}
	}
}
