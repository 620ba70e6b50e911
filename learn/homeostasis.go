package learn

// Rate homeostasis. Every homeostat here compares the spikes of a step with
// a target rate ρ (spikes per neuron per step) and moves one quantity
// against the error e_j = s̄_j − ρ, where s̄_j is neuron j's spike count
// this step averaged over the batch: x ← x − γ·e (or + γ·e for a quantity
// that lowers the rate). At the fixed point the mean rate is ρ.
//   - ScaleInputs: additive synaptic scaling, every input weight of neuron j
//     moves by −γ·e_j (Turrigiano et al. 1998 scaling in its subtractive
//     form; the per-KC equalisation of Abdelrahman et al. 2021).
//   - an adaptive threshold θ_j ← θ_j + γ·e_j (intrinsic plasticity;
//     Apostolopoulou & Lin 2020 for KCs): RateError and then add γ·e.
//   - a global feedback gain g ← max(0, g + γ·mean_j e_j) (APL feedback
//     inhibition, Lin et al. 2014, with its strength set homeostatically).

// RateError writes e_j = (1/bsz)·Σ_b s_bj − rho into e (len n) from the
// spikes s (bsz × n) and returns the mean of e.
func RateError(e, s []float64, bsz, n int, rho float64) float64 {
	e = e[:n]
	clear(e)
	for b := 0; b < bsz; b++ {
		for j, v := range s[b*n : (b+1)*n] {
			e[j] += v
		}
	}
	mean := 0.0
	for j := range e {
		e[j] = e[j]/float64(bsz) - rho
		mean += e[j]
	}
	return mean / float64(n)
}

// ScaleInputs adds −gamma·e_j to every weight of neuron j in the
// input-major W (W[i*len(e)+j]).
func ScaleInputs(W, e []float64, gamma float64) {
	n := len(e)
	for i := 0; i+n <= len(W); i += n {
		axpy(W[i:i+n], -gamma, e)
	}
}
