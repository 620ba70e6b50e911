package ltts

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/spikelab/spikelab/learn"
	"github.com/spikelab/spikelab/sim"
	"github.com/spikelab/spikelab/vec"
)

// LTTS (learning through target spikes; Muratore, Capone & Paolucci 2021):
// a recurrent network of binary units, deterministic at run time, whose
// recurrent weights maximise the likelihood of a target spike pattern under
// a sigmoid spiking model, computed teacher-forced (presynaptic traces and
// resets from the target spikes). All times are in steps.

// LTTSParams are the network constants (reference names in brackets).
type LTTSParams struct {
	N     int     `yaml:"n"`      // units
	TauM  float64 `yaml:"tau_m"`  // membrane time constant (steps); λ = 1/τm [itau_m]
	TauS  float64 `yaml:"tau_s"`  // presynaptic trace time constant (steps); βs = e^(−1/τs)
	TauRO float64 `yaml:"tau_ro"` // readout trace time constant (steps); βro = e^(−1/τro)
	Dv    float64 `yaml:"dv"`     // sigmoid width δv of the learning rule; below heaviside_below a Heaviside (δv → 0)
	H     float64 `yaml:"h"`      // constant field h
	V0    float64 `yaml:"v0"`     // membrane potential at t = 0 [Vo]
	SInh  float64 `yaml:"s_inh"`  // after-spike kick: a spike subtracts s_inh from the next potential
	// HeavisideBelow is the δv below which the rule's σ(v/δv) is replaced
	// by the Heaviside v > 0: 1/30 in the reference code (its switch for
	// δv → 0); 0 never switches. With the switch the teacher-forced error
	// becomes exactly zero once the target spikes are copied, learning
	// stops and the solution has no margin against noise; a small δv below
	// 1/30 with the switch moved under it keeps a logistic and grows one.
	HeavisideBelow float64 `yaml:"heaviside_below"`
}

// ReferenceHeavisideBelow is the reference code's switch point 1/30.
const ReferenceHeavisideBelow = 1.0 / 30

// Validate reports the first unusable parameter.
func (p LTTSParams) Validate() error {
	switch {
	case p.N < 1:
		return fmt.Errorf("n must be at least 1")
	case !(p.TauM >= 1):
		return fmt.Errorf("tau_m must be at least one step, got %g", p.TauM)
	case !(p.TauS > 0) || !(p.TauRO > 0):
		return fmt.Errorf("tau_s and tau_ro must be > 0")
	case !(p.Dv >= 0):
		return fmt.Errorf("dv must be >= 0")
	case !(p.HeavisideBelow >= 0) || math.IsInf(p.HeavisideBelow, 0):
		return fmt.Errorf("heaviside_below must be a finite number >= 0, got %g", p.HeavisideBelow)
	case !p.heaviside() && !(p.Dv > 0):
		return fmt.Errorf("dv must be > 0 unless it is below heaviside_below (%g), got %g", p.HeavisideBelow, p.Dv)
	}
	return nil
}

// heaviside reports whether the rule uses the Heaviside instead of the
// logistic (δv below HeavisideBelow).
func (p LTTSParams) heaviside() bool { return p.Dv < p.HeavisideBelow }

// LTTSNet is the recurrent network: J[i*N+j] from unit j to unit i, J_ii = 0.
type LTTSNet struct {
	P     LTTSParams
	J     []float64
	lam   float64 // λ = 1/τm
	betaS float64
	jt    []float64 // Jᵀ, Run's scratch
	// online is TrainOnline's scratch, kept between calls.
	online struct {
		e, x, shat, dot0 []float64
		k                []learn.AdamStep
	}
}

// NewLTTSNet returns a network with J = 0 (the reference's initialisation).
func NewLTTSNet(p LTTSParams) (*LTTSNet, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &LTTSNet{P: p, J: make([]float64, p.N*p.N), lam: 1 / p.TauM, betaS: math.Exp(-1 / p.TauS)}, nil
}

// Sigmoid is the learning rule's σ(v/dv): the logistic function, or the
// Heaviside v > 0 when dv < heaviside_below (the reference's switch, at 1/30).
func (n *LTTSNet) Sigmoid(v float64) float64 {
	if n.P.heaviside() {
		if v > 0 {
			return 1
		}
		return 0
	}
	x := v / n.P.Dv
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// SigmoidInto sets dst[i] = Sigmoid(v[i]) for every i < len(v), bit for bit,
// with the exponentials in one vector pass (vec.Exp); dst may be v.
func (n *LTTSNet) SigmoidInto(dst, v []float64) {
	dst = dst[:len(v)]
	if n.P.heaviside() {
		for i, x := range v {
			dst[i] = n.Sigmoid(x)
		}
		return
	}
	// exp(−|x|) is Sigmoid's exp(−x) for x ≥ 0 and its exp(x) below.
	for i, x := range v {
		dst[i] = -math.Abs(x / n.P.Dv)
	}
	vec.Exp(dst, dst)
	for i, x := range v {
		if e := dst[i]; x/n.P.Dv >= 0 {
			dst[i] = 1 / (1 + e)
		} else {
			dst[i] = e / (1 + e)
		}
	}
}

// trace advances the presynaptic trace: ŝ(0) = βs·s(0), ŝ(t) = βs·ŝ(t−1) + (1−βs)·s(t).
func (n *LTTSNet) trace(shat, s []float64, first bool) {
	b := n.betaS
	for j, v := range s {
		if first {
			shat[j] = b * v
		} else {
			shat[j] = b*shat[j] + (1-b)*v
		}
	}
}

// Run simulates the network freely for T steps with input current
// I[t] (len N each; nil rows mean none) from s(0) = 0 and returns the
// spikes S[t][i] ∈ {0, 1}.
//
// J·ŝ is kept up to date from the spikes alone: with J fixed and
// ŝ(t) = βs·ŝ(t−1) + (1−βs)·s(t), J·ŝ(t) = βs·J·ŝ(t−1) + (1−βs)·Σ_{j spiking} J_·j,
// a cost of N per spike instead of N² per step. It rounds differently from
// the direct sum (the difference is within 1e-12 of Σ_j |J_ij|·ŝ_j, see
// the tests), so a potential within that distance of the threshold could
// fall on the other side.
func (n *LTTSNet) Run(I [][]float64) [][]float64 {
	S := NewSpikes(len(I), n.P.N)
	n.run(S, I, false, nil)
	return S
}

// RunInto is Run writing the spikes into S (len(I) rows of N, from
// NewSpikes; overwritten), so that a run repeated every epoch reuses its
// memory.
func (n *LTTSNet) RunInto(S, I [][]float64) {
	if len(S) != len(I) {
		panic(fmt.Sprintf("learn: RunInto needs %d rows of spikes for %d input rows, got %d", len(I), len(I), len(S)))
	}
	for _, row := range S {
		clear(row[:n.P.N])
	}
	n.run(S, I, false, nil)
}

// NewSpikes returns a zero T×N spike array (rows of one allocation).
func NewSpikes(T, N int) [][]float64 {
	S := make([][]float64, T)
	back := make([]float64, T*N)
	for t := range S {
		S[t] = back[t*N : (t+1)*N : (t+1)*N]
	}
	return S
}

// run is Run into the zero spike array S; dense forms J·ŝ directly every
// step (N² per step). u, when not nil, receives J·ŝ(t) for every step
// t < T−1.
func (n *LTTSNet) run(S, I [][]float64, dense bool, u [][]float64) {
	N, T := n.P.N, len(I)
	v := make([]float64, N)
	for i := range v {
		v[i] = n.P.V0
	}
	shat, dot := make([]float64, N), make([]float64, N)
	var Jt, coef []float64
	if !dense {
		Jt, coef = n.transposeJ(), make([]float64, N)
	}
	b := n.betaS
	for t := 0; t+1 < T; t++ {
		if dense {
			n.trace(shat, S[t], t == 0)
			n.recurrent(dot, shat)
		} else {
			scale := 1 - b // ŝ(0) = βs·s(0): J·ŝ(0) = βs·J·s(0)
			if t == 0 {
				scale = b
				clear(dot)
			} else {
				floats.Scale(b, dot)
			}
			if scale != 0 {
				// The spiking rows in one pass: the same products, added
				// in the same order, as row after row of AddScaled.
				for j, sj := range S[t] {
					coef[j] = scale * sj
				}
				vec.AxpyK(dot, Jt, N, coef)
			} else {
				for j, sj := range S[t] {
					if sj != 0 {
						floats.AddScaled(dot, scale*sj, Jt[j*N:(j+1)*N])
					}
				}
			}
		}
		if u != nil {
			copy(u[t], dot)
		}
		n.advance(v, dot, I[t], S[t])
		for i, vi := range v {
			if vi > 0 {
				S[t+1][i] = 1
			}
		}
	}
}

// transposeJ returns Jᵀ (row j holds the weights out of unit j), in
// scratch kept between calls.
func (n *LTTSNet) transposeJ() []float64 {
	N := n.P.N
	n.jt = resize(n.jt, N*N)
	const tile = 16
	for i0 := 0; i0 < N; i0 += tile {
		for j0 := 0; j0 < N; j0 += tile {
			for i := i0; i < min(i0+tile, N); i++ {
				row := n.J[i*N : (i+1)*N]
				for j := j0; j < min(j0+tile, N); j++ {
					n.jt[j*N+i] = row[j]
				}
			}
		}
	}
	return n.jt
}

// potential advances v: v ← (1−λ)v + λ(J·ŝ + I + h) − s_inh·s. dot is
// scratch of length N.
func (n *LTTSNet) potential(v, shat, I, s, dot []float64) {
	n.recurrent(dot, shat)
	n.advance(v, dot, I, s)
}

// recurrent writes dot[i] = Σ_j J_ij·ŝ_j, each row summed as floats.Dot
// sums (bit for bit); with AVX2, four rows at a time.
func (n *LTTSNet) recurrent(dot, shat []float64) {
	vec.MatVec(dot[:n.P.N], n.J, shat)
}

// advance does v ← (1−λ)v + λ(dot + h + I) − s_inh·s with the recurrent
// input dot = J·ŝ already formed.
func (n *LTTSNet) advance(v, dot, I, s []float64) {
	for i := range v {
		drive := dot[i] + n.P.H
		if I != nil {
			drive += I[i]
		}
		v[i] = n.advanceOne(v[i], drive, s[i])
	}
}

// advanceOne is one unit's (1−λ)v + λ·drive − s_inh·s (one function, so
// that every caller rounds alike).
func (n *LTTSNet) advanceOne(v, drive, s float64) float64 {
	return (1-n.lam)*v + n.lam*drive - n.P.SInh*s
}

// LikelihoodGradient runs the sequence teacher-forced on the target spikes
// S* and returns G = Σ_t err(t+1)·e(t+1)ᵀ with err = s* − σ(v/dv) and the
// eligibility trace e(t+1) = (1−λ)e(t) + λŝ*(t) (= ∂v_i/∂J_ij), the
// gradient of the log-likelihood up to the factor 1/dv, and the
// log-likelihood itself (finite dv only; 0 otherwise); J_ii terms are
// zero. With step != nil (the online rule) G is not formed: step(err, e)
// is called after every time step with that step's gradient
// err(t+1)·e(t+1)ᵀ in factored form, and may change J before the next step.
func (n *LTTSNet) LikelihoodGradient(Sstar, I [][]float64, step func(err, e []float64)) (G []float64, logL float64) {
	N, T := n.P.N, len(Sstar)
	if step == nil {
		G = make([]float64, N*N)
	}
	v := make([]float64, N)
	for i := range v {
		v[i] = n.P.V0
	}
	shat := make([]float64, N)
	e := make([]float64, N)
	errv, dot := make([]float64, N), make([]float64, N)
	var acc *outerAcc
	if step == nil {
		acc = newOuterAcc(G, N)
	}
	for t := 0; t+1 < T; t++ {
		n.trace(shat, Sstar[t], t == 0)
		var It []float64
		if I != nil {
			It = I[t]
		}
		n.potential(v, shat, It, Sstar[t], dot)
		for j := range e {
			e[j] = (1-n.lam)*e[j] + n.lam*shat[j]
		}
		for i, vi := range v {
			p := n.Sigmoid(vi)
			errv[i] = Sstar[t+1][i] - p
			if !n.P.heaviside() {
				if Sstar[t+1][i] > 0 {
					logL += math.Log(max(p, 1e-300))
				} else {
					logL += math.Log(max(1-p, 1e-300))
				}
			}
		}
		if step != nil {
			step(errv, e)
			continue
		}
		acc.add(errv, e)
	}
	if acc != nil {
		acc.flush()
	}
	return G, logL
}

// outerBlock is how many time steps' outer products outerAcc holds before
// it adds them to G in one pass.
const outerBlock = 16

// outerAcc adds the zero-diagonal outer products err(t)·e(t)ᵀ of
// LikelihoodGradient to G (N×N) outerBlock steps at a time: each row of G
// gets the terms err_i(t)·e(t) of the held steps in time order in one
// pass (vec.AxpyK), then its diagonal element is replayed step by step, so
// every element sees the operations of the step-by-step loop
//
//	for each t: for each i with err_i ≠ 0: G_i· += err_i·e; G_ii −= err_i·e_i
//
// in the same order, bit for bit.
type outerAcc struct {
	G      []float64
	n, k   int
	err, e []float64 // outerBlock×N: the held steps' vectors
	coef   []float64 // one row's coefficients over the held steps
}

func newOuterAcc(G []float64, n int) *outerAcc {
	return &outerAcc{G: G, n: n, err: make([]float64, outerBlock*n), e: make([]float64, outerBlock*n), coef: make([]float64, outerBlock)}
}

// add holds one step's err and e (copied), adding the held steps to G
// once outerBlock are held.
func (a *outerAcc) add(err, e []float64) {
	copy(a.err[a.k*a.n:(a.k+1)*a.n], err)
	copy(a.e[a.k*a.n:(a.k+1)*a.n], e)
	if a.k++; a.k == outerBlock {
		a.flush()
	}
}

// flush adds the held steps to G and empties the block.
func (a *outerAcc) flush() {
	n, k := a.n, a.k
	coef := a.coef[:k]
	for i := 0; i < n; i++ {
		nz := false
		for l := range coef {
			coef[l] = a.err[l*n+i]
			nz = nz || coef[l] != 0
		}
		if !nz {
			continue
		}
		row := a.G[i*n : (i+1)*n]
		g := row[i]
		vec.AxpyK(row, a.e, n, coef)
		for l, ei := range coef {
			if ei != 0 {
				ev := a.e[l*n+i]
				g += ei * ev
				g -= ei * ev
			}
		}
		row[i] = g
	}
	a.k = 0
}

// lttsRowBlock is the number of rows of J TrainOnline takes through a
// whole sequence at a time: their weights and Adam moments (24·N bytes a
// row) stay in the core's cache while the step's traces stream past.
const lttsRowBlock = 32

// TrainOnline applies the online rule over one sequence: it runs teacher-
// forced on the target spikes S* with input I (nil: none), as
// LikelihoodGradient does, and after every time step takes one Adam step
// of J along that step's gradient err(t+1)·e(t+1)ᵀ with learning rate
// rate() (called once per step, in order; Adam descends, so a negative
// rate ascends the likelihood), then sets J_ii = 0. The resulting J and
// Adam state equal, bit for bit, LikelihoodGradient with a step function
// doing opt.StepOuter(J, err, e, rate(), team) and ZeroDiagonal; the log-
// likelihood is not computed.
//
// The work is reordered, not changed: teacher-forced, unit i's potential
// depends only on row i of J and on the target spikes, and the traces ŝ
// and e depend on the target spikes alone, so each row can be taken
// through all T steps on its own. Blocks of rows go to the team's workers
// with no synchronisation per step, and each row's next J·ŝ is formed in
// the same pass as its Adam update. opt must hold N·N parameters. The
// precomputed traces take 16·N·T bytes, kept for the next call.
func (n *LTTSNet) TrainOnline(Sstar, I [][]float64, opt *learn.Adam, rate func() float64, team *sim.Team) {
	N, T := n.P.N, len(Sstar)
	if opt.Len() != N*N {
		panic(fmt.Sprintf("learn: TrainOnline needs Adam state for the %d×%d weights, got %d parameters", N, N, opt.Len()))
	}
	if T < 2 {
		return
	}
	steps := T - 1
	ws := &n.online
	ws.e = resize(ws.e, steps*N)
	ws.x = resize(ws.x, steps*N)
	ws.shat = resize(ws.shat, N)
	ws.dot0 = resize(ws.dot0, N)
	if cap(ws.k) < steps {
		ws.k = make([]learn.AdamStep, steps)
	}
	ks := ws.k[:steps]
	// Everything that does not depend on J, in step order: e(t+1), ŝ(t+1)
	// and the Adam constants of every step.
	shat := ws.shat
	n.trace(shat, Sstar[0], true)
	n.recurrent(ws.dot0, shat)
	e := ws.e
	for t := 0; t < steps; t++ {
		et := e[t*N : (t+1)*N]
		if t == 0 {
			for j := range et {
				et[j] = n.lam * shat[j] // (1−λ)·0 + λŝ
			}
		} else {
			prev := e[(t-1)*N : t*N]
			for j := range et {
				et[j] = (1-n.lam)*prev[j] + n.lam*shat[j]
			}
		}
		if t+2 < T {
			n.trace(shat, Sstar[t+1], false)
			copy(ws.x[t*N:(t+1)*N], shat)
		}
		opt.Begin(rate())
		ks[t] = opt.Current()
	}
	om, ov := opt.Moments()
	blocks := (N + lttsRowBlock - 1) / lttsRowBlock
	team.Each(blocks, func(b int) {
		lo, hi := b*lttsRowBlock, min(N, (b+1)*lttsRowBlock)
		var v, dot, sg [lttsRowBlock]float64
		for r := range hi - lo {
			v[r], dot[r] = n.P.V0, ws.dot0[lo+r]
		}
		for t := 0; t < steps; t++ {
			et := e[t*N : (t+1)*N]
			var x []float64
			if t+2 < T {
				x = ws.x[t*N : (t+1)*N]
			}
			for i := lo; i < hi; i++ {
				r := i - lo
				drive := dot[r] + n.P.H
				if I != nil && I[t] != nil {
					drive += I[t][i]
				}
				v[r] = n.advanceOne(v[r], drive, Sstar[t][i])
			}
			n.SigmoidInto(sg[:hi-lo], v[:hi-lo])
			for i := lo; i < hi; i++ {
				r := i - lo
				errv := Sstar[t+1][i] - sg[r]
				dot[r] = ks[t].RowZeroDiagDot(n.J[i*N:(i+1)*N], om[i*N:(i+1)*N], ov[i*N:(i+1)*N], et, errv, x, i)
			}
		}
	})
}

// resize returns s with length n, reallocated only when too small.
func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// ZeroDiagonal sets J_ii = 0.
func (n *LTTSNet) ZeroDiagonal() {
	for i := 0; i < n.P.N; i++ {
		n.J[i*n.P.N+i] = 0
	}
}

// SpikeMismatch is ΔS = Σ|S* − S| / (N·T).
func SpikeMismatch(a, b [][]float64) float64 {
	d, c := 0.0, 0
	for t := range a {
		for i := range a[t] {
			d += math.Abs(a[t][i] - b[t][i])
			c++
		}
	}
	return d / float64(c)
}

// ReadoutTrace filters spikes for the readout: r(0) = s(0),
// r(t) = βro·r(t−1) + (1−βro)·s(t).
func ReadoutTrace(S [][]float64, tauRO float64) [][]float64 {
	b := math.Exp(-1 / tauRO)
	R := make([][]float64, len(S))
	for t := range S {
		R[t] = make([]float64, len(S[t]))
		if t == 0 {
			copy(R[t], S[t])
			continue
		}
		for i := range R[t] {
			R[t][i] = b*R[t-1][i] + (1-b)*S[t][i]
		}
	}
	return R
}

// ReadoutGradient returns the least-squares ascent direction
// (y* − Jout·R)·Rᵀ (K×N, row-major) of a readout Jout (K×N) on traces R
// with targets Y[t] (len K), summed over time, and the mean squared error
// over steps t ≥ from.
func ReadoutGradient(Jout []float64, R, Y [][]float64, from int) (G []float64, mse float64) {
	K := len(Y[0])
	N := len(R[0])
	G = make([]float64, K*N)
	cnt := 0
	for t := range R {
		for k := 0; k < K; k++ {
			d := Y[t][k] - floats.Dot(Jout[k*N:(k+1)*N], R[t])
			floats.AddScaled(G[k*N:(k+1)*N], d, R[t])
			if t >= from {
				mse += d * d
				cnt++
			}
		}
	}
	if cnt > 0 {
		mse /= float64(cnt)
	}
	return G, mse
}

// RidgeReadout fits a readout Jout (K×N, row-major) to targets Y[t] (len K)
// from traces R[t] (len N) by ridge regression with penalty lambda, in
// the dual form Jout = Yᵀ(RRᵀ + λI)⁻¹R, which needs a T×T solve.
func RidgeReadout(R, Y [][]float64, lambda float64) ([]float64, error) {
	T, N, K := len(R), len(R[0]), len(Y[0])
	A := mat.NewDense(T, T, nil)
	for a := 0; a < T; a++ {
		for b := a; b < T; b++ {
			v := floats.Dot(R[a], R[b])
			if a == b {
				v += lambda
			}
			A.Set(a, b, v)
			A.Set(b, a, v)
		}
	}
	Ym := mat.NewDense(T, K, nil)
	for t := range Y {
		Ym.SetRow(t, Y[t])
	}
	var X mat.Dense
	if err := X.Solve(A, Ym); err != nil {
		return nil, fmt.Errorf("ridge readout: %w", err)
	}
	J := make([]float64, K*N)
	for k := 0; k < K; k++ {
		for t := 0; t < T; t++ {
			floats.AddScaled(J[k*N:(k+1)*N], X.At(t, k), R[t])
		}
	}
	return J, nil
}

// TeacherForcedMargins returns the margin (2s*_i(t+1) − 1)·v_i(t+1) of
// every unit i at every step t+1 of a teacher-forced run on the target
// spikes S* with input I (nil: none), as LikelihoodGradient runs it: how far
// each potential lies on the right side of the threshold 0 (negative:
// wrong side). Units: those of v. Ordered by step, then unit.
func (n *LTTSNet) TeacherForcedMargins(Sstar, I [][]float64) []float64 {
	N, T := n.P.N, len(Sstar)
	if T < 2 {
		return nil
	}
	out := make([]float64, 0, (T-1)*N)
	v := make([]float64, N)
	for i := range v {
		v[i] = n.P.V0
	}
	shat, dot := make([]float64, N), make([]float64, N)
	for t := 0; t+1 < T; t++ {
		n.trace(shat, Sstar[t], t == 0)
		var It []float64
		if I != nil {
			It = I[t]
		}
		n.potential(v, shat, It, Sstar[t], dot)
		for i, vi := range v {
			out = append(out, (2*Sstar[t+1][i]-1)*vi)
		}
	}
	return out
}
