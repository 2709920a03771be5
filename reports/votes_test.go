package reports

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/raftcheck/raftcheck/cluster"
)

func TestBuildTimelineVotes(t *testing.T) {
	tl := buildTimeline(handResult(t))
	assert.Equal(t, []voteMark{{60 * ms, 0, 2, 1}, {65 * ms, 2, 2, 1}}, tl.votes)
	assert.Equal(t, "node 2 voted for node 0 in term 2", tl.votes[1].describe(tl.names))

	tl = buildTimeline(&cluster.Result{Config: cluster.Config{Nodes: 3}, Timeline: []cluster.Mark{
		{Time: 5, Kind: cluster.MarkVote, Node: 1, Term: 4, Detail: "something else"},
	}})
	assert.Equal(t, []voteMark{{5, 1, 4, 0}}, tl.votes, "a detail naming no candidate: candidate unknown")
	assert.Equal(t, "node 1 voted for nobody in term 4", tl.votes[0].describe(tl.names))
}

func TestWriteHTMLDrawsVotes(t *testing.T) {
	page := renderHTML(t, handResult(t), "")
	has(t, page, `<g class="vote"><title>0.065s node 2 voted for node 0 in term 2</title><line class="vote-line" x1="78.3" y1="156" x2="78.3" y2="96"/><polygon class="vote-head" points="75.3 97 81.3 97 78.3 92"/><circle class="vote-dot" cx="78.3" cy="156" r="2.4"/></g>`,
		"a vote: a dot on the voter's lane (node 2), a line up to an arrowhead on the candidate's (node 0)")
	has(t, page, `<g class="vote"><title>0.060s node 0 voted for node 0 in term 2</title><circle class="vote-dot" cx="73" cy="92" r="2.4"/></g>`,
		"a vote for itself: the dot alone")
	assert.Equal(t, 2, strings.Count(page, `<g class="vote">`))
	has(t, page, "vote: voter ○ → candidate", "the legend explains votes")
}
