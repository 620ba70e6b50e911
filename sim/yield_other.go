//go:build !linux

package sim

import "runtime"

// osYield lets other goroutines run; elsewhere than Linux the runtime's
// own yield is the portable choice.
func osYield() { runtime.Gosched() }
