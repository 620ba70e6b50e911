package synapse

import (
	"math"
	"math/rand/v2"
	"testing"
)

// pcgNext gives the same outputs and states as math/rand/v2's PCG.
func TestPCGNextMatchesRand(t *testing.T) {
	for _, seed := range [][2]uint64{{0, 0}, {1, 2}, {math.MaxUint64, math.MaxUint64}, {0x9e3779b97f4a7c15, 12345}} {
		ref := rand.NewPCG(seed[0], seed[1])
		hi, lo := pcgState(ref)
		if hi != seed[0] || lo != seed[1] {
			t.Fatalf("pcgState = %x %x, want %x %x", hi, lo, seed[0], seed[1])
		}
		for k := 0; k < 10000; k++ {
			var out uint64
			hi, lo, out = pcgNext(hi, lo)
			if want := ref.Uint64(); out != want {
				t.Fatalf("seed %v draw %d: %x, want %x", seed, k, out, want)
			}
		}
		if h, l := pcgState(ref); h != hi || l != lo {
			t.Fatalf("state after 10000 draws differs")
		}
	}
}

// addReference is Poisson.Add written with one src.Uint64 call per pair of
// neurons (the form the inline generator must reproduce).
func addReference(p *Poisson, src *rand.PCG, lo, hi int, target []float64) int {
	events := 0
	var r uint64
	for i := lo; i < hi; i++ {
		if (i-lo)&1 == 0 {
			r = src.Uint64()
		} else {
			r >>= 32
		}
		u := r & math.MaxUint32
		k := 0
		for q := 0; q < 4; q++ {
			if u >= p.thr[thrAt(i, q)] {
				k++
			}
		}
		if k == 4 {
			k = p.tail(i, u)
		}
		target[i] += float64(k) * p.Weight[i]
		events += k
	}
	return events
}

// Add gives bit-identical inputs, counts and generator states to the
// reference, for even and odd block lengths and rates that reach the tail.
func TestPoissonAddMatchesReference(t *testing.T) {
	const n = 301
	p, _ := NewPoisson(n, 0.1, 4.5, 1.6)
	for i := 0; i < n; i += 7 {
		p.SetRate(i, 22.5) // rate·dt = 2.25: counts above 3 are common
		p.Weight[i] = -0.8
	}
	p.SetRate(5, 0)
	a, b := rand.NewPCG(3, 4), rand.NewPCG(3, 4)
	ta, tb := make([]float64, n), make([]float64, n)
	for step := 0; step < 200; step++ {
		for _, r := range [][2]int{{0, 150}, {150, 301}, {3, 4}, {10, 10}, {2, 97}, {6, 9}, {1, 77}, {8, 300}} {
			ea := p.Add(a, r[0], r[1], ta)
			eb := addReference(p, b, r[0], r[1], tb)
			if ea != eb {
				t.Fatalf("step %d range %v: %d events, reference %d", step, r, ea, eb)
			}
		}
	}
	for i := range ta {
		if math.Float64bits(ta[i]) != math.Float64bits(tb[i]) {
			t.Fatalf("target[%d] = %v, reference %v", i, ta[i], tb[i])
		}
	}
	if a.Uint64() != b.Uint64() {
		t.Fatal("generator states differ after Add")
	}
}

func BenchmarkPoissonAdd(b *testing.B) {
	const n = 3000
	p, _ := NewPoisson(n, 0.1, 4.5, 1.6)
	src := rand.NewPCG(1, 2)
	tg := make([]float64, n)
	for b.Loop() {
		for lo := 0; lo < n; lo += 300 {
			p.Add(src, lo, lo+300, tg)
		}
	}
}
