package cluster

import "github.com/raftcheck/raftcheck/engine"

// Observer watches a run as it happens, for measurements over the whole run (the coverage
// package computes abstract-state coverage this way). In simulated-time order it sees what
// each node's engine recovered at every boot, each batch's observations before the checkers
// do, and each timeline mark as it is made. It must not change the run: a run with an
// observer has the same Result and trace hash as without.
type Observer interface {
	Recovered(t int64, node int, rec engine.Recovery)
	Observed(t int64, node int, o engine.Observations)
	Marked(m Mark)
}

// recovered hands what a node's engine recovered at boot to the run's observer, if any.
func (r *run) recovered(node int, rec engine.Recovery) {
	if r.opts.Observer != nil {
		r.opts.Observer.Recovered(r.now(), node, rec)
	}
}

// observed hands a node's batch observations to the run's observer, if any.
func (r *run) observed(node int, o *engine.Observations) {
	if r.opts.Observer != nil {
		r.opts.Observer.Observed(r.now(), node, *o)
	}
}
