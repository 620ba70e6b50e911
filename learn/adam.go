package learn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/spikelab/spikelab/sim"
)

// Adam is the Adam optimiser state for one parameter array.
type Adam struct {
	Beta1, Beta2, Eps float64
	m, v              []float64
	t                 int
	k                 adamConsts
	xw                [][]float64 // per-worker copies of StepOuterZeroDiagDot's x
}

// adamConsts are one step's constants (layout shared with the assembly).
type adamConsts struct {
	b1, omb1, b2, omb2, lrc, isc2, eps float64
}

// NewAdam returns Adam state for n parameters.
func NewAdam(n int, beta1, beta2, eps float64) *Adam {
	return &Adam{Beta1: beta1, Beta2: beta2, Eps: eps, m: make([]float64, n), v: make([]float64, n)}
}

// Begin starts a step with learning rate lr: it advances the step counter
// and fixes the bias corrections. Apply then updates any ranges of the
// parameters (possibly in parallel, each element once).
func (a *Adam) Begin(lr float64) {
	a.t++
	c1 := 1 - math.Pow(a.Beta1, float64(a.t))
	c2 := 1 - math.Pow(a.Beta2, float64(a.t))
	a.k = adamConsts{b1: a.Beta1, omb1: 1 - a.Beta1, b2: a.Beta2, omb2: 1 - a.Beta2, lrc: lr / c1, isc2: 1 / math.Sqrt(c2), eps: a.Eps}
}

// Apply updates params[lo:hi] with gradient g[lo:hi] (descent):
// m ← β1m + (1−β1)g, v ← β2v + (1−β2)g², p −= lr·m̂/(√v̂ + ε).
func (a *Adam) Apply(params, g []float64, lo, hi int) {
	if hi <= lo {
		return
	}
	// A gradient 1·g is exact, so the outer-product kernel serves both.
	a.applyOuter(params[lo:hi], a.m[lo:hi], a.v[lo:hi], g[lo:hi], 1)
}

// Step applies one bias-corrected Adam step with learning rate lr to all
// params, descending the gradient g.
func (a *Adam) Step(params, g []float64, lr float64) {
	a.Begin(lr)
	a.Apply(params, g, 0, len(params))
}

// StepTeam is Step with the parameters split into blocks of whole rows of
// length rowLen among the team's workers; the result is identical.
func (a *Adam) StepTeam(params, g []float64, lr float64, rowLen int, team *sim.Team) {
	a.Begin(lr)
	rows := len(params) / rowLen
	nb := team.Workers()
	team.Run(func(w int) {
		a.Apply(params, g, w*rows/nb*rowLen, (w+1)*rows/nb*rowLen)
	})
	a.Apply(params, g, rows*rowLen, len(params))
}

// StepOuter is Step for a row-major matrix (len(rowScale) rows of
// len(col) columns) whose gradient is the outer product
// g[i][j] = rowScale[i]·col[j], formed on the fly and never stored; rows
// are shared among the team's workers. The result equals Step on the
// materialised gradient.
func (a *Adam) StepOuter(params, rowScale, col []float64, lr float64, team *sim.Team) {
	a.Begin(lr)
	rows, n := len(rowScale), len(col)
	nb := team.Workers()
	team.Run(func(w int) {
		for i := w * rows / nb; i < (w+1)*rows/nb; i++ {
			a.applyOuter(params[i*n:(i+1)*n], a.m[i*n:(i+1)*n], a.v[i*n:(i+1)*n], col, rowScale[i])
		}
	})
}

// StepOuterZeroDiagDot is StepOuter for a square n×n matrix
// (len(rowScale) = len(col) = n) followed by setting its diagonal to zero,
// as for a network without self-connections. When x is not nil it also
// writes dot[i] = Σ_j params[i][j]·x[j] with the updated parameters,
// equal bit for bit to floats.Dot of each updated row: the products are
// formed while a row is updated, so the matrix is streamed once per step
// instead of twice. Rows are shared among the team's workers.
func (a *Adam) StepOuterZeroDiagDot(params, rowScale, col []float64, lr float64, x, dot []float64, team *sim.Team) {
	n := len(col)
	if len(rowScale) != n || len(params) != n*n || (x != nil && (len(x) != n || len(dot) != n)) {
		panic(fmt.Sprintf("learn: StepOuterZeroDiagDot needs an n×n matrix and length-n vectors, got n = %d, %d rows, %d params, len(x) = %d, len(dot) = %d",
			n, len(rowScale), len(params), len(x), len(dot)))
	}
	a.Begin(lr)
	nb := team.Workers()
	fused := x != nil && useAVX512
	if fused {
		for len(a.xw) < nb {
			a.xw = append(a.xw, make([]float64, n))
		}
	}
	team.Run(func(w int) {
		var xw []float64
		if fused {
			xw = a.xw[w][:n]
			copy(xw, x)
		}
		for i := w * n / nb; i < (w+1)*n/nb; i++ {
			p, m, v := params[i*n:(i+1)*n], a.m[i*n:(i+1)*n], a.v[i*n:(i+1)*n]
			if fused {
				// x_i = 0 in this worker's copy stands for J_ii = 0 in the sum.
				xi := xw[i]
				xw[i] = 0
				dot[i] = a.applyOuterDot(p, m, v, col, rowScale[i], xw)
				xw[i] = xi
				p[i] = 0
				continue
			}
			a.applyOuter(p, m, v, col, rowScale[i])
			p[i] = 0
			if x != nil {
				dot[i] = floats.Dot(p, x)
			}
		}
	})
}

// applyOuterDot is applyOuter that also returns Σ p[j]·x[j] over the
// updated p, summed as floats.Dot sums (four partial sums over j mod 4,
// the remainder added to the first, then (s0+s2)+(s1+s3)). Needs useAVX512.
func (a *Adam) applyOuterDot(p, m, v, col []float64, s float64, x []float64) float64 {
	var l [4]float64
	n4 := len(p) &^ 3
	if n4 > 0 {
		adamOuterDotAVX512(&p[0], &col[0], &m[0], &v[0], n4, &a.k, s, &x[0], &l)
	}
	k := a.k
	for i := n4; i < len(p); i++ {
		gi := float64(s * col[i])
		m[i] = float64(k.b1*m[i]) + float64(k.omb1*gi)
		v[i] = float64(k.b2*v[i]) + float64(k.omb2*float64(gi*gi))
		p[i] -= float64(k.lrc*m[i]) / (float64(math.Sqrt(v[i])*k.isc2) + k.eps)
		l[0] += float64(p[i] * x[i])
	}
	return (l[0] + l[2]) + (l[1] + l[3])
}

func (a *Adam) applyOuter(p, m, v, col []float64, s float64) {
	start := 0
	if n4 := len(p) &^ 3; useAVX && n4 > 0 {
		adamOuterAVX(&p[0], &col[0], &m[0], &v[0], n4, &a.k, s)
		start = n4
	}
	k := a.k
	for i := start; i < len(p); i++ {
		gi := float64(s * col[i])
		m[i] = float64(k.b1*m[i]) + float64(k.omb1*gi)
		v[i] = float64(k.b2*v[i]) + float64(k.omb2*float64(gi*gi))
		p[i] -= float64(k.lrc*m[i]) / (float64(math.Sqrt(v[i])*k.isc2) + k.eps)
	}
}
