//go:build !unix

package cluster

import "time"

// processCPU is the CPU time the process has used so far: not read on this platform.
func processCPU() (time.Duration, bool) { return 0, false }
