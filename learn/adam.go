package learn

import (
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/spikelab/spikelab/sim"
)

// Adam is the Adam optimiser state for one parameter array.
type Adam struct {
	Beta1, Beta2, Eps float64
	m, v              []float64
	t                 int
	k                 AdamStep
}

// AdamStep holds the constants of one Adam step (β's, the bias-corrected
// learning rate, ε), fixed by Adam.Begin; its layout is shared with the
// assembly kernels.
type AdamStep struct {
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
	a.k = AdamStep{b1: a.Beta1, omb1: 1 - a.Beta1, b2: a.Beta2, omb2: 1 - a.Beta2, lrc: lr / c1, isc2: 1 / math.Sqrt(c2), eps: a.Eps}
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

// ApplyAt is Apply for the parameters params[lo : lo+len(g)] with their
// gradient g (g[0] belongs to params[lo]), so a caller can form the
// gradient one piece at a time in a small buffer; the result equals Apply.
func (a *Adam) ApplyAt(params []float64, lo int, g []float64) {
	if len(g) == 0 {
		return
	}
	hi := lo + len(g)
	a.applyOuter(params[lo:hi], a.m[lo:hi], a.v[lo:hi], g, 1)
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

func (a *Adam) applyOuter(p, m, v, col []float64, s float64) {
	adamOuterRow(&a.k, p, m, v, col, s)
}

// adamOuterRow does one Adam step with constants k of parameters p with
// moments m, v along the gradient s·col.
func adamOuterRow(k *AdamStep, p, m, v, col []float64, s float64) {
	start := 0
	if n4 := len(p) &^ 3; useAVX && n4 > 0 {
		adamOuterAVX(&p[0], &col[0], &m[0], &v[0], n4, k, s)
		start = n4
	}
	for i := start; i < len(p); i++ {
		gi := float64(s * col[i])
		m[i] = float64(k.b1*m[i]) + float64(k.omb1*gi)
		v[i] = float64(k.b2*v[i]) + float64(k.omb2*float64(gi*gi))
		p[i] -= float64(k.lrc*m[i]) / (float64(math.Sqrt(v[i])*k.isc2) + k.eps)
	}
}

// Steps returns the number of steps begun so far.
func (a *Adam) Steps() int { return a.t }

// Len returns the number of parameters.
func (a *Adam) Len() int { return len(a.m) }

// Moments returns the first and second moment arrays (aliases of the state;
// index them like the parameters).
func (a *Adam) Moments() (m, v []float64) { return a.m, a.v }

// Current returns the constants of the step begun by the last Begin.
func (a *Adam) Current() AdamStep { return a.k }

// RowZeroDiagDot does one Adam step with constants k on the row p of a
// recurrent weight matrix (moments m, v) along the outer-product gradient
// s·col, sets p[d] = 0 (no self-connection) and, when x is not nil, returns
// Σ_j p[j]·x[j] over the updated row, bit for bit floats.Dot(p, x).
func (k *AdamStep) RowZeroDiagDot(p, m, v, col []float64, s float64, x []float64, d int) float64 {
	return adamRowZeroDiagDot(k, p, m, v, col, s, x, d)
}

// adamRowZeroDiagDot does adamOuterRow on row p, then sets p[d] = 0 (no
// self-connection) and, when x is not nil, returns Σ_j p[j]·x[j] over the
// updated row, equal bit for bit to floats.Dot(p, x). With AVX-512, or
// AVX2 and FMA, the sum is formed in the same pass as the update.
func adamRowZeroDiagDot(k *AdamStep, p, m, v, col []float64, s float64, x []float64, d int) float64 {
	if !useAVX512 && !(useAVX && useFusedDot) {
		adamOuterRow(k, p, m, v, col, s)
		p[d] = 0
		if x == nil {
			return 0
		}
		return floats.Dot(p, x)
	}
	if x == nil {
		x = col // any vector will do: the sum is not used
	}
	n := len(p)
	n4, n8 := n&^3, n&^7
	if n4 > 0 {
		_, _, _, _ = col[n4-1], x[n4-1], m[n4-1], v[n4-1] // bounds (the kernels do not check them)
	}
	var l [4]float64
	switch {
	case n4 == 0:
	case useAVX512:
		dstart, dmask := -1, uint64(0)
		switch {
		case d < n8:
			dstart = d &^ 7
			dmask = 0xff &^ (1 << (d - dstart))
		case d < n4:
			dstart = n8
			dmask = 0xf &^ (1 << (d - dstart))
		}
		adamOuterDotAVX512(&p[0], &col[0], &m[0], &v[0], n4, k, s, &x[0], &l, dstart, dmask)
	default:
		dstart, dmask := -1, [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		if d < n4 {
			dstart = d &^ 3
			dmask[d-dstart] = 0
		}
		adamOuterDotAVX(&p[0], &col[0], &m[0], &v[0], n4, k, s, &x[0], &l, dstart, &dmask)
	}
	for i := n4; i < n; i++ {
		gi := float64(s * col[i])
		m[i] = float64(k.b1*m[i]) + float64(k.omb1*gi)
		v[i] = float64(k.b2*v[i]) + float64(k.omb2*float64(gi*gi))
		p[i] -= float64(k.lrc*m[i]) / (float64(math.Sqrt(v[i])*k.isc2) + k.eps)
		if i != d {
			l[0] += float64(p[i] * x[i])
		}
	}
	p[d] = 0
	// floats.Dot's end: the four partial sums as (s0+s2)+(s1+s3).
	return (l[0] + l[2]) + (l[1] + l[3])
}

// useFusedDot lets adamRowZeroDiagDot use the AVX2 fused update-and-dot
// kernel where the CPU has AVX2 and FMA but not AVX-512; a variable so that
// tests can compare it with the unfused path (update, then floats.Dot).
var useFusedDot = true

// SetAdamKernels turns the assembly Adam kernels on (where the CPU has
// them) or off and returns the previous setting; results are the same
// either way (tests compare the two paths). Not safe to call while a step
// runs.
func SetAdamKernels(on bool) (was bool) { return setAdamKernels(on) }

// SetSteps sets the number of steps taken (restoring a saved optimiser;
// the bias corrections depend on it).
func (a *Adam) SetSteps(steps int) { a.t = steps }
