package reports

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/cluster"
)

func TestNearViolations(t *testing.T) {
	s := int64(1e9)
	ops := []op{
		{call: 1 * s, ret: 1*s + 100, outcome: outcomeOK},     // 0: long before
		{call: 3 * s, ret: 4*s + 200*ms, outcome: outcomeOK},  // 1: ends inside the window
		{call: 4500 * ms, ret: 4600 * ms, outcome: outcomeOK}, // 2: inside
		{call: 6 * s, ret: 6*s + 10, outcome: outcomeFail},    // 3: starts at the window's end
		{call: 6500 * ms, ret: 7 * s, outcome: outcomeOK},     // 4: after
		{call: 2 * s, ret: 0, outcome: outcomeUnknown},        // 5: never answered: in flight since 2 s
	}
	res := &cluster.Result{Violations: []checker.Violation{
		{Kind: checker.KindLinearizability, Time: 1 * s}, // found at the end over the whole history: no window
		{Kind: checker.KindDurability, Time: 5 * s},
	}}
	got := nearViolations(res, ops)
	var ns []int
	for _, r := range got.Rows {
		ns = append(ns, r.N)
		assert.Equal(t, "#2", r.Note)
	}
	assert.Equal(t, []int{1, 2, 3, 5}, ns)
	assert.Equal(t, 4, got.Total)
	assert.Equal(t, "Operations near the violations: 4 operations", got.Title)
	assert.Equal(t, neverAnswered, got.Rows[3].Return)
	assert.Equal(t, "-", got.Rows[3].Latency)
}

func TestWriteHTMLHistorySections(t *testing.T) {
	page := renderHTML(t, handResult(t), "")
	hist := page[strings.Index(page, `<h2 id="history">`):]
	iNear, iPart, iAll := strings.Index(hist, `id="history-near"`), strings.Index(hist, `id="history-partition-0"`), strings.Index(hist, `<details id="history-all">`)
	require.True(t, iNear > 0 && iPart > iNear && iAll > iPart, "near the violations, then the failing partition, then everything (collapsed)")
	has(t, hist, `<h3 id="history-near">Operations near the violations: 4 operations</h3>`)
	has(t, hist, `<td class="num">0.500s</td><td class="num">returned 0.520s</td><td class="num">20ms</td><td>#1</td></tr>`)
	part := hist[iPart:iAll]
	has(t, part, `Porcupine partition 0 (key &#34;k1&#34;): 2 operations, 1 not linearized</h3>`)
	has(t, part, `<tr class="mark"><td class="num">1</td><td class="num">1</td><td class="detail">get &#34;k1&#34;</td>`, "the op Porcupine could not linearize")
	assert.Equal(t, 1, strings.Count(part, `class="mark"`))
	has(t, hist, `<details id="history-all"><summary>All operations: 4</summary>`)
}

func TestWriteHTMLHistoryBeyondTwoHundred(t *testing.T) {
	res := handResult(t)
	for range 300 {
		res.History = append(res.History, res.History[0])
	}
	page := renderHTML(t, res, "")
	all := section(t, page, `<details id="history-all"><summary>All operations: 304</summary>`, "</details>")
	assert.Equal(t, 305, strings.Count(all, "<tr"), "every operation, not the first 200")
}
