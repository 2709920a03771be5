package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/engine/builtin"
	"github.com/raftcheck/raftcheck/nemesis"
)

const listAbout = `
Lists what a config can name: the engines of --engine (with their module versions), the
planted bugs of --mutant (of the engine --engine names), the fault kinds of --nemesis
(besides "swarm", a random subset at random intensities per seed, and "none"), or the
workloads of --workload.`

// workloads are the values of --workload, with one line each.
var workloadHelp = []struct{ name, help string }{
	{"kv", "get/put/cas on a small keyspace of a replicated key-value store, checked for linearizability per key"},
	{"append", "appends of unique elements to per-key lists and reads of whole lists (Jepsen's list-append), checked per key"},
}

func cmdList(e *env, args []string) error {
	c := newCLI("list", "raftcheck list engines|mutants|nemeses|workloads [--engine NAME]", listAbout)
	name := c.fs.String("engine", builtin.Default, "the engine whose planted bugs list mutants shows")
	c.words = []string{"engines", "mutants", "nemeses", "workloads"}
	pos, err := c.parse(e, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want one of engines, mutants, nemeses, workloads (got %d arguments)", len(pos))
	}
	var rows [][2]string
	switch pos[0] {
	case "engines", "engine":
		for _, d := range builtin.List() {
			rows = append(rows, [2]string{d.Name, d.Version + "\t" + semantics(d.Semantics)})
		}
	case "mutants", "mutant":
		d, err := builtin.Lookup(*name)
		if err != nil {
			return usageErr("--engine %v", err)
		}
		for _, m := range cluster.Mutants(d) {
			rows = append(rows, [2]string{m.Name, m.Help})
		}
	case "nemeses", "nemesis", "faults":
		rows = append(rows, [2]string{"swarm", "each seed enables a random subset of the kinds below at random intensities"},
			[2]string{"none", "no faults"})
		for _, k := range nemesis.Kinds {
			rows = append(rows, [2]string{string(k.Kind), k.Help})
		}
	case "workloads", "workload":
		for _, w := range workloadHelp {
			rows = append(rows, [2]string{w.name, w.help})
		}
	default:
		return usageErr("unknown list %q: want engines, mutants, nemeses or workloads", pos[0])
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", r[0], strings.TrimSpace(r[1]))
	}
	if err := tw.Flush(); err != nil {
		return internalErr("writing the list: %v", err)
	}
	return nil
}

// semantics describes an engine's declared semantics in a few words.
func semantics(s engine.Semantics) string {
	conf, promote := "configurations take effect when appended", "promotes learners itself"
	if s.ConfOnApply {
		conf = "configurations take effect when applied"
	}
	if !s.PromotesLearners {
		promote = "the host promotes learners"
	}
	return conf + "; " + promote + "; " + s.MixedProtocol.String()
}
