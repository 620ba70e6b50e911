//go:build !linux

package study

import "os/exec"

// setParentDeath does nothing outside Linux.
func setParentDeath(*exec.Cmd) {}
