package olfaction

import (
	"fmt"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/spikelab/spikelab/sim"
)

// probeRidge is the ridge penalty of the linear probe (units of squared
// spike counts; small against the counts' scatter of ≈ 10³ per KC over
// 2000 odors).
const probeRidge = 1.0

// kcCounts returns the KC spike counts (n × n_kc, after burn-in) of the
// odors 0…n−1 of X, the network frozen, the input spikes drawn from the
// named stream.
func (r *snnRun) kcCounts(X []float64, n int, stream string) []float64 {
	nk := r.kcBlock.NOut
	counts := make([]float64, n*nk)
	r.present(X, n, sim.Source(r.c.Seed, stream), func(lo, bsz, _ int) {
		floats.Add(counts[lo*nk:(lo+bsz)*nk], r.kcBlock.S[:bsz*nk])
	}, func(int, int) {})
	return counts
}

// linearProbe fits a ridge linear classifier (one-hot targets, bias) to
// the KC spike counts of the first probe_odors training odors and returns
// its accuracy on the validation odors' counts (the validation spikes of
// evaluate): how linearly separable the KC code is, whatever the readout
// learnt.
func (r *snnRun) linearProbe() (float64, error) {
	c, d := r.c, r.d
	n, nk, C := min(c.ProbeOdors, d.NTrain), r.kcBlock.NOut, r.C
	train := r.kcCounts(d.TrainX, n, "olfaction-snn-encode-probe")
	val := r.kcCounts(d.ValX, d.NValid, "olfaction-snn-encode-val")
	f := nk + 1
	design := func(counts []float64, rows int) *mat.Dense {
		x := mat.NewDense(rows, f, nil)
		for i := 0; i < rows; i++ {
			row := x.RawRowView(i)
			copy(row, counts[i*nk:(i+1)*nk])
			row[nk] = 1
		}
		return x
	}
	X := design(train, n)
	Y := mat.NewDense(n, C, nil)
	for i := 0; i < n; i++ {
		Y.Set(i, d.TrainY[i], 1)
	}
	var A mat.SymDense
	A.SymOuterK(1, X.T())
	for k := 0; k < f; k++ {
		A.SetSym(k, k, A.At(k, k)+probeRidge)
	}
	var B, XY mat.Dense
	XY.Mul(X.T(), Y)
	var ch mat.Cholesky
	if !ch.Factorize(&A) {
		return 0, fmt.Errorf("linear probe: the ridge system is not positive definite")
	}
	if err := ch.SolveTo(&B, &XY); err != nil {
		return 0, fmt.Errorf("linear probe: %w", err)
	}
	var P mat.Dense
	P.Mul(design(val, d.NValid), &B)
	hit := 0
	for i := 0; i < d.NValid; i++ {
		if floats.MaxIdx(P.RawRowView(i)) == d.ValY[i] {
			hit++
		}
	}
	return float64(hit) / float64(d.NValid), nil
}
