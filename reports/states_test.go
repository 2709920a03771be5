package reports

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/cluster"
)

// section returns the part of page from the first from to the next to (exclusive).
func section(t *testing.T, page, from, to string) string {
	t.Helper()
	_, rest, ok := strings.Cut(page, from)
	require.True(t, ok, "page has no %q", from)
	part, _, ok := strings.Cut(rest, to)
	require.True(t, ok, "no %q after %q", to, from)
	return part
}

func TestWriteHTMLNodeStateAroundViolations(t *testing.T) {
	page := renderHTML(t, handResult(t), "")
	sec := section(t, page, `<section id="node-state">`, "</section>")

	has(t, sec, `<details class="win" open><summary>#1 durability #2 linearizability at 0.350s–1.000s (samples 0.000s–1.000s)</summary>`,
		"one window for both violations, clamped to the run, open")
	at := section(t, sec, "State of each node at 0.350s (#1 durability):", "</table>")
	for _, row := range []string{
		`<tr><td class="num">0.080s</td><td class="num n">0</td><td class="num">2</td><td class="num">0</td><td class="num">1/2</td><td class="num">1</td></tr>`,
		`<tr><td class="num">0.350s</td><td class="num n">1</td><td class="num">2</td><td class="num">-</td><td class="num">0/0</td><td class="num">0</td></tr>`,
		`<tr><td class="num">0.065s</td><td class="num n">2</td><td class="num">2</td><td class="num">0</td><td class="num">0/0</td><td class="num">0</td></tr>`,
	} {
		has(t, at, row, "each node's last sample at the violation; votes name nodes (engine id − 1)")
	}
	win := section(t, sec, "Samples, votes and violations in the window", "</details>")
	for _, row := range []string{
		`<tr><td class="num">0.060s</td><td class="num n">0</td><td class="num ch">2</td><td class="num ch">0</td>`,
		`<tr class="ev vote"><td class="num">0.065s</td><td class="num">2</td><td colspan="4">node 2 voted for node 0 in term 2</td></tr>`,
		`<tr class="focus"><td class="num">0.350s</td><td class="num n">1</td><td class="num">2</td><td class="num">-</td><td class="num ch">0/0</td><td class="num ch">0</td></tr>`,
		`<tr class="ev violation"><td class="num">0.350s</td><td class="num"></td><td colspan="4">violation #1 durability (nodes 1,2)</td></tr>`,
		`<tr class="ev violation"><td class="num">1.000s</td><td class="num"></td><td colspan="4">violation #2 linearizability</td></tr>`,
	} {
		has(t, win, row)
	}
	assert.Less(t, strings.Index(win, "node 2 voted for node 0"), strings.Index(win, "violation #1"), "rows in time order")
	assert.Equal(t, 0, strings.Count(win, `<td class="num ch">1/2</td>`),
		"a log growing into a new term is not highlighted; a log going back is")
	has(t, sec, `<details class="win"><summary>All samples: 9</summary>`, "every sample, collapsed")
}

func TestWriteHTMLNodeStateWithoutViolations(t *testing.T) {
	res := handResult(t)
	res.Violations = nil
	sec := section(t, renderHTML(t, res, ""), `<section id="node-state">`, "</section>")
	hasNot(t, sec, "State of each node at")
	last := section(t, sec, "Each node's last sample:", "</table>")
	has(t, last, `<td class="num">0.990s</td><td class="num n">2</td><td class="num">3</td><td class="num">2</td>`)
	assert.Equal(t, 3, strings.Count(last, `class="num n"`), "one row per node")
}

func TestNodeStateLanesWithoutSamples(t *testing.T) {
	res := handResult(t)
	res.States = res.States[:1] // node 0 only
	sec := section(t, renderHTML(t, res, ""), "State of each node at", "</table>")
	assert.Equal(t, 2, strings.Count(sec, `<td colspan="4">no sample yet</td>`))
}

func TestViolationGroups(t *testing.T) {
	s := int64(1e9)
	res := &cluster.Result{Violations: []checker.Violation{
		{Kind: "c", Time: 3100 * ms}, {Kind: "a", Time: 1 * s}, {Kind: "b", Time: 2500 * ms}, {Kind: "d", Time: 9 * s},
	}}
	got := violationGroups(res, 10*s)
	require.Len(t, got, 3)
	assert.Equal(t, violationGroup{first: 1 * s, from: 0, to: 4500 * ms, members: []int{1, 2}}, got[0],
		"within 2 s of the group's first violation; the window starts at 0 at the earliest")
	assert.Equal(t, violationGroup{first: 3100 * ms, from: 1100 * ms, to: 5100 * ms, members: []int{0}}, got[1],
		"3.1 s is more than 2 s after 1 s: a group of its own")
	assert.Equal(t, violationGroup{first: 9 * s, from: 7 * s, to: 10 * s, members: []int{3}}, got[2], "ends at the run's end")
}

func TestNodeNames(t *testing.T) {
	ours := nodeNamesOf(&cluster.Result{Config: cluster.Config{Engine: "etcd"}})
	assert.Equal(t, "node 2", ours.text(3))
	assert.Equal(t, "nobody", ours.text(0))
	assert.Equal(t, "2", voteCell(3, ours))
	assert.Equal(t, "-", voteCell(0, ours))
	other := nodeNamesOf(&cluster.Result{Config: cluster.Config{Engine: "someone-elses-raft"}})
	assert.Equal(t, "id 7", other.text(7), "an engine the report does not know: its own names")
	assert.Equal(t, -1, other.node(7))
	assert.Equal(t, "id 7", voteCell(7, other))
}
