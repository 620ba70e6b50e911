package olfaction

import (
	"math"
	"testing"

	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/vec"
)

func tinyDecolle(t *testing.T, sizes []int, classes, batch int, reg float64) *DecolleNet {
	t.Cleanup(sim.AtLeastProcs(3)) // the worker counts asked for, also under GOMAXPROCS=1; restored after the team is closed
	t.Helper()
	team := sim.NewTeam(2)
	t.Cleanup(team.Close)
	p := DecolleParams{Neuron: LavaNeuron(), Sizes: sizes, Classes: classes, Batch: batch,
		SurrogateScale: 0.3, SurrogateTau: 3.75, Reg: reg, LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	n, err := NewDecolleNet(p, sim.Stream(5, "decolle-test"), team)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// smoothSpike is the integral of the surrogate derivative: a sigmoid-like
// step of height scale centred on the threshold.
func smoothSpike(p DecolleParams, v float64) float64 {
	a, th, tau := p.SurrogateScale, p.Neuron.Threshold, p.SurrogateTau
	if v < th {
		return a / 2 * math.Exp((v-th)/tau)
	}
	return a - a/2*math.Exp(-(v-th)/tau)
}

func TestDecolleSurrogateIsDerivativeOfSmoothStep(t *testing.T) {
	n := tinyDecolle(t, []int{2, 2}, 2, 1, 0)
	if got := n.P.Surrogate(1.25); math.Abs(got-0.04) > 1e-15 {
		t.Fatalf("σ'(ϑ) = %g, want 0.3/(2·3.75) = 0.04", got)
	}
	for _, v := range []float64{-3, 0, 1, 1.2, 1.3, 2, 6} {
		const h = 1e-6
		fd := (smoothSpike(n.P, v+h) - smoothSpike(n.P, v-h)) / (2 * h)
		if math.Abs(fd-n.P.Surrogate(v)) > 1e-8 {
			t.Errorf("v=%g: finite difference %g, σ' %g", v, fd, n.P.Surrogate(v))
		}
	}
}

// With the spikes replaced by the smooth step whose derivative is σ', the
// local-loss gradient the network computes must equal a finite difference
// of the loss (cross-entropy of the fixed readout, batch mean, plus the
// voltage regulariser) through one CUBA step.
func TestDecolleGradientMatchesFiniteDifference(t *testing.T) {
	const nin, nout, C, B = 5, 4, 3, 2
	n := tinyDecolle(t, []int{nin, nout}, C, B, 0.5)
	b := n.Blocks[0]
	for i := range b.W {
		b.W[i] *= 3 // voltages spread around threshold
	}
	x := []float64{1, 0, 1, 1, 0, 0, 1, 1, 0, 1}
	labels := []int{2, 0}
	u0 := []float64{0.3, -0.2, 0.8, 1.1, 0.0, 0.5, -0.4, 0.9}
	v0 := []float64{0.5, 1.0, -0.3, 0.2, 1.1, 0.1, 0.4, -0.6}
	p := n.P
	loss := func(W []float64) float64 {
		ku, kv := 1-p.Neuron.CurrentDecay, 1-p.Neuron.VoltageDecay
		total, r1, r2 := 0.0, 0.0, 0.0
		for s := 0; s < B; s++ {
			y := make([]float64, C)
			for i := 0; i < nout; i++ {
				z := 0.0
				for j := 0; j < nin; j++ {
					z += W[j*nout+i] * x[s*nin+j]
				}
				vp := kv*v0[s*nout+i] + ku*u0[s*nout+i] + z
				sp := smoothSpike(p, vp)
				for c := 0; c < C; c++ {
					y[c] += b.G[i*C+c] * sp
				}
				r1 += math.Max(vp+0.01, 0)
				r2 += math.Max(0.1-1/(1+math.Exp(-vp)), 0)
			}
			total += softmaxCE(y, labels[s], make([]float64, C))
		}
		m := float64(B * nout)
		return total/B + p.Reg*r1/m + p.Reg*3e-3*r2/m
	}
	copy(b.U, u0)
	copy(b.V, v0)
	n.Step(x, B, labels, false)
	for k, v := range b.VPre {
		b.S[k] = smoothSpike(p, v)
	}
	n.Backward(labels)
	g := n.Gradient(0)
	W := append([]float64(nil), b.W...)
	nonzero := 0
	for k := range W {
		const h = 1e-6
		w0 := W[k]
		W[k] = w0 + h
		lp := loss(W)
		W[k] = w0 - h
		lm := loss(W)
		W[k] = w0
		fd := (lp - lm) / (2 * h)
		if math.Abs(fd-g[k]) > 1e-7+1e-5*math.Abs(fd) {
			t.Errorf("W[%d]: gradient %.9g, finite difference %.9g", k, g[k], fd)
		}
		if fd != 0 {
			nonzero++
		}
	}
	if nonzero < len(W)/2 {
		t.Fatalf("only %d of %d finite differences are non-zero: the test checks little", nonzero, len(W))
	}
}

// TestDecolleKernelsTrainAsPlainLoops trains a small net for some steps with
// the vector row sums and again with plain loops, and wants every weight,
// readout and loss equal bit for bit.
func TestDecolleKernelsTrainAsPlainLoops(t *testing.T) {
	if !vec.SetVectorKernels(true) {
		t.Skip("no vector kernels in this build or on this CPU")
	}
	train := func() ([]float64, []float64) {
		n := tinyDecolle(t, []int{60, 40, 90}, 10, 8, 0.01)
		rng := sim.Stream(9, "decolle-kernel-test")
		x := make([]float64, 8*60)
		labels := make([]int, 8)
		var losses []float64
		for step := 0; step < 40; step++ {
			for i := range x {
				x[i] = 0
				if rng.Float64() < 0.4 {
					x[i] = 1
				}
			}
			for b := range labels {
				labels[b] = (step + b) % 10
			}
			losses = append(losses, n.Step(x, 8, labels, true))
		}
		var w []float64
		for _, b := range n.Blocks {
			w = append(w, b.W...)
		}
		return append(w, n.R...), losses
	}
	w1, l1 := train()
	vec.SetVectorKernels(false)
	w2, l2 := train()
	vec.SetVectorKernels(true)
	for i := range l1 {
		if l1[i] != l2[i] {
			t.Fatalf("step %d: loss %v vs %v", i, l1[i], l2[i])
		}
	}
	for i := range w1 {
		if math.Float64bits(w1[i]) != math.Float64bits(w2[i]) {
			t.Fatalf("weight %d: %v vs %v", i, w1[i], w2[i])
		}
	}
}

// Feedback inhibition and threshold offsets by hand: one block of 4
// neurons (lava constants, ϑ = 1.25), one input with weights (2, 2, 0.5,
// 0.5). Step 1 (input on): u = z = (2, 2, 0.5, 0.5), neurons 0 and 1
// spike, neuron 1 not with theta (0, 1, 0, 0) (threshold 2.25). Step 2
// (input off) with feedback gain 0.8: every neuron gets −0.8·(spikes of
// step 1)/4 as input current, so u = 0.75·u₁ − 0.8·k/4 with k = 2 (1 with
// the threshold offset).
func TestDecolleFeedbackAndThresholdOffset(t *testing.T) {
	for _, withTheta := range []bool{false, true} {
		n := tinyDecolle(t, []int{1, 4}, 2, 1, 0)
		b := n.Blocks[0]
		copy(b.W, []float64{2, 2, 0.5, 0.5})
		b.Feedback = 0.8
		k := 2.0
		if withTheta {
			b.Theta = []float64{0, 1, 0, 0}
			k = 1
		}
		n.Reset()
		n.Step([]float64{1}, 1, nil, false)
		if got := b.S[0] + b.S[1] + b.S[2] + b.S[3]; got != k {
			t.Fatalf("theta %v: %v spikes in step 1 (S %v), want %v", withTheta, got, b.S, k)
		}
		n.Step([]float64{0}, 1, nil, false)
		for i, u1 := range []float64{2, 2, 0.5, 0.5} {
			if want := 0.75*u1 - 0.8*k/4; math.Abs(b.U[i]-want) > 1e-15 {
				t.Errorf("theta %v: u[%d] = %.17g, want %.17g", withTheta, i, b.U[i], want)
			}
		}
	}
}
