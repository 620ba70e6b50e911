package neuron

import (
	"math"
	"math/rand/v2"
)

// Theta is a population of theta neurons (Ermentrout–Kopell),
// dθ/dt = (1 − cos θ) + π²(1 + cos θ)·I, with time in seconds, integrated
// by forward Euler. A neuron spikes when θ ≥ π and is reset to exactly −π.
// With constant I > 0 it fires at √I Hz. There is no bias and no refractory
// period.
type Theta struct {
	Dt    float64   // time step (s)
	Theta []float64 // phase θ (rad)
}

// NewTheta returns n theta neurons with step dt (s).
func NewTheta(n int, dt float64) *Theta {
	return &Theta{Dt: dt, Theta: make([]float64, n)}
}

// Len returns the number of neurons.
func (m *Theta) Len() int { return len(m.Theta) }

// Init draws θ uniformly on [−π, π].
func (m *Theta) Init(rng *rand.Rand) {
	for i := range m.Theta {
		m.Theta[i] = -math.Pi + 2*math.Pi*rng.Float64()
	}
}

// Step integrates one Euler step and appends spikers.
func (m *Theta) Step(_ float64, I []float64, spikes []int32) []int32 {
	const pi2 = math.Pi * math.Pi
	dt := m.Dt
	th := m.Theta
	I = I[:len(th)]
	for i := range th {
		c := math.Cos(th[i])
		th[i] += dt * ((1 - c) + pi2*(1+c)*I[i])
		if th[i] >= math.Pi {
			spikes = append(spikes, int32(i))
		}
	}
	return spikes
}

// Reset sets θ = −π for the spikers.
func (m *Theta) Reset(spikes []int32) {
	for _, i := range spikes {
		m.Theta[i] = -math.Pi
	}
}

// Potential returns θ (rad).
func (m *Theta) Potential() []float64 { return m.Theta }
