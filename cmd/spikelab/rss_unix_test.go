//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSS returns the process's peak resident set size in bytes (0 if unknown).
func peakRSS(ps *os.ProcessState) float64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return float64(ru.Maxrss) // bytes there
	}
	return float64(ru.Maxrss) * 1024 // kB on Linux
}
