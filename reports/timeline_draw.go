package reports

import (
	"cmp"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
)

// Timeline geometry, in pixels.
const (
	tlPxPerSecMin = 40     // horizontal resolution floor: long runs scroll
	tlWidthMin    = 1100   // short runs still fill the page (and fit beside the lane labels)
	tlWidthMax    = 120000 // beyond this the resolution drops instead
	tlPadLeft     = 10
	tlPadRight    = 40
	tlAxisH       = 22
	tlRowH        = 16 // the marks row (violations, heal) and nemesis rows
	tlNodeH       = 32 // term labels, role bar, fault strip
	tlClientH     = 9
	tlGap         = 8
	tlLabelW      = 92
	tlFaultRowMax = 12    // nemesis rows; later faults overlap the last row
	tlClientLanes = 64    // clients beyond share lanes: client c is drawn in lane c mod 64
	maxOpsDrawn   = 20000 // bound on drawn operations, in the timeline and the latency plot
)

// row is one horizontal band of the timeline with its label.
type row struct {
	label string
	class string
	y, h  float64
}

// timelineSVG is the rendered timeline: a fixed column of lane labels and the scrolling chart.
type timelineSVG struct {
	Labels, Chart template.HTML
}

// layout is where everything of the timeline goes: the time scale and the rows.
type layout struct {
	x                    scale
	width, height        float64
	marks                row // violations and the heal point
	faultRows            []row
	nodes, clients       []row
	nodesTop, nodesBot   float64
	clientTop, clientBot float64
}

// timeScale maps the run's simulated time onto the timeline's pixels.
func timeScale(tl *timeline) scale {
	secs := float64(tl.end) / 1e9
	w := min(max(tlWidthMin, math.Ceil(secs*tlPxPerSecMin)+tlPadLeft+tlPadRight), tlWidthMax)
	return scale{0, float64(tl.end), tlPadLeft, w - tlPadRight}
}

func newLayout(tl *timeline, x scale, faultRows, clients int) layout {
	l := layout{width: x.r1 + tlPadRight, x: x}
	y := float64(tlAxisH)
	if len(tl.violations) > 0 || tl.heal >= 0 {
		l.marks = row{"", "lbl-v", y, tlRowH}
		if len(tl.violations) > 0 {
			l.marks.label = "violations"
		}
		y += tlRowH
	}
	for i := range faultRows {
		label := ""
		if i == 0 {
			label = "nemesis"
		}
		l.faultRows = append(l.faultRows, row{label, "lbl-f", y, tlRowH})
		y += tlRowH
	}
	y += tlGap / 2
	l.nodesTop = y
	for _, n := range tl.nodes {
		l.nodes = append(l.nodes, row{"node " + strconv.Itoa(n.id), "lbl-n", y, tlNodeH})
		y += tlNodeH
	}
	l.nodesBot = y
	y += tlGap
	l.clientTop = y
	for c := range clients {
		l.clients = append(l.clients, row{"client " + strconv.Itoa(c), "lbl-c", y, tlClientH})
		y += tlClientH
	}
	l.clientBot = y
	l.height = y + tlAxisH
	return l
}

// drawTimeline renders the timeline of a run.
func drawTimeline(tl *timeline, history []op) timelineSVG {
	clients := 0
	for _, h := range history {
		clients = max(clients, min(h.client, tlClientLanes-1)+1)
	}
	x := timeScale(tl)
	placed, rows := packFaults(tl, x)
	l := newLayout(tl, x, rows, clients)
	s := newSVG(l.width, l.height, "timeline")
	s.raw(`<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
		`<rect width="6" height="6" fill="#fff" fill-opacity="0.55"/><line x1="0" y1="0" x2="0" y2="6" stroke="#555" stroke-width="2.5"/></pattern></defs>`)
	drawLaneBackgrounds(s, l)
	drawTimeGrid(s, l.x, l.height-tlAxisH)
	drawGlobalBands(s, tl, l)
	for i, n := range tl.nodes {
		drawNodeLane(s, n, l.nodes[i], l.x)
	}
	drawNodeStrips(s, tl, l)
	drawVotes(s, tl, l)
	drawOps(s, history, l)
	drawFaultRows(s, tl, placed, l)
	drawMarks(s, tl, l)
	return timelineSVG{Labels: drawLabels(l), Chart: s.done()}
}

func drawLaneBackgrounds(s *svgDoc, l layout) {
	for i, r := range l.nodes {
		s.rect(0, r.y, l.width, r.h, style{class: "lane" + strconv.Itoa(i%2)})
	}
	if len(l.clients) > 0 {
		s.rect(0, l.clientTop, l.width, l.clientBot-l.clientTop, style{class: "lane1"})
	}
}

// drawTimeGrid draws time ticks with labels at the top and the bottom and light grid lines.
func drawTimeGrid(s *svgDoc, x scale, bottom float64) {
	ticks := niceTicks(0, x.d1/1e9, int((x.r1-x.r0)/90))
	for _, t := range ticks {
		px := x.at(t * 1e9)
		s.line(px, tlAxisH, px, bottom, style{class: "grid"})
		s.text(px, tlAxisH-7, style{class: "tick"}, formatTick(t)+"s")
		s.text(px, bottom+14, style{class: "tick"}, formatTick(t)+"s")
	}
	s.line(x.r0, tlAxisH, x.r1, tlAxisH, style{class: "axis"})
	s.line(x.r0, bottom, x.r1, bottom, style{class: "axis"})
}

// drawGlobalBands shades partitions and link faults across every node and client lane.
func drawGlobalBands(s *svgDoc, tl *timeline, l layout) {
	bottom := max(l.clientBot, l.nodesBot)
	for _, f := range tl.faults {
		if f.global() && f.to > f.from {
			x0, x1 := l.x.at(float64(f.from)), l.x.at(float64(f.to))
			s.rect(x0, l.nodesTop, max(x1-x0, 1), bottom-l.nodesTop, style{class: "band f-" + catNet, title: f.describe()})
		}
	}
}

// drawNodeStrips marks the node faults that leave no trace in a node's life (disk and clock
// faults) as a thin strip under the role bars of the nodes they struck.
func drawNodeStrips(s *svgDoc, tl *timeline, l layout) {
	for _, f := range tl.faults {
		cat := faultCategory(f.fault.Kind)
		if f.skipped || (cat != catDisk && cat != catClock) {
			continue
		}
		x0, x1 := l.x.at(float64(f.from)), l.x.at(float64(f.to))
		for _, id := range f.targets {
			if id >= 0 && id < len(l.nodes) {
				r := l.nodes[id]
				s.rect(x0, r.y+27, max(x1-x0, 3), 3, style{class: "strip f-" + cat, title: f.describe()})
			}
		}
	}
}

func drawNodeLane(s *svgDoc, n nodeLane, r row, x scale) {
	barY, barH := r.y+11, 14.0
	// Elections are short: candidates are drawn last and at least 2.5 px wide to stay visible.
	for _, brief := range []bool{false, true} {
		for _, rs := range n.roles {
			if isCampaign(rs.role) != brief {
				continue
			}
			x0, x1 := x.at(float64(rs.from)), x.at(float64(rs.to))
			title := fmt.Sprintf("node %d: %s, term %d\n%s – %s", n.id, rs.role, rs.term, fmtSeconds(rs.from), fmtSeconds(rs.to))
			if rs.role == roleUp {
				title = fmt.Sprintf("node %d: up, no role reported yet\n%s – %s", n.id, fmtSeconds(rs.from), fmtSeconds(rs.to))
			}
			s.rect(x0, barY, max(x1-x0, 0.6, 2.5*b2f(brief)), barH, style{class: "r-" + rs.role, title: title})
		}
	}
	drawTermLabels(s, n, r, x)
	for _, lf := range n.lives {
		x0, x1 := x.at(float64(lf.from)), x.at(float64(lf.to))
		title := fmt.Sprintf("node %d %s\n%s – %s", n.id, lf.state, fmtSeconds(lf.from), fmtSeconds(lf.to))
		s.rect(x0, barY-1, max(x1-x0, 1), barH+2, style{class: "life-" + lf.state, title: title})
	}
	for _, p := range n.points {
		drawPoint(s, p, x.at(float64(p.at)), barY+barH/2)
	}
}

// drawTermLabels writes "tN" above the lane where the node's term changes, skipping labels
// that would collide with the previous one.
func drawTermLabels(s *svgDoc, n nodeLane, r row, x scale) {
	var lastTerm uint64
	lastLabel := math.Inf(-1)
	first := true
	for _, rs := range n.roles {
		if rs.role == roleUp {
			continue
		}
		x0 := x.at(float64(rs.from))
		if (first || rs.term != lastTerm) && x0-lastLabel >= 24 {
			s.text(x0+1, r.y+9, style{class: "term"}, "t"+strconv.FormatUint(rs.term, 10))
			lastLabel = x0
		}
		lastTerm, first = rs.term, false
	}
}

func isCampaign(role string) bool { return role == "candidate" || role == "pre-candidate" }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// drawPoint draws an instant on a node lane centred at (px, cy).
func drawPoint(s *svgDoc, p pointMark, px, cy float64) {
	title := fmtSeconds(p.at) + " " + p.detail
	switch p.kind {
	case pointRefused:
		s.group(style{class: "refused", title: title})
		s.line(px-4, cy-4, px+4, cy+4, style{})
		s.line(px-4, cy+4, px+4, cy-4, style{})
		s.groupEnd()
	case pointMember:
		s.polygon([]float64{px, cy - 5, px + 4, cy, px, cy + 5, px - 4, cy}, style{class: "member", title: title})
	case pointViolation:
		s.circle(px, cy, 3.5, style{class: "vdot", title: title})
	}
}

// drawOps draws each client operation as an interval [Call, Return] coloured by outcome.
func drawOps(s *svgDoc, history []op, l layout) {
	for i, h := range history {
		if i >= maxOpsDrawn || len(l.clients) == 0 {
			return
		}
		r := l.clients[max(h.client, 0)%len(l.clients)]
		ret := h.ret
		if ret < h.call {
			ret = int64(l.x.d1) // never answered: open to the end
		}
		x0, x1 := l.x.at(float64(h.call)), l.x.at(float64(ret))
		s.rect(x0, r.y+1, max(x1-x0, 1.5), r.h-2, style{class: "op-" + h.outcome, title: h.title()})
	}
}

// placedFault is a fault bar in a nemesis row, with its label left or right of its start.
type placedFault struct {
	index     int // into timeline.faults
	row       int
	labelLeft bool // the label ends at the bar's start: it would pass the right edge
}

// packFaults assigns every fault a nemesis row so that bars and their labels do not overlap,
// and returns the rows used. A label that would pass the right edge goes left of its bar.
func packFaults(tl *timeline, x scale) ([]placedFault, int) {
	var rows [][]extent // per row: the pixel extents in use
	out := make([]placedFault, 0, len(tl.faults))
	for i, f := range tl.faults {
		lo, hi, left := faultExtent(f, x)
		r := 0
		for r < len(rows) && overlapsAny(rows[r], lo, hi) {
			r++
		}
		if r == len(rows) {
			if len(rows) == tlFaultRowMax {
				r = len(rows) - 1
			} else {
				rows = append(rows, nil)
			}
		}
		rows[r] = append(rows[r], extent{lo, hi})
		out = append(out, placedFault{i, r, left})
	}
	return out, len(rows)
}

// faultExtent is the pixel range a fault's bar and label take, with a 6 px margin. The
// label goes left of the bar when it would pass the right edge and fits on the left.
func faultExtent(f faultSpan, x scale) (lo, hi float64, labelLeft bool) {
	x0, x1 := x.at(float64(f.from)), x.at(float64(f.to))
	labelW := 8 + charW10*float64(len([]rune(f.label())))
	if x0+labelW > x.r1+tlPadRight && x0-labelW-6 >= 0 {
		return x0 - labelW - 6, max(x1, x0+4) + 6, true
	}
	return x0 - 5, max(x1, x0+labelW) + 6, false
}

// extent is a horizontal pixel range.
type extent struct{ lo, hi float64 }

func overlapsAny(used []extent, lo, hi float64) bool {
	for _, u := range used {
		if lo < u.hi && u.lo < hi {
			return true
		}
	}
	return false
}

func drawFaultRows(s *svgDoc, tl *timeline, placed []placedFault, l layout) {
	for _, p := range placed {
		f, r := tl.faults[p.index], l.faultRows[p.row]
		x0, x1 := l.x.at(float64(f.from)), l.x.at(float64(f.to))
		cls := "f-" + faultCategory(f.fault.Kind)
		if f.skipped {
			cls += " skipped"
		}
		s.group(style{class: "fault", title: f.describe()})
		if x1-x0 < 2 {
			s.polygon([]float64{x0, r.y + 2, x0 + 4, r.y + 8, x0, r.y + 14, x0 - 4, r.y + 8}, style{class: "fbar " + cls})
		} else {
			s.rect(x0, r.y+3, x1-x0, r.h-6, style{class: "fbar " + cls})
		}
		if p.labelLeft {
			s.text(x0-6, r.y+12, style{class: "flabel end"}, f.label())
		} else {
			s.text(x0+6, r.y+12, style{class: "flabel"}, f.label())
		}
		s.groupEnd()
	}
}

// drawMarks draws the heal line and each violation as a red marker (the target of the
// violations table's links) with a line down through the lanes, then labels them where
// there is room: the first violation first (across other markers if need be), then the
// heal point, then the others in time.
func drawMarks(s *svgDoc, tl *timeline, l layout) {
	row := labelRow{lo: 0, hi: l.width}
	healX := l.x.at(float64(tl.heal))
	if tl.heal >= 0 {
		s.line(healX, tlAxisH, healX, l.height-tlAxisH, style{class: "heal", title: "heal: every fault lifted at " + fmtSeconds(tl.heal)})
		row.block(healX-1, healX+1)
	}
	order := drawViolations(s, tl, l, &row)
	y := l.marks.y + 12
	label := func(px float64, text, class string, preferLeft, force bool) {
		if x, end, ok := row.placeAs(px, charW10Bold*float64(len([]rune(text))), 8, preferLeft, force); ok {
			if end {
				class += " end"
			}
			s.text(x, y, style{class: class}, text)
		}
	}
	if len(order) > 0 {
		v := tl.violations[order[0]]
		label(l.x.clamped(float64(v.at)), v.kind, "vlabel", false, true)
	}
	if tl.heal >= 0 {
		label(healX, "heal", "heal-label", true, false)
	}
	for _, i := range order[min(len(order), 1):] {
		v := tl.violations[i]
		label(l.x.clamped(float64(v.at)), v.kind, "vlabel", false, false)
	}
}

// drawViolations draws the violation markers and lines, reserving the markers in row, and
// returns the violations' indexes in time order.
func drawViolations(s *svgDoc, tl *timeline, l layout, row *labelRow) []int {
	order := make([]int, len(tl.violations))
	for i, v := range tl.violations {
		order[i] = i
		px, y := l.x.clamped(float64(v.at)), l.marks.y
		title := fmt.Sprintf("%s at %s: %s", v.kind, fmtSeconds(v.at), readable(v.detail))
		s.line(px, y+tlRowH, px, max(l.nodesBot, l.clientBot), style{class: "vline"})
		id := "vm-" + strconv.Itoa(i)
		if v.index >= 0 {
			id = violationID(v.index)
		}
		s.polygon([]float64{px - 6, y + 2, px + 6, y + 2, px, y + 14}, style{class: "vmark", id: id, title: title})
		row.block(px-6, px+6)
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(tl.violations[a].at, tl.violations[b].at) })
	return order
}

// violationID is the element id of violation i's marker on the timeline.
func violationID(i int) string { return "v-" + strconv.Itoa(i) }

// drawLabels renders the fixed label column left of the scrolling chart.
func drawLabels(l layout) template.HTML {
	s := newSVG(tlLabelW, l.height, "lanes")
	rows := append([]row{l.marks}, l.faultRows...)
	rows = append(rows, l.nodes...)
	for i, r := range l.clients {
		if i == 0 || len(l.clients) <= 16 || i%5 == 0 {
			s.text(tlLabelW-6, r.y+r.h-1, style{class: r.class}, r.label)
		}
	}
	for _, r := range rows {
		baseline := r.y + r.h/2 + 4
		if r.class == "lbl-n" {
			baseline = r.y + 22 // centred on the role bar
		}
		if r.label != "" {
			s.text(tlLabelW-6, baseline, style{class: r.class}, r.label)
		}
	}
	return s.done()
}
