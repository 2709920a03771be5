package reports

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/workloads"
)

func TestFailedPartitionsHand(t *testing.T) {
	parts := failedPartitions(handResult(t))
	require.Len(t, parts, 1)
	assert.Equal(t, linPartition{index: 0, key: "k1", ops: []int{0, 1}, left: []int{1}}, parts[0],
		"k1: the put is linearized, the get of a value never written is not")
	pick, ok := porcupineSelection(handResult(t))
	require.True(t, ok)
	assert.Equal(t, "0:1", pick.String())
}

func TestPorcupinePageOpensOnFailingPartition(t *testing.T) {
	page, problem := porcupinePage(handResult(t))
	require.Empty(t, problem)
	i := strings.Index(page, `document.querySelector('rect.target-rect[data-partition="0"][data-index="1"]')`)
	require.Positive(t, i, "the page selects partition 0's operation 1")
	assert.Greater(t, i, strings.Index(page, "render(data)"), "after Porcupine has drawn")
	assert.Less(t, i, strings.LastIndex(page, "</body>"))
	has(t, page, `["mouseover","mousemove","click"].forEach`)
	has(t, page, `setAttribute("data-raftcheck-selected","0:1")`)
	has(t, renderHTML(t, handResult(t), ""), "It opens on partition 0 (key &#34;k1&#34;, 2 operations, 1 not linearized)")
}

func TestPorcupineSelectionOfRealRun(t *testing.T) {
	res := illegalRun(t)
	parts := failedPartitions(res)
	require.NotEmpty(t, parts)
	m := regexp.MustCompile(`partition (\d+) of`).FindStringSubmatch(res.Lin.Detail)
	require.NotNil(t, m, "the checker names the failing partitions: %s", res.Lin.Detail)
	assert.Equal(t, m[1], strconv.Itoa(parts[0].index), "the first failing partition, as the checker names it")
	for _, p := range parts {
		for _, i := range p.ops {
			require.True(t, i >= 0 && i < len(res.History))
			assert.Equal(t, p.key, res.History[i].Op.Key, "every op of a partition touches its key")
		}
	}
}

func TestPorcupinePageNeverAnswered(t *testing.T) {
	res := handResult(t)
	// An unknown get stays in the checked history with a return of "never".
	res.History = append(res.History, workloads.HistoryOp{Client: 3, Op: workloads.Op{Kind: workloads.Get, Key: "k1"}, Call: 600 * ms, Return: 700 * ms, Outcome: workloads.OutcomeUnknown})
	ops, err := workloads.Operations(workloads.ForLinearizability(res.History))
	require.NoError(t, err)
	model, err := res.Model()
	require.NoError(t, err)
	res.Lin = checker.CheckLinearizability(model, ops, 5*time.Second)
	require.Equal(t, checker.Illegal, res.Lin.Outcome)
	page, _ := porcupinePage(res)
	has(t, page, `"OriginalEnd":"never answered"`)
	hasNot(t, page, strconv.FormatInt(math.MaxInt64, 10))
}
