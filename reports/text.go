package reports

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/raftcheck/raftcheck/cluster"
)

// WriteText writes the terminal summary of one run: the verdict, seed and trace hash, the
// config, the violations (kind, simulated time, nodes, detail), the linearizability verdict,
// the stats, the schedule, and the command that replays the run (from reproFile when it is
// not empty).
func WriteText(w io.Writer, res *cluster.Result, reproFile string) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s  seed %d  trace %s\n", verdict(res), res.Seed, traceHash(res))
	fmt.Fprintf(&b, "config: %s\n", res.Config)
	if res.EngineVersion != "" {
		fmt.Fprintf(&b, "engine: %s %s\n", res.Config.Engine, res.EngineVersion)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "checks: %s\n", n)
	}
	writeTextViolations(&b, res)
	fmt.Fprintf(&b, "linearizability: %s\n", res.Linearizable)
	if res.LinDetail != "" {
		writeIndented(&b, res.LinDetail)
	}
	s := res.Stats
	fmt.Fprintf(&b, "stats: %d ops ok, %d failed, %d indeterminate; %d faults applied, %d skipped; %d elections\n",
		s.OpsOK, s.OpsFailed, s.OpsIndeterminate, s.FaultsApplied, s.FaultsSkipped, s.Elections)
	fmt.Fprintf(&b, "       %d events, %d messages, %.1f simulated s", s.Events, s.Messages, s.SimSeconds)
	if s.WallSeconds > 0 { // a run given no wall clock (replayed, shrunk, in go test) has none
		fmt.Fprintf(&b, ", %.2f wall s", s.WallSeconds)
	}
	b.WriteString("\n")
	if len(res.Schedule) == 0 {
		b.WriteString("schedule: no faults\n")
	} else {
		fmt.Fprintf(&b, "schedule (%s):\n", plural(len(res.Schedule), "fault"))
		writeIndented(&b, res.Schedule.String())
	}
	fmt.Fprintf(&b, "replay: %s\n", ReplayCommand(res, reproFile))
	if reproFile == "" && res.ExplicitSchedule {
		b.WriteString("        (flags cannot give this run's schedule: replay it exactly from a repro file)\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// verdict is "PASS" or "FAIL [kinds...]".
func verdict(res *cluster.Result) string {
	if !res.Failed() {
		return "PASS"
	}
	return "FAIL [" + strings.Join(res.Kinds(), " ") + "]"
}

func writeTextViolations(b *bytes.Buffer, res *cluster.Result) {
	if len(res.Violations) == 0 {
		b.WriteString("violations: none\n")
		return
	}
	fmt.Fprintf(b, "violations (%d):\n", len(res.Violations))
	tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', 0)
	for _, v := range res.Violations {
		fmt.Fprintf(tw, "  %s\t%s\tnodes %s\t%s\n", v.Kind, fmtSeconds(v.Time), nodesText(v.Nodes), oneLine(v.Detail))
	}
	_ = tw.Flush() // writes to a bytes.Buffer cannot fail
}

func writeIndented(b *bytes.Buffer, text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		b.WriteString("  " + line + "\n")
	}
}

// plural renders "1 fault", "2 faults".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// nodesText renders a violation's nodes as "1,3", or "-" when there are none.
func nodesText(nodes []int) string {
	if len(nodes) == 0 {
		return "-"
	}
	return joinInts(nodes, ",")
}

// oneLine keeps a detail on one line of the terminal table.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// fmtSeconds renders simulated nanoseconds as seconds with millisecond precision: "7.254s".
func fmtSeconds(ns int64) string {
	return strconv.FormatFloat(float64(ns)/1e9, 'f', 3, 64) + "s"
}

// fmtLatency renders a span of simulated nanoseconds compactly: "850µs", "12.5ms", "1.25s".
func fmtLatency(ns int64) string {
	switch v := float64(ns); {
	case ns < 0:
		return "-"
	case ns < 1e6:
		return strconv.FormatFloat(round3(v/1e3), 'f', -1, 64) + "µs"
	case ns < 1e9:
		return strconv.FormatFloat(round3(v/1e6), 'f', -1, 64) + "ms"
	default:
		return strconv.FormatFloat(round3(v/1e9), 'f', -1, 64) + "s"
	}
}

// round3 rounds v to three significant digits.
func round3(v float64) float64 {
	p, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return p
}
