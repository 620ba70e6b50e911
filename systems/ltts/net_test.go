package ltts

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spikelab/spikelab/learn"
)

func lttsProblem(N, T int, seed uint64, teach, in float64) (S [][]float64, Iin [][]float64, net *LTTSNet) {
	rng := rand.New(rand.NewPCG(seed, 3))
	p := LTTSParams{N: N, TauM: 8, TauS: 2, TauRO: 20, Dv: 0.2, H: -4, V0: -4, SInh: 20}
	net, _ = NewLTTSNet(p)
	// Teacher: a few smooth signals projected onto the units (J = 0 network).
	Iteach := make([][]float64, T)
	Iin = make([][]float64, T)
	wt := make([]float64, N*3)
	wi := make([]float64, N*5)
	for i := range wt {
		wt[i] = teach * rng.NormFloat64()
	}
	for i := range wi {
		wi[i] = in * rng.NormFloat64()
	}
	for t := 0; t < T; t++ {
		Iteach[t], Iin[t] = make([]float64, N), make([]float64, N)
		clock := t * 5 / T
		for i := 0; i < N; i++ {
			for k := 0; k < 3; k++ {
				Iteach[t][i] += wt[i*3+k] * math.Sin(2*math.Pi*float64((k+1)*t)/float64(T)+float64(k))
			}
			Iin[t][i] = wi[i*5+clock]
			Iteach[t][i] += Iin[t][i]
		}
	}
	S = net.Run(Iteach)
	return S, Iin, net
}

func TestLTTSRuleIsTheLikelihoodGradient(t *testing.T) {
	S, Iin, net := lttsProblem(8, 40, 1, 8, 3)
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range net.J {
		net.J[i] = rng.NormFloat64()
	}
	net.ZeroDiagonal()
	G, _ := net.LikelihoodGradient(S, Iin, nil)
	N := net.P.N
	for _, ij := range [][2]int{{0, 1}, {3, 5}, {7, 2}, {4, 0}} {
		k := ij[0]*N + ij[1]
		w := net.J[k]
		const h = 1e-6
		net.J[k] = w + h
		_, up := net.LikelihoodGradient(S, Iin, nil)
		net.J[k] = w - h
		_, down := net.LikelihoodGradient(S, Iin, nil)
		net.J[k] = w
		fd := (up - down) / (2 * h)
		if got := G[k] / net.P.Dv; math.Abs(got-fd) > 1e-5*math.Max(1, math.Abs(fd)) {
			t.Fatalf("J[%d,%d]: rule/dv = %g, finite difference %g", ij[0], ij[1], got, fd)
		}
	}
	for i := 0; i < N; i++ {
		if G[i*N+i] != 0 {
			t.Fatal("self-connection gradient not zero")
		}
	}
}

func TestLTTSLearnsTargetSpikes(t *testing.T) {
	// The paper's proportions: a strong 5-channel clock input (σ 4), a
	// weaker teacher (σ 2). Exact (offline) and online variants must both
	// make the free-running network reproduce the target spikes clearly
	// better (at this small size: exact 2.6×, online 1.8× in 150 epochs).
	for _, c := range []struct {
		online bool
		lr     float64
	}{{false, 0.05}, {true, 0.01}} {
		S, Iin, net := lttsProblem(150, 80, 2, 2, 4)
		before := SpikeMismatch(S, net.Run(Iin))
		adam := learn.NewAdam(len(net.J), 0.9, 0.999, 1e-8)
		neg := make([]float64, len(net.J))
		ascend := func(g []float64) {
			for k, v := range g {
				neg[k] = -v
			}
			adam.Step(net.J, neg, c.lr)
			net.ZeroDiagonal()
		}
		for epoch := 0; epoch < 150; epoch++ {
			if c.online {
				net.LikelihoodGradient(S, Iin, func(errv, e []float64) {
					adam.StepOuter(net.J, errv, e, -c.lr, nil) // ascent: Adam is odd in g
					net.ZeroDiagonal()
				})
			} else {
				G, _ := net.LikelihoodGradient(S, Iin, nil)
				ascend(G)
			}
		}
		after := SpikeMismatch(S, net.Run(Iin))
		if before == 0 || after > before/1.5 {
			t.Errorf("online=%v: spike mismatch %.4f → %.4f, want a 1.5-fold drop", c.online, before, after)
		} else {
			t.Logf("online=%v: spike mismatch %.4f → %.4f", c.online, before, after)
		}
	}
}

func TestReadoutTraceAndGradient(t *testing.T) {
	S := [][]float64{{1, 0}, {0, 1}, {0, 0}}
	R := ReadoutTrace(S, 10)
	b := math.Exp(-0.1)
	if R[0][0] != 1 || math.Abs(R[1][0]-b) > 1e-15 || math.Abs(R[1][1]-(1-b)) > 1e-15 {
		t.Fatalf("trace %v", R)
	}
	Y := [][]float64{{1}, {2}, {0.5}}
	J := []float64{0.3, -0.2}
	G, mse := ReadoutGradient(J, R, Y, 0)
	for k := range J {
		const h = 1e-6
		J[k] += h
		_, up := ReadoutGradient(J, R, Y, 0)
		J[k] -= 2 * h
		_, down := ReadoutGradient(J, R, Y, 0)
		J[k] += h
		// mse = Σd²/3, so ∂mse/∂J = −2/3 · G.
		if fd := (up - down) / (2 * h); math.Abs(fd+2.0/3*G[k]) > 1e-6 {
			t.Fatalf("readout gradient %d: %g vs finite difference %g", k, G[k], fd)
		}
	}
	if mse <= 0 {
		t.Fatal("mse")
	}
}

func TestRidgeReadoutFitsALinearMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const T, N = 30, 50
	R, Y := make([][]float64, T), make([][]float64, T)
	w := []float64{0.5, -1, 2}
	for t := range R {
		R[t] = make([]float64, N)
		for i := range R[t] {
			R[t][i] = rng.Float64()
		}
		Y[t] = []float64{w[0]*R[t][0] + w[1]*R[t][7] + w[2]*R[t][20]}
	}
	J, err := RidgeReadout(R, Y, 1e-9)
	if err != nil {
		t.Fatal(err)
	}
	_, mse := ReadoutGradient(J, R, Y, 0)
	if mse > 1e-12 {
		t.Fatalf("ridge fit mse %g on an exactly linear target", mse)
	}
}

// The rule's σ(v/δv) is the Heaviside v > 0 for δv below heaviside_below
// and the logistic 1/(1 + e^(−v/δv)) at or above it, at the reference's
// switch point 1/30 and at 0.001.
func TestSigmoidSwitchesAtHeavisideBelow(t *testing.T) {
	vs := []float64{-0.3, -0.02, -1e-4, 0, 1e-4, 0.02, 0.3}
	for _, below := range []float64{ReferenceHeavisideBelow, 0.001} {
		for _, dv := range []float64{0, below * 0.999, below, below * 1.001, 0.01, 0.05} {
			p := LTTSParams{N: 1, TauM: 8, TauS: 2, TauRO: 20, Dv: dv, HeavisideBelow: below}
			net, err := NewLTTSNet(p)
			if dv == 0 && below == 0 {
				continue
			}
			if err != nil {
				t.Fatalf("below %g, dv %g: %v", below, dv, err)
			}
			for _, v := range vs {
				got := net.Sigmoid(v)
				var want float64
				if dv < below {
					if v > 0 {
						want = 1
					}
				} else {
					want = 1 / (1 + math.Exp(-v/dv))
				}
				if math.Abs(got-want) > 1e-15 {
					t.Errorf("below %g, dv %g, v %g: σ = %v, want %v", below, dv, v, got, want)
				}
			}
		}
	}
	if _, err := NewLTTSNet(LTTSParams{N: 1, TauM: 8, TauS: 2, TauRO: 20, Dv: 0, HeavisideBelow: 0}); err == nil {
		t.Error("dv = 0 with no switch (a logistic of zero width) was accepted")
	}
}

// SigmoidInto gives Sigmoid's bits for every element, through the vector
// exponential and its scalar tail alike (lengths not a multiple of 8), for
// the logistic and the Heaviside switch, at signed zeros, beyond exp's
// range and at NaN (a NaN either way).
func TestSigmoidIntoMatchesSigmoid(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 19))
	v := []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, 800, -800, 1e6, -1e6, math.Inf(1), math.Inf(-1), math.NaN()}
	for range 200 {
		v = append(v, 40*rng.NormFloat64())
	}
	for _, dv := range []float64{0.2, 0.01, 1e-3} {
		net, err := NewLTTSNet(LTTSParams{N: 1, TauM: 8, TauS: 2, TauRO: 20, Dv: dv, HeavisideBelow: ReferenceHeavisideBelow})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{len(v), 37, 8, 3} {
			got := make([]float64, n)
			net.SigmoidInto(got, v[:n])
			for i, x := range v[:n] {
				want := net.Sigmoid(x)
				if math.IsNaN(want) && math.IsNaN(got[i]) {
					continue // NaN payloads may differ
				}
				if math.Float64bits(got[i]) != math.Float64bits(want) {
					t.Errorf("dv %g, length %d, v %v: SigmoidInto %v, Sigmoid %v", dv, n, x, got[i], want)
				}
			}
		}
	}
}
