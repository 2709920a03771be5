package fuzz

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// Rapid's settings are process-wide flags, so they are set here once for every property test
// of the package: the case count, the average state-machine length, and no fail files (a
// failure prints the -rapid.seed that replays it; fail files would litter testdata). A flag
// given on the command line wins.
const (
	checksDefault = 200   // cases per property (rapid's own default is 100)
	checksLong    = 10000 // RAFTCHECK_LONG=1 (make soak)
	stepsDefault  = 300   // average actions per state-machine case (rapid's default is 30)
)

// long reports whether the long variants run (env RAFTCHECK_LONG=1, set by make soak).
func long() bool { return os.Getenv("RAFTCHECK_LONG") == "1" }

func TestMain(m *testing.M) {
	flag.Parse()
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	checks := checksDefault
	if long() {
		checks = checksLong
	}
	defaults := map[string]string{"rapid.checks": fmt.Sprint(checks), "rapid.steps": fmt.Sprint(stepsDefault),
		"rapid.nofailfile": "true"}
	for _, name := range []string{"rapid.checks", "rapid.steps", "rapid.nofailfile"} {
		if set[name] || flag.Lookup(name) == nil {
			continue
		}
		if err := flag.Set(name, defaults[name]); err != nil {
			fmt.Fprintf(os.Stderr, "fuzz: setting -%s: %v\n", name, err)
			os.Exit(2)
		}
	}
	os.Exit(m.Run())
}
