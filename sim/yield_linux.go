//go:build linux

package sim

import "syscall"

// osYield gives the core to another runnable thread, if any (sched_yield).
// A spinning worker calls it so that, when the machine has more runnable
// threads than cores, the teammate it waits for gets to run instead of
// waiting for the spinner's time slice to end.
func osYield() {
	syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0)
}
