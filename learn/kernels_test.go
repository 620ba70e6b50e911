package learn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spikelab/spikelab/sim"
	"gonum.org/v1/gonum/floats"
)

// The RLS kernels give the bits of their Go twins.
func TestKernelsMatchPortableGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	vec := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	for _, n := range []int{1, 3, 7, 8, 9, 16, 31, 100, 2000} {
		row, x, y := vec(n), vec(n), vec(n)
		y2 := append([]float64(nil), y...)
		d := dotAxpy(row, x, y, 0.37)
		d2 := dotAxpyGo(row, x, y2, 0.37)
		if d != d2 {
			t.Fatalf("n=%d: dot %v vs %v", n, d, d2)
		}
		for j := range y {
			if y[j] != y2[j] {
				t.Fatalf("n=%d: y[%d] %v vs %v", n, j, y[j], y2[j])
			}
		}
		a := [4]float64{0.5, -1.5, 2, -0.25}
		v0, v1, v2, v3 := vec(n), vec(n), vec(n), vec(n)
		r1 := append([]float64(nil), row...)
		r2 := append([]float64(nil), row...)
		axpy4(r1, &a, v0, v1, v2, v3)
		axpy4Go(r2, &a, v0, v1, v2, v3)
		for j := range r1 {
			if r1[j] != r2[j] {
				t.Fatalf("n=%d: axpy4 row[%d] %v vs %v", n, j, r1[j], r2[j])
			}
		}
	}
	for _, n := range []int{1, 3, 7, 8, 9, 16, 31, 100, 2000} {
		row64, x, y := vec(n), vec(n), vec(n)
		row := make([]float32, n)
		narrow(row, row64)
		back := make([]float64, n)
		widen(back, row)
		for j := range row {
			if float32(row64[j]) != row[j] || back[j] != float64(row[j]) {
				t.Fatalf("n=%d: narrow/widen of %v gave %v, %v", n, row64[j], row[j], back[j])
			}
		}
		y2 := append([]float64(nil), y...)
		d := dotAxpy32(row, x, y, 0.37)
		d2 := dotAxpy32Go(row, x, y2, 0.37)
		if d != d2 || d != dotAxpyGo(back, x, append([]float64(nil), y...), 0.37) {
			t.Fatalf("n=%d: dot32 %v vs %v", n, d, d2)
		}
		for j := range y {
			if y[j] != y2[j] {
				t.Fatalf("n=%d: dot32 y[%d] %v vs %v", n, j, y[j], y2[j])
			}
		}
		// Four rows of stride n+5 against four single-row passes.
		stride := n + 5
		p64 := vec(3*stride + n)
		p := make([]float32, len(p64))
		narrow(p, p64)
		a := [4]float64{0.5, -1.5, 2, -0.25}
		var dots, dotsGo [4]float64
		y3 := append([]float64(nil), y...)
		yGo := append([]float64(nil), y...)
		dotAxpy32x4Go(p, stride, x, yGo, &a, &dotsGo)
		dotAxpy32x4(p, stride, x, y, &a, &dots)
		// The Go loop is the AVX-512 path's twin (an AVX2-only CPU sums
		// the columns from 16 on in other partial sums).
		if useAVX512 || !useAVX {
			if dots != dotsGo {
				t.Fatalf("n=%d: four-row dots %v, Go %v", n, dots, dotsGo)
			}
			for j := range y {
				if y[j] != yGo[j] {
					t.Fatalf("n=%d: four-row y[%d] %v, Go %v", n, j, y[j], yGo[j])
				}
			}
		}
		for r := 0; r < 4; r++ {
			dr := dotAxpy32Go(p[r*stride:r*stride+n], x, y3, a[r])
			if math.Abs(dots[r]-dr) > 1e-12*float64(n) {
				t.Fatalf("n=%d: four-row dot %d %v vs %v", n, r, dots[r], dr)
			}
		}
		for j := range y {
			if math.Abs(y[j]-y3[j]) > 1e-13 {
				t.Fatalf("n=%d: four-row y[%d] %v vs %v", n, j, y[j], y3[j])
			}
		}
	}
	for _, cols := range []int{8, 16, 24, 2000} {
		for _, m := range []int{1, 3, 16} {
			const pstride, vstride = 2011, 2003
			p64, v := vec(3*pstride+cols), vec(m*vstride)
			p1 := make([]float32, len(p64))
			narrow(p1, p64)
			p2 := append([]float32(nil), p1...)
			a := v[cols-4:] // any four entries per vector
			rank32x4(p1, pstride, cols, v, a, vstride, m)
			rank32x4Go(p2, pstride, cols, v, a, vstride, m)
			for j := range p1 {
				if p1[j] != p2[j] {
					t.Fatalf("cols %d m %d: rank32x4 p[%d] %v vs %v", cols, m, j, p1[j], p2[j])
				}
			}
		}
	}
	t.Logf("AVX2/FMA kernels in use: %v; AVX-512 P·r kernel: %v", useAVX, useAVX512)
}

func TestAdamKernelEqualsGoLoopAndTeamSplit(t *testing.T) {
	defer sim.AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
	rng := rand.New(rand.NewPCG(21, 22))
	const n = 1003
	p1, p2, p3, p4 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	g := make([]float64, n)
	for i := range p1 {
		p1[i] = rng.NormFloat64()
	}
	copy(p2, p1)
	copy(p3, p1)
	copy(p4, p1)
	a1, a2, a3 := NewAdam(n, 0.9, 0.999, 1e-8), NewAdam(n, 0.9, 0.999, 1e-8), NewAdam(n, 0.9, 0.999, 1e-8)
	a4 := NewAdam(n, 0.9, 0.999, 1e-8)
	row := make([]float64, 17) // ApplyAt row by row from a buffer: 59 rows of 17
	// (kernel and Go tail in each) and none left over
	team := sim.NewTeam(2)
	defer team.Close()
	saved := useAVX
	defer func() { useAVX = saved }()
	for s := 0; s < 20; s++ {
		for i := range g {
			g[i] = rng.NormFloat64()
		}
		useAVX = saved
		a1.Step(p1, g, 0.01)
		a3.StepTeam(p3, g, 0.01, 17, team)
		a4.Begin(0.01)
		for lo := 0; lo < n; lo += len(row) {
			copy(row, g[lo:min(lo+len(row), n)])
			a4.ApplyAt(p4, lo, row[:min(len(row), n-lo)])
		}
		useAVX = false
		a2.Step(p2, g, 0.01)
	}
	for i := range p1 {
		if p1[i] != p2[i] || p1[i] != p3[i] || p1[i] != p4[i] {
			t.Fatalf("param %d: kernel %v, Go %v, team %v, row by row %v", i, p1[i], p2[i], p3[i], p4[i])
		}
	}
}

func TestAdamOuterEqualsMaterialisedGradient(t *testing.T) {
	defer sim.AtLeastProcs(3)() // the worker counts asked for, also under GOMAXPROCS=1
	rng := rand.New(rand.NewPCG(31, 32))
	const rows, cols = 7, 13
	p1, p2 := make([]float64, rows*cols), make([]float64, rows*cols)
	rs, col, g := make([]float64, rows), make([]float64, cols), make([]float64, rows*cols)
	a1, a2 := NewAdam(rows*cols, 0.9, 0.999, 1e-8), NewAdam(rows*cols, 0.9, 0.999, 1e-8)
	team := sim.NewTeam(2)
	defer team.Close()
	for s := 0; s < 10; s++ {
		for i := range rs {
			rs[i] = rng.NormFloat64()
		}
		for j := range col {
			col[j] = rng.NormFloat64()
		}
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				g[i*cols+j] = rs[i] * col[j]
			}
		}
		a1.StepOuter(p1, rs, col, 0.01, team)
		a2.Step(p2, g, 0.01)
	}
	for i := range p1 {
		if p1[i] != p2[i] {
			t.Fatalf("param %d: outer %v, materialised %v", i, p1[i], p2[i])
		}
	}
}

// The fused row kernels (AVX-512 and AVX2, each where the CPU has it) and
// the unfused path must leave the same parameters and moments as the Go
// loop of Adam's row update plus a zeroed diagonal, and the dot product
// must equal floats.Dot of the updated row bit for bit, for sizes hitting
// every tail of the kernels, the diagonal in every position, and inputs
// with −0, ±Inf and NaN off the diagonal.
func TestAdamRowZeroDiagDotEqualsUpdateThenDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	saved, saved512, savedFused := useAVX, useAVX512, useFusedDot
	defer func() { useAVX, useAVX512, useFusedDot = saved, saved512, savedFused }()
	modes := []struct {
		name             string
		avx, avx512, fus bool
	}{
		{"avx512", saved, saved512, true},
		{"avx2-fused", saved, false, true},
		{"unfused", saved, false, false},
		{"go", false, false, false},
	}
	for _, n := range []int{1, 3, 4, 5, 7, 8, 9, 12, 13, 17, 45, 64} {
		for _, mode := range modes {
			for d := 0; d < n; d++ {
				p1, m1, v1 := make([]float64, n), make([]float64, n), make([]float64, n)
				p2, m2, v2 := make([]float64, n), make([]float64, n), make([]float64, n)
				col, x := make([]float64, n), make([]float64, n)
				a := NewAdam(n, 0.9, 0.999, 1e-8)
				for s := 0; s < 5; s++ {
					for j := range col {
						col[j], x[j] = rng.NormFloat64(), rng.Float64()
					}
					if s == 1 && n > 3 {
						x[(d+1)%n], x[(d+2)%n] = math.Copysign(0, -1), math.Inf(1)
					}
					if s == 2 && n > 3 {
						x[(d+1)%n], x[(d+3)%n] = math.NaN(), math.Inf(-1)
					}
					a.Begin(0.01)
					sc := rng.NormFloat64()
					var xs []float64
					if s < 4 {
						xs = x // the last step wants no sum
					}
					useAVX, useAVX512, useFusedDot = mode.avx, mode.avx512, mode.fus
					got := adamRowZeroDiagDot(&a.k, p1, m1, v1, col, sc, xs, d)
					useAVX, useAVX512, useFusedDot = false, false, false
					adamOuterRow(&a.k, p2, m2, v2, col, sc)
					p2[d] = 0
					if want := floats.Dot(p2, x); xs != nil && math.Float64bits(got) != math.Float64bits(want) {
						t.Fatalf("n=%d d=%d %s step %d: dot %v, floats.Dot %v", n, d, mode.name, s, got, want)
					}
				}
				for j := range p1 {
					if math.Float64bits(p1[j]) != math.Float64bits(p2[j]) || math.Float64bits(m1[j]) != math.Float64bits(m2[j]) ||
						math.Float64bits(v1[j]) != math.Float64bits(v2[j]) {
						t.Fatalf("n=%d d=%d %s: element %d: param %v vs %v, m %v vs %v, v %v vs %v",
							n, d, mode.name, j, p1[j], p2[j], m1[j], m2[j], v1[j], v2[j])
					}
				}
			}
		}
	}
	t.Logf("AVX2/FMA kernels: %v, AVX-512 kernel: %v", saved, saved512)
}

// BenchmarkAdamRowZeroDiagDot is one row of 500 recurrent weights of the
// online LTTS rule: fused update and dot (AVX-512 or AVX2 where present),
// against the unfused path (row update, then floats.Dot) and the Go loop
// (then floats.Dot).
func BenchmarkAdamRowZeroDiagDot(b *testing.B) {
	const n = 500
	rng := rand.New(rand.NewPCG(43, 44))
	p, m, v, col, x := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for j := range col {
		col[j], x[j] = rng.NormFloat64(), rng.Float64()
	}
	a := NewAdam(n, 0.9, 0.999, 1e-8)
	a.Begin(1e-6)
	for _, mode := range []string{"fused", "unfused", "go"} {
		b.Run(mode, func(b *testing.B) {
			saved, savedFused := useAVX, useFusedDot
			defer func() { useAVX, useFusedDot = saved, savedFused }()
			useFusedDot = mode == "fused"
			useAVX = saved && mode != "go"
			for b.Loop() {
				adamRowZeroDiagDot(&a.k, p, m, v, col, 1e-3, x, 7)
			}
		})
	}
}
