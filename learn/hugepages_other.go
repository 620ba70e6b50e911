//go:build !linux

package learn

// adviseHugePages does nothing here (see the Linux version).
func adviseHugePages[T float32 | float64](s []T) {}
