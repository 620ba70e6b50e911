package learn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Every half survives widening and rounding back; the midpoints between
// neighbouring halves round to the even one, and a hair off them to the
// nearer one.
func TestHalfConversionsRoundToNearestEven(t *testing.T) {
	for _, c := range []struct {
		v float64
		h uint16
	}{{1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {65520, 0x7c00}, {65519.99, 0x7bff}, {0x1p-24, 1},
		{0x1p-25, 0}, {0x1.0000001p-25, 1}, {0x1p-14, 0x400}, {math.Inf(-1), 0xfc00}, {1e-300, 0}, {-1e-300, 0x8000}} {
		if got := halfFrom64(c.v); got != c.h {
			t.Errorf("halfFrom64(%g) = %#04x, want %#04x", c.v, got, c.h)
		}
	}
	if h := halfFrom64(math.NaN()); h&0x7c00 != 0x7c00 || h&0x3ff == 0 || !math.IsNaN(halfTo64(h)) {
		t.Errorf("NaN became %#04x", h)
	}
	for h := 0; h < 0x7c00; h++ {
		for _, s := range []uint16{0, 0x8000} {
			hh := uint16(h) | s
			v := halfTo64(hh)
			if got := halfFrom64(v); got != hh {
				t.Fatalf("half %#04x → %g → %#04x", hh, v, got)
			}
			if h+1 == 0x7c00 {
				continue
			}
			w := halfTo64(uint16(h+1) | s)
			mid := (v + w) / 2 // exact in float64
			want := hh
			if h&1 == 1 {
				want = uint16(h+1) | s
			}
			if got := halfFrom64(mid); got != want {
				t.Fatalf("midpoint %g of %#04x, %#04x → %#04x, want even %#04x", mid, hh, uint16(h+1)|s, got, want)
			}
			if got := halfFrom64(math.Nextafter(mid, v)); got != hh {
				t.Fatalf("just below midpoint %g → %#04x, want %#04x", mid, got, hh)
			}
			if got := halfFrom64(math.Nextafter(mid, 2*w-v)); got != uint16(h+1)|s {
				t.Fatalf("just above midpoint %g → %#04x", mid, got)
			}
		}
	}
}

// halfInputs returns n float64 values around the halves' range: random
// magnitudes from 2⁻³⁰ to 2¹⁷, exact midpoints between halves and values
// one float64 ulp off them, both signs, zeros, infinities and a NaN.
func halfInputs(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		switch i % 4 {
		case 0, 1:
			v[i] = math.Ldexp(1+rng.Float64(), rng.IntN(48)-31)
		case 2, 3:
			h := uint16(rng.IntN(0x7bff))
			mid := (halfTo64(h) + halfTo64(h+1)) / 2
			v[i] = []float64{mid, math.Nextafter(mid, 0), math.Nextafter(mid, 1e9)}[rng.IntN(3)]
		}
		if rng.IntN(2) == 0 {
			v[i] = -v[i]
		}
	}
	copy(v, []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), 1e-320, -1e300, math.NaN()})
	return v
}

// The half kernels (assembly where the CPU has it) give the bits of their
// Go loops, with each kernel set the CPU has: AVX-512, AVX2 (the AVX-512
// flag cleared) and none.
func TestHalfKernelsEqualGoLoops(t *testing.T) {
	saved, savedAVX := useHalf, useHalfAVX
	defer func() { useHalf, useHalfAVX = saved, savedAVX }()
	for _, mode := range []string{"avx512", "avx2", "go"} {
		useHalf, useHalfAVX = saved && mode == "avx512", savedAVX && mode != "go"
		if mode == "avx512" && !saved || mode == "avx2" && !savedAVX {
			t.Logf("%s: not on this CPU", mode)
			continue
		}
		t.Run(mode, testHalfKernels)
	}
}

func testHalfKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, n := range []int{1, 4, 5, 7, 8, 9, 15, 16, 17, 100, 2000, 2013} {
		src := halfInputs(rng, n)
		// Where float32 rounding to nearest goes up (across a power of
		// two, past the largest float32, to the smallest subnormal), the
		// overflow to Inf, and the smallest halves.
		copy(src[min(n, 7):], []float64{1 - 0x1p-30, -(2 - 0x1p-40), 3.5e38, -3.4028235e38 * (1 + 0x1p-30), 65520, 65519.99,
			0x1p-25, 0x1p-25 + 0x1p-60, 0x1p-24 * 1.5, 0x1p-150 * 0.75, -0x1p-149, 0x1p-14 * (1 - 0x1p-12)})
		d1, d2 := make([]uint16, n), make([]uint16, n)
		narrow16(d1, src)
		for j, v := range src {
			d2[j] = halfFrom64(v)
		}
		for j := range d1 {
			if d1[j] != d2[j] {
				t.Fatalf("n=%d: narrow16(%g) = %#04x, halfFrom64 %#04x", n, src[j], d1[j], d2[j])
			}
		}
	}
	vec := func(n int, scale float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = scale * rng.NormFloat64()
		}
		return v
	}
	for _, n := range []int{1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 100, 1024, 2000, 2013} {
		stride := n + 5
		p := make([]uint16, 3*stride+n)
		narrow16(p, vec(len(p), 1000))
		x, y := vec(n, 1), vec(n, 1)
		y2 := append([]float64(nil), y...)
		a := [4]float64{0.5, -1.5, 2, -0.25}
		var d1, d2 [4]float64
		dotAxpy16x4(p, stride, x, y, &a, &d1)
		dotAxpyX4Lanes(p, halfTo64, stride, x, y2, &a, &d2, halfLanes())
		if d1 != d2 {
			t.Fatalf("n=%d: dots %v, Go %v", n, d1, d2)
		}
		for j := range y {
			if math.Float64bits(y[j]) != math.Float64bits(y2[j]) {
				t.Fatalf("n=%d: y[%d] %v, Go %v", n, j, y[j], y2[j])
			}
		}
		// Against plain float64 sums, loosely.
		for r := range 4 {
			s := 0.0
			for j := range x {
				s += halfTo64(p[r*stride+j]) * x[j]
			}
			if math.Abs(s-d1[r]) > 1e-9*1000*float64(n) {
				t.Fatalf("n=%d: row %d dot %v, plain sum %v", n, r, d1[r], s)
			}
		}
	}
	for _, cols := range []int{1, 7, 8, 9, 15, 16, 17, 24, 48, 2000, 2013} {
		for _, m := range []int{1, 3, 16, 17} {
			const pstride, vstride = 2027, 2039
			p1 := make([]uint16, 3*pstride+cols)
			narrow16(p1, vec(len(p1), 1000))
			p2 := append([]uint16(nil), p1...)
			v := vec(m*vstride, 30)
			a := v[cols-1:]
			rank16x4(p1, pstride, cols, v, a, vstride, m)
			rank16Go(p2, pstride, 4, cols, v, a, vstride, m)
			for j := range p1 {
				if p1[j] != p2[j] {
					t.Fatalf("cols %d m %d: rank16x4 p[%d] %#04x, Go %#04x", cols, m, j, p1[j], p2[j])
				}
			}
		}
	}
	t.Logf("half kernels: AVX-512 %v, AVX2 %v, %d partial sums per row", useHalf, useHalfAVX, halfLanes())
}
