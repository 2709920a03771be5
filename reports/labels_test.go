package reports

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
)

func TestLabelRowPlace(t *testing.T) {
	r := labelRow{lo: 0, hi: 200}
	r.block(95, 105) // a marker at 100
	x, end, ok := r.place(100, 30, 8, false)
	assert.Equal(t, []any{108.0, false, true}, []any{x, end, ok}, "right of the marker")
	x, end, ok = r.place(100, 30, 8, false)
	assert.Equal(t, []any{92.0, true, true}, []any{x, end, ok}, "right is taken: left, ending at the gap")
	_, _, ok = r.place(100, 30, 8, false)
	assert.False(t, ok, "no room on either side: no label")
	x, end, ok = r.place(5, 30, 8, true)
	assert.Equal(t, []any{13.0, false, true}, []any{x, end, ok}, "left would pass the row's start: right")
	_, _, ok = r.place(175, 30, 8, false)
	assert.False(t, ok, "right passes the end, left overlaps the label placed at 108")

	r = labelRow{lo: 0, hi: 200}
	r.block(95, 105)
	r.block(110, 120) // another marker, right of the first
	r.block(80, 90)   // and one left of it
	_, _, ok = r.place(100, 30, 8, false)
	assert.False(t, ok, "markers on both sides")
	x, end, ok = r.placeAs(100, 30, 8, false, true)
	assert.Equal(t, []any{108.0, false, true}, []any{x, end, ok}, "forced: across the marker")
	x, end, ok = r.placeAs(100, 30, 8, false, true)
	assert.Equal(t, []any{92.0, true, true}, []any{x, end, ok}, "forced again: left, across that marker")
	x, end, ok = r.placeAs(100, 30, 8, false, true)
	assert.Equal(t, []any{0.0, false, false}, []any{x, end, ok}, "forced labels still never cross labels")
}

// markLabels returns the extents of the marks row's labels in a page's timeline, estimated
// as the layout estimates them.
func markLabels(t *testing.T, page string) (labels map[string]extent, width float64) {
	t.Helper()
	svg := section(t, page, `<svg class="timeline" width="`, `"`)
	width, err := strconv.ParseFloat(svg, 64)
	require.NoError(t, err)
	labels = map[string]extent{}
	re := regexp.MustCompile(`<text class="(vlabel|heal-label)( end)?" x="([-0-9.]+)" y="34">([^<]*)<`)
	for _, m := range re.FindAllStringSubmatch(page, -1) {
		x, _ := strconv.ParseFloat(m[3], 64)
		w := charW10Bold * float64(len([]rune(m[4])))
		e := extent{x, x + w}
		if m[2] != "" {
			e = extent{x - w, x}
		}
		labels[m[4]] = e
	}
	return labels, width
}

func TestTimelineMarkLabelsNeitherStackNorPassTheEdges(t *testing.T) {
	early := handResult(t)
	for i, m := range early.Timeline {
		if m.Kind == cluster.MarkHeal {
			early.Timeline[i].Time = 5 * ms // a heal at the very start: its label cannot go left
		}
	}
	for name, res := range map[string]*cluster.Result{"violation just before heal": shrunkResult(t), "early heal": early} {
		t.Run(name, func(t *testing.T) {
			labels, width := markLabels(t, renderHTML(t, res, ""))
			require.Contains(t, labels, "durability", "the first violation is always labelled")
			require.Contains(t, labels, "heal")
			for a, ea := range labels {
				assert.True(t, ea.lo >= 0 && ea.hi <= width, "%q at %v passes the edges of [0, %v]", a, ea, width)
				for b, eb := range labels {
					if a < b {
						assert.False(t, overlapsAny([]extent{ea}, eb.lo, eb.hi), "%q %v and %q %v overlap", a, ea, b, eb)
					}
				}
			}
		})
	}
}
