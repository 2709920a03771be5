package reports

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/cluster"
)

// The history tables: the operations near each violation and those of the partitions
// Porcupine could not linearize come first; the whole history follows, collapsed.

// Bounds on the history tables.
const (
	historyNear     = int64(1e9) // an op is near a violation if it was in flight within 1 s of it
	historyFocusMax = 500        // rows of the near and partition tables
	historyRowsMax  = 20000      // rows of the whole history
	partitionsShown = 3          // failing partitions listed
)

type historyRow struct {
	N                         int
	Client                    int
	Op, Call, Return, Latency string
	Outcome, Reply            string
	Note                      string // why the row is in a focused table
	Mark                      bool   // highlighted: an op Porcupine could not linearize
}

// historyTable is one table of operations.
type historyTable struct {
	ID, Title, Note string
	Rows            []historyRow
	Total           int // rows before the bound
}

// historySections are the history tables of a report.
type historySections struct {
	Near       historyTable   // operations in flight near a violation
	Partitions []historyTable // operations of each failing Porcupine partition
	All        historyTable   // every operation
}

func buildHistorySections(res *cluster.Result, ops []op) historySections {
	s := historySections{Near: nearViolations(res, ops)}
	for i, p := range failedPartitions(res) {
		if i == partitionsShown {
			break
		}
		s.Partitions = append(s.Partitions, partitionTable(p, ops))
	}
	s.All = historyTable{ID: "history-all", Total: len(ops)}
	for i := range ops[:min(len(ops), historyRowsMax)] {
		s.All.Rows = append(s.All.Rows, historyRowOf(i, ops[i]))
	}
	return s
}

func historyRowOf(i int, h op) historyRow {
	return historyRow{
		N: i, Client: h.client, Op: h.desc, Call: fmtSeconds(h.call), Reply: h.reply,
		Return: h.returnText(), Latency: h.latencyText(), Outcome: h.outcome,
	}
}

// nearViolations lists the operations in flight within historyNear of a violation (the
// linearizability verdict, found at the end over the whole history, excepted), with the
// violations each was near.
func nearViolations(res *cluster.Result, ops []op) historyTable {
	t := historyTable{ID: "history-near",
		Note: "Operations in flight within 1 s of a violation; the last column names the violations (numbered as in the table above)."}
	order := violationsByTime(res)
	for i, h := range ops {
		var near []string
		for _, v := range order {
			at := res.Violations[v].Time
			if res.Violations[v].Kind != checker.KindLinearizability && h.call <= at+historyNear && h.end() >= at-historyNear {
				near = append(near, "#"+strconv.Itoa(v+1))
			}
		}
		if len(near) == 0 {
			continue
		}
		t.Total++
		if len(t.Rows) < historyFocusMax {
			r := historyRowOf(i, h)
			r.Note = shortList(near, 6)
			t.Rows = append(t.Rows, r)
		}
	}
	t.Title = "Operations near the violations: " + plural(t.Total, "operation")
	return t
}

// partitionTable lists the operations of a failing partition, highlighting those missing
// from its longest partial linearization.
func partitionTable(p linPartition, ops []op) historyTable {
	t := historyTable{
		ID:    "history-partition-" + strconv.Itoa(p.index),
		Title: fmt.Sprintf("Porcupine partition %d (key %q): %d operations, %d not linearized", p.index, p.key, len(p.ops), len(p.left)),
		Note:  "Highlighted: operations missing from the longest partial linearization Porcupine found.",
		Total: len(p.ops),
	}
	left := make([]bool, len(p.ops))
	for _, l := range p.left {
		left[l] = true
	}
	for local, i := range p.ops[:min(len(p.ops), historyFocusMax)] {
		if i < 0 || i >= len(ops) {
			continue
		}
		r := historyRowOf(i, ops[i])
		if left[local] {
			r.Mark, r.Note = true, "not linearized"
		}
		t.Rows = append(t.Rows, r)
	}
	slices.SortStableFunc(t.Rows, func(a, b historyRow) int { return a.N - b.N })
	return t
}

// shortList joins items, eliding all but the first n.
func shortList(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, " ")
	}
	return strings.Join(items[:n], " ") + fmt.Sprintf(" … (%d)", len(items))
}
