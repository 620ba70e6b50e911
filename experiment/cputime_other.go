//go:build !unix

package experiment

// cpuSeconds returns 0: the CPU time is not known on this system.
func cpuSeconds() float64 { return 0 }
