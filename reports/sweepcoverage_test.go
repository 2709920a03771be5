package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
)

func TestSweepPageCoverageSection(t *testing.T) {
	cov := &SweepCoverage{Mode: "guided", Curve: []int{10, 15, 30, 31}, Baseline: []int{10, 12, 20, 25}, Covered: 31, Total: 100, Corpus: 3,
		Missing: []MissingFamily{{Family: "vote", Features: []string{"vote/role=follower/candidate-log=older/phase=steady"}}}}
	assert.Equal(t, "coverage: 31 of 100 features (guided, 3 runs in the corpus; random over the same 4 seeds: 25)", cov.Line())
	var b bytes.Buffer
	require.NoError(t, WriteSweepHTML(&b, SweepSummary{Seeds: 4, Config: cluster.DefaultConfig(), Coverage: cov}))
	page := b.String()
	assert.Equal(t, 2, strings.Count(page, "<polyline"))
	assert.Less(t, strings.Index(page, "random: 25 features"), strings.Index(page, "guided: 31 features"), "random is drawn under guided")
	assert.Contains(t, page, "vote/role=follower/candidate-log=older/phase=steady")
	assert.Contains(t, page, "<summary>vote: 1</summary>")
	// The curve starts at the origin (48, 196) and climbs 186 units over 31 features: 10 → 136, 31 → 10.
	assert.Equal(t, "48.0,196.0 192.0,136.0 336.0,106.0 480.0,16.0 624.0,10.0", polyline(cov.Curve, 4, 31))
	var none bytes.Buffer
	require.NoError(t, WriteSweepHTML(&none, SweepSummary{Seeds: 4, Config: cluster.DefaultConfig()}))
	assert.NotContains(t, none.String(), "<polyline", "no coverage section without coverage")
}
