package reports

import (
	"html/template"
	"math"
	"strconv"
)

// svgDoc accumulates the markup of one inline SVG element. Every string that can come from a
// run (titles, labels) is escaped on the way in; what the package computes itself (numbers,
// class names, ids) is written as it is. The markup is well-formed XML.
type svgDoc struct{ b []byte }

// style is the optional presentation of one SVG element: CSS classes, an id (a link target)
// and a tooltip.
type style struct{ class, id, title string }

// newSVG starts an SVG of the given pixel size. Inline SVG in HTML needs no namespace, so the
// page references no URL at all.
func newSVG(width, height float64, class string) *svgDoc {
	s := &svgDoc{b: make([]byte, 0, 4096)}
	s.raw(`<svg class="`)
	s.raw(class)
	s.raw(`" width="`)
	s.num(width)
	s.raw(`" height="`)
	s.num(height)
	s.raw(`" viewBox="0 0 `)
	s.num(width)
	s.raw(" ")
	s.num(height)
	s.raw(`">`)
	return s
}

// done closes the SVG and returns it as markup for the page template.
func (s *svgDoc) done() template.HTML {
	s.raw("</svg>")
	return template.HTML(s.b) // safe: every string from the run went through esc
}

func (s *svgDoc) raw(markup string) { s.b = append(s.b, markup...) }

func (s *svgDoc) esc(text string) { s.b = append(s.b, template.HTMLEscapeString(text)...) }

// num writes v with at most one decimal.
func (s *svgDoc) num(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	v = math.Round(v*10) / 10
	if v == math.Trunc(v) {
		s.b = strconv.AppendInt(s.b, int64(v), 10)
		return
	}
	s.b = strconv.AppendFloat(s.b, v, 'f', 1, 64)
}

// attr writes ` name="v"` for a number.
func (s *svgDoc) attr(name string, v float64) {
	s.raw(" ")
	s.raw(name)
	s.raw(`="`)
	s.num(v)
	s.raw(`"`)
}

// open writes the start of element name with st's class and id.
func (s *svgDoc) open(name string, st style) {
	s.raw("<")
	s.raw(name)
	if st.class != "" {
		s.raw(` class="`)
		s.raw(st.class)
		s.raw(`"`)
	}
	if st.id != "" {
		s.raw(` id="`)
		s.raw(st.id)
		s.raw(`"`)
	}
}

// close ends an element opened by open, with st's tooltip as a <title> child if it has one.
func (s *svgDoc) close(name string, st style) {
	if st.title == "" {
		s.raw("/>")
		return
	}
	s.raw("><title>")
	s.esc(st.title)
	s.raw("</title></")
	s.raw(name)
	s.raw(">")
}

func (s *svgDoc) rect(x, y, w, h float64, st style) {
	s.open("rect", st)
	s.attr("x", x)
	s.attr("y", y)
	s.attr("width", max(w, 0))
	s.attr("height", max(h, 0))
	s.close("rect", st)
}

func (s *svgDoc) line(x1, y1, x2, y2 float64, st style) {
	s.open("line", st)
	s.attr("x1", x1)
	s.attr("y1", y1)
	s.attr("x2", x2)
	s.attr("y2", y2)
	s.close("line", st)
}

func (s *svgDoc) circle(x, y, r float64, st style) {
	s.open("circle", st)
	s.attr("cx", x)
	s.attr("cy", y)
	s.attr("r", r)
	s.close("circle", st)
}

// text writes content at (x, y); the anchor ("start", "middle", "end") comes from the class.
func (s *svgDoc) text(x, y float64, st style, content string) {
	s.open("text", st)
	s.attr("x", x)
	s.attr("y", y)
	s.raw(">")
	s.esc(content)
	if st.title != "" {
		s.raw("<title>")
		s.esc(st.title)
		s.raw("</title>")
	}
	s.raw("</text>")
}

// polygon writes a closed shape through the points (x0, y0, x1, y1, ...).
func (s *svgDoc) polygon(points []float64, st style) { s.poly("polygon", points, st) }

// polyline writes an open line through the points (x0, y0, x1, y1, ...).
func (s *svgDoc) polyline(points []float64, st style) { s.poly("polyline", points, st) }

func (s *svgDoc) poly(name string, points []float64, st style) {
	s.open(name, st)
	s.raw(` points="`)
	for i, v := range points {
		if i > 0 {
			s.raw(" ")
		}
		s.num(v)
	}
	s.raw(`"`)
	s.close(name, st)
}

// group opens <g> with st's class and id; its tooltip, if any, applies to the whole group.
func (s *svgDoc) group(st style) {
	s.open("g", st)
	s.raw(">")
	if st.title != "" {
		s.raw("<title>")
		s.esc(st.title)
		s.raw("</title>")
	}
}

func (s *svgDoc) groupEnd() { s.raw("</g>") }

// scale maps a domain [d0, d1] linearly onto a pixel range [r0, r1].
type scale struct{ d0, d1, r0, r1 float64 }

func (c scale) at(v float64) float64 {
	if c.d1 == c.d0 {
		return c.r0
	}
	return c.r0 + (v-c.d0)*(c.r1-c.r0)/(c.d1-c.d0)
}

// clamped is at, limited to the pixel range.
func (c scale) clamped(v float64) float64 {
	lo, hi := min(c.r0, c.r1), max(c.r0, c.r1)
	return min(max(c.at(v), lo), hi)
}

// logScale maps [10^e0, 10^e1] logarithmically onto a pixel range; values outside are clamped.
type logScale struct{ lin scale }

func newLogScale(e0, e1 int, r0, r1 float64) logScale {
	return logScale{scale{float64(e0), float64(e1), r0, r1}}
}

func (c logScale) at(v float64) float64 {
	if v <= 0 {
		return c.lin.r0
	}
	return c.lin.clamped(math.Log10(v))
}

// maxTicks bounds the ticks of one axis.
const maxTicks = 200

// niceTicks returns about n round values (1, 2 or 5 times a power of ten apart) in [lo, hi].
func niceTicks(lo, hi float64, n int) []float64 {
	if !(hi > lo) || n < 1 {
		return []float64{lo}
	}
	step := niceStep((hi - lo) / float64(n))
	var out []float64
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9 && len(out) < maxTicks; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	return out
}

// niceStep rounds raw up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// formatTick renders an axis value without trailing zeros.
func formatTick(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 32) // float32 precision drops step arithmetic noise
}
