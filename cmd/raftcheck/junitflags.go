package main

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ciFlags are --junit and --summary-md of sweep and merge: the files a CI shows of a sweep.
type ciFlags struct {
	junit     string // JUnit XML file, "" for none
	summaryMD string // Markdown summary, appended to ("" for none), as $GITHUB_STEP_SUMMARY wants
}

func addCIFlags(fs *flag.FlagSet, c *ciFlags) {
	fs.StringVar(&c.junit, "junit", "", "write a JUnit XML `FILE`: a testcase per failing seed (violations, replay command) and one for the passing seeds")
	fs.StringVar(&c.summaryMD, "summary-md", "", "append a Markdown summary (counts, failing seeds with their replay commands) to `FILE`, e.g. \"$GITHUB_STEP_SUMMARY\"")
}

// check makes sure, before anything runs, that the files can be written.
func (c ciFlags) check() error {
	if err := checkFileFlag("--junit", c.junit); err != nil {
		return err
	}
	if err := checkFileFlag("--summary-md", c.summaryMD); err != nil {
		return err
	}
	if c.junit != "" && c.summaryMD != "" && filepath.Clean(c.junit) == filepath.Clean(c.summaryMD) {
		return usageErr("--junit and --summary-md are both %s: give two files", c.junit)
	}
	return nil
}

// checkFileFlag checks that path, the value of flagName, names a file that can be written: not
// a directory, in a directory that can take it (created if missing), and, when the file
// exists, open for writing.
func checkFileFlag(flagName, path string) error {
	if path == "" {
		return nil
	}
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return usageErr("%s %s: a directory, not a file", flagName, path)
	case err == nil:
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return usageErr("%s %s: cannot write: %v", flagName, path, unwrapPath(err))
		}
		f.Close()
		return nil
	case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR): // ENOTDIR: a file on the way
		return usageErr("%s %s: %v", flagName, path, unwrapPath(err))
	}
	return checkWritableDir(flagName, path, filepath.Dir(path))
}

// write writes the files asked for from the summary of a sweep or merge (cmd names which);
// out is the directory holding the failing seeds' repro files and reports.
func (c ciFlags) write(cmd string, t *tally, out string) error {
	if c.junit != "" {
		if err := writeJUnit(c.junit, cmd, t); err != nil {
			return err
		}
	}
	if c.summaryMD != "" {
		return appendStepSummary(c.summaryMD, cmd, t, out)
	}
	return nil
}
