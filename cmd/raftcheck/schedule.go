package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// A schedule in a file is checked against its config before the run: a fault naming a node
// the cluster does not start with, or starting at or after the end of the load phase, would
// be skipped without a word (cluster applies faults only to nodes that exist, and lifts every
// fault at the heal), so the run would not be the one the file describes.

// scheduleLine is one fault of a file's schedule as written, and the line of the file it is on.
type scheduleLine struct {
	text string
	line int
}

// checkFault reports what is wrong with fault f of a run of nodes nodes whose load phase lasts
// duration, or nil. A schedule names nodes by the ids of the initial cluster (a fault aimed at
// a node that was replaced strikes its replacement), so ids are 0..nodes-1.
func checkFault(f nemesis.Fault, nodes int, duration simnet.Duration) error {
	for _, n := range f.Nodes {
		if n >= nodes {
			return fmt.Errorf("node %d is not in the config's %d nodes (0 to %d: a schedule names the nodes the cluster starts with)",
				n, nodes, nodes-1)
		}
	}
	if f.At >= duration {
		return fmt.Errorf("it starts at %s, at or after the end of the run's load phase (duration %s), so it would never strike",
			f.At, duration)
	}
	return nil
}

// checkReproSchedule checks the schedule of a repro file against its config, naming the file,
// the line and the fault. It reads the file itself, leniently, so that it also explains a
// schedule the repro parser refuses (a node id beyond any cluster); it says nothing of what it
// cannot read (the parser does).
func checkReproSchedule(path string, data []byte) error {
	cfg, lines, ok := scanRepro(data)
	if !ok || cfg.Nodes < 3 || cfg.Nodes > 9 || cfg.Duration <= 0 {
		return nil
	}
	for _, l := range lines {
		f, _ := nemesis.ParseFault(l.text) // a fault that does not parse is the parser's to report
		if f.Kind == "" {
			continue
		}
		if err := checkFault(f, cfg.Nodes, cfg.Duration); err != nil {
			return usageErr("%s:%d: schedule line %q: %v", path, l.line, l.text, err)
		}
	}
	return nil
}

// checkRunSchedule checks the schedule of a run's JSON line (line of path).
func checkRunSchedule(path string, line int, sched nemesis.Schedule, nodes int, duration simnet.Duration) error {
	for _, f := range sched {
		if err := checkFault(f, nodes, duration); err != nil {
			return usageErr("%s:%d: schedule line %q: %v", path, line, f.String(), err)
		}
	}
	return nil
}

// scanRepro reads a repro file's config nodes and duration and its schedule lines with their
// line numbers; ok is false if the file is not a JSON object of that shape.
func scanRepro(data []byte) (cfg struct {
	Nodes    int             `json:"nodes"`
	Duration simnet.Duration `json:"duration"`
}, lines []scheduleLine, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return cfg, nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return cfg, nil, false
		}
		switch tok {
		case "config":
			if dec.Decode(&cfg) != nil {
				return cfg, nil, false
			}
		case "schedule":
			tok, err := dec.Token()
			if err != nil || tok == nil {
				continue // null: the schedule comes from the seed
			}
			if tok != json.Delim('[') {
				return cfg, nil, false
			}
			for dec.More() {
				var text string
				if dec.Decode(&text) != nil {
					return cfg, nil, false
				}
				// The offset is just past the string, which cannot span lines.
				lines = append(lines, scheduleLine{text, 1 + bytes.Count(data[:dec.InputOffset()], []byte("\n"))})
			}
			if _, err := dec.Token(); err != nil {
				return cfg, nil, false
			}
		default:
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return cfg, nil, false
			}
		}
	}
	return cfg, lines, true
}
