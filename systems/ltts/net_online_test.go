package ltts

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"

	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/sim"
)

// TrainOnline is the online rule written as LikelihoodGradient with a step
// function, restructured: the weights after several epochs are the same
// bit for bit, with one or two workers, with and without the fused kernel.
func TestTrainOnlineEqualsLikelihoodGradientSteps(t *testing.T) {
	defer sim.AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
	S, Iin, ref := lttsProblem(45, 60, 5, 2, 4)
	team := sim.NewTeam(2)
	defer team.Close()
	saved := learn.SetAdamKernels(true)
	defer learn.SetAdamKernels(saved)
	aRef := learn.NewAdam(len(ref.J), 0.9, 0.999, 1e-8)
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
			learn.SetAdamKernels(saved && fused)
			net, _ := NewLTTSNet(ref.P)
			a := learn.NewAdam(len(net.J), 0.9, 0.999, 1e-8)
			lr := 0.01
			rate := func() float64 { lr *= 0.999; return -lr }
			for epoch := 0; epoch < 4; epoch++ {
				net.TrainOnline(S, Iin, a, rate, tm)
			}
			am, av := a.Moments()
			rm, rv := aRef.Moments()
			for k := range net.J {
				if net.J[k] != ref.J[k] || am[k] != rm[k] || av[k] != rv[k] {
					t.Fatalf("fused=%v workers=%d: element %d: J %v, m %v, v %v; reference path %v, %v, %v",
						fused, tm.Workers(), k, net.J[k], am[k], av[k], ref.J[k], rm[k], rv[k])
				}
			}
			if a.Steps() != aRef.Steps() {
				t.Fatalf("Adam step count %d, reference path %d", a.Steps(), aRef.Steps())
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

// BenchmarkLTTSTrainOnline is one epoch of the online rule at the 3D
// task's N = 500 on a 200-step sequence, one worker (step/ns: per time
// step; the 3D task's epoch has 999).
func BenchmarkLTTSTrainOnline(b *testing.B) {
	S, Iin, net := lttsProblem(500, 200, 7, 2, 4)
	adam := learn.NewAdam(len(net.J), 0.9, 0.999, 1e-8)
	rate := func() float64 { return -0.01 }
	for b.Loop() {
		net.TrainOnline(S, Iin, adam, rate, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*199), "ns/step")
}

// BenchmarkLTTSOnlineUnfused is the same epoch the way the online rule ran
// before TrainOnline: LikelihoodGradient with Adam.StepOuter and
// ZeroDiagonal after every step (J streamed twice per step, the Adam
// update for all rows before the next step's J·ŝ).
func BenchmarkLTTSOnlineUnfused(b *testing.B) {
	S, Iin, net := lttsProblem(500, 200, 7, 2, 4)
	adam := learn.NewAdam(len(net.J), 0.9, 0.999, 1e-8)
	for b.Loop() {
		net.LikelihoodGradient(S, Iin, func(errv, e []float64) {
			adam.StepOuter(net.J, errv, e, -0.01, nil)
			net.ZeroDiagonal()
		})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*199), "ns/step")
}

// BenchmarkLTTSRecurrent is J·ŝ at N = 500 (one step of the free run).
func BenchmarkLTTSRecurrent(b *testing.B) {
	const n = 500
	net, _ := NewLTTSNet(LTTSParams{N: n, TauM: 8, TauS: 2, TauRO: 20, Dv: 0.05})
	shat, dot := make([]float64, n), make([]float64, n)
	for j := range shat {
		shat[j] = float64(j%7) / 7
	}
	for k := range net.J {
		net.J[k] = 0.01 * float64(k%13)
	}
	for b.Loop() {
		net.recurrent(dot, shat)
	}
}

// Run keeps J·ŝ up to date from the spikes; it must agree with the direct
// sum within 1e-12 of Σ_j |J_ij|·ŝ_j at every step, and give the same
// spikes, on a trained network and on a random one with strong coupling.
func TestRunSpikeDrivenEqualsDenseSum(t *testing.T) {
	S, Iin, trained := lttsProblem(150, 200, 9, 2, 4)
	a := learn.NewAdam(len(trained.J), 0.9, 0.999, 1e-8)
	for epoch := 0; epoch < 15; epoch++ {
		trained.TrainOnline(S, Iin, a, func() float64 { return -0.01 }, nil)
	}
	random, _ := NewLTTSNet(trained.P)
	rng := rand.New(rand.NewPCG(71, 72))
	for k := range random.J {
		random.J[k] = 3 * rng.NormFloat64()
	}
	random.ZeroDiagonal()
	for name, net := range map[string]*LTTSNet{"trained": trained, "random": random} {
		N, T := net.P.N, len(Iin)
		uS, uD := make([][]float64, T), make([][]float64, T)
		for k := range uS {
			uS[k], uD[k] = make([]float64, N), make([]float64, N)
		}
		Ss, Sd := NewSpikes(T, N), NewSpikes(T, N)
		net.run(Ss, Iin, false, uS)
		net.run(Sd, Iin, true, uD)
		again := NewSpikes(T, N)
		again[3][0] = 1 // RunInto must clear what was there
		net.RunInto(again, Iin)
		for k := range again {
			if !floats.Equal(again[k], Ss[k]) {
				t.Fatalf("%s: RunInto differs from run at step %d", name, k)
			}
		}
		spikes := 0.0
		for k := range Sd {
			spikes += floats.Sum(Sd[k])
		}
		if spikes < float64(T) {
			t.Fatalf("%s: only %v spikes: the test needs activity", name, spikes)
		}
		shat := make([]float64, N)
		worst := 0.0
		for k := 0; k+1 < T; k++ {
			net.trace(shat, Sd[k], k == 0)
			for i := 0; i < N; i++ {
				scale := 0.0
				for j, sj := range shat {
					scale += math.Abs(net.J[i*N+j]) * sj
				}
				if d := math.Abs(uS[k][i] - uD[k][i]); d > 1e-12*scale {
					t.Fatalf("%s: step %d unit %d: J·ŝ %v spike-driven, %v direct (scale %v)", name, k, i, uS[k][i], uD[k][i], scale)
				} else if scale > 0 {
					worst = max(worst, d/scale)
				}
			}
			for i := range Ss[k+1] {
				if Ss[k+1][i] != Sd[k+1][i] {
					t.Fatalf("%s: step %d unit %d spikes differently", name, k+1, i)
				}
			}
		}
		t.Logf("%s: %v spikes, largest |difference| / Σ|J|ŝ = %.2g", name, spikes, worst)
	}
}
