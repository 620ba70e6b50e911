package learn

import "math"

// Adam is the Adam optimiser state for one parameter array.
type Adam struct {
	Beta1, Beta2, Eps float64
	m, v              []float64
	t                 int
}

// NewAdam returns Adam state for n parameters.
func NewAdam(n int, beta1, beta2, eps float64) *Adam {
	return &Adam{Beta1: beta1, Beta2: beta2, Eps: eps, m: make([]float64, n), v: make([]float64, n)}
}

// Step applies one bias-corrected Adam step with learning rate lr to
// params, descending the gradient g: p −= lr·m̂/(√v̂ + eps).
func (a *Adam) Step(params, g []float64, lr float64) {
	a.t++
	b1, b2 := a.Beta1, a.Beta2
	c1 := 1 - math.Pow(b1, float64(a.t))
	c2 := 1 - math.Pow(b2, float64(a.t))
	m, v := a.m[:len(params)], a.v[:len(params)]
	g = g[:len(params)]
	for i, gi := range g {
		m[i] = b1*m[i] + (1-b1)*gi
		v[i] = b2*v[i] + (1-b2)*gi*gi
		params[i] -= lr * (m[i] / c1) / (math.Sqrt(v[i]/c2) + a.Eps)
	}
}
