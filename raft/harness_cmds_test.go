package raft

import (
	"fmt"
	"strconv"
	"strings"
)

// run executes one script command and returns its output. A malformed command is a bug
// in the script and returns an error.
func (e *env) run(line string) (string, error) {
	e.out.Reset()
	e.quiet = false
	a := parseArgs(line)
	cmd, ok := envCommands[a.cmd]
	if !ok {
		return "", fmt.Errorf("unknown command %q", a.cmd)
	}
	if err := cmd(e, a); err != nil {
		return "", err
	}
	e.quiet = false
	e.checkLeaders()
	e.checkLogs()
	return e.out.String(), nil
}

var envCommands map[string]func(*env, scriptArgs) error

func init() {
	envCommands = map[string]func(*env, scriptArgs) error{
		"add-nodes":       cmdAddNodes,
		"tick":            cmdTick,
		"tick-election":   cmdTickElection,
		"tick-heartbeat":  cmdTickHeartbeat,
		"campaign":        cmdCampaign,
		"propose":         cmdPropose,
		"conf-change":     cmdConfChange,
		"read-index":      cmdReadIndex,
		"transfer-leader": cmdTransfer,
		"compact":         cmdCompact,
		"process-ready":   cmdProcessReady,
		"deliver-msgs":    cmdDeliver,
		"drop-msgs":       cmdDrop,
		"dup-msgs":        cmdDup,
		"stash-msgs":      cmdStash,
		"unstash":         cmdUnstash,
		"msgs":            cmdMsgs,
		"stabilize":       cmdStabilize,
		"crash":           cmdCrash,
		"restart":         cmdRestart,
		"partition":       cmdPartition,
		"heal":            cmdHeal,
		"status":          cmdStatus,
		"log":             cmdLog,
		"raft-state":      cmdRaftState,
		"sm":              cmdSM,
	}
}

func (e *env) ids(pos []string) ([]uint64, error) {
	var ids []uint64
	for _, p := range pos {
		id, err := strconv.ParseUint(p, 10, 64)
		if err != nil || id == 0 || id > uint64(len(e.nodes)) {
			return nil, fmt.Errorf("bad node id %q", p)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// idsOrAll returns the listed nodes, or all nodes when none is listed.
func (e *env) idsOrAll(pos []string) ([]uint64, error) {
	if len(pos) == 0 {
		var all []uint64
		for _, h := range e.nodes {
			all = append(all, h.id)
		}
		return all, nil
	}
	return e.ids(pos)
}

func optInt(a scriptArgs, key string, def int) (int, error) {
	v, ok := a.opts[key]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("option %s=%q: %v", key, v, err)
	}
	return n, nil
}

func optBool(a scriptArgs, key string) bool { return a.opts[key] == "true" }

func cmdAddNodes(e *env, a scriptArgs) error {
	if len(a.pos) != 1 {
		return fmt.Errorf("usage: add-nodes N [options]")
	}
	count, err := strconv.Atoi(a.pos[0])
	if err != nil {
		return err
	}
	cfg := Config{PreVote: optBool(a, "prevote"), CheckQuorum: optBool(a, "checkquorum"),
		ForwardProposals: optBool(a, "forward")}
	ints := []struct {
		key string
		dst *int
		def int
	}{
		{"election", &cfg.ElectionTick, 10}, {"heartbeat", &cfg.HeartbeatTick, 1},
		{"max-inflight", &cfg.MaxInflightMsgs, 0}, {"max-entries", &cfg.MaxEntriesPerMsg, 0},
		{"chunk", &cfg.SnapshotChunkBytes, 0}, {"max-reads", &cfg.MaxPendingReads, 0},
	}
	for _, o := range ints {
		if *o.dst, err = optInt(a, o.key, o.def); err != nil {
			return err
		}
	}
	for _, o := range []struct {
		key string
		dst *uint64
	}{{"max-bytes", &cfg.MaxBytesPerMsg}, {"max-uncommitted", &cfg.MaxUncommittedBytes}} {
		v, err := optInt(a, o.key, 0)
		if err != nil {
			return err
		}
		*o.dst = uint64(v)
	}
	if m := a.opts["mutant"]; m != "" {
		for _, name := range strings.Split(m, ",") {
			if err := cfg.Mutations.Set(name); err != nil {
				return err
			}
		}
	}
	var voters []uint64
	if v := a.opts["voters"]; v == "all" || (v == "" && len(e.nodes) == 0) {
		for i := range count {
			voters = append(voters, uint64(len(e.nodes)+i+1))
		}
	}
	return e.addNodes(count, cfg, voters)
}

func (e *env) tickN(id uint64, times int) {
	h := e.node(id)
	if h.down {
		return
	}
	for range times {
		h.n.Tick()
	}
}

func cmdTick(e *env, a scriptArgs) error {
	ids, err := e.ids(a.pos)
	if err != nil {
		return err
	}
	times, err := optInt(a, "n", 1)
	if err != nil {
		return err
	}
	for _, id := range ids {
		e.tickN(id, times)
	}
	return nil
}

// cmdTickElection ticks each node until its election timeout fires (a leader: one
// election timeout, for CheckQuorum and transfer aborts).
func cmdTickElection(e *env, a scriptArgs) error {
	ids, err := e.ids(a.pos)
	if err != nil {
		return err
	}
	for _, id := range ids {
		h, ok := e.live(id)
		if !ok {
			continue
		}
		n := h.n
		times := n.cfg.ElectionTick
		if n.role != Leader {
			times = max(1, n.randomizedElectionTimeout-n.electionElapsed)
		}
		e.tickN(id, times)
	}
	return nil
}

func cmdTickHeartbeat(e *env, a scriptArgs) error {
	ids, err := e.ids(a.pos)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if h, ok := e.live(id); ok {
			e.tickN(id, h.n.cfg.HeartbeatTick)
		}
	}
	return nil
}

func cmdCampaign(e *env, a scriptArgs) error {
	ids, err := e.ids(a.pos)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if h, ok := e.live(id); ok {
			h.n.campaign(campaignPreElection)
		}
	}
	return nil
}

// live returns node id if it is up; otherwise it reports that it is down.
func (e *env) live(id uint64) (*hnode, bool) {
	h := e.node(id)
	if h.down {
		e.printf("error: node %d is down\n", id)
		return nil, false
	}
	return h, true
}

func (e *env) report(err error) {
	if err != nil {
		e.printf("error: %v\n", err)
	}
}

func cmdPropose(e *env, a scriptArgs) error {
	if len(a.pos) < 2 {
		return fmt.Errorf("usage: propose ID DATA...")
	}
	ids, err := e.ids(a.pos[:1])
	if err != nil {
		return err
	}
	h, ok := e.live(ids[0])
	for _, data := range a.pos[1:] {
		if ok {
			e.report(h.n.Propose([]byte(data)))
		}
	}
	return nil
}

// cmdConfChange proposes one single-server change, or with several TYPE NODE pairs (or
// the word joint before them) a joint change (thesis §4.3).
func cmdConfChange(e *env, a scriptArgs) error {
	pos := a.pos
	joint := len(pos) > 1 && pos[1] == "joint"
	if joint {
		pos = append(pos[:1:1], pos[2:]...)
	}
	if len(pos) < 3 || len(pos)%2 != 1 {
		return fmt.Errorf("usage: conf-change ID [joint] add-learner|add-voter|remove NODE [TYPE NODE]...")
	}
	ids, err := e.ids(pos[:1])
	if err != nil {
		return err
	}
	var jc JointChange
	for i := 1; i < len(pos); i += 2 {
		typ, ok := ConfChangeTypeByName(pos[i])
		if !ok {
			return fmt.Errorf("unknown conf change type %q", pos[i])
		}
		target, err := strconv.ParseUint(pos[i+1], 10, 64)
		if err != nil {
			return err
		}
		jc.Changes = append(jc.Changes, ConfChange{Type: typ, Node: target})
	}
	h, ok := e.live(ids[0])
	switch {
	case !ok:
	case joint || len(jc.Changes) > 1:
		e.report(h.n.ProposeJointChange(jc))
	default:
		e.report(h.n.ProposeConfChange(jc.Changes[0]))
	}
	return nil
}

func cmdReadIndex(e *env, a scriptArgs) error {
	if len(a.pos) != 2 {
		return fmt.Errorf("usage: read-index ID CTX")
	}
	ids, err := e.ids(a.pos[:1])
	if err != nil {
		return err
	}
	if h, ok := e.live(ids[0]); ok {
		for _, o := range e.nodes {
			if !o.down {
				e.maxCommit = max(e.maxCommit, o.n.log.committed)
			}
		}
		e.readFloor[a.pos[1]] = e.maxCommit
		e.report(h.n.ReadIndex([]byte(a.pos[1])))
	}
	return nil
}

func cmdTransfer(e *env, a scriptArgs) error {
	if len(a.pos) != 2 {
		return fmt.Errorf("usage: transfer-leader ID TARGET")
	}
	ids, err := e.ids(a.pos[:1])
	if err != nil {
		return err
	}
	to, err := strconv.ParseUint(a.pos[1], 10, 64)
	if err != nil {
		return err
	}
	if h, ok := e.live(ids[0]); ok {
		e.report(h.n.TransferLeadership(to))
	}
	return nil
}

func cmdCompact(e *env, a scriptArgs) error {
	if len(a.pos) != 2 {
		return fmt.Errorf("usage: compact ID INDEX")
	}
	ids, err := e.ids(a.pos[:1])
	if err != nil {
		return err
	}
	index, err := strconv.ParseUint(a.pos[1], 10, 64)
	if err != nil {
		return err
	}
	if h, ok := e.live(ids[0]); ok {
		e.report(h.compact(index))
	}
	return nil
}

func cmdProcessReady(e *env, a scriptArgs) error {
	ids, err := e.idsOrAll(a.pos)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if h := e.node(id); !h.down && h.n.HasReady() {
			e.handleReady(h)
		}
	}
	return nil
}

func cmdCrash(e *env, a scriptArgs) error {
	ids, err := e.ids(a.pos)
	if err != nil {
		return err
	}
	for _, id := range ids {
		h := e.node(id)
		if h.down {
			continue
		}
		h.down = true
		h.n = nil
		kept := e.queue[:0]
		for _, m := range e.queue {
			if m.m.To != id {
				kept = append(kept, m)
			}
		}
		e.queue = kept
	}
	return nil
}

func cmdRestart(e *env, a scriptArgs) error {
	ids, err := e.ids(a.pos)
	if err != nil {
		return err
	}
	for _, id := range ids {
		h := e.node(id)
		if !h.down {
			return fmt.Errorf("node %d is not down", id)
		}
		h.restarts++
		for key, dst := range map[string]*bool{"prevote": &h.cfg.PreVote, "checkquorum": &h.cfg.CheckQuorum} {
			if v, ok := a.opts[key]; ok { // a rolling change of the node's settings
				*dst = v == "true"
			}
		}
		if err := h.start(); err != nil {
			e.printf("error: %v\n", err)
		}
	}
	return nil
}

// cmdPartition splits the listed nodes into groups separated by "|"; messages in flight
// across the cut are lost. Unlisted nodes can talk to everyone.
func cmdPartition(e *env, a scriptArgs) error {
	e.groups = map[uint64]int{}
	group := 0
	for _, p := range a.pos {
		if p == "|" {
			group++
			continue
		}
		ids, err := e.ids([]string{p})
		if err != nil {
			return err
		}
		e.groups[ids[0]] = group
	}
	kept := e.queue[:0]
	for _, m := range e.queue {
		if e.cut(m.m.From, m.m.To) {
			e.printf("dropped: %s\n", m.m)
			continue
		}
		kept = append(kept, m)
	}
	e.queue = kept
	return nil
}

func cmdHeal(e *env, _ scriptArgs) error {
	e.groups = map[uint64]int{}
	return nil
}
