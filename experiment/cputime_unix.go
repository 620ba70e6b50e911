//go:build unix

package experiment

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// CPUSeconds returns the user + system CPU time of the process so far (s),
// or 0 where it is unknown. On a shared machine the CPU time of a loop is a
// steadier speed figure than its wall time.
func CPUSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)*1e-6
}

// PeakMemory returns the peak resident memory of the process so far
// (bytes), or 0 where it is unknown.
func PeakMemory() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil || ru.Maxrss <= 0 {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return float64(ru.Maxrss) // bytes there
	}
	return float64(ru.Maxrss) * 1024 // kibibytes elsewhere
}

// processAlive reports whether a process with this id exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	if err != nil && err != syscall.EPERM {
		return false
	}
	// A killed process its parent has not reaped yet (a zombie) answers
	// signal 0 but runs no more.
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && b[i+2] == 'Z' {
			return false
		}
	}
	return true
}
