// Package shrink minimises a failing run to a small reproducer: it drops faults by delta
// debugging, simplifies the ones left, shortens the run and reduces clients, rate and nodes,
// while a violation of the same kind still occurs. Every candidate runs with the failing run's
// own options, so a run of any engine shrinks with that engine.
//
//	res, err := shrink.Run(seed, cfg, cluster.Options{Engine: d}, "", shrink.Budget{MaxRuns: 200}, nil)
//	if err != nil {
//		return err // errors.Is(err, shrink.ErrNotFailing): the run does not fail
//	}
//	data, err := res.Repro().Marshal() // replays the shrunk run exactly
package shrink
