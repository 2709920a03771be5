package reports

import (
	"fmt"
	"strconv"
	"strings"
)

// SweepCoverage is the abstract-state coverage a sweep reached (package coverage), for its
// summary page: the curve of features covered against runs, the random sweep's next to a
// guided one's when both ran, and the features no run reached.
type SweepCoverage struct {
	Mode     string // "guided" or "random": how the sweep chose its runs
	Curve    []int  // features covered after each run, in run order
	Baseline []int  // a random sweep of the same range (sweep --guided --baseline), or nil
	Covered  int
	Total    int // features that exist
	Corpus   int // guided: runs that reached a feature first
	Missing  []MissingFamily
}

// MissingFamily is the features of one family that no run reached.
type MissingFamily struct {
	Family   string
	Features []string
}

// Line is the coverage line of a sweep's text summary.
func (c *SweepCoverage) Line() string {
	s := fmt.Sprintf("coverage: %d of %d features (%s", c.Covered, c.Total, c.Mode)
	if c.Mode == "guided" {
		s += fmt.Sprintf(", %d runs in the corpus", c.Corpus)
	}
	if n := len(c.Baseline); n > 0 {
		s += fmt.Sprintf("; random over the same %d seeds: %d", n, c.Baseline[n-1])
	}
	return s + ")"
}

// coveragePlot is the coverage section of the sweep page.
type coveragePlot struct {
	Line    string
	Width   int
	Height  int
	Series  []plotSeries
	YTicks  []plotTick
	XTicks  []plotTick
	Missing []MissingFamily
}

type plotSeries struct {
	Name   string
	Color  string
	Points string // SVG polyline points
	Last   int
}

type plotTick struct {
	Pos   float64
	Label string
}

// Plot area of the coverage chart, in SVG units.
const (
	plotW, plotH    = 640, 220
	plotL, plotB    = 48, 24 // left and bottom margins for labels
	plotT, plotR    = 10, 16
	plotMaxVertices = 400 // a curve is thinned to about this many points
)

func newCoveragePlot(c *SweepCoverage) *coveragePlot {
	if c == nil {
		return nil
	}
	runs, top := max(len(c.Curve), len(c.Baseline), 1), 1
	for _, v := range append(append([]int{}, c.Curve...), c.Baseline...) {
		top = max(top, v)
	}
	p := &coveragePlot{Line: c.Line(), Width: plotW, Height: plotH, Missing: c.Missing}
	if len(c.Baseline) > 0 { // drawn first: the sweep's own curve stays on top
		p.Series = append(p.Series, plotSeries{Name: "random", Color: "#9ca3af", Points: polyline(c.Baseline, runs, top), Last: last(c.Baseline)})
	}
	p.Series = append(p.Series, plotSeries{Name: c.Mode, Color: "#2563eb", Points: polyline(c.Curve, runs, top), Last: last(c.Curve)})
	for i := 0; i <= 4; i++ {
		p.YTicks = append(p.YTicks, plotTick{Pos: yPos(top*i/4, top), Label: strconv.Itoa(top * i / 4)})
		p.XTicks = append(p.XTicks, plotTick{Pos: xPos(runs*i/4, runs), Label: strconv.Itoa(runs * i / 4)})
	}
	return p
}

func last(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	return xs[len(xs)-1]
}

func xPos(run, runs int) float64 {
	return plotL + float64(run)/float64(runs)*float64(plotW-plotL-plotR)
}

func yPos(v, top int) float64 {
	return plotH - plotB - float64(v)/float64(top)*float64(plotH-plotB-plotT)
}

// polyline draws curve (features after run i+1) as SVG points, starting from (0, 0).
func polyline(curve []int, runs, top int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%.1f,%.1f", xPos(0, runs), yPos(0, top))
	step := max(1, len(curve)/plotMaxVertices)
	for i := 0; i < len(curve); i += step {
		fmt.Fprintf(&b, " %.1f,%.1f", xPos(i+1, runs), yPos(curve[i], top))
	}
	if n := len(curve); n > 0 && (n-1)%step != 0 {
		fmt.Fprintf(&b, " %.1f,%.1f", xPos(n, runs), yPos(curve[n-1], top))
	}
	return b.String()
}

const coverageTemplate = `{{define "coverage"}}<section class="card"><h2 style="margin-top:0">Coverage</h2>
<p>{{.Line}}</p>
<svg viewBox="0 0 {{.Width}} {{.Height}}" width="100%" style="max-width:{{.Width}}px" role="img" aria-label="features covered against runs">
{{range .YTicks}}<line x1="48" x2="624" y1="{{.Pos}}" y2="{{.Pos}}" stroke="#e5e7eb"/><text x="42" y="{{.Pos}}" text-anchor="end" dominant-baseline="middle" font-size="11">{{.Label}}</text>
{{end}}{{range .XTicks}}<text x="{{.Pos}}" y="{{$.Height}}" text-anchor="middle" font-size="11" dy="-6">{{.Label}}</text>
{{end}}{{range .Series}}<polyline fill="none" stroke="{{.Color}}" stroke-width="2" points="{{.Points}}"><title>{{.Name}}: {{.Last}} features</title></polyline>
{{end}}</svg>
<div class="meta">{{range .Series}}<span style="color:{{.Color}}">■</span> {{.Name}} ({{.Last}} features) &nbsp; {{end}}runs on the x axis, distinct features covered on the y axis</div>
<h3>Features never reached</h3>
<p class="note">Some are unreachable by a correct Raft (a committed entry truncated, a vote for an older log): reaching one is a bug.</p>
{{range .Missing}}<details><summary>{{.Family}}: {{len .Features}}</summary><ul class="missing">{{range .Features}}<li><code>{{.}}</code></li>{{end}}</ul></details>
{{end}}</section>{{end}}`
