package reports

import (
	"html/template"
	"math"
	"strconv"
)

// Performance plots in the manner of Jepsen's perf graphs: latency and throughput over
// simulated time, with the nemesis's faults shaded behind.

// Plot geometry, in pixels.
const (
	perfW          = 1280
	perfH          = 260
	perfLeft       = 64
	perfRight      = 16
	perfTop        = 10
	perfBottom     = 30
	perfBucketsMax = 2000 // throughput buckets; longer runs get wider buckets
)

// plotFrame is the drawing area of one plot.
type plotFrame struct {
	x            scale // simulated ns → px
	top, bottom  float64
	left, right  float64
	width, total float64
}

func newPlotFrame(end int64) plotFrame {
	return plotFrame{
		x:   scale{0, float64(end), perfLeft, perfW - perfRight},
		top: perfTop, bottom: perfH - perfBottom, left: perfLeft, right: perfW - perfRight,
		width: perfW, total: perfH,
	}
}

// drawBackdrop draws the fault bands, the heal line and the time axis of a plot.
func drawBackdrop(s *svgDoc, tl *timeline, f plotFrame) {
	for _, fs := range tl.faults {
		if fs.skipped {
			continue
		}
		cls := "f-" + faultCategory(fs.fault.Kind)
		x0, x1 := f.x.at(float64(fs.from)), f.x.at(float64(fs.to))
		if x1-x0 < 1 {
			s.line(x0, f.top, x0, f.bottom, style{class: "fline " + cls, title: fs.describe()})
			continue
		}
		s.rect(x0, f.top, x1-x0, f.bottom-f.top, style{class: "band " + cls, title: fs.describe()})
	}
	for _, t := range niceTicks(0, f.x.d1/1e9, 12) {
		px := f.x.at(t * 1e9)
		s.line(px, f.top, px, f.bottom, style{class: "grid"})
		s.text(px, f.bottom+14, style{class: "tick"}, formatTick(t)+"s")
	}
	s.line(f.left, f.bottom, f.right, f.bottom, style{class: "axis"})
	s.line(f.left, f.top, f.left, f.bottom, style{class: "axis"})
	if tl.heal >= 0 {
		px := f.x.at(float64(tl.heal))
		s.line(px, f.top, px, f.bottom, style{class: "heal", title: "heal at " + fmtSeconds(tl.heal)})
		s.text(px+3, f.top+10, style{class: "heal-label"}, "heal")
	}
	s.text(f.right, f.bottom+27, style{class: "axis-label"}, "simulated time")
}

// latencyRange returns the decades [10^e0, 10^e1] ms that hold every latency.
func latencyRange(history []op) (int, int) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, h := range history {
		if ms := float64(h.ret-h.call) / 1e6; h.ret >= h.call && ms > 0 {
			lo, hi = min(lo, ms), max(hi, ms)
		}
	}
	if math.IsInf(lo, 1) {
		return 0, 3
	}
	e0 := max(int(math.Floor(math.Log10(lo))), -3)
	e1 := max(int(math.Ceil(math.Log10(hi))), e0+1)
	return e0, min(e1, e0+12)
}

// drawLatency plots each operation's latency (Return - Call) against its Call time, on a log
// scale, coloured by outcome.
func drawLatency(tl *timeline, history []op) template.HTML {
	f := newPlotFrame(tl.end)
	s := newSVG(f.width, f.total, "perf")
	e0, e1 := latencyRange(history)
	y := newLogScale(e0, e1, f.bottom, f.top)
	drawBackdrop(s, tl, f)
	drawLogAxis(s, f, y, e0, e1)
	for _, slot := range []int{0, 2, 1} { // rare outcomes on top
		for i, h := range history {
			if i >= maxOpsDrawn {
				break
			}
			if outcomeSlot(h.outcome) != slot || h.ret < h.call {
				continue
			}
			px, py := f.x.at(float64(h.call)), y.at(float64(h.ret-h.call)/1e6)
			s.circle(px, py, 2.2, style{class: "pt-" + slotNames[slot], title: h.title()})
		}
	}
	return s.done()
}

// throughput counts completed operations per bucket of simulated time, by outcome; the
// bucket is one second unless that would make more than perfBucketsMax of them.
func throughput(history []op, end int64) (counts [3][]float64, bucket int64) {
	bucket = int64(1e9)
	if n := end/bucket + 1; n > perfBucketsMax {
		bucket *= (n + perfBucketsMax - 1) / perfBucketsMax
	}
	n := int(end/bucket) + 1
	for o := range counts {
		counts[o] = make([]float64, n)
	}
	for _, h := range history {
		if h.ret < h.call || h.ret < 0 {
			continue
		}
		b := min(int(h.ret/bucket), n-1)
		counts[outcomeSlot(h.outcome)][b]++
	}
	perSec := float64(bucket) / 1e9
	for o := range counts {
		for i := range counts[o] {
			counts[o][i] /= perSec
		}
	}
	return counts, bucket
}

// outcomeSlot indexes the throughput series: ok, fail, unknown.
func outcomeSlot(outcome string) int {
	switch outcome {
	case outcomeOK:
		return 0
	case outcomeFail:
		return 1
	}
	return 2
}

var slotNames = [3]string{"ok", "fail", "unknown"}

// drawThroughput plots completed operations per second over time, one line per outcome.
func drawThroughput(tl *timeline, history []op) template.HTML {
	f := newPlotFrame(tl.end)
	s := newSVG(f.width, f.total, "perf")
	counts, bucket := throughput(history, tl.end)
	peak := 1.0
	for _, c := range counts {
		for _, v := range c {
			peak = max(peak, v)
		}
	}
	ticks := niceTicks(0, peak*1.08, 5)
	y := scale{0, max(ticks[len(ticks)-1], peak*1.08), f.bottom, f.top}
	drawBackdrop(s, tl, f)
	for _, t := range ticks {
		s.line(f.left, y.at(t), f.right, y.at(t), style{class: "grid"})
		s.text(f.left-6, y.at(t)+4, style{class: "ytick"}, formatTick(t))
	}
	s.text(f.left-6, f.top-1, style{class: "ytick"}, "ops/s")
	for o := len(counts) - 1; o >= 0; o-- {
		pts := make([]float64, 0, 2*len(counts[o]))
		for i, v := range counts[o] {
			mid := min((int64(i)*bucket)+bucket/2, tl.end)
			pts = append(pts, f.x.at(float64(mid)), y.at(v))
		}
		s.polyline(pts, style{class: "tp-" + slotNames[o], title: slotNames[o] + " ops per second (" + strconv.FormatFloat(float64(bucket)/1e9, 'g', -1, 64) + " s buckets)"})
	}
	return s.done()
}
