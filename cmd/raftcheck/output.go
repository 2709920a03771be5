package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/reports"
)

// runFiles are the files written for one failing run.
type runFiles struct {
	repro string // the repro file; "" when the run came from a file, which stays its repro
	html  string
}

// side is where a command's notes go: stdout beside text output, stderr beside JSON (which
// keeps stdout machine-readable).
func (e *env) side(asJSON bool) io.Writer {
	if asJSON {
		return e.stderr
	}
	return e.stdout
}

// print lists the files written, on stdout for text output and on stderr beside JSON.
func (f runFiles) print(e *env, asJSON bool) {
	w := e.side(asJSON)
	if f.repro != "" {
		fmt.Fprintf(w, "repro file: %s\n", f.repro)
	}
	if f.html != "" {
		fmt.Fprintf(w, "report: %s\n", f.html)
	}
}

// writeRunFiles writes base.json (the repro, explicit schedule) and base.html (the report)
// into dir. When fromFile is set the run was replayed from it: no new repro is written and the
// report's replay command names fromFile.
func writeRunFiles(dir, base string, res *cluster.Result, fromFile string) (runFiles, error) {
	var f runFiles
	reproFile := fromFile
	if fromFile == "" {
		var err error
		if f.repro, err = writeRepro(dir, base+".json", cluster.NewRepro(res, true)); err != nil {
			return runFiles{}, err
		}
		reproFile = f.repro
	}
	html, err := writeFile(dir, base+".html", func(w io.Writer) error { return reports.WriteHTML(w, res, reproFile) })
	if err != nil {
		return f, err // the repro file, if written, still replays the run
	}
	f.html = html
	return f, nil
}

// writeRepro writes rp to dir/name and returns the path.
func writeRepro(dir, name string, rp cluster.Repro) (string, error) {
	b, err := rp.Marshal()
	if err != nil {
		return "", internalErr("encoding the repro file: %v", err)
	}
	return writeFile(dir, name, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// writeFile creates dir if needed and writes dir/name through a buffer, atomically: a
// temporary file renamed into place, so a reader never sees half a file.
func writeFile(dir, name string, write func(io.Writer) error) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", internalErr("--out %s: %v", dir, err)
	}
	path := filepath.Join(dir, name)
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return "", internalErr("writing %s: %v", path, err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	bw := bufio.NewWriter(tmp)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return "", internalErr("writing %s: %v", path, err)
	}
	return path, nil
}

// writePanicRepro writes the repro file of a seed that panicked: seed and config, no
// expectation (a panic is not a violation kind a run reports), and a note with the panic.
func writePanicRepro(dir string, seed uint64, cfg cluster.Config, value any) (string, error) {
	rp := cluster.Repro{Version: cluster.ReproVersion, Seed: seed, Config: cfg,
		Note: fmt.Sprintf("panicked: %v", value)}
	return writeRepro(dir, fmt.Sprintf("seed-%d.json", seed), rp)
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
