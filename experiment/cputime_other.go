//go:build !unix

package experiment

// CPUSeconds returns 0: the CPU time is not known on this system.
func CPUSeconds() float64 { return 0 }
