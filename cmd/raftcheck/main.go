package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/reports"
)

// Exit codes, the same for every subcommand.
const (
	exitOK        = 0 // no violation
	exitViolation = 1 // a violation was found (or an expected one no longer reproduces)
	exitUsage     = 2 // bad flags, arguments or input files
	exitInternal  = 3 // a run panicked, or results could not be written
	// exitInterrupted ends a sweep or hunt stopped by Ctrl-C (SIGINT) after printing what it
	// found: 128 + SIGINT, as a shell reports a command the signal killed.
	exitInterrupted = 130
)

func main() {
	// Replay commands name raftcheck the way the user ran it (an installed binary, go run).
	reports.SetReplayPrefix(currentLaunch().replayWords()...)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// runner is the signature of cluster.Run; tests swap in one that panics.
type runner func(seed uint64, cfg cluster.Config, opts cluster.Options) (*cluster.Result, error)

// env is what a subcommand may touch: its output streams, the clock and the run function.
type env struct {
	stdout, stderr io.Writer
	runCluster     runner
	now            func() time.Time
	progressEvery  time.Duration // plain progress lines of a sweep, when not on a terminal
	isTerminal     func(w io.Writer) bool
	cpus           int // the CPUs this process may use (GOMAXPROCS)
	// interruptible is the context of a long command (sweep, hunt): done on Ctrl-C.
	interruptible func() (context.Context, context.CancelFunc)
	buildInfo     func() (*debug.BuildInfo, bool) // debug.ReadBuildInfo
	// inspect, when set, receives a command's cli in place of running the command.
	inspect func(c *cli)
	// parseOnly ends a command once its flags parsed (tests check documented commands so).
	parseOnly bool
}

func newEnv(stdout, stderr io.Writer) *env {
	return &env{stdout: stdout, stderr: stderr, runCluster: cluster.Run, now: time.Now,
		progressEvery: 5 * time.Second, isTerminal: isTerminal, cpus: runtime.GOMAXPROCS(0),
		interruptible: func() (context.Context, context.CancelFunc) {
			return signal.NotifyContext(context.Background(), os.Interrupt)
		},
		buildInfo: debug.ReadBuildInfo}
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

func commands() []command {
	return []command{
		{"run", "run one seed and report it", cmdRun},
		{"sweep", "run many seeds on all cores and summarise the failures", cmdSweep},
		{"replay", "rerun a seed or a repro file exactly and confirm it reproduces", cmdReplay},
		{"shrink", "minimise a failing run to a small repro file", cmdShrink},
		{"report", "render the text and HTML report of a repro or run file", cmdReport},
		{"merge", "combine the --json outputs of sweep shards into one summary", cmdMerge},
		{"hunt", "measure how fast each planted bug (mutant) is caught, then shrink it", cmdHunt},
		{"coverage", "print the abstract-state coverage of saved runs (repro files)", cmdCoverage},
		{"list", "list engines, mutants, nemeses (fault kinds) or workloads", cmdList},
		{"version", "print raftcheck's version, the Go version and the engines' versions", cmdVersion},
		{"completion", "print a bash or zsh completion script", cmdCompletion},
	}
}

// run is the whole program: it dispatches args to a subcommand and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return newEnv(stdout, stderr).main(args)
}

func (e *env) main(args []string) (code int) {
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(e.stderr, "raftcheck: internal error: %v\n%s", v, debug.Stack())
			code = exitInternal
		}
	}()
	if len(args) == 0 {
		e.usage(e.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		return e.help(args[1:])
	}
	for _, c := range commands() {
		if c.name == name {
			return e.exit(c.name, c.run(e, args[1:]))
		}
	}
	fmt.Fprintf(e.stderr, "raftcheck: unknown command %q (commands: %s; see raftcheck help)\n", name, commandNames())
	return exitUsage
}

// exit prints err, if any, and turns it into an exit code.
func (e *env) exit(name string, err error) int {
	if err == nil {
		return exitOK
	}
	var ex *exitError
	if !errors.As(err, &ex) {
		ex = &exitError{code: exitInternal, err: err}
	}
	if ex.err != nil {
		fmt.Fprintf(e.stderr, "raftcheck %s: %v\n", name, ex.err)
	}
	return ex.code
}

func (e *env) help(args []string) int {
	if len(args) == 0 {
		e.usage(e.stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return e.exit(c.name, c.run(e, []string{"--help"}))
		}
	}
	fmt.Fprintf(e.stderr, "raftcheck help: unknown command %q (commands: %s)\n", args[0], commandNames())
	return exitUsage
}

func (e *env) usage(w io.Writer) {
	fmt.Fprint(w, "raftcheck: deterministic simulation testing of Raft\n\nUsage:\n  raftcheck <command> [flags] [args]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun `raftcheck <command> --help` for its flags.\n"+
		"Exit codes: 0 no violation, 1 violation found, 2 usage or input error, 3 internal error, 130 interrupted.\n")
}

func commandNames() string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

// exitError carries an exit code; err, if set, is printed.
type exitError struct {
	code int
	err  error
}

func (x *exitError) Error() string {
	if x.err == nil {
		return fmt.Sprintf("exit %d", x.code)
	}
	return x.err.Error()
}

func (x *exitError) Unwrap() error { return x.err }

// usageErr is an exit-2 error: bad flags, arguments or input.
func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// internalErr is an exit-3 error.
func internalErr(format string, args ...any) error {
	return &exitError{code: exitInternal, err: fmt.Errorf(format, args...)}
}

// violationFound is the silent exit-1 result of a command whose run failed.
var violationFound = &exitError{code: exitViolation}

// verdictErr is nil when failed is false and violationFound otherwise.
func verdictErr(failed bool) error {
	if failed {
		return violationFound
	}
	return nil
}
