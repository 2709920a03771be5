package reports

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/simnet"
)

func TestWriteSweepHTML(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Duration = simnet.Duration(10 * time.Second)
	cfg.Mutants = []string{"no-step-down"}
	s := SweepSummary{
		Seeds: 1000, Failed: 3, WallSeconds: 12.5, SeedsPerSecond: 80, Speedup: 2400.25, Config: cfg,
		Violations: map[string]int{"election-safety": 2, "durability": 2, "linearizability": 3},
		Failing: []SweepRun{
			{Seed: 7, Kinds: []string{"election-safety", "linearizability"}, Report: "seed-7.html", Summary: "seed 7: FAIL"},
			{Seed: 19, Kinds: []string{"durability"}, Report: "", Summary: hostile},
			{Seed: 23, Kinds: []string{"linearizability"}, Report: "javascript:alert(1)", Summary: "seed 23"},
		},
	}
	var b strings.Builder
	require.NoError(t, WriteSweepHTML(&b, s))
	page := b.String()

	has(t, page, "raftcheck sweep: 3 of 1000 seeds failed")
	has(t, page, `<span class="badge fail">FAIL</span>`)
	has(t, page, "<dt>seeds per second</dt><dd>80.0</dd>")
	has(t, page, "<dt>speed-up</dt><dd>2400.2×</dd>")
	has(t, page, "<dt>wall time</dt><dd>12.5 s</dd>")
	has(t, page, `<span class="mutant">no-step-down</span>`)
	has(t, page, `<dt>duration</dt><dd>10s</dd>`)

	// Kinds by count, most frequent first, ties by name.
	lin := strings.Index(page, "<tr><td>linearizability</td><td class=\"num\">3</td><td class=\"num\">0.3%</td></tr>")
	dur := strings.Index(page, "<tr><td>durability</td><td class=\"num\">2</td>")
	el := strings.Index(page, "<tr><td>election-safety</td><td class=\"num\">2</td>")
	require.True(t, lin >= 0 && dur >= 0 && el >= 0, "kind rows missing: %d %d %d", lin, dur, el)
	assert.Less(t, lin, dur)
	assert.Less(t, dur, el)

	has(t, page, `<a href="seed-7.html">report</a>`)
	has(t, page, `<td class="num">19</td><td class="kinds"><span>durability</span></td><td>-</td>`, "no report: no link")
	hasNot(t, page, `href="javascript:`, "an unsafe link is neutralised")
	hasNot(t, page, "<b>")
	has(t, page, "&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;")
	assertOffline(t, page)
}

func TestWriteSweepHTMLNoFailures(t *testing.T) {
	var b strings.Builder
	require.NoError(t, WriteSweepHTML(&b, SweepSummary{Seeds: 10, Config: cluster.DefaultConfig()}))
	page := b.String()
	has(t, page, `<span class="badge pass">PASS</span>`)
	has(t, page, "No violations.")
	has(t, page, "No seed failed.")
	hasNot(t, page, "<table")
}

func TestKindCounts(t *testing.T) {
	got := kindCounts(map[string]int{"b": 1, "a": 1, "c": 5}, 0)
	assert.Equal(t, []kindCount{{"c", 5, "-"}, {"a", 1, "-"}, {"b", 1, "-"}}, got)
}
