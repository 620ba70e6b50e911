//go:build amd64 && !purego

package shifting

import "golang.org/x/sys/cpu"

// useAVX is set when the CPU has AVX2 and FMA.
var useAVX = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// useAVX512 is set when the CPU also has AVX-512 F and VL.
var useAVX512 = useAVX && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL

//go:noescape
func shiftScanAVX(w, s, a, best, kr, sk *float64, n int, z, r float64)

//go:noescape
func shiftGradAVX(gw, e, y, kr *float64, n int, z, r float64)

//go:noescape
func shiftScanAVX512(w, s, a, best, kr, sk *float64, n int, z, r float64)

//go:noescape
func shiftGradAVX512(gw, e, y, kr *float64, n int, z, r float64)

func shiftScan(w, s, a, best, kr, sk []float64, z, r float64) {
	n := len(w)
	v := 0
	if useAVX512 && n >= 8 {
		v = n &^ 7
		_, _, _, _, _ = s[v-1], a[v-1], best[v-1], kr[v-1], sk[v-1]
		shiftScanAVX512(&w[0], &s[0], &a[0], &best[0], &kr[0], &sk[0], v, z, r)
	} else if useAVX && n >= 4 {
		v = n &^ 3
		_, _, _, _, _ = s[v-1], a[v-1], best[v-1], kr[v-1], sk[v-1]
		shiftScanAVX(&w[0], &s[0], &a[0], &best[0], &kr[0], &sk[0], v, z, r)
	}
	if v < n {
		shiftScanGo(w[v:], s[v:n], a[v:n], best[v:n], kr[v:n], sk[v:n], z, r)
	}
}

func shiftGrad(gw, e, y, kr []float64, z, r float64) {
	n := len(gw)
	v := 0
	if useAVX512 && n >= 8 {
		v = n &^ 7
		_, _, _ = e[v-1], y[v-1], kr[v-1]
		shiftGradAVX512(&gw[0], &e[0], &y[0], &kr[0], v, z, r)
	} else if useAVX && n >= 4 {
		v = n &^ 3
		_, _, _ = e[v-1], y[v-1], kr[v-1]
		shiftGradAVX(&gw[0], &e[0], &y[0], &kr[0], v, z, r)
	}
	if v < n {
		shiftGradGo(gw[v:], e[v:n], y[v:n], kr[v:n], z, r)
	}
}

//go:noescape
func shiftGradRowsAVX512(gw, e, y, kr *float64, n, stride int, zs, rs *float64, nb int)

// shiftGradRowsAVX is shiftGradRowsAVX512 with 256-bit vectors (AVX2), n a
// multiple of 4.
//
//go:noescape
func shiftGradRowsAVX(gw, e, y, kr *float64, n, stride int, zs, rs *float64, nb int)

func shiftGradRows(gw, e, y, kr []float64, stride int, zs, rs []float64) {
	n, nb := len(gw), len(zs)
	if nb == 0 || n == 0 {
		return
	}
	if useAVX512 && n&7 == 0 {
		end := (nb-1)*stride + n
		_, _, _, _ = e[end-1], y[end-1], kr[end-1], rs[nb-1]
		shiftGradRowsAVX512(&gw[0], &e[0], &y[0], &kr[0], n, stride, &zs[0], &rs[0], nb)
		return
	}
	if useAVX512 || !useAVX || n < 4 {
		shiftGradRowsGo(gw, e, y, kr, stride, zs, rs)
		return
	}
	// Columns up to the last multiple of 4 by the kernel, the rest by the
	// Go loop: each weight's terms are still added in sample order.
	n4 := n &^ 3
	end := (nb-1)*stride + n
	_, _, _, _ = e[end-1], y[end-1], kr[end-1], rs[nb-1]
	shiftGradRowsAVX(&gw[0], &e[0], &y[0], &kr[0], n4, stride, &zs[0], &rs[0], nb)
	if n4 < n {
		shiftGradRowsGo(gw[n4:], e[n4:], y[n4:], kr[n4:], stride, zs, rs)
	}
}
