package simnet

import (
	"fmt"
	"time"
)

// Time is simulated time: nanoseconds since the start of the run. It is also used for
// simulated durations. Time never comes from the wall clock.
type Time int64

// Units of simulated time.
const (
	Nanosecond  Time = 1
	Microsecond      = 1000 * Nanosecond
	Millisecond      = 1000 * Microsecond
	Second           = 1000 * Millisecond
	Minute           = 60 * Second
)

// String formats t like a time.Duration ("1.5ms").
func (t Time) String() string { return time.Duration(t).String() }

// NodeID names an endpoint of the network: by convention servers are 0..n-1 and clients
// count up from 1000, but any value >= 0 is valid.
type NodeID int

// BoundError reports that a run reached one of its Limits: a runaway simulation, never a hang.
type BoundError struct {
	Bound  string // "MaxEvents" or "MaxTime"
	Limit  int64  // the value of the bound
	Now    Time   // simulated time when the bound was reached
	Events uint64 // events processed when the bound was reached
}

// Error implements error.
func (e *BoundError) Error() string {
	return fmt.Sprintf("simnet: bound Limits.%s = %d reached at time %v after %d events",
		e.Bound, e.Limit, e.Now, e.Events)
}

// Limits bounds one call of Kernel.Run or Kernel.RunUntil. Both are absolute: MaxEvents caps
// Kernel.Events() (events since NewKernel) and MaxTime caps Kernel.Now(). Both must be set
// (> 0); there is no "unlimited".
type Limits struct {
	MaxEvents uint64
	MaxTime   Time
}

// Validate reports a Limits field that is not set.
func (l Limits) Validate() error {
	if l.MaxEvents == 0 {
		return fmt.Errorf("simnet: Limits.MaxEvents = 0: must be > 0")
	}
	if l.MaxTime <= 0 {
		return fmt.Errorf("simnet: Limits.MaxTime = %d: must be > 0", int64(l.MaxTime))
	}
	return nil
}
