package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// launch is how this process was started, as far as the replay commands it prints care.
type launch struct {
	arg0     string           // os.Args[0]
	exe      string           // os.Executable(); "" if unknown
	gocache  string           // $GOCACHE; "" when unset
	info     *debug.BuildInfo // nil if unavailable
	lookPath func(string) (string, error)
}

func currentLaunch() launch {
	exe, err := os.Executable()
	if err != nil {
		exe = ""
	}
	info, _ := debug.ReadBuildInfo()
	return launch{arg0: os.Args[0], exe: exe, gocache: os.Getenv("GOCACHE"), info: info, lookPath: exec.LookPath}
}

// replayWords are the words that run raftcheck again the way the user ran it, for the replay
// commands the CLI prints (reports.SetReplayPrefix):
//   - a binary `go run` built (in the build cache or a go-build temporary directory): `go run
//     ./cmd/raftcheck`, or `go run <package>@<version>` when it was built from a released
//     version rather than a checkout;
//   - an installed binary: its name when the shell finds this binary under that name on PATH,
//     else the path it was started by.
func (l launch) replayWords() []string {
	if l.goRunBinary() {
		if l.info != nil && l.info.Path != "" && l.info.Main.Version != "" && l.info.Main.Version != "(devel)" {
			return []string{"go", "run", l.info.Path + "@" + l.info.Main.Version}
		}
		return strings.Fields(defaultCommand)
	}
	if l.arg0 == "" {
		return strings.Fields(defaultCommand)
	}
	base := filepath.Base(l.arg0)
	if !strings.ContainsRune(l.arg0, '/') && !strings.ContainsRune(l.arg0, filepath.Separator) {
		return []string{l.arg0} // the shell found it on PATH by this name
	}
	if l.lookPath != nil && l.exe != "" {
		if p, err := l.lookPath(base); err == nil && sameFile(p, l.exe) {
			return []string{base}
		}
	}
	return []string{l.arg0}
}

// defaultCommand runs raftcheck from the module root.
const defaultCommand = "go run ./cmd/raftcheck"

// goRunBinary reports whether the executable is a temporary `go run` built: under the build
// cache, or in a go-build temporary directory.
func (l launch) goRunBinary() bool {
	if l.exe == "" {
		return false
	}
	exe := filepath.Clean(l.exe)
	if l.gocache != "" {
		if rel, err := filepath.Rel(filepath.Clean(l.gocache), exe); err == nil && !strings.HasPrefix(rel, "..") {
			return true
		}
	}
	for _, dir := range strings.Split(filepath.ToSlash(filepath.Dir(exe)), "/") {
		if strings.HasPrefix(dir, "go-build") {
			return true
		}
	}
	return false
}

func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
