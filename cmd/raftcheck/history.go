package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/reports"
)

// historyFormats are the formats of --history by file extension.
var historyFormats = map[string]struct {
	name  string
	write func(w io.Writer, workload string, res *cluster.Result) error
}{
	".jsonl": {"JSON lines", func(w io.Writer, wl string, res *cluster.Result) error {
		return reports.WriteHistoryJSON(w, wl, res.History)
	}},
	".json": {"JSON lines", func(w io.Writer, wl string, res *cluster.Result) error {
		return reports.WriteHistoryJSON(w, wl, res.History)
	}},
	".edn": {"Jepsen EDN", func(w io.Writer, wl string, res *cluster.Result) error {
		return reports.WriteHistoryEDN(w, wl, res.History)
	}},
}

// checkHistoryFile checks --history before a run: a known extension, and a place that can
// take the file.
func checkHistoryFile(path string) error {
	if path == "" {
		return nil
	}
	if _, ok := historyFormats[strings.ToLower(filepath.Ext(path))]; !ok {
		return usageErr("--history %s: want a file ending in .jsonl or .json (JSON lines) or .edn (Jepsen EDN)", path)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usageErr("--history %s: a directory, not a file", path)
	}
	return checkWritableDir("--history", path, filepath.Dir(path))
}

// writeHistory writes res's client history to path in the format its extension names, and
// returns a line that says so.
func writeHistory(path string, res *cluster.Result) (string, error) {
	f := historyFormats[strings.ToLower(filepath.Ext(path))]
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if _, err := writeFile(dir, name, func(w io.Writer) error { return f.write(w, res.Config.Workload, res) }); err != nil {
		return "", err
	}
	return fmt.Sprintf("history: %s (%d operations, %s)", path, len(res.History), f.name), nil
}
