package reports

import (
	"html/template"
	"math"
	"slices"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/workloads"
)

// Latency quantiles in the manner of Jepsen's latency-quantiles plot: the 50th, 95th and
// 99th percentile latency of acknowledged operations, over the whole run and per window of
// invocation time.

// quantilePermille are the quantiles, in thousandths; quantileNames name them.
var (
	quantilePermille = [3]int{500, 950, 990}
	quantileNames    = [3]string{"p50", "p95", "p99"}
)

// Quantile windows.
const (
	quantileWindowsAbout = 50         // windows across a run
	quantileWindowMin    = int64(1e7) // 10 ms
)

// LatencyQuantiles returns the 50th, 95th and 99th percentile latency (Return - Call), in
// milliseconds of simulated time, of the run's operations that completed ok, by the
// nearest-rank method: the smallest latency that at least that fraction of the operations
// does not exceed. All three are 0 when no operation completed ok.
func LatencyQuantiles(res *cluster.Result) (p50, p95, p99 float64) {
	q := quantilesOf(okLatencies(res))
	return q[0], q[1], q[2]
}

// okLatencies returns the latencies (ns) of the run's operations that completed ok.
func okLatencies(res *cluster.Result) []int64 {
	var lat []int64
	for _, h := range res.History {
		if h.Outcome == workloads.OutcomeOK && h.Return >= h.Call {
			lat = append(lat, h.Return-h.Call)
		}
	}
	return lat
}

// quantilesOf sorts lat (ns) and returns its quantiles in ms; zeros when it is empty.
func quantilesOf(lat []int64) (q [3]float64) {
	if len(lat) == 0 {
		return q
	}
	slices.Sort(lat)
	for i, pm := range quantilePermille {
		rank := (pm*len(lat) + 999) / 1000 // ceil(pm/1000 × n), 1-based
		q[i] = float64(lat[max(rank, 1)-1]) / 1e6
	}
	return q
}

// quantilesText is the run's "p50 / p95 / p99" of ok operations, "" if there are none.
func quantilesText(res *cluster.Result) string {
	lat := okLatencies(res)
	if len(lat) == 0 {
		return ""
	}
	q := quantilesOf(lat)
	return fmtLatency(int64(q[0]*1e6)) + " / " + fmtLatency(int64(q[1]*1e6)) + " / " + fmtLatency(int64(q[2]*1e6))
}

// quantileWindow is one window of invocation time with the quantiles of the latencies of
// the ok operations invoked in it.
type quantileWindow struct {
	from, to int64
	n        int
	q        [3]float64 // ms
}

// quantileWindows splits [0, end] into about quantileWindowsAbout windows of a round width
// and computes each window's quantiles.
func quantileWindows(history []op, end int64) []quantileWindow {
	width := max(int64(niceStep(float64(max(end, 1))/quantileWindowsAbout)), quantileWindowMin)
	lat := make([][]int64, end/width+1)
	for _, h := range history {
		if h.outcome == outcomeOK && h.answered() && h.call >= 0 {
			w := min(int(h.call/width), len(lat)-1)
			lat[w] = append(lat[w], h.ret-h.call)
		}
	}
	out := make([]quantileWindow, len(lat))
	for i, l := range lat {
		from := int64(i) * width
		out[i] = quantileWindow{from: from, to: min(from+width, end), n: len(l), q: quantilesOf(l)}
	}
	return out
}

// drawQuantiles plots the latency quantiles of ok operations per window of invocation
// time, on a log scale; a window without ok operations breaks the lines.
func drawQuantiles(tl *timeline, history []op) template.HTML {
	f := newPlotFrame(tl.end)
	s := newSVG(f.width, f.total, "perf quantiles")
	var ok []op
	for _, h := range history {
		if h.outcome == outcomeOK {
			ok = append(ok, h)
		}
	}
	e0, e1 := latencyRange(ok)
	y := newLogScale(e0, e1, f.bottom, f.top)
	drawBackdrop(s, tl, f)
	drawLogAxis(s, f, y, e0, e1)
	wins := quantileWindows(history, tl.end)
	for i := len(quantileNames) - 1; i >= 0; i-- {
		drawQuantileLine(s, f, y, wins, i)
	}
	return s.done()
}

// drawLogAxis draws a decade grid line and label for each power of ten in [e0, e1] ms.
func drawLogAxis(s *svgDoc, f plotFrame, y logScale, e0, e1 int) {
	for e := e0; e <= e1; e++ {
		ms := math.Pow(10, float64(e))
		py := y.at(ms)
		s.line(f.left, py, f.right, py, style{class: "grid"})
		s.text(f.left-6, py+4, style{class: "ytick"}, fmtLatency(int64(ms*1e6)))
	}
}

// drawQuantileLine draws quantile i across the windows that have ok operations.
func drawQuantileLine(s *svgDoc, f plotFrame, y logScale, wins []quantileWindow, i int) {
	cls := "q-" + quantileNames[i]
	var pts []float64
	flush := func() {
		if len(pts) >= 4 {
			s.polyline(pts, style{class: cls})
		}
		pts = pts[:0]
	}
	for _, w := range wins {
		if w.n == 0 {
			flush()
			continue
		}
		px, py := f.x.at(float64(w.from+w.to)/2), y.at(w.q[i])
		pts = append(pts, px, py)
		title := quantileNames[i] + " of ops invoked " + fmtSeconds(w.from) + " – " + fmtSeconds(w.to) + ": " +
			fmtLatency(int64(w.q[i]*1e6)) + " (" + plural(w.n, "op") + ")"
		s.circle(px, py, 2, style{class: "qpt " + cls, title: title})
	}
	flush()
}
