package reports

import (
	"fmt"
	"strconv"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine/builtin"
)

// Votes: who voted for whom in which term, from the timeline's vote marks, drawn as an arrow
// from the voter's lane to the candidate's.

// voteMark is a vote a node granted.
type voteMark struct {
	at        int64
	voter     int
	term      uint64
	candidate uint64 // as the engine names it
}

// addVote records a vote mark ("voted for 3 (as the engine names it)"); a mark whose detail
// names no candidate is kept with candidate 0 (unknown).
func (tl *timeline) addVote(m cluster.Mark) {
	var id uint64
	if _, err := fmt.Sscanf(m.Detail, "voted for %d", &id); err != nil {
		id = 0
	}
	tl.votes = append(tl.votes, voteMark{at: m.Time, voter: m.Node, term: m.Term, candidate: id})
}

// nodeNames says how an engine's names for nodes (in votes and hard states) map to the
// report's node numbers: the built-in engines name node n as n+1; another engine's names
// are shown as they are.
type nodeNames struct{ plusOne bool }

func nodeNamesOf(res *cluster.Result) nodeNames {
	name := res.Config.Engine
	if name == "" {
		name = builtin.Default
	}
	_, err := builtin.Lookup(name)
	return nodeNames{plusOne: err == nil}
}

// node returns the node an engine's name stands for, or -1 if it names none (0 is "nobody").
func (n nodeNames) node(id uint64) int {
	if !n.plusOne || id == 0 || id > 1<<20 {
		return -1
	}
	return int(id - 1)
}

// text renders an engine's name for a node: "node 2", "id 7" for an engine whose names the
// report cannot map, "nobody" for 0.
func (n nodeNames) text(id uint64) string {
	switch {
	case id == 0:
		return "nobody"
	case n.node(id) >= 0:
		return "node " + strconv.Itoa(n.node(id))
	}
	return "id " + strconv.FormatUint(id, 10)
}

// describe is a vote's tooltip and table text.
func (v voteMark) describe(names nodeNames) string {
	return fmt.Sprintf("node %d voted for %s in term %d", v.voter, names.text(v.candidate), v.term)
}

// votesDrawnMax bounds the votes drawn on the timeline.
const votesDrawnMax = 5000

// drawVotes draws each vote at its time: a dot on the voter's lane and, when the candidate
// is another node with a lane, a line to an arrowhead on the candidate's lane.
func drawVotes(s *svgDoc, tl *timeline, l layout) {
	for i, v := range tl.votes {
		if i == votesDrawnMax {
			break
		}
		if v.voter < 0 || v.voter >= len(l.nodes) {
			continue
		}
		px := l.x.at(float64(v.at))
		from := l.nodes[v.voter].y + 18
		s.group(style{class: "vote", title: fmtSeconds(v.at) + " " + v.describe(tl.names)})
		if c := tl.names.node(v.candidate); c >= 0 && c < len(l.nodes) && c != v.voter {
			to := l.nodes[c].y + 18
			dir := 1.0
			if to < from {
				dir = -1
			}
			s.line(px, from, px, to-dir*4, style{class: "vote-line"})
			s.polygon([]float64{px - 3, to - dir*5, px + 3, to - dir*5, px, to}, style{class: "vote-head"})
		}
		s.circle(px, from, 2.4, style{class: "vote-dot"})
		s.groupEnd()
	}
}
