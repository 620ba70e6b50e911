package learn

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"

	"github.com/spikelab/spikelab/sim"
)

// The fused kernel must leave the same parameters and moments as StepOuter
// plus a zeroed diagonal, and its dot products must equal floats.Dot of the
// updated rows bit for bit, for sizes hitting every tail of the kernel.
func TestStepOuterZeroDiagDotEqualsStepOuterThenDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	team := sim.NewTeam(2)
	defer team.Close()
	saved := useAVX512
	defer func() { useAVX512 = saved }()
	for _, n := range []int{1, 3, 4, 5, 8, 9, 12, 13, 17, 45, 64} {
		for _, fused := range []bool{true, false} {
			useAVX512 = saved && fused
			for _, tm := range []*sim.Team{nil, team} {
				p1, p2 := make([]float64, n*n), make([]float64, n*n)
				a1, a2 := NewAdam(n*n, 0.9, 0.999, 1e-8), NewAdam(n*n, 0.9, 0.999, 1e-8)
				rs, col, x, dot := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
				for s := 0; s < 6; s++ {
					for i := range rs {
						rs[i], col[i], x[i] = rng.NormFloat64(), rng.NormFloat64(), rng.Float64()
					}
					a1.StepOuterZeroDiagDot(p1, rs, col, 0.01, x, dot, tm)
					a2.StepOuter(p2, rs, col, 0.01, nil)
					for i := 0; i < n; i++ {
						p2[i*n+i] = 0
					}
					for i := 0; i < n; i++ {
						if want := floats.Dot(p2[i*n:(i+1)*n], x); dot[i] != want {
							t.Fatalf("n=%d fused=%v step %d: dot[%d] = %v, floats.Dot %v", n, useAVX512, s, i, dot[i], want)
						}
					}
				}
				a1.StepOuterZeroDiagDot(p1, rs, col, 0.01, nil, nil, tm) // no dot wanted
				a2.StepOuter(p2, rs, col, 0.01, nil)
				for i := 0; i < n; i++ {
					p2[i*n+i] = 0
				}
				for k := range p1 {
					if p1[k] != p2[k] || a1.m[k] != a2.m[k] || a1.v[k] != a2.v[k] {
						t.Fatalf("n=%d fused=%v: element %d: param %v vs %v, m %v vs %v, v %v vs %v",
							n, useAVX512, k, p1[k], p2[k], a1.m[k], a2.m[k], a1.v[k], a2.v[k])
					}
				}
			}
		}
	}
	t.Logf("AVX-512 kernel in use: %v", saved)
}

// TrainOnline is the online rule written as LikelihoodGradient with a step
// function, restructured: the weights after several epochs are the same
// bit for bit, with one or two workers, with and without the fused kernel.
func TestTrainOnlineEqualsLikelihoodGradientSteps(t *testing.T) {
	S, Iin, ref := lttsProblem(45, 60, 5, 2, 4)
	team := sim.NewTeam(2)
	defer team.Close()
	saved := useAVX512
	defer func() { useAVX512 = saved }()
	aRef := NewAdam(len(ref.J), 0.9, 0.999, 1e-8)
	lr := 0.01
	for epoch := 0; epoch < 4; epoch++ {
		ref.LikelihoodGradient(S, Iin, func(errv, e []float64) {
			lr *= 0.999
			aRef.StepOuter(ref.J, errv, e, -lr, nil)
			ref.ZeroDiagonal()
		})
	}
	for _, fused := range []bool{true, false} {
		for _, tm := range []*sim.Team{nil, team} {
			useAVX512 = saved && fused
			net, _ := NewLTTSNet(ref.P)
			a := NewAdam(len(net.J), 0.9, 0.999, 1e-8)
			lr := 0.01
			rate := func() float64 { lr *= 0.999; return -lr }
			for epoch := 0; epoch < 4; epoch++ {
				net.TrainOnline(S, Iin, a, rate, tm)
			}
			for k := range net.J {
				if net.J[k] != ref.J[k] {
					t.Fatalf("fused=%v workers=%d: J[%d] = %v, reference path %v", useAVX512, tm.Workers(), k, net.J[k], ref.J[k])
				}
			}
		}
	}
}

// recurrent's four-row kernel must sum each row exactly as floats.Dot.
func TestRecurrentEqualsFloatsDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	for _, n := range []int{1, 3, 4, 5, 7, 8, 9, 13, 45} {
		net, _ := NewLTTSNet(LTTSParams{N: n, TauM: 8, TauS: 2, TauRO: 20, Dv: 0.05})
		shat, dot := make([]float64, n), make([]float64, n)
		for k := range net.J {
			net.J[k] = rng.NormFloat64()
		}
		for j := range shat {
			shat[j] = rng.Float64()
		}
		net.recurrent(dot, shat)
		for i := range dot {
			if want := floats.Dot(net.J[i*n:(i+1)*n], shat); dot[i] != want {
				t.Fatalf("n=%d: row %d: %v, floats.Dot %v", n, i, dot[i], want)
			}
		}
	}
}

// lttsBenchSetup is a 500-unit online step's state (the 3D task's size).
func lttsBenchSetup() (net *LTTSNet, adam *Adam, errv, e, shat, dot []float64) {
	const n = 500
	rng := rand.New(rand.NewPCG(61, 62))
	net, _ = NewLTTSNet(LTTSParams{N: n, TauM: 8, TauS: 2, TauRO: 20, Dv: 0.05})
	adam = NewAdam(n*n, 0.9, 0.999, 1e-8)
	errv, e, shat, dot = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range errv {
		errv[i], e[i], shat[i] = 0.1*rng.NormFloat64(), rng.Float64(), rng.Float64()
	}
	return
}

// BenchmarkLTTSOnlineStepFused is one time step of the online rule at N =
// 500 as TrainOnline takes it: the Adam update of all N² weights with the
// next step's J·ŝ formed in the same pass (ns/op = one of the 1000 steps
// of an epoch of the 3D task).
func BenchmarkLTTSOnlineStepFused(b *testing.B) {
	net, adam, errv, e, shat, dot := lttsBenchSetup()
	for b.Loop() {
		adam.StepOuterZeroDiagDot(net.J, errv, e, -0.01, shat, dot, nil)
	}
}

// BenchmarkLTTSOnlineStepUnfused is the same step done as before
// TrainOnline: Adam.StepOuter, ZeroDiagonal, then J·ŝ row by row with
// floats.Dot.
func BenchmarkLTTSOnlineStepUnfused(b *testing.B) {
	net, adam, errv, e, shat, dot := lttsBenchSetup()
	N := net.P.N
	for b.Loop() {
		adam.StepOuter(net.J, errv, e, -0.01, nil)
		net.ZeroDiagonal()
		for i := range dot {
			dot[i] = floats.Dot(net.J[i*N:(i+1)*N], shat)
		}
	}
}

// BenchmarkLTTSRecurrent is J·ŝ at N = 500 (one step of the free run).
func BenchmarkLTTSRecurrent(b *testing.B) {
	net, _, _, _, shat, dot := lttsBenchSetup()
	for k := range net.J {
		net.J[k] = 0.01 * float64(k%13)
	}
	for b.Loop() {
		net.recurrent(dot, shat)
	}
}
