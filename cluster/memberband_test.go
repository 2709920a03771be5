package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/simnet"
)

// TestMembershipBand runs additions, removals and replacements every half second for long enough
// to use up the node ids: the cluster never holds more than Nodes+membersOver members, one
// more while a replacement that started at the mark is under way (or was given up), and once
// no id is left it keeps Nodes members at least.
func TestMembershipBand(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Tuning, cfg.Nemesis, cfg.FaultInterval = "fixed", "add,remove,replace", simnet.Duration(500*time.Millisecond)
	cfg.Duration = simnet.Duration(300 * time.Second)
	res, err := Run(11, cfg, Options{Engine: raftengine.Descriptor()})
	require.NoError(t, err)
	assert.Empty(t, res.Violations)
	changes, lastStart := 0, 0
	for _, m := range res.Timeline {
		if m.Kind == MarkStart {
			lastStart = max(lastStart, m.Node)
		}
		if m.Kind != MarkMember || !strings.Contains(m.Detail, "voters [") {
			continue
		}
		changes++
		size := memberCount(m.Detail, "voters [") + memberCount(m.Detail, "learners [")
		assert.LessOrEqual(t, size, cfg.Nodes+membersOver+1, "at %s: %s", time.Duration(m.Time), m.Detail)
		if lastStart == 31 && strings.HasPrefix(m.Detail, "remove") {
			assert.GreaterOrEqual(t, size, cfg.Nodes, "with the node ids used up, at %s: %s", time.Duration(m.Time), m.Detail)
		}
	}
	t.Logf("%d changes, last node id %d", changes, lastStart)
	assert.Greater(t, changes, 30, "membership changes made")
	assert.Equal(t, 31, lastStart, "the run uses up the node ids")
}

// memberCount counts the ids in the bracketed list after key in a member mark's detail.
func memberCount(detail, key string) int {
	_, rest, ok := strings.Cut(detail, key)
	if !ok {
		return 0
	}
	list, _, _ := strings.Cut(rest, "]")
	return len(strings.Fields(list))
}
