// Package task holds the tasks experiments are trained on: supervisor
// signals (oscillators, chaotic attractors, songs) and, later, datasets.
package task

import (
	"math"
	"math/rand/v2"
)

// Target is a supervisor signal of fixed dimension on a step grid: step
// i ≥ 1 is at time t = i·dt. At may keep state (ODE integration, noise), so
// it must be called with i = 1, 2, 3, ... in order; calling it with a
// smaller i restarts it from the beginning.
type Target interface {
	// Dim returns the number of output components.
	Dim() int
	// At writes the value at step i into out (len Dim()).
	At(i int, out []float64)
	// Period returns the period of the signal in seconds, or 0 if it has none.
	Period() float64
}

// Sine is sin(2π·Freq·t)·Amp, with t in seconds.
type Sine struct {
	Freq, Amp float64 // frequency (Hz), amplitude
	Dt        float64 // step (s)
}

// Dim returns 1.
func (s Sine) Dim() int { return 1 }

// At writes the value at step i.
func (s Sine) At(i int, out []float64) {
	out[0] = s.Amp * math.Sin(2*math.Pi*s.Freq*float64(i)*s.Dt)
}

// Period returns 1/Freq.
func (s Sine) Period() float64 { return 1 / s.Freq }

// Triangle is asin(sin(2π·Freq·t))·Amp: a triangle wave of amplitude
// Amp·π/2 (the reference code calls it "sawtooth").
type Triangle struct {
	Freq, Amp float64 // frequency (Hz), amplitude scale
	Dt        float64 // step (s)
}

// Dim returns 1.
func (s Triangle) Dim() int { return 1 }

// At writes the value at step i.
func (s Triangle) At(i int, out []float64) {
	out[0] = s.Amp * math.Asin(math.Sin(2*math.Pi*s.Freq*float64(i)*s.Dt))
}

// Period returns 1/Freq.
func (s Triangle) Period() float64 { return 1 / s.Freq }

// ProdSines is sin(2π·F1·t)·sin(2π·F2·t)·Amp.
type ProdSines struct {
	F1, F2, Amp float64 // frequencies (Hz), amplitude
	Dt          float64 // step (s)
}

// Dim returns 1.
func (s ProdSines) Dim() int { return 1 }

// At writes the value at step i.
func (s ProdSines) At(i int, out []float64) {
	t := float64(i) * s.Dt
	out[0] = s.Amp * math.Sin(2*math.Pi*s.F1*t) * math.Sin(2*math.Pi*s.F2*t)
}

// Period returns the common period 1/gcd(F1, F2) for frequencies that are
// integer multiples of 1 mHz, else 0.
func (s ProdSines) Period() float64 {
	a, b := math.Round(s.F1*1000), math.Round(s.F2*1000)
	if a != s.F1*1000 || b != s.F2*1000 || a <= 0 || b <= 0 {
		return 0
	}
	x, y := int64(a), int64(b)
	for y != 0 {
		x, y = y, x%y
	}
	return 1000 / float64(x)
}

// Noisy adds fresh Gaussian noise of standard deviation Std to every
// component at every step (the noisy supervisors of the FORCE code).
type Noisy struct {
	Base Target
	Std  float64
	Rng  *rand.Rand
}

// Dim returns the base dimension.
func (s Noisy) Dim() int { return s.Base.Dim() }

// At writes base + noise at step i.
func (s Noisy) At(i int, out []float64) {
	s.Base.At(i, out)
	for k := range out[:s.Base.Dim()] {
		out[k] += s.Std * s.Rng.NormFloat64()
	}
}

// Period returns the base period.
func (s Noisy) Period() float64 { return s.Base.Period() }
