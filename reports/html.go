package reports

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/cluster"
)

// traceLinesMax bounds the lines of a recorded trace a report shows.
const traceLinesMax = 2000

// runPage is what the run template renders.
type runPage struct {
	Title        string
	Failed       bool
	Kinds        []kindBadge
	Seed         uint64
	TraceHash    string
	Replay       string
	Mutants      []string
	Engine       string   // name and version
	Notes        []string // how the checks followed the engine's declared semantics
	Config       []configRow
	Stats        []statRow
	Violations   []violationRow
	Timeline     timelineSVG
	States       statesSection
	Lin          string
	LinDetail    string
	Porcupine    string // Porcupine's visualisation page, for an iframe's srcdoc
	PorcupineErr string
	PorcupineOn  string // which partition and operation the visualisation opens on
	Latency      template.HTML
	Quantiles    template.HTML
	LatencyQ     string // the run's p50 / p95 / p99 of ok operations
	Throughput   template.HTML
	Schedule     string
	History      historySections
	OpsDrawn     int // client operations drawn in the timeline and the latency plot
	Trace        []string
	TraceTotal   int
}

type statRow struct{ Name, Value string }

// kindBadge is one violation kind in the page's header: in the order the kinds were first
// seen, linked to the first violation of the kind.
type kindBadge struct {
	Kind  string
	Count int
	ID    string
}

type violationRow struct {
	N                  int
	ID                 string // the timeline marker's id
	Kind, Time, Detail string
	Nodes              string
}

// WriteHTML writes one self-contained HTML report of a run: verdict, config, stats and replay
// command; the violations, linked to their marks on a timeline of node roles, votes, node
// lives, faults and client operations; each node's Raft state around the violations;
// Porcupine's visualisation of an illegal history, opened on its first failing partition;
// latency, latency-quantile and throughput plots with the faults behind them; the schedule;
// the operations near the violations and in the failing partition, and the whole history.
// The page loads nothing from anywhere: styles, SVG and its few lines of script are inline.
func WriteHTML(w io.Writer, res *cluster.Result, reproFile string) error {
	tl, ops := buildTimeline(res), opsOf(res)
	p := runPage{
		Failed: res.Failed(), Kinds: kindBadges(res), Seed: res.Seed, TraceHash: traceHash(res),
		Replay: ReplayCommand(res, reproFile), Mutants: res.Config.Mutants,
		Engine: strings.TrimSpace(res.Config.Engine + " " + res.EngineVersion), Notes: res.Notes,
		Config: configRows(res.Config), Stats: statRows(res),
		Timeline: drawTimeline(tl, ops), States: buildStates(res, tl),
		Lin: res.Linearizable.String(), LinDetail: readable(res.LinDetail),
		Latency: drawLatency(tl, ops), Quantiles: drawQuantiles(tl, ops), LatencyQ: quantilesText(res), Throughput: drawThroughput(tl, ops),
		Schedule: scheduleText(res.Schedule), History: buildHistorySections(res, ops),
		OpsDrawn: min(len(res.History), maxOpsDrawn), TraceTotal: len(res.Trace),
	}
	p.Title = fmt.Sprintf("raftcheck seed %d: %s", res.Seed, verdict(res))
	for i, v := range res.Violations {
		p.Violations = append(p.Violations, violationRow{
			N: i + 1, ID: violationID(i), Kind: v.Kind, Time: fmtSeconds(v.Time),
			Nodes: nodesText(v.Nodes), Detail: readable(v.Detail),
		})
	}
	p.Porcupine, p.PorcupineErr = porcupinePage(res)
	p.PorcupineOn = porcupineOpensOn(res)
	p.Trace = res.Trace[:min(len(res.Trace), traceLinesMax)]
	var b bytes.Buffer
	b.Grow(64<<10 + 600*min(len(res.History), maxOpsDrawn) + len(p.Porcupine)*6/5)
	if err := pageTemplates.ExecuteTemplate(&b, "run", p); err != nil {
		return fmt.Errorf("reports: run page: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// kindBadges lists the run's violation kinds in the order of their first violation (by
// time, then as reported), each with its count.
func kindBadges(res *cluster.Result) []kindBadge {
	var out []kindBadge
	at := map[string]int{} // kind → index in out; lookups only
	for _, i := range violationsByTime(res) {
		v := res.Violations[i]
		if j, ok := at[v.Kind]; ok {
			out[j].Count++
			continue
		}
		at[v.Kind] = len(out)
		out = append(out, kindBadge{Kind: v.Kind, Count: 1, ID: violationID(i)})
	}
	return out
}

// violationsByTime returns the indexes of res.Violations by time, in reported order among
// equal times.
func violationsByTime(res *cluster.Result) []int {
	idx := make([]int, len(res.Violations))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(res.Violations[a].Time, res.Violations[b].Time) })
	return idx
}

// unansweredDuration is how a Go duration prints a return time of "never" (math.MaxInt64).
var unansweredDuration = time.Duration(math.MaxInt64).String()

// readable makes a checker's text readable where it printed an unanswered operation's
// return time as a duration of 292 years.
func readable(detail string) string {
	return strings.ReplaceAll(detail, unansweredDuration, neverAnswered)
}

func statRows(res *cluster.Result) []statRow {
	s := res.Stats
	leader := "none"
	if s.LeaderAfterHeal >= 0 {
		leader = fmtSeconds(s.LeaderAfterHeal)
	}
	rows := []statRow{
		{"ops ok", strconv.Itoa(s.OpsOK)},
		{"ops failed", strconv.Itoa(s.OpsFailed)},
		{"ops indeterminate", strconv.Itoa(s.OpsIndeterminate)},
		{"latency p50 / p95 / p99", cmp.Or(quantilesText(res), "-")},
		{"faults applied", strconv.Itoa(s.FaultsApplied)},
		{"faults skipped", strconv.Itoa(s.FaultsSkipped)},
		{"elections", strconv.Itoa(s.Elections)},
		{"messages sent", strconv.FormatUint(s.Messages, 10)},
		{"delivered", strconv.FormatUint(s.Delivered, 10)},
		{"dropped", strconv.FormatUint(s.Dropped, 10)},
		{"events", strconv.FormatUint(s.Events, 10)},
		{"simulated", strconv.FormatFloat(s.SimSeconds, 'f', 2, 64) + " s"},
	}
	if s.WallSeconds > 0 { // a replayed or shrunk run records no wall time
		rows = append(rows, statRow{"wall", strconv.FormatFloat(s.WallSeconds, 'f', 3, 64) + " s"})
	}
	return append(rows, statRow{"heal at", fmtSeconds(s.HealedAt)}, statRow{"leader after heal", leader})
}
