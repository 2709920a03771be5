package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/anishathalye/porcupine"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/cluster"
)

// Bounds on what one report shows in full.
const (
	historyRowsMax = 200  // ops in the history table
	traceLinesMax  = 2000 // lines of a recorded trace
)

// runPage is what the run template renders.
type runPage struct {
	Title        string
	Failed       bool
	Kinds        []string
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
	Lin          string
	LinDetail    string
	Porcupine    string // Porcupine's visualisation page, for an iframe's srcdoc
	PorcupineErr string
	Latency      template.HTML
	Throughput   template.HTML
	Schedule     string
	History      []historyRow
	HistoryTotal int
	OpsDrawn     int // client operations drawn in the timeline and the latency plot
	Trace        []string
	TraceTotal   int
}

// configRow is one field of a config, in the config's JSON form.
type configRow struct {
	Name, Value string
	Changed     bool // differs from cluster.DefaultConfig()
}

type statRow struct{ Name, Value string }

type violationRow struct {
	N                  int
	ID                 string // the timeline marker's id
	Kind, Time, Detail string
	Nodes              string
}

type historyRow struct {
	N                         int
	Client                    int
	Op, Call, Return, Latency string
	Outcome, Reply            string
}

// WriteHTML writes one self-contained HTML report of a run: verdict, config, stats and replay
// command; the violations, linked to their marks on a timeline of node roles, node lives,
// faults and client operations; Porcupine's visualisation of an illegal history; latency and
// throughput plots with the faults behind them; the schedule and the start of the history.
// The page loads nothing from anywhere: styles, SVG and its few lines of script are inline.
func WriteHTML(w io.Writer, res *cluster.Result, reproFile string) error {
	tl, ops := buildTimeline(res), opsOf(res)
	p := runPage{
		Failed: res.Failed(), Kinds: res.Kinds(), Seed: res.Seed, TraceHash: traceHash(res),
		Replay: ReplayCommand(res, reproFile), Mutants: res.Config.Mutants,
		Engine: strings.TrimSpace(res.Config.Engine + " " + res.EngineVersion), Notes: res.Notes,
		Config: configRows(res.Config), Stats: statRows(res),
		Timeline: drawTimeline(tl, ops),
		Lin:      res.Linearizable.String(), LinDetail: res.LinDetail,
		Latency: drawLatency(tl, ops), Throughput: drawThroughput(tl, ops),
		Schedule: res.Schedule.String(), HistoryTotal: len(res.History), OpsDrawn: min(len(res.History), maxOpsDrawn),
		TraceTotal: len(res.Trace),
	}
	p.Title = fmt.Sprintf("raftcheck seed %d: %s", res.Seed, verdict(res))
	for i, v := range res.Violations {
		p.Violations = append(p.Violations, violationRow{
			N: i + 1, ID: violationID(i), Kind: v.Kind, Time: fmtSeconds(v.Time),
			Nodes: nodesText(v.Nodes), Detail: v.Detail,
		})
	}
	p.Porcupine, p.PorcupineErr = porcupinePage(res)
	p.History = historyRows(ops)
	p.Trace = res.Trace[:min(len(res.Trace), traceLinesMax)]
	var b bytes.Buffer
	b.Grow(64<<10 + 300*min(len(res.History), maxOpsDrawn) + len(p.Porcupine)*6/5)
	if err := pageTemplates.ExecuteTemplate(&b, "run", p); err != nil {
		return fmt.Errorf("reports: run page: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// porcupinePage renders Porcupine's visualisation of an illegal history, or says why there
// is none.
func porcupinePage(res *cluster.Result) (page, problem string) {
	if res.Lin.Outcome != checker.Illegal {
		return "", ""
	}
	if !res.Lin.HasInfo {
		return "", "Porcupine kept no record of its search for this history (the verbose re-check did not finish)."
	}
	model, err := res.Model()
	if err != nil {
		return "", fmt.Sprintf("no Porcupine model for workload %q: %v", res.Config.Workload, err)
	}
	var b bytes.Buffer
	if err := porcupine.Visualize(model, res.Lin.Info, &b); err != nil {
		return "", "Porcupine could not render its visualisation: " + err.Error()
	}
	return b.String(), ""
}

// configRows lists cfg's fields in the order and with the names of its JSON form.
func configRows(cfg cluster.Config) []configRow {
	def := map[string]string{}
	for _, r := range jsonFields(cluster.DefaultConfig()) {
		def[r.Name] = r.Value
	}
	rows := jsonFields(cfg)
	for i := range rows {
		rows[i].Changed = rows[i].Value != def[rows[i].Name]
	}
	return rows
}

// configRowsMax bounds the rows of a config table.
const configRowsMax = 200

// jsonFields flattens a JSON object into rows, keeping the field order. A nested object's
// fields are named "outer.inner"; strings lose their quotes and lists of strings are joined.
func jsonFields(v any) []configRow {
	data, err := json.Marshal(v)
	if err != nil {
		return []configRow{{Name: "error", Value: err.Error()}}
	}
	type level struct {
		dec    *json.Decoder
		prefix string
	}
	open := func(b []byte, prefix string) (level, bool) {
		d := json.NewDecoder(bytes.NewReader(b))
		t, err := d.Token()
		return level{d, prefix}, err == nil && t == json.Delim('{')
	}
	top, ok := open(data, "")
	if !ok {
		return nil
	}
	var rows []configRow
	for stack := []level{top}; len(stack) > 0 && len(rows) < configRowsMax; {
		l := stack[len(stack)-1]
		key, err := l.dec.Token()
		var val json.RawMessage
		if err != nil || key == json.Delim('}') || l.dec.Decode(&val) != nil {
			stack = stack[:len(stack)-1] // this object is done (or broken)
			continue
		}
		name := l.prefix + fmt.Sprint(key)
		if inner, ok := open(val, name+"."); ok {
			stack = append(stack, inner)
			continue
		}
		rows = append(rows, configRow{Name: name, Value: jsonText(val)})
	}
	return rows
}

// jsonText renders a JSON value for a person: a string without quotes, a list of strings
// joined with commas, anything else as it is.
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil && list != nil {
		return strings.Join(list, ", ")
	}
	return string(raw)
}

func statRows(res *cluster.Result) []statRow {
	s := res.Stats
	leader := "none"
	if s.LeaderAfterHeal >= 0 {
		leader = fmtSeconds(s.LeaderAfterHeal)
	}
	return []statRow{
		{"ops ok", strconv.Itoa(s.OpsOK)},
		{"ops failed", strconv.Itoa(s.OpsFailed)},
		{"ops indeterminate", strconv.Itoa(s.OpsIndeterminate)},
		{"faults applied", strconv.Itoa(s.FaultsApplied)},
		{"faults skipped", strconv.Itoa(s.FaultsSkipped)},
		{"elections", strconv.Itoa(s.Elections)},
		{"messages sent", strconv.FormatUint(s.Messages, 10)},
		{"delivered", strconv.FormatUint(s.Delivered, 10)},
		{"dropped", strconv.FormatUint(s.Dropped, 10)},
		{"events", strconv.FormatUint(s.Events, 10)},
		{"simulated", strconv.FormatFloat(s.SimSeconds, 'f', 2, 64) + " s"},
		{"wall", strconv.FormatFloat(s.WallSeconds, 'f', 3, 64) + " s"},
		{"heal at", fmtSeconds(s.HealedAt)},
		{"leader after heal", leader},
	}
}

func historyRows(history []op) []historyRow {
	rows := make([]historyRow, 0, min(len(history), historyRowsMax))
	for i, h := range history[:min(len(history), historyRowsMax)] {
		r := historyRow{
			N: i, Client: h.client, Op: h.desc, Call: fmtSeconds(h.call), Reply: h.reply,
			Return: fmtSeconds(h.ret), Latency: fmtLatency(h.ret - h.call), Outcome: h.outcome,
		}
		if h.outcome != outcomeOK {
			r.Return = h.returnVerb() + " " + r.Return
		}
		rows = append(rows, r)
	}
	return rows
}
