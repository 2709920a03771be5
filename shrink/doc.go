// Package shrink minimises a failing run to a small reproducer: it drops faults by delta
// debugging, simplifies the ones left, shortens the run, reduces clients and rate, drops single
// client operations and reduces nodes, while a violation of the same kind still occurs; when
// fault removal stalls above a few faults (a simulation is chaotic: dropping one fault changes
// every later draw) it searches other seeds for a smaller run of the same failure. Every
// candidate runs with the failing run's own options, so a run of any engine shrinks with that
// engine, and with explicit client operations, so that removing a fault never changes what a
// client asks. The shrunk repro file carries the schedule and the operations as text lines.
//
//	res, err := shrink.Run(seed, cfg, cluster.Options{Engine: d}, "", shrink.Budget{MaxRuns: 200}, nil)
//	if err != nil {
//		return err // errors.Is(err, shrink.ErrNotFailing): the run does not fail
//	}
//	data, err := res.Repro().Marshal() // replays the shrunk run exactly
package shrink
