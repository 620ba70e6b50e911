//go:build amd64 && !purego

package learn

import "golang.org/x/sys/cpu"

// useAVX is set when the CPU has AVX2 and FMA.
var useAVX = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// useAVX512 is set when the CPU also has AVX-512 F and VL (512-bit
// vectors and the EVEX forms of the 256-bit instructions).
var useAVX512 = useAVX && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL

//go:noescape
func dotAxpyAVX(row, x, y *float64, n int, a float64) float64

//go:noescape
func axpy4AVX(row *float64, n int, a *[4]float64, v0, v1, v2, v3 *float64)

func dotAxpy(row, x, y []float64, a float64) float64 {
	if !useAVX || len(row) == 0 {
		return dotAxpyGo(row, x, y, a)
	}
	_, _ = x[len(row)-1], y[len(row)-1]
	return dotAxpyAVX(&row[0], &x[0], &y[0], len(row), a)
}

func axpy4(row []float64, a *[4]float64, v0, v1, v2, v3 []float64) {
	if !useAVX || len(row) == 0 {
		axpy4Go(row, a, v0, v1, v2, v3)
		return
	}
	n := len(row)
	_, _, _, _ = v0[n-1], v1[n-1], v2[n-1], v3[n-1]
	axpy4AVX(&row[0], n, a, &v0[0], &v1[0], &v2[0], &v3[0])
}

// adamOuterAVX does the Adam update of n parameters (n a multiple of 4)
// with the gradient s·col, the same operations and roundings as
// Adam.applyOuter's loop.
//
//go:noescape
func adamOuterAVX(par, col, mom, vel *float64, n int, k *adamConsts, s float64)

// adamOuterDotAVX512 does adamOuterAVX's update of n parameters (n a
// multiple of 4) and adds the updated par[j]·x[j] to lanes[j mod 4] in
// increasing j, the partial sums of floats.Dot; in the 8- or 4-chunk
// starting at dstart only the lanes set in dmask count (dstart −1: none).
//
//go:noescape
func adamOuterDotAVX512(par, col, mom, vel *float64, n int, k *adamConsts, s float64, x *float64, lanes *[4]float64, dstart int, dmask uint64)

// dot4RowsAVX writes, for the four rows a_r at a + r·stride (r = 0..3) and
// n a multiple of 4, lanes[4r+l] = Σ a_r[j]·x[j] over j < n, j ≡ l (mod 4),
// in increasing j with separate multiply and add: floats.Dot's partial sums.
//
//go:noescape
func dot4RowsAVX(a *float64, stride int, x *float64, n int, lanes *[16]float64)

// useAVX2 is set when the CPU has AVX2 (kernels without FMA).
var useAVX2 = cpu.X86.HasAVX2

// filtersAVX does the ū and v̄ updates of VoltageSTDP.FiltersRange for n
// neurons (n a multiple of 4).
//
//go:noescape
func filtersAVX(u, vb, v *float64, n int, ku, kv float64)
