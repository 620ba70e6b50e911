package study

import (
	"os/exec"
	"syscall"
)

// setParentDeath makes the point's process die with the sweep's (Linux):
// a sweep killed with SIGKILL leaves no orphan runs behind.
func setParentDeath(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
