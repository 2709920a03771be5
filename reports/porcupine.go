package reports

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/anishathalye/porcupine"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/workloads"
)

// Porcupine's part of the report: which partitions (keys) of an illegal history failed, and
// its visualisation, opened on the first failing partition.

// linPartition is a partition of the history that Porcupine could not linearize.
type linPartition struct {
	index int    // Porcupine's partition index (the visualisation's data-partition)
	key   string // the key every operation of the partition touches
	ops   []int  // Result.History indexes of its operations, in partition order
	left  []int  // partition-local indexes missing from its longest partial linearization, by call
}

// failedPartitions finds the partitions Porcupine could not linearize, as the checker
// partitioned them: the history it checked (workloads.ForLinearizability) split by the
// workload model. Nil when the history is not illegal or the partitions do not match
// Porcupine's record.
func failedPartitions(res *cluster.Result) []linPartition {
	if res.Lin.Outcome != checker.Illegal || !res.Lin.HasInfo {
		return nil
	}
	model, err := res.Model()
	if err != nil || model.Partition == nil {
		return nil
	}
	ops, err := workloads.Operations(workloads.ForLinearizability(res.History))
	if err != nil {
		return nil
	}
	parts, partials := model.Partition(ops), res.Lin.Info.PartialLinearizations()
	if len(parts) != len(partials) {
		return nil
	}
	index := historyIndex(res.History)
	var out []linPartition
	for p, part := range parts {
		best := longestPartial(partials[p])
		if len(best) >= len(part) {
			continue
		}
		lp := linPartition{index: p, key: partitionKey(part), left: checker.LeftOut(part, best)}
		for _, o := range part {
			i, ok := index[opKey{o.ClientId, o.Call}]
			if !ok {
				i = -1 // cannot happen: every checked op comes from the history
			}
			lp.ops = append(lp.ops, i)
		}
		out = append(out, lp)
	}
	return out
}

// opKey identifies an operation of a history: a client has one operation in flight at a time.
type opKey struct {
	client int
	call   int64
}

func historyIndex(history []workloads.HistoryOp) map[opKey]int {
	index := make(map[opKey]int, len(history)) // lookups only
	for i, h := range history {
		index[opKey{h.Client, h.Call}] = i
	}
	return index
}

func partitionKey(part []porcupine.Operation) string {
	if op, ok := part[0].Input.(workloads.Op); ok {
		return op.Key
	}
	return ""
}

// longestPartial picks the longest partial linearization, the lexicographically smallest
// among equals (as the checker does), so that the choice does not depend on map order.
func longestPartial(partials [][]int) []int {
	var best []int
	for _, p := range partials {
		if len(p) > len(best) || (len(p) == len(best) && slices.Compare(p, best) < 0) {
			best = p
		}
	}
	return best
}

// porcupinePick is the operation the visualisation selects when it opens.
type porcupinePick struct{ partition, index int }

func (p porcupinePick) String() string {
	return strconv.Itoa(p.partition) + ":" + strconv.Itoa(p.index)
}

// porcupineSelection picks the earliest operation that the first failing partition could
// not linearize.
func porcupineSelection(res *cluster.Result) (porcupinePick, bool) {
	parts := failedPartitions(res)
	if len(parts) == 0 || len(parts[0].left) == 0 {
		return porcupinePick{}, false
	}
	return porcupinePick{parts[0].index, parts[0].left[0]}, true
}

// porcupinePage renders Porcupine's visualisation of an illegal history, opened on its first
// failing partition, or says why there is none.
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
	page = strings.ReplaceAll(b.String(), `"OriginalEnd":"`+strconv.FormatInt(math.MaxInt64, 10)+`"`, `"OriginalEnd":"`+neverAnswered+`"`)
	if pick, ok := porcupineSelection(res); ok {
		page = selectInPorcupine(page, pick)
	}
	return page, ""
}

// selectInPorcupine adds a script to Porcupine's page that, once it has drawn, points at and
// clicks the picked operation as a person would: Porcupine then shows that partition alone,
// with the partial linearization the operation could not extend, and its tooltip. The frame scrolls
// itself (not the report) to the operation. The body's data-raftcheck-selected says what was
// selected.
func selectInPorcupine(page string, pick porcupinePick) string {
	script := `<script>(function(){var t=document.querySelector('rect.target-rect[data-partition="` + strconv.Itoa(pick.partition) +
		`"][data-index="` + strconv.Itoa(pick.index) + `"]');if(!t)return;var r=t.getBoundingClientRect();` +
		`var at={bubbles:true,clientX:r.left+Math.min(r.width/2,40),clientY:r.bottom};` +
		`["mouseover","mousemove","click"].forEach(function(k){t.dispatchEvent(new MouseEvent(k,at))});` +
		`scrollTo(Math.max(0,r.left+scrollX-innerWidth/3),0);document.body.setAttribute("data-raftcheck-selected","` + pick.String() + `")})()</script>`
	i := strings.LastIndex(page, "</body>")
	if i < 0 {
		return page + script
	}
	return page[:i] + script + page[i:]
}

// porcupineOpensOn says which partition the visualisation opens on, for the page.
func porcupineOpensOn(res *cluster.Result) string {
	parts := failedPartitions(res)
	if len(parts) == 0 || len(parts[0].left) == 0 {
		return ""
	}
	p := parts[0]
	s := fmt.Sprintf("It opens on partition %d (key %q, %d operations, %d not linearized), the first that failed, with its earliest operation that could not be linearized selected",
		p.index, p.key, len(p.ops), len(p.left))
	if len(parts) > 1 {
		s += fmt.Sprintf("; %d partitions failed", len(parts))
	}
	return s + ". Click the background to see every partition."
}
