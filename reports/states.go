package reports

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/raftcheck/raftcheck/cluster"
)

// The node-state section: each node's persistent Raft state (term, vote, last log entry,
// commit index) as Result.States sampled it, around each violation, with the votes granted
// and the violations in time order; then every sample.

// Bounds of the node-state section.
const (
	stateAround     = int64(2e9) // samples within 2 s of a violation
	stateRowsMax    = 400        // rows of one window's table
	stateWindowsMax = 12         // windows shown
	stateAllMax     = 5000       // rows of the table of every sample
)

// stateRow is one row of a node-state table: a sample, or an event (a vote, a violation)
// that spans the columns.
type stateRow struct {
	Time                     string
	Node                     int
	Term, Vote, Last, Commit string // Last: the last log entry as index/term
	TermCh, VoteCh           bool   // changed since the node's previous sample
	LastCh                   bool   // the log end went back, or its entry changed term, since then
	CommitCh                 bool   // the commit index went back since then
	Focus                    bool   // a node the window's violations name
	Event, EventClass        string // an event row's text and kind ("vote", "violation")
}

// stateWindow is the node states around one or more violations close in time.
type stateWindow struct {
	Title  string
	Open   bool
	At     string     // the time AtRows describe
	AtRows []stateRow // each node's last sample at the first violation
	Rows   []stateRow // samples, votes and violations in the window, in time order
	Total  int        // rows before the bound
}

// statesSection is the whole node-state section.
type statesSection struct {
	Samples  int
	Windows  []stateWindow
	Hidden   int        // windows beyond the bound
	Final    []stateRow // each node's last sample
	All      []stateRow
	AllTotal int
}

// buildStates derives the node-state section of a run.
func buildStates(res *cluster.Result, tl *timeline) statesSection {
	samples := slices.Clone(res.States)
	slices.SortStableFunc(samples, func(a, b cluster.NodeState) int { return cmp.Compare(a.Time, b.Time) })
	rows := sampleRows(samples, tl.names)
	sec := statesSection{Samples: len(samples), AllTotal: len(rows), All: rows[:min(len(rows), stateAllMax)]}
	sec.Final = statesAt(samples, rows, len(tl.nodes), math.MaxInt64)
	groups := violationGroups(res, tl.end)
	sec.Hidden = max(len(groups)-stateWindowsMax, 0)
	for i, g := range groups[:min(len(groups), stateWindowsMax)] {
		w := stateWindowOf(res, tl, g, samples, rows)
		w.Open = i == 0
		sec.Windows = append(sec.Windows, w)
	}
	return sec
}

// sampleRows renders samples, marking what changed since each node's previous sample: a
// new term or vote, a log end that went back or whose entry changed term (entries lost or
// overwritten), a commit index that went back.
func sampleRows(samples []cluster.NodeState, names nodeNames) []stateRow {
	rows := make([]stateRow, len(samples))
	prev := map[int]cluster.NodeState{} // by node; lookups only
	for i, s := range samples {
		p, seen := prev[s.Node]
		rows[i] = stateRow{
			Time: fmtSeconds(s.Time), Node: s.Node, Term: strconv.FormatUint(s.Term, 10), Vote: voteCell(s.Vote, names),
			Last:   strconv.FormatUint(s.LastIndex, 10) + "/" + strconv.FormatUint(s.LastTerm, 10),
			Commit: strconv.FormatUint(s.Commit, 10),
			TermCh: seen && p.Term != s.Term, VoteCh: seen && p.Vote != s.Vote,
			LastCh:   seen && (s.LastIndex < p.LastIndex || s.LastIndex == p.LastIndex && s.LastTerm != p.LastTerm),
			CommitCh: seen && s.Commit < p.Commit,
		}
		prev[s.Node] = s
	}
	return rows
}

// voteCell is a sample's vote: the node voted for, or "-" for none.
func voteCell(id uint64, names nodeNames) string {
	if id == 0 {
		return "-"
	}
	if n := names.node(id); n >= 0 {
		return strconv.Itoa(n)
	}
	return "id " + strconv.FormatUint(id, 10)
}

// statesAt returns each node's last sample at or before t, in node order; a node with none
// gets an event row saying so.
func statesAt(samples []cluster.NodeState, rows []stateRow, nodes int, t int64) []stateRow {
	out := make([]stateRow, nodes)
	for n := range out {
		out[n] = stateRow{Node: n, Event: "no sample yet", EventClass: "none"}
	}
	for i, s := range samples {
		if s.Time > t {
			break
		}
		if s.Node >= 0 && s.Node < nodes {
			out[s.Node] = rows[i]
			out[s.Node].TermCh, out[s.Node].VoteCh, out[s.Node].LastCh, out[s.Node].CommitCh = false, false, false, false
		}
	}
	return out
}

// violationGroup is violations (indexes into Result.Violations, by time) found within
// stateAround of the group's first, and the window of ±stateAround around them, within the
// run.
type violationGroup struct {
	first    int64 // the first violation's time
	from, to int64
	members  []int
}

func violationGroups(res *cluster.Result, end int64) []violationGroup {
	var out []violationGroup
	for _, i := range violationsByTime(res) {
		t := res.Violations[i].Time
		if k := len(out) - 1; k >= 0 && t <= out[k].first+stateAround {
			out[k].to = min(t+stateAround, max(end, t))
			out[k].members = append(out[k].members, i)
			continue
		}
		out = append(out, violationGroup{first: t, from: max(t-stateAround, 0), to: min(t+stateAround, max(end, t)), members: []int{i}})
	}
	return out
}

// stateWindowOf builds the table of one group's window: its samples, the votes granted and
// its violations, in time order.
func stateWindowOf(res *cluster.Result, tl *timeline, g violationGroup, samples []cluster.NodeState, rows []stateRow) stateWindow {
	first := res.Violations[g.members[0]]
	w := stateWindow{Title: groupTitle(res, g), At: fmt.Sprintf("%s (#%d %s)", fmtSeconds(first.Time), g.members[0]+1, first.Kind)}
	w.AtRows = statesAt(samples, rows, len(tl.nodes), first.Time)
	focus := map[int]bool{} // lookups only
	for _, m := range g.members {
		for _, n := range res.Violations[m].Nodes {
			focus[n] = true
		}
	}
	type timed struct {
		at   int64
		rank int // samples, then votes, then violations at equal times
		row  stateRow
	}
	var all []timed
	for i, s := range samples {
		if s.Time >= g.from && s.Time <= g.to {
			r := rows[i]
			r.Focus = focus[s.Node]
			all = append(all, timed{s.Time, 0, r})
		}
	}
	for _, v := range tl.votes {
		if v.at >= g.from && v.at <= g.to {
			all = append(all, timed{v.at, 1, stateRow{Time: fmtSeconds(v.at), Node: v.voter, Event: v.describe(tl.names), EventClass: "vote"}})
		}
	}
	for _, m := range g.members {
		v := res.Violations[m]
		text := fmt.Sprintf("violation #%d %s", m+1, v.Kind)
		if len(v.Nodes) > 0 {
			text += " (nodes " + nodesText(v.Nodes) + ")"
		}
		all = append(all, timed{v.Time, 2, stateRow{Time: fmtSeconds(v.Time), Node: -1, Event: text, EventClass: "violation"}})
	}
	slices.SortStableFunc(all, func(a, b timed) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.rank, b.rank)) })
	w.Total = len(all)
	for _, t := range all[:min(len(all), stateRowsMax)] {
		w.Rows = append(w.Rows, t.row)
	}
	return w
}

// groupTitle names a group's violations and window: "#1 leader-completeness, #2 durability
// at 7.602s–8.113s (samples 5.602s–10.113s)".
func groupTitle(res *cluster.Result, g violationGroup) string {
	var names []string
	for _, m := range g.members {
		names = append(names, "#"+strconv.Itoa(m+1)+" "+res.Violations[m].Kind)
	}
	first, last := res.Violations[g.members[0]].Time, res.Violations[g.members[len(g.members)-1]].Time
	at := fmtSeconds(first)
	if last != first {
		at += "–" + fmtSeconds(last)
	}
	return fmt.Sprintf("%s at %s (samples %s–%s)", shortList(names, 4), at, fmtSeconds(g.from), fmtSeconds(g.to))
}
