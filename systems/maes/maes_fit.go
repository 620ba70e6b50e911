package maes

import (
	"fmt"
	"math"
)

// PowerFit is a least-squares fit y ≈ A·t^B of a standard deviation y (ms)
// against a time t (ms): A in ms^(1−B), B dimensionless, RMSE the root mean
// squared residual (ms).
type PowerFit struct {
	A, B, RMSE float64
}

// FitScaled fits y ≈ a·f(t) by least squares (closed form: a =
// Σ y f / Σ f²) and returns a and the RMSE of the residuals (units of y).
// With f = √t it is the √t law, with f = t a line through the origin.
func FitScaled(t, y []float64, f func(float64) float64) (a, rmse float64, err error) {
	if len(t) != len(y) || len(t) == 0 {
		return 0, 0, fmt.Errorf("fit: %d times and %d values (need the same number, at least one)", len(t), len(y))
	}
	var num, den float64
	for q := range t {
		v := f(t[q])
		num += y[q] * v
		den += v * v
	}
	if !(den > 0) {
		return 0, 0, fmt.Errorf("fit: the basis function is zero at every time")
	}
	a = num / den
	return a, rmsResidual(t, y, func(x float64) float64 { return a * f(x) }), nil
}

func rmsResidual(t, y []float64, g func(float64) float64) float64 {
	s := 0.0
	for q := range t {
		d := y[q] - g(t[q])
		s += d * d
	}
	return math.Sqrt(s / float64(len(t)))
}

// FitPowerLaw fits y ≈ a·t^b by nonlinear least squares in a and b
// (both free; Levenberg–Marquardt from the straight-line fit of log y against log t), for
// times t > 0 (ms) and values y (ms). Points with t ≤ 0 are an error.
func FitPowerLaw(t, y []float64) (PowerFit, error) {
	if len(t) != len(y) || len(t) < 2 {
		return PowerFit{}, fmt.Errorf("power-law fit: %d times and %d values (need the same number, at least two)", len(t), len(y))
	}
	// Start: log y = log a + b log t over the points with y > 0.
	var sx, sy, sxx, sxy, n float64
	for q := range t {
		if !(t[q] > 0) || math.IsInf(t[q], 0) || math.IsNaN(y[q]) || math.IsInf(y[q], 0) {
			return PowerFit{}, fmt.Errorf("power-law fit: point %d has t = %g, y = %g (need t > 0 and finite y)", q, t[q], y[q])
		}
		if y[q] > 0 {
			lx, ly := math.Log(t[q]), math.Log(y[q])
			sx, sy, sxx, sxy, n = sx+lx, sy+ly, sxx+lx*lx, sxy+lx*ly, n+1
		}
	}
	b0, a0 := 0.5, 1.0
	if d := n*sxx - sx*sx; n >= 2 && d > 0 {
		b0 = (n*sxy - sx*sy) / d
		a0 = math.Exp((sy - b0*sx) / n)
	}
	lt := make([]float64, len(t))
	for q := range t {
		lt[q] = math.Log(t[q])
	}
	// Levenberg–Marquardt on S(a, b) = Σ (a·t^b − y)²: the 2×2 normal
	// equations of the Jacobian (t^b, a·t^b·ln t), damped by λ.
	sse := func(a, b float64) float64 {
		s := 0.0
		for q := range t {
			r := a*math.Exp(b*lt[q]) - y[q]
			s += r * r
		}
		return s
	}
	a, b := a0, b0
	cur := sse(a, b)
	lambda := 1e-3
	for it := 0; it < 500 && lambda < 1e12; it++ {
		var jaa, jab, jbb, ga, gb float64
		for q := range t {
			p := math.Exp(b * lt[q])
			r := a*p - y[q]
			da, db := p, a*p*lt[q]
			jaa, jab, jbb = jaa+da*da, jab+da*db, jbb+db*db
			ga, gb = ga+da*r, gb+db*r
		}
		m00, m11 := jaa*(1+lambda), jbb*(1+lambda)
		det := m00*m11 - jab*jab
		if !(det > 0) {
			lambda *= 10
			continue
		}
		sa := -(m11*ga - jab*gb) / det
		sb := -(m00*gb - jab*ga) / det
		if next := sse(a+sa, b+sb); next < cur {
			a, b = a+sa, b+sb
			done := cur-next <= 1e-15*cur
			cur = next
			lambda = math.Max(lambda/10, 1e-12)
			if done {
				break
			}
		} else {
			lambda *= 10
		}
	}
	if math.IsNaN(a) || math.IsNaN(b) {
		return PowerFit{}, fmt.Errorf("power-law fit did not converge")
	}
	// Keep the better of the optimum and the start (a failed line search can stop early).
	fit := PowerFit{A: a, B: b, RMSE: rmsResidual(t, y, func(x float64) float64 { return a * math.Pow(x, b) })}
	if r0 := rmsResidual(t, y, func(x float64) float64 { return a0 * math.Pow(x, b0) }); r0 < fit.RMSE {
		fit = PowerFit{A: a0, B: b0, RMSE: r0}
	}
	return fit, nil
}

// ReducedPair returns the complex eigenvalue λ = re + i·im (im ≥ 0) of the
// 3-cluster circulant [[δ, 1, ϵ], [ϵ, δ, 1], [1, ϵ, δ]] (post × pre, block
// weights normalised by the backward block: δ = within/backward, ϵ =
// forward/backward), whose conjugate is the other member of the pair:
// re = (2δ − ϵ − 1)/2 and im = (√3/2)·|ϵ − 1|. The third eigenvalue is
// the real δ + ϵ + 1.
func ReducedPair(delta, eps float64) (re, im float64) {
	return (2*delta - eps - 1) / 2, math.Sqrt(3) / 2 * math.Abs(eps-1)
}
