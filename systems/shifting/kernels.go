package shifting

// The two inner loops of the Shifting Learning layer, over all outputs of
// one input row (weights stored input-major, so the row is contiguous):
// portable Go here, an AVX2 version with the same operations and
// roundings (no fused multiply-add) in shifting_amd64.s.

// shiftScanGo applies one input at z (rank r in time order) with weight
// row w to the running sums s = Σw and a = Σw·z of every output and to the
// candidate rule: the candidate a/clamp(s − 1, 1e-10, 1e10) is valid when
// s ≥ 1 and it is not earlier than z; a valid candidate below best becomes
// best, with kr = r and sk = s (the causal weight sum); an invalid one
// while best is still +Inf makes the neuron Silent at rank r.
func shiftScanGo(w, s, a, best, kr, sk []float64, z, r float64) {
	n := len(w)
	s, a, best, kr, sk = s[:n], a[:n], best[:n], kr[:n], sk[:n]
	for j, wj := range w {
		sj := s[j] + wj
		aj := a[j] + wj*z
		s[j], a[j] = sj, aj
		// Both validity tests and the comparison with best are done by
		// multiplication (den > 0), the division only for a new best.
		if sj >= 1 {
			den := sj - 1
			if den < 1e-10 {
				den = 1e-10
			} else if den > 1e10 {
				den = 1e10
			}
			if aj >= z*den && aj < best[j]*den {
				if c := aj / den; c < best[j] {
					best[j], kr[j], sk[j] = c, r, sj
				}
				continue
			}
		}
		if Silent < best[j] { // an invalid candidate counts as Silent
			best[j], kr[j], sk[j] = Silent, r, sj
		}
	}
}

// shiftGradGo adds e[j]·(z − y[j]) to gw[j] for the outputs whose causal
// set holds the input of rank r (r ≤ kr[j]).
func shiftGradGo(gw, e, y, kr []float64, z, r float64) {
	n := len(gw)
	e, y, kr = e[:n], y[:n], kr[:n]
	for j := range gw {
		if r <= kr[j] {
			gw[j] += e[j] * (z - y[j])
		}
	}
}

// shiftGradRowsGo does shiftGrad for samples b < len(zs), whose e, y and
// kr start at b·stride, with z = zs[b] and r = rs[b], skipping rs[b] < 0.
func shiftGradRowsGo(gw, e, y, kr []float64, stride int, zs, rs []float64) {
	n := len(gw)
	for b, r := range rs[:len(zs)] {
		if r >= 0 {
			o := b * stride
			shiftGrad(gw, e[o:o+n], y[o:o+n], kr[o:o+n], zs[b], r)
		}
	}
}
