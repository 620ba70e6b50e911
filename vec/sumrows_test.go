package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSumRowsEqualsRowByRow checks sumRows and addRows (vector kernel where
// the CPU has one) against adding the rows one after another, bit for bit, for row
// lengths around the kernel's 32-, 8- and masked-column parts.
func TestSumRowsEqualsRowByRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 2, 7, 8, 9, 15, 31, 32, 33, 40, 47, 50, 63, 64, 65, 71, 96, 100, 127, 128, 200, 500} {
		stride := n + rng.IntN(5)
		nrow := 40
		w := make([]float64, nrow*stride)
		for i := range w {
			w[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(12)-6))
		}
		w[3] = math.Copysign(0, -1)
		for _, k := range []int{0, 1, 5, 37} {
			rows := make([]int32, k)
			for r := range rows {
				rows[r] = int32(rng.IntN(nrow))
			}
			got, want := make([]float64, n), make([]float64, n)
			for i := range got {
				got[i] = 99 // overwritten
			}
			SumRows(got, w, stride, rows)
			clear(want)
			addRowsGo(want, w, stride, rows)
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("n=%d k=%d: dst[%d] = %v, want %v", n, k, i, got[i], want[i])
				}
			}
			// addRows onto a start value.
			for i := range got {
				got[i] = rng.NormFloat64()
				want[i] = got[i]
			}
			AddRows(got, w, stride, rows)
			addRowsGo(want, w, stride, rows)
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("addRows n=%d k=%d: dst[%d] = %v, want %v", n, k, i, got[i], want[i])
				}
			}
		}
	}
}

func TestAddRowsRejectsRowsOutside(t *testing.T) {
	w := make([]float64, 5*20)
	for _, bad := range []int32{-1, 5, 1 << 30} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("row %d of 5 accepted", bad)
				}
			}()
			AddRows(make([]float64, 20), w, 20, []int32{0, bad})
		}()
	}
}

// TestAppendNonzero checks AppendNonzero under every kernel set against its
// pure-Go twin and the indices listed by hand, for lengths around the
// kernels' groups of eight (and the AVX2 kernel's halves of four), spike
// vectors from empty to full, with NaN and −0 (nonzero and zero), onto a
// list that already holds an entry.
func TestAppendNonzero(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{0, 1, 4, 7, 8, 9, 12, 15, 16, 17, 24, 50, 500, 503} {
		for _, density := range []int{0, 1, 4, 16, 64} { // in 64ths
			x := make([]float64, n)
			var want []int32
			for i := range x {
				if rng.IntN(64) < density {
					x[i] = 1
					if rng.IntN(4) == 0 {
						x[i] = math.NaN()
					}
				} else if rng.IntN(4) == 0 {
					x[i] = math.Copysign(0, -1)
				}
				if x[i] != 0 {
					want = append(want, int32(i))
				}
			}
			twin := appendNonzeroGo([]int32{-5}, x)
			for _, mode := range kernelModes {
				var got []int32
				withKernels(mode, func() { got = AppendNonzero([]int32{-5}, x) })
				if !slices.Equal(got, twin) {
					t.Fatalf("kernels %s, n=%d, density %d/64: %v, pure-Go twin %v", mode, n, density, got, twin)
				}
			}
			if len(twin) != len(want)+1 || twin[0] != -5 || !slices.Equal(twin[1:], want) {
				t.Fatalf("n=%d: %v, want -5 then %v", n, twin, want)
			}
		}
	}
}

// BenchmarkAppendNonzero lists the spikes of 1000 neurons, 5 % and 30 %
// of them spiking, with the Go loop and each vector kernel.
func BenchmarkAppendNonzero(b *testing.B) {
	for _, pct := range []int{5, 30} {
		rng := rand.New(rand.NewPCG(3, 4))
		x := make([]float64, 1000)
		for i := range x {
			if rng.IntN(100) < pct {
				x[i] = 1
			}
		}
		list := make([]int32, 0, len(x))
		b.Run(fmt.Sprintf("%dpct", pct), func(b *testing.B) {
			benchKernels(b, func(b *testing.B) {
				for b.Loop() {
					list = AppendNonzero(list[:0], x)
				}
			})
		})
	}
}

// BenchmarkSumRows sums 150 random rows of a 500-row matrix (a layer's
// spiking inputs) into rows of 200 and 500 columns.
func BenchmarkSumRows(b *testing.B) {
	for _, n := range []int{200, 500} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			w := make([]float64, 500*n)
			for i := range w {
				w[i] = rng.NormFloat64()
			}
			rows := make([]int32, 150)
			for r := range rows {
				rows[r] = int32(rng.IntN(500))
			}
			slices.Sort(rows)
			dst := make([]float64, n)
			for b.Loop() {
				SumRows(dst, w, n, rows)
			}
		})
	}
}

// SumRowsEach equals SumRows list by list, bit for bit, for widths around
// its column blocks and lists of every length (empty too).
func TestSumRowsEachEqualsSumRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{1, 4, 15, 16, 17, 31, 32, 33, 200, 500} {
		stride, nrow := n+rng.IntN(3), 60
		w := make([]float64, nrow*stride)
		for i := range w {
			w[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(12)-6))
		}
		w[1] = math.Copysign(0, -1)
		lists := make([][]int32, 7)
		for k := range lists {
			lists[k] = make([]int32, []int{0, 1, 3, 20, 59, 2, 0}[k])
			for r := range lists[k] {
				lists[k][r] = int32(rng.IntN(nrow))
			}
		}
		dstStride := n + 2
		got := make([]float64, len(lists)*dstStride)
		for i := range got {
			got[i] = 99 // overwritten within the rows, kept between them
		}
		SumRowsEach(got, dstStride, n, w, stride, lists)
		for k, rows := range lists {
			want := make([]float64, n)
			SumRows(want, w, stride, rows)
			for i := range want {
				if g := got[k*dstStride+i]; math.Float64bits(g) != math.Float64bits(want[i]) {
					t.Fatalf("n=%d list %d: dst[%d] = %v, SumRows %v", n, k, i, g, want[i])
				}
			}
			for i := n; i < dstStride; i++ {
				if got[k*dstStride+i] != 99 {
					t.Fatalf("n=%d list %d: wrote past the row at %d", n, k, i)
				}
			}
		}
	}
}

// A batch of 32 samples' event-driven input sums at DECOLLE's sizes (500
// inputs, half of them spiking, into 200 outputs): SumRowsEach against
// SumRows sample by sample.
func BenchmarkSumRowsBatch(b *testing.B) {
	const nIn, nOut, batch = 500, 200, 32
	rng := rand.New(rand.NewPCG(1, 2))
	w := make([]float64, nIn*nOut)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	lists := make([][]int32, batch)
	for k := range lists {
		for j := 0; j < nIn; j++ {
			if rng.IntN(2) == 0 {
				lists[k] = append(lists[k], int32(j))
			}
		}
	}
	dst := make([]float64, batch*nOut)
	b.Run("each", func(b *testing.B) {
		for range b.N {
			SumRowsEach(dst, nOut, nOut, w, nOut, lists)
		}
	})
	b.Run("one-by-one", func(b *testing.B) {
		for range b.N {
			for k, rows := range lists {
				SumRows(dst[k*nOut:(k+1)*nOut], w, nOut, rows)
			}
		}
	})
}
