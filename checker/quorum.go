package checker

import "fmt"

// CommitQuorum observes that node, leading its current term, advanced its commit index to
// index while its configuration was one of configs (a batch may append a configuration
// change, which takes effect at once, in the same step that commits under the one before;
// report it after the batch's HardStateSaved).
// §5.3: a leader commits an entry once it is stored on a majority of the servers; followers
// persist entries before they acknowledge them, and a leader counts its own copy once it is
// durable (thesis §10.2.1). Checks that a majority of voters hold the leader's entry at
// index, with the same history (chain hash), durably (synced, or under a snapshot) in the
// logs they saved: a leader that counted stale or misattributed acknowledgements, or an
// acknowledgement sent before the entry was synced, commits without a quorum.
// While a configuration is joint (thesis §4.3) a majority of its outgoing voters must hold
// the entry too: a leader that commits on the new majority alone is caught here.
func (c *Invariants) CommitQuorum(t int64, node int, index uint64, configs []Conf) {
	n := c.live(node, "CommitQuorum")
	mine, ok := n.log.at(index)
	if !ok || len(configs) == 0 {
		return
	}
	var report func()
	for _, conf := range configs {
		report = c.quorumHolds(t, node, index, mine, conf.Voters)
		if report == nil && conf.Joint() {
			report = c.quorumHolds(t, node, index, mine, conf.Outgoing)
		}
		if report == nil {
			return
		}
	}
	report()
}

// quorumHolds returns nil if a majority of voters hold the leader's entry at index, and
// otherwise the function that reports it.
func (c *Invariants) quorumHolds(t int64, node int, index uint64, mine logEntry, voters []int) func() {
	if len(voters) == 0 {
		return nil
	}
	var holders, missing []int
	for _, v := range voters {
		if v < 0 || v >= len(c.nodes) {
			continue
		}
		n := &c.nodes[v]
		if e, ok := n.log.at(index); (ok && e.chain == mine.chain && n.required.index >= index) || n.log.snapIndex > index {
			holders = append(holders, v) // a snapshot past index holds it applied
		} else {
			missing = append(missing, v)
		}
	}
	if len(holders) >= len(voters)/2+1 {
		return nil
	}
	return func() {
		c.report(KindCommitQuorum, t, append([]int{node}, missing...),
			"leader %d committed index %d (term %d) but only nodes %v of voters %v hold that entry durably (%s); a majority is %d (of each voter set while joint)",
			node, index, mine.term, holders, voters, fmt.Sprintf("missing on %v", missing), len(voters)/2+1)
	}
}

// Conf is a configuration as the quorum checks see it: its voters and, while it is joint
// (thesis §4.3), the outgoing voters of C_old. A quorum of a joint configuration is a
// majority of Voters and a majority of Outgoing.
type Conf struct {
	Voters   []int
	Outgoing []int // nil unless joint
}

// Joint reports whether c is a joint configuration.
func (c Conf) Joint() bool { return len(c.Outgoing) > 0 }
