package task

import "math"

// RHS is the right-hand side of an autonomous ODE, dst = f(x).
type RHS func(x, dst []float64)

// RK4 advances x by one classical Runge–Kutta step of length h, using
// scratch (len ≥ 5·len(x)) for the stages.
func RK4(f RHS, x []float64, h float64, scratch []float64) {
	n := len(x)
	k1, k2, k3, k4, y := scratch[:n], scratch[n:2*n], scratch[2*n:3*n], scratch[3*n:4*n], scratch[4*n:5*n]
	f(x, k1)
	for j := range y {
		y[j] = x[j] + 0.5*h*k1[j]
	}
	f(y, k2)
	for j := range y {
		y[j] = x[j] + 0.5*h*k2[j]
	}
	f(y, k3)
	for j := range y {
		y[j] = x[j] + h*k3[j]
	}
	f(y, k4)
	for j := range x {
		x[j] += h / 6 * (k1[j] + 2*k2[j] + 2*k3[j] + k4[j])
	}
}

// ODETarget is a supervisor given by the trajectory of an ODE, integrated
// with RK4 at the simulation step and sampled at every step, after an
// optional burn-in.
type ODETarget struct {
	F      RHS
	X0     []float64 // initial state (before burn-in)
	Scale  []float64 // per-component output scale (nil = 1)
	Dt     float64   // step (s)
	BurnIn float64   // burn-in duration (s)
	// period estimated during burn-in from upward crossings of component 0's mean.
	period  float64
	start   []float64 // state after burn-in
	x       []float64
	last    int
	scratch []float64
}

// NewODETarget builds the target and runs its burn-in.
func NewODETarget(f RHS, x0, scale []float64, dt, burnIn float64) *ODETarget {
	n := len(x0)
	o := &ODETarget{F: f, X0: append([]float64(nil), x0...), Scale: scale, Dt: dt, BurnIn: burnIn,
		x: append([]float64(nil), x0...), scratch: make([]float64, 5*n)}
	steps := int(math.Round(burnIn / dt))
	// Crossings are timed in the second half of the burn-in, after transients.
	var prev float64
	var crossings []float64
	trace := make([]float64, 0, steps/2+1)
	for s := 0; s < steps; s++ {
		RK4(f, o.x, dt, o.scratch)
		if s >= steps/2 {
			trace = append(trace, o.x[0])
		}
	}
	if len(trace) > 2 {
		mean := 0.0
		for _, v := range trace {
			mean += v
		}
		mean /= float64(len(trace))
		prev = trace[0] - mean
		for s, v := range trace[1:] {
			c := v - mean
			if prev < 0 && c >= 0 {
				crossings = append(crossings, float64(s+1)*dt)
			}
			prev = c
		}
		if len(crossings) >= 3 {
			o.period = (crossings[len(crossings)-1] - crossings[0]) / float64(len(crossings)-1)
		}
	}
	o.start = append([]float64(nil), o.x...)
	o.last = 0
	return o
}

// Dim returns the state dimension.
func (o *ODETarget) Dim() int { return len(o.X0) }

// At writes the (scaled) state at step i after the burn-in.
func (o *ODETarget) At(i int, out []float64) {
	if i <= o.last {
		copy(o.x, o.start)
		o.last = 0
	}
	for o.last < i {
		RK4(o.F, o.x, o.Dt, o.scratch)
		o.last++
	}
	for k, v := range o.x {
		if o.Scale != nil {
			v *= o.Scale[k]
		}
		out[k] = v
	}
}

// Period returns the period estimated during burn-in (s), 0 if none was found
// (chaotic or no burn-in).
func (o *ODETarget) Period() float64 { return o.period }

// VanDerPol returns the van der Pol supervisor of the FORCE code
// (vanderpol.m): x' = TC·μ(x − x³·MD²/3 − y), y' = TC·x/μ with MD = 10,
// TC = 20, from (0.1, 0.1), after a burn-in of length burnIn (s; the code
// uses the run duration). Both components are targets.
func VanDerPol(mu, dt, burnIn float64) *ODETarget {
	const md, tc = 10.0, 20.0
	f := func(x, d []float64) {
		d[0] = tc * mu * (x[0] - x[0]*x[0]*x[0]*md*md/3 - x[1])
		d[1] = tc * x[0] / mu
	}
	return NewODETarget(f, []float64{0.1, 0.1}, nil, dt, burnIn)
}

// Lorenz returns the scaled Lorenz supervisor of the FORCE code (lorenz.m):
// the standard system (σ = 10, ρ = 28, β = 8/3) in variables divided by
// MD = 70, time constant TC = 1, from (0.1, 0.1, 0.1), no burn-in.
func Lorenz(dt float64) *ODETarget {
	const sigma, rho, beta, md, tc = 10.0, 28.0, 8.0 / 3, 70.0, 1.0
	f := func(x, d []float64) {
		d[0] = tc * sigma * (x[1] - x[0])
		d[1] = tc * (rho*x[0] - md*x[0]*x[2] - x[1])
		d[2] = tc * (md*x[0]*x[1] - beta*x[2])
	}
	return NewODETarget(f, []float64{0.1, 0.1, 0.1}, nil, dt, 0)
}
