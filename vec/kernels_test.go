package vec

import "testing"

// kernelModes are the kernel sets a test goes through: every kernel this
// CPU has, the AVX2 ones only (AVX-512 off, so CPUs with AVX-512 test the
// AVX2 kernels too) and none (the pure-Go loops). Without vector kernels
// (other GOARCH, purego) all three are the Go loops.
var kernelModes = []string{"all", "no AVX-512", "none"}

// withKernels runs f with the kernel set of mode and restores the
// previous setting.
func withKernels(mode string, f func()) {
	was := SetVectorKernels(mode != "none")
	defer SetVectorKernels(was)
	if mode == "no AVX-512" {
		setAVX512(false)
	}
	f()
}

// benchKernels runs f as sub-benchmarks "go" (no vector kernels) and
// "avx2" and "avx512" where this CPU and build have that kernel set.
func benchKernels(b *testing.B, f func(b *testing.B)) {
	for _, m := range [][3]string{{"go", "none", ""}, {"avx2", "no AVX-512", "amd64-avx2"}, {"avx512", "all", "amd64-avx512"}} {
		withKernels(m[1], func() {
			if m[2] == "" || Kernels() == m[2] {
				b.Run(m[0], f)
			}
		})
	}
}
