package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

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

// checkOutputs checks, before a command runs, that --out (and --history, if given) can take
// the files it will write.
func checkOutputs(o outputFlags) error {
	if err := checkWritableDir("--out", o.out, o.out); err != nil {
		return err
	}
	return checkHistoryFile(o.history)
}

// checkWritableDir checks, before a command runs, that dir can take the files it will write:
// dir is a directory that accepts a new file or, when it does not exist yet, the nearest
// directory above it that exists does (the command creates the rest). An error names the
// flag and its value.
func checkWritableDir(flagName, value, dir string) error {
	probe := dir
	for {
		fi, err := os.Stat(probe)
		if err == nil {
			if fi.IsDir() {
				break
			}
			if probe == value {
				return usageErr("%s %s: not a directory", flagName, value)
			}
			return usageErr("%s %s: %s is a file, not a directory", flagName, value, probe)
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) { // ENOTDIR: a file on the way
			return usageErr("%s %s: %v", flagName, value, err)
		}
		parent := filepath.Dir(probe)
		if parent == probe {
			return usageErr("%s %s: %v", flagName, value, err)
		}
		probe = parent
	}
	f, err := os.CreateTemp(probe, ".raftcheck-probe-*")
	if err != nil {
		return usageErr("%s %s: cannot write in %s: %v", flagName, value, probe, unwrapPath(err))
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

// unwrapPath drops the path an *fs.PathError repeats (the message names it already).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
