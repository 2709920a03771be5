package raft

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

// TestRandomScriptsKeepSafety drives small clusters with random script commands (ticks,
// partial deliveries, drops, duplicates, crashes, partitions, proposals, reads,
// compactions, transfers, membership changes) and checks the harness's safety
// properties after every command: one leader per term, identical entries applied at
// each index, applied indexes in order, and the Ready contract. After the chaos every
// fault is lifted and the cluster must converge (liveness). A failure prints the script,
// which can be pasted into testdata/ as a regression.
func TestRandomScriptsKeepSafety(t *testing.T) {
	seeds, steps := 150, 300
	if os.Getenv("RAFTCHECK_LONG") == "1" {
		seeds, steps = 3000, 600
	}
	for _, joint := range []bool{false, true} {
		for seed := range uint64(seeds) {
			if script, err := chaosRun(seed, steps, Mutations{}, joint); err != nil {
				t.Fatalf("seed %d (joint changes %v): %v\nscript:\n%s", seed, joint, err, script)
			}
		}
	}
}

// chaosRun runs one random script and returns it with the first problem found. With
// joint, a third of the membership changes are joint changes (without, the scripts are
// those drawn before joint consensus existed, which the other mutants are tuned to).
func chaosRun(seed uint64, steps int, mu Mutations, joint bool) (script string, err error) {
	r := rand.New(rand.NewPCG(seed, 0xc4a05))
	e := newEnv()
	e.jointChanges = joint
	var lines []string
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
		script = strings.Join(lines, "\n")
	}()
	exec := func(cmd string) error {
		lines = append(lines, cmd)
		e.silent = true
		if _, err := e.run(cmd); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		if len(e.violations) > 0 {
			return fmt.Errorf("violation: %s", e.violations[0])
		}
		return nil
	}
	n := 3 + r.IntN(3)
	e.nodeOpts = fmt.Sprintf("prevote=%v checkquorum=%v forward=true election=%d max-entries=%d max-inflight=%d chunk=%d",
		r.IntN(2) == 0, r.IntN(2) == 0, 3+r.IntN(6), 1+r.IntN(4), 1+r.IntN(4), 4+r.IntN(16))
	if names := mu.Enabled(); len(names) > 0 {
		e.nodeOpts += " mutant=" + strings.Join(names, ",")
	}
	if err := exec(fmt.Sprintf("add-nodes %d %s", n, e.nodeOpts)); err != nil {
		return "", err
	}
	for i := range steps {
		if err := exec(chaosCommand(r, e, i)); err != nil {
			return "", err
		}
	}
	return "", chaosHeal(e, exec)
}

// chaosCommand picks a random command for the current cluster. Time passes for every
// node at once and every node's Ready is handled together, so that the cluster keeps
// working while messages are delayed, reordered, duplicated, dropped and cut.
func chaosCommand(r *rand.Rand, e *env, step int) string {
	nodes := len(e.nodes)
	id := 1 + r.IntN(nodes)
	other := 1 + r.IntN(nodes)
	switch k := r.IntN(200); {
	case k < 20:
		return "tick " + allIDs(nodes)
	case k < 70:
		return "process-ready"
	case k < 120:
		return fmt.Sprintf("deliver-msgs count=%d", 1+r.IntN(6))
	case k < 140:
		return fmt.Sprintf("deliver-msgs %d count=%d", id, 1+r.IntN(4))
	case k < 148:
		return fmt.Sprintf("drop-msgs to=%d count=1", id)
	case k < 156:
		return fmt.Sprintf("dup-msgs to=%d count=%d", id, 1+r.IntN(2))
	case k < 162:
		return fmt.Sprintf("stash-msgs to=%d count=%d", id, 1+r.IntN(2))
	case k < 167:
		return "unstash"
	case k < 180:
		return fmt.Sprintf("propose %d v%d", id, step)
	case k < 181:
		return fmt.Sprintf("crash %d", id)
	case k < 184:
		for _, h := range e.nodes {
			if h.down {
				return fmt.Sprintf("restart %d", h.id)
			}
		}
		return "process-ready"
	case k < 187:
		return chaosPartition(r, nodes)
	case k < 190:
		return "heal"
	case k < 193:
		if e.node(uint64(id)).down {
			return fmt.Sprintf("restart %d", id)
		}
		return fmt.Sprintf("read-index %d r%d", id, step)
	case k < 196:
		h := e.node(uint64(id))
		if h.down || h.n.log.applied <= h.n.log.snapIndex {
			return "process-ready"
		}
		return fmt.Sprintf("compact %d %d", id, h.n.log.applied)
	case k < 197:
		return fmt.Sprintf("transfer-leader %d %d", id, other)
	case k == 199 && e.jointChanges:
		return chaosJointChange(r, e, id)
	default:
		return chaosConfChange(r, e, id)
	}
}

func allIDs(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprint(i + 1)
	}
	return strings.Join(ids, " ")
}

func chaosPartition(r *rand.Rand, nodes int) string {
	parts := []string{"partition"}
	perm := r.Perm(nodes)
	cut := 1 + r.IntN(nodes-1)
	for i, p := range perm {
		if i == cut {
			parts = append(parts, "|")
		}
		parts = append(parts, fmt.Sprint(p+1))
	}
	return strings.Join(parts, " ")
}

// chaosConfChange proposes a membership change: add a new node as a learner, or remove
// a member (never below three voters).
func chaosConfChange(r *rand.Rand, e *env, id int) string {
	if lead := e.leader(); lead != nil && r.IntN(2) == 0 {
		id = int(lead.id) // usually ask a leader, so that changes are actually made
	}
	h := e.node(uint64(id))
	if h.down {
		return fmt.Sprintf("restart %d", id)
	}
	conf := h.n.conf
	if r.IntN(2) == 0 && len(e.nodes) < 7 {
		return "add-nodes 1 voters=none " + e.nodeOpts
	}
	for _, v := range e.nodes {
		if !slicesContains(conf.Voters, v.id) && !slicesContains(conf.Learners, v.id) {
			return fmt.Sprintf("conf-change %d add-learner %d", id, v.id)
		}
	}
	if len(conf.Voters) > 3 {
		return fmt.Sprintf("conf-change %d remove %d", id, conf.Voters[r.IntN(len(conf.Voters))])
	}
	return fmt.Sprintf("tick %d", id)
}

// chaosJointChange proposes a joint change (thesis §4.3), usually to a leader: every
// non-member becomes a voter, and one voter is removed or demoted (while three would be
// left), or, with nothing to add, two voters are demoted or removed.
func chaosJointChange(r *rand.Rand, e *env, id int) string {
	if lead := e.leader(); lead != nil && r.IntN(4) != 0 {
		id = int(lead.id)
	}
	h := e.node(uint64(id))
	if h.down {
		return fmt.Sprintf("restart %d", id)
	}
	conf := h.n.conf
	cmd := fmt.Sprintf("conf-change %d joint", id)
	voters, changes := len(conf.Voters), 0
	for _, v := range e.nodes {
		if !slicesContains(conf.Voters, v.id) && !slicesContains(conf.Learners, v.id) {
			cmd += fmt.Sprintf(" add-voter %d", v.id)
			voters, changes = voters+1, changes+1
		}
	}
	leaving := []string{"remove", "add-learner"}
	for _, i := range r.Perm(len(conf.Voters)) {
		if voters <= 3 || changes >= 3 {
			break
		}
		cmd += fmt.Sprintf(" %s %d", leaving[r.IntN(2)], conf.Voters[i])
		voters, changes = voters-1, changes+1
	}
	if changes == 0 {
		return "add-nodes 1 voters=none " + e.nodeOpts
	}
	return cmd
}

func slicesContains(ids []uint64, id uint64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// chaosHeal lifts every fault and requires the cluster to elect a leader, commit a final
// proposal everywhere in the configuration, and agree on the applied state.
func chaosHeal(e *env, exec func(string) error) error {
	if err := exec("heal"); err != nil {
		return err
	}
	if err := exec("unstash"); err != nil {
		return err
	}
	for _, h := range e.nodes {
		if h.down {
			if err := exec(fmt.Sprintf("restart %d", h.id)); err != nil {
				return err
			}
		}
	}
	proposedAt := -100
	for round := range 300 {
		for _, h := range e.nodes {
			if err := exec(fmt.Sprintf("tick %d", h.id)); err != nil {
				return err
			}
		}
		if err := exec("stabilize"); err != nil {
			return err
		}
		lead := e.leader()
		if lead == nil {
			continue
		}
		if e.converged(lead) {
			return nil
		}
		if round-proposedAt >= 20 && !e.holds(lead, "final") {
			// (Re)propose: an earlier attempt may have been dropped by a transfer or a
			// leader change.
			if err := exec(fmt.Sprintf("propose %d final", lead.id)); err != nil {
				return err
			}
			proposedAt = round
		}
	}
	return fmt.Errorf("no convergence after healing:\n%s", e.describe())
}

func (e *env) leader() *hnode {
	for _, h := range e.nodes {
		if !h.down && h.n.role == Leader {
			return h
		}
	}
	return nil
}

// converged reports whether every member of the leader's configuration applied the
// leader's whole log and the final proposal.
func (e *env) converged(lead *hnode) bool {
	last := lead.n.log.lastIndex()
	if lead.n.log.committed != last || lead.smApplied != last {
		return false
	}
	hasFinal := false
	for _, s := range lead.sm {
		hasFinal = hasFinal || s.data == "final"
	}
	if !hasFinal || lead.n.conf.Joint() {
		return false // a joint configuration must be left (thesis §4.3)
	}
	for _, id := range append(slicesClone(lead.n.conf.Voters), lead.n.conf.Learners...) {
		h := e.node(id)
		if h.smApplied != last || h.n.log.lastIndex() != last {
			return false
		}
	}
	return true
}

// holds reports whether h's log holds an entry with data.
func (e *env) holds(h *hnode, data string) bool {
	for _, en := range h.n.log.ents {
		if string(en.Data) == data {
			return true
		}
	}
	return false
}

func slicesClone(ids []uint64) []uint64 { return append([]uint64(nil), ids...) }

func (e *env) describe() string {
	saved := e.silent
	e.silent = false
	e.out.Reset()
	_ = cmdRaftState(e, scriptArgs{})
	_ = cmdStatus(e, scriptArgs{})
	e.silent = saved
	return e.out.String()
}
