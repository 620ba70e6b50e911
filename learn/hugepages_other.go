//go:build !linux

package learn

// adviseHugePages does nothing here (see the Linux version).
func adviseHugePages[T uint16 | float32 | float64](s []T) {}
