package reports

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/nemesis"
)

// The timeline model: what the report draws, computed from a Result's marks before any pixel
// is placed. Times are simulated nanoseconds.

// span is a half-open interval of simulated time.
type span struct{ from, to int64 }

// roleSpan is a stretch of time a node spent in one role of one term.
type roleSpan struct {
	span
	role string // roleClass: "follower", "pre-candidate", "candidate", "leader" or "other"; or roleUp
	term uint64
}

// roleUp is the role of a node that is up but has not reported a role since it started.
const roleUp = "up"

// Life states that interrupt a node's roles.
const (
	lifeDown    = "down"    // crashed, or refused to start
	lifePaused  = "paused"  // SIGSTOPped
	lifeRemoved = "removed" // removed from the configuration and shut down for good
)

// lifeSpan is a stretch of time a node was down, paused or removed.
type lifeSpan struct {
	span
	state string
}

// Point marks on a node lane.
const (
	pointRefused   = "refused"
	pointMember    = "member"
	pointViolation = "violation"
)

// pointMark is an instant on a node lane.
type pointMark struct {
	at     int64
	kind   string
	detail string
}

// nodeLane is one node's life over the run.
type nodeLane struct {
	id     int
	roles  []roleSpan
	lives  []lifeSpan
	points []pointMark

	// while building: the open role, down and pause spans (-1: none), and removal.
	roleOpen, downOpen, pauseOpen int
	removing                      bool
}

// faultSpan is one fault of the schedule as the nemesis carried it out.
type faultSpan struct {
	span
	text    string // the fault's text form
	fault   nemesis.Fault
	parsed  bool  // fault holds the parsed text
	targets []int // the nodes it struck, as resolved when it started
	skipped bool  // the nemesis could not apply it
	open    bool  // while building: not yet ended
	index   int   // the fault's schedule index plus one, 0 if the mark did not say
}

// violationMark is a violation placed on the timeline: one of Result.Violations (index >= 0)
// or a violation mark that matches none of them (index -1).
type violationMark struct {
	index  int
	at     int64
	kind   string
	detail string
	nodes  []int
}

// timeline is everything the timeline, and the fault bands of the performance plots, show.
type timeline struct {
	schedule   nemesis.Schedule
	end        int64 // the run's end: the right edge of every plot
	heal       int64 // the heal point, -1 if the run never reached it
	nodes      []nodeLane
	faults     []faultSpan
	violations []violationMark
	votes      []voteMark
	names      nodeNames // how the engine names nodes in votes
}

// buildTimeline derives the timeline model of a run from its marks, violations and history.
func buildTimeline(res *cluster.Result) *timeline {
	tl := &timeline{schedule: res.Schedule, end: runEnd(res), heal: -1, names: nodeNamesOf(res)}
	for i := range max(res.Config.Nodes, 0) {
		tl.lane(i)
	}
	for _, m := range res.Timeline {
		tl.apply(m)
	}
	tl.finish()
	tl.addViolations(res)
	return tl
}

// runEnd is the last simulated time of the run: its recorded end, or the latest thing in it.
func runEnd(res *cluster.Result) int64 {
	end := res.Stats.Ended
	for _, m := range res.Timeline {
		end = max(end, m.Time)
	}
	for _, h := range res.History {
		end = max(end, h.Call, h.Return)
	}
	for _, v := range res.Violations {
		end = max(end, v.Time)
	}
	if end <= 0 {
		end = 1e9
	}
	return end
}

// lane returns node id's lane, adding lanes up to it; nil for an id no cluster can have.
func (tl *timeline) lane(id int) *nodeLane {
	if id < 0 || id >= nemesis.MaxNodeIDs {
		return nil
	}
	for len(tl.nodes) <= id {
		tl.nodes = append(tl.nodes, nodeLane{id: len(tl.nodes), roleOpen: -1, downOpen: -1, pauseOpen: -1})
	}
	return &tl.nodes[id]
}

func (tl *timeline) apply(m cluster.Mark) {
	switch m.Kind {
	case cluster.MarkFaultStart:
		tl.faultStart(m)
		return
	case cluster.MarkFaultEnd:
		tl.faultEnd(m)
		return
	case cluster.MarkHeal:
		tl.heal = m.Time
		tl.closeFaults(m.Time)
		return
	case cluster.MarkViolation:
		return // placed with Result.Violations by addViolations
	case cluster.MarkVote:
		tl.addVote(m)
		return
	}
	if n := tl.lane(m.Node); n != nil {
		n.apply(m)
	}
}

// apply folds one mark about this node into its lane.
func (n *nodeLane) apply(m cluster.Mark) {
	t := m.Time
	switch m.Kind {
	case cluster.MarkRole:
		n.closeRole(t)
		n.roles = append(n.roles, roleSpan{span{t, t}, roleClass(m.Detail), m.Term})
		n.roleOpen = len(n.roles) - 1
	case cluster.MarkCrash:
		n.closeRole(t)
		n.closePause(t)
		if n.downOpen < 0 {
			state := lifeDown
			if n.removing {
				state = lifeRemoved
			}
			n.lives = append(n.lives, lifeSpan{span{t, t}, state})
			n.downOpen = len(n.lives) - 1
		}
	case cluster.MarkStart:
		if n.downOpen >= 0 {
			n.lives[n.downOpen].to = t
			n.downOpen = -1
		}
		n.closeRole(t)
		n.roles = append(n.roles, roleSpan{span{t, t}, roleUp, m.Term})
		n.roleOpen = len(n.roles) - 1
	case cluster.MarkPause:
		if n.pauseOpen < 0 {
			n.lives = append(n.lives, lifeSpan{span{t, t}, lifePaused})
			n.pauseOpen = len(n.lives) - 1
		}
	case cluster.MarkResume:
		n.closePause(t)
	case cluster.MarkRefused:
		n.points = append(n.points, pointMark{t, pointRefused, "refused to start: " + m.Detail})
	case cluster.MarkMember:
		n.points = append(n.points, pointMark{t, pointMember, "membership: " + m.Detail})
	case cluster.MarkRemoved:
		n.removing = true // the cluster shuts a removed node down right after
	}
}

// closeRole ends the open role span at t; an "up" span that lasted no time is dropped.
func (n *nodeLane) closeRole(t int64) {
	if n.roleOpen < 0 {
		return
	}
	if r := &n.roles[n.roleOpen]; r.role == roleUp && r.from >= t {
		n.roles = n.roles[:n.roleOpen] // the open span is always the last one
	} else {
		r.to = t
	}
	n.roleOpen = -1
}

func (n *nodeLane) closePause(t int64) {
	if n.pauseOpen >= 0 {
		n.lives[n.pauseOpen].to = t
		n.pauseOpen = -1
	}
}

// finish closes every span still open at the end of the run.
func (tl *timeline) finish() {
	for i := range tl.nodes {
		n := &tl.nodes[i]
		n.closeRole(tl.end)
		n.closePause(tl.end)
		if n.downOpen >= 0 {
			n.lives[n.downOpen].to = tl.end
			n.downOpen = -1
		}
	}
	tl.closeFaults(tl.end)
}

// roleClass maps a role as an engine prints it ("Leader", "PreCandidate", "pre-candidate", …)
// to the report's name for it.
func roleClass(role string) string {
	r := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(role))
	switch r {
	case "follower", "candidate", "leader":
		return r
	case "precandidate":
		return "pre-candidate"
	}
	return "other"
}

// faultArrow separates a started fault's text from the nodes it struck in a fault-start mark.
const faultArrow = " → nodes "

// skippedPrefix starts the detail of a fault-start mark for a fault the nemesis skipped.
const skippedPrefix = "skipped: "

// faultStart opens a fault's span. A mark that names its schedule index (Mark.Fault) gives
// the fault and its targets directly; older marks are read from their text.
func (tl *timeline) faultStart(m cluster.Mark) {
	text, skipped := strings.CutPrefix(m.Detail, skippedPrefix)
	text, targets, _ := strings.Cut(text, faultArrow)
	f := faultSpan{span: span{m.Time, m.Time}, text: text, targets: parseNodeList(targets), skipped: skipped}
	if m.Fault > 0 && m.Fault <= len(tl.schedule) {
		f.fault, f.parsed, f.index, f.targets = tl.schedule[m.Fault-1], true, m.Fault, m.Nodes
	} else if pf, err := nemesis.ParseFault(text); err == nil {
		f.fault, f.parsed = pf, true
	}
	f.open = !skipped && f.parsed && f.fault.For > 0
	tl.faults = append(tl.faults, f)
}

// faultEnd closes the open fault with the mark's schedule index, or else the earliest open
// fault with the mark's text.
func (tl *timeline) faultEnd(m cluster.Mark) {
	for i := range tl.faults {
		f := &tl.faults[i]
		same := f.index == m.Fault && m.Fault > 0 || m.Fault == 0 && f.text == m.Detail
		if f.open && same {
			f.to, f.open = m.Time, false
			return
		}
	}
}

func (tl *timeline) closeFaults(t int64) {
	for i := range tl.faults {
		if f := &tl.faults[i]; f.open {
			f.to, f.open = max(t, f.from), false
		}
	}
}

// parseNodeList reads a node list printed by fmt ("[1 2 4]"); anything else gives nil.
func parseNodeList(s string) []int {
	var out []int
	for _, f := range strings.Fields(strings.Trim(s, "[] ")) {
		id, err := strconv.Atoi(f)
		if err != nil {
			return nil
		}
		out = append(out, id)
	}
	return out
}

// addViolations places Result.Violations, and violation marks that match none of them.
func (tl *timeline) addViolations(res *cluster.Result) {
	known := make(map[string]bool, len(res.Violations)) // lookups only: no iteration
	for i, v := range res.Violations {
		tl.violations = append(tl.violations, violationMark{i, v.Time, v.Kind, v.Detail, v.Nodes})
		known[fmt.Sprintf("%d %s: %s", v.Time, v.Kind, v.Detail)] = true
		for _, id := range v.Nodes {
			if n := tl.lane(id); n != nil {
				n.points = append(n.points, pointMark{v.Time, pointViolation, v.Kind + ": " + v.Detail})
			}
		}
	}
	for _, m := range res.Timeline {
		if m.Kind == cluster.MarkViolation && !known[fmt.Sprintf("%d %s", m.Time, m.Detail)] {
			kind, _, _ := strings.Cut(m.Detail, ":")
			tl.violations = append(tl.violations, violationMark{-1, m.Time, kind, m.Detail, nodeOf(m.Node)})
		}
	}
}

func nodeOf(id int) []int {
	if id < 0 {
		return nil
	}
	return []int{id}
}

// Fault categories, which give a fault its colour.
const (
	catNet    = "net"    // partitions and link faults: they strike every lane
	catProc   = "proc"   // crashes and pauses
	catDisk   = "disk"   // corruption, slow and full disks
	catClock  = "clock"  // drift
	catMember = "member" // membership changes
)

func faultCategory(k nemesis.Kind) string {
	switch k {
	case nemesis.Partition, nemesis.Loss, nemesis.Duplicate, nemesis.Delay, nemesis.Reorder, nemesis.Hold, nemesis.SnapFail:
		return catNet
	case nemesis.Crash, nemesis.Pause, nemesis.Churn, nemesis.AckKill:
		return catProc
	case nemesis.Corrupt, nemesis.SlowDisk, nemesis.DiskFull:
		return catDisk
	case nemesis.Drift:
		return catClock
	case nemesis.Add, nemesis.Remove, nemesis.Replace:
		return catMember
	}
	return "other"
}

// label is the short text drawn next to a fault's bar.
func (f faultSpan) label() string {
	if !f.parsed {
		return roundValues(f.text)
	}
	var b strings.Builder
	b.WriteString(string(f.fault.Kind))
	for _, s := range []string{f.fault.Shape, f.fault.Mode} {
		if s != "" {
			b.WriteString(" " + s)
		}
	}
	if v := f.fault.Value; v != 0 {
		b.WriteString(" " + faultValue(f.fault.Kind, v))
	}
	switch {
	case len(f.targets) > 0:
		b.WriteString(" → " + joinInts(f.targets, ","))
	case len(f.fault.Nodes) > 0:
		b.WriteString(" → " + joinInts(f.fault.Nodes, ","))
	case f.fault.Leader:
		b.WriteString(" → leader")
	}
	if f.skipped {
		b.WriteString(" (skipped)")
	}
	return b.String()
}

// faultValue renders a fault's Value in its kind's unit.
func faultValue(k nemesis.Kind, v float64) string {
	s := strconv.FormatFloat(v, 'g', 4, 64)
	switch k {
	case nemesis.Delay, nemesis.Reorder, nemesis.SlowDisk:
		return s + "ms"
	case nemesis.Loss, nemesis.Duplicate:
		return "p=" + s
	case nemesis.Drift:
		return "rate " + s
	}
	return s
}

// describe is a fault's tooltip.
func (f faultSpan) describe() string {
	s := roundValues(f.text)
	if len(f.targets) > 0 {
		s += " → nodes " + joinInts(f.targets, " ")
	}
	switch {
	case f.skipped:
		s += "\nskipped: the nemesis could not apply it"
	case f.to > f.from:
		s += fmt.Sprintf("\nin effect %s – %s", fmtSeconds(f.from), fmtSeconds(f.to))
	}
	return s
}

// global reports whether the fault strikes the whole network, so that it is drawn across
// every lane.
func (f faultSpan) global() bool {
	return f.parsed && !f.skipped && faultCategory(f.fault.Kind) == catNet
}

func joinInts(vs []int, sep string) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, sep)
}
