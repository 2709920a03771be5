package reports

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/raftcheck/raftcheck/cluster"
)

// SweepRun is one failing seed of a sweep, as its summary page lists it.
type SweepRun struct {
	Seed    uint64
	Kinds   []string // its violation kinds, sorted
	Report  string   // relative link to its HTML report, "" if none was written
	Summary string   // one line, e.g. cluster.Result.Summary()
}

// SweepSummary is what a sweep found, for its summary page.
type SweepSummary struct {
	Seeds          int            // seeds run
	Failed         int            // seeds with at least one violation
	Violations     map[string]int // failing seeds per violation kind
	SeedsPerSecond float64
	Speedup        float64 // the caller's speed-up figure (e.g. simulated over wall time), shown as "N×"
	WallSeconds    float64
	Config         cluster.Config
	Failing        []SweepRun
	Coverage       *SweepCoverage // nil when the sweep did not measure coverage
}

// sweepPage is what the sweep template renders.
type sweepPage struct {
	Title    string
	Stats    []statRow
	Kinds    []kindCount
	Config   []configRow
	Mutants  []string
	Failing  []SweepRun
	Failed   int
	Seeds    int
	Replayer string
	Coverage *coveragePlot
}

type kindCount struct {
	Kind  string
	Count int
	Share string
}

// WriteSweepHTML writes the summary page of a sweep: seeds run and failed, failing seeds by
// violation kind, seeds per second, speed-up over real time, the config, and the failing
// seeds with links to their reports.
func WriteSweepHTML(w io.Writer, s SweepSummary) error {
	p := sweepPage{
		Config: configRows(s.Config), Mutants: s.Config.Mutants, Failing: s.Failing,
		Failed: s.Failed, Seeds: s.Seeds, Kinds: kindCounts(s.Violations, s.Seeds),
		Replayer: ReplayPrefix() + " replay --seed N", Coverage: newCoveragePlot(s.Coverage),
	}
	p.Title = fmt.Sprintf("raftcheck sweep: %d of %d seeds failed", s.Failed, s.Seeds)
	p.Stats = []statRow{
		{"seeds", strconv.Itoa(s.Seeds)},
		{"failed", strconv.Itoa(s.Failed)},
		{"seeds per second", strconv.FormatFloat(s.SeedsPerSecond, 'f', 1, 64)},
		{"speed-up", strconv.FormatFloat(s.Speedup, 'f', 1, 64) + "×"},
		{"wall time", strconv.FormatFloat(s.WallSeconds, 'f', 1, 64) + " s"},
	}
	var b bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&b, "sweep", p); err != nil {
		return fmt.Errorf("reports: sweep page: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// kindCounts orders violation kinds by count, most frequent first, then by name.
func kindCounts(byKind map[string]int, seeds int) []kindCount {
	out := make([]kindCount, 0, len(byKind))
	for k, n := range byKind {
		share := "-"
		if seeds > 0 {
			share = strconv.FormatFloat(100*float64(n)/float64(seeds), 'f', 1, 64) + "%"
		}
		out = append(out, kindCount{k, n, share})
	}
	slices.SortFunc(out, func(a, b kindCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Kind, b.Kind))
	})
	return out
}

const sweepTemplate = `{{define "sweep"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title>{{template "css"}}</head><body>
<header class="card">
<h1>{{if .Failed}}<span class="badge fail">FAIL</span>{{else}}<span class="badge pass">PASS</span>{{end}}raftcheck sweep: {{.Failed}} of {{.Seeds}} seeds failed</h1>
{{if .Mutants}}<div class="meta">planted bugs: {{range .Mutants}}<span class="mutant">{{.}}</span>{{end}}</div>{{end}}
<dl class="kv" style="margin-top:8px">{{range .Stats}}<div><dt>{{.Name}}</dt><dd>{{.Value}}</dd></div>{{end}}</dl>
</header>
<div class="grid2">
<section class="card"><h2 style="margin-top:0">Violations by kind</h2>
{{if .Kinds}}<table class="t"><tr><th>kind</th><th>failing seeds</th><th>share of seeds</th></tr>
{{range .Kinds}}<tr><td>{{.Kind}}</td><td class="num">{{.Count}}</td><td class="num">{{.Share}}</td></tr>{{end}}</table>
{{else}}<p class="note">No violations.</p>{{end}}</section>
<section class="card"><h2 style="margin-top:0">Config</h2>{{template "config" .Config}}<p class="note">Highlighted values differ from the default config.</p></section>
</div>
{{if .Coverage}}{{template "coverage" .Coverage}}{{end}}
<h2>Failing seeds ({{len .Failing}})</h2>
{{if .Failing}}<table class="t"><tr><th>seed</th><th>kinds</th><th>report</th><th>summary</th></tr>
{{range .Failing}}<tr><td class="num">{{.Seed}}</td><td class="kinds">{{range .Kinds}}<span>{{.}}</span>{{end}}</td><td>{{if .Report}}<a href="{{.Report}}">report</a>{{else}}-{{end}}</td><td class="detail">{{.Summary}}</td></tr>
{{end}}</table>
<p class="note">Replay one with <code>{{.Replayer}}</code> and the flags of the sweep.</p>{{else}}<p class="note">No seed failed.</p>{{end}}
</body></html>{{end}}`
