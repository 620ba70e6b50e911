//go:build unix

package learn

import "syscall"

// processCPU returns the process's user + system CPU time so far (s), or 0
// where it is unknown (the benchmarks then leave out their per-CPU-second
// rates).
func processCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)*1e-6
}
