package learn

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// The benchmarks in this file measure how close the RLS update comes to the
// machine's memory bandwidth (issue #19):
//
//	go test ./learn -run '^$' -bench 'MemoryBandwidth|RLSBandwidth|RLSProduct' -benchtime 2s
//
// BenchmarkMemoryBandwidth reports the STREAM-style copy and triad rates
// (GB/s, 10⁹ bytes per second, counted as STREAM counts them: copy moves 16
// bytes per float64 element, triad 24, read (a dot product) 16) on arrays of 256 MiB each, far beyond
// any cache, with 1 and 2 goroutines. BenchmarkRLSBandwidth reports the
// bytes of P an RLS update moves per second (see rlsBytes).

// streamLen is the number of float64 elements of each STREAM array (256 MiB).
const streamLen = 1 << 25

// streamOp runs op on the index range [0, n) split into the given number of
// goroutines and waits for them.
func streamOp(n, threads int, op func(lo, hi int)) {
	var wg sync.WaitGroup
	for t := range threads {
		lo, hi := n*t/threads, n*(t+1)/threads
		wg.Go(func() { op(lo, hi) })
	}
	wg.Wait()
}

func BenchmarkMemoryBandwidth(b *testing.B) {
	a := make([]float64, streamLen)
	bb := make([]float64, streamLen)
	c := make([]float64, streamLen)
	for i := range a {
		a[i], bb[i], c[i] = 1, 2, 3
	}
	const s = 3.0
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("copy/threads=%d", threads), func(b *testing.B) {
			b.SetBytes(16 * streamLen)
			cpu0 := processCPU()
			for b.Loop() {
				streamOp(streamLen, threads, func(lo, hi int) { copy(c[lo:hi], a[lo:hi]) })
			}
			reportGBs(b, 16*streamLen*float64(b.N), cpu0)
		})
		b.Run(fmt.Sprintf("triad/threads=%d", threads), func(b *testing.B) {
			b.SetBytes(24 * streamLen)
			cpu0 := processCPU()
			for b.Loop() {
				streamOp(streamLen, threads, func(lo, hi int) {
					x, y, z := a[lo:hi], bb[lo:hi], c[lo:hi]
					for i := range x {
						x[i] = y[i] + s*z[i]
					}
				})
			}
			reportGBs(b, 24*streamLen*float64(b.N), cpu0)
		})
		// read: the access pattern of P·r, reading without writing
		// (gonum's assembly dot product, 16 bytes per element).
		b.Run(fmt.Sprintf("read/threads=%d", threads), func(b *testing.B) {
			b.SetBytes(16 * streamLen)
			sums := make([]float64, threads)
			cpu0 := processCPU()
			for b.Loop() {
				streamOp(streamLen, threads, func(lo, hi int) {
					sums[lo*threads/streamLen] = floats.Dot(a[lo:hi], bb[lo:hi])
				})
			}
			reportGBs(b, 16*streamLen*float64(b.N), cpu0)
		})
	}
}

// reportGBs reports bytes moved per iteration as GB/s (10⁹ bytes per
// second of the benchmark's elapsed time) and, when cpu0 (the process's
// CPU time at the start, s) is known, as GB per CPU second of the
// process: on a loaded machine the first drops when the benchmark waits
// for a core, the second does not (memory contention lowers both).
func reportGBs(b *testing.B, bytes float64, cpu0 float64) {
	if sec := b.Elapsed().Seconds(); sec > 0 {
		b.ReportMetric(bytes/sec/1e9, "GB/s")
	}
	if cpu := processCPU() - cpu0; cpu0 > 0 && cpu > 0 {
		b.ReportMetric(bytes/cpu/1e9, "GB/cpu-s")
	}
}

// rlsBytes returns the bytes of P that updates RLS updates with P stored
// in the given format and a block of block deferred updates move: each
// update reads the stored upper triangle once (P·r); each block of
// updates writes it once more, and in float64 storage reads it once more
// too (float32 storage applies the block in the next P·r, which reads
// each row once for both). The pending vectors, x and the partial sums (a
// few hundred kB, cache resident) are not counted.
func rlsBytes(n, updates, block int, store PStorage) float64 {
	elem, perFlush := 8.0, 2
	switch store {
	case PFloat32:
		elem, perFlush = 4, 1
	case PFloat16:
		elem, perFlush = 2, 1
	}
	tri := elem * float64(n) * float64(n+1) / 2
	flushes := updates / block
	return tri * float64(updates+perFlush*flushes)
}

func BenchmarkRLSBandwidth(b *testing.B) {
	type cfg struct {
		n, block, threads int
		store             PStorage
	}
	var cfgs []cfg
	for _, n := range []int{2000, 4000, 5000} {
		for _, threads := range []int{1, 2} {
			cfgs = append(cfgs, cfg{n, 16, threads, PFloat32})
		}
		cfgs = append(cfgs, cfg{n, 16, 1, PFloat64}, cfg{n, 1, 1, PFloat32}, cfg{n, 64, 1, PFloat32}, cfg{n, 16, 1, PFloat16})
	}
	for _, c := range cfgs {
		name := fmt.Sprintf("N=%d/%v/block=%d/threads=%d", c.n, c.store, c.block, c.threads)
		b.Run(name, func(b *testing.B) {
			r, err := NewRLSStored(c.n, 1, 5e-6, RLSCode, c.block, c.store, team(b, c.threads))
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 1))
			x := make([]float64, c.n)
			for i := range x {
				x[i] = 20 * rng.Float64()
			}
			e := []float64{0.1}
			r.Flush() // waits for P's allocation
			start := r.Updates
			cpu0 := processCPU()
			for b.Loop() {
				x[r.Updates%c.n] += 0.5
				if err := r.Update(x, e); err != nil {
					b.Fatal(err)
				}
			}
			u := r.Updates - start
			bytes := rlsBytes(c.n, u, c.block, c.store)
			reportGBs(b, bytes, cpu0)
			b.ReportMetric(bytes/float64(u)/1e6, "MB/update")
		})
	}
}

// BenchmarkDotAxpy32x4InCache runs the P·r kernels of float32 and
// float16 storage on four rows held in the L1/L2 caches: their GB/s of P
// is the kernel's arithmetic ceiling, which the RLS update reaches only if
// memory is faster.
func BenchmarkDotAxpy32x4InCache(b *testing.B) {
	for _, store := range []PStorage{PFloat32, PFloat16} {
		for _, cols := range []int{1024, 4096} {
			name := fmt.Sprintf("cols=%d", cols)
			if store == PFloat16 {
				name += "/float16"
			}
			b.Run(name, func(b *testing.B) {
				p := make([]float32, 4*cols)
				h := make([]uint16, 4*cols)
				x := make([]float64, cols)
				y := make([]float64, cols)
				for i := range p {
					p[i] = float32(i%7) * 0.25
					h[i] = halfFrom64(float64(p[i]))
				}
				for i := range x {
					x[i] = float64(i % 5)
				}
				a := [4]float64{1e-9, 2e-9, 3e-9, 4e-9}
				var d [4]float64
				cpu0 := processCPU()
				for b.Loop() {
					if store == PFloat16 {
						dotAxpy16x4(h, cols, x, y, &a, &d)
					} else {
						dotAxpy32x4(p, cols, x, y, &a, &d)
					}
				}
				elem := map[PStorage]float64{PFloat32: 4, PFloat16: 2}[store]
				reportGBs(b, 4*elem*float64(cols)*float64(b.N), cpu0)
			})
		}
	}
}

// BenchmarkRLSProduct times P·r alone (float32 and float16 P, no pending
// updates): GB/s of the upper triangle read per product, to set against
// the read bandwidth of BenchmarkMemoryBandwidth.
func BenchmarkRLSProduct(b *testing.B) {
	for _, c := range []struct {
		n     int
		store PStorage
	}{{2000, PFloat32}, {4000, PFloat32}, {5000, PFloat32}, {2000, PFloat16}, {4000, PFloat16}, {5000, PFloat16}} {
		n, elem := c.n, 4.0
		if c.store == PFloat16 {
			elem = 2
		}
		b.Run(fmt.Sprintf("N=%d/%v", n, c.store), func(b *testing.B) {
			r, err := NewRLSStored(n, 1, 5e-6, RLSCode, 16, c.store, nil)
			if err != nil {
				b.Fatal(err)
			}
			r.Flush() // waits for P's allocation
			x, y := make([]float64, n), make([]float64, n)
			for i := range x {
				x[i] = float64(i%7) + 1
			}
			cpu0 := processCPU()
			for b.Loop() {
				r.mulP(x, y)
			}
			reportGBs(b, elem*float64(n)*float64(n+1)/2*float64(b.N), cpu0)
		})
	}
}
