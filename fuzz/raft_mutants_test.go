package fuzz

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"testing"
)

// invariantRE matches the first line of a broken invariant in TestRaftClusterProperties' output.
var invariantRE = regexp.MustCompile(`\[rapid\] failed after \d+ tests: ((election safety|log matching|leader ` +
	`completeness|state-machine safety|commit regressed|applied regressed|stale read)[^\n]*)`)

// TestRaftClusterCatchesMutants shows that the property test can fail: it runs
// TestRaftClusterProperties in a child process (rapid's case budget and seed are per-process
// flags) with one raft.Mutations bug switched on, and expects rapid to report a broken
// invariant, which it logs with the shrunk counterexample's size. Each mutant has a fixed
// seed and a budget it is known to be caught within; RAFTCHECK_LONG=1 adds the mutants that
// need thousands of cases.
func TestRaftClusterCatchesMutants(t *testing.T) {
	if os.Getenv(mutantEnv) != "" {
		t.Skip("this process is a mutant run")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		mutant string
		checks int
		long   bool
	}{
		{"VoteWithoutLogCheck", 1000, false},
		{"CommitToLastIndex", 1000, false},
		{"AppendWithoutPrevCheck", 1000, false},
		{"UnsafeLocalReads", 1000, false},
		{"CountStaleVotes", 1000, false},
		{"SnapshotRegress", 1000, false},
		{"VoteNotPersisted", 1000, false},
		{"CommitPriorTermByCount", 20000, true},
		{"TruncateOnStaleAppend", 20000, true},
	}
	for _, tc := range cases {
		t.Run(tc.mutant, func(t *testing.T) {
			if tc.long && !long() {
				t.Skip("needs thousands of cases: runs with RAFTCHECK_LONG=1")
			}
			cmd := exec.Command(exe, "-test.run=^TestRaftClusterProperties$", "-test.timeout=5m",
				"-rapid.seed=1", fmt.Sprintf("-rapid.checks=%d", tc.checks), fmt.Sprintf("-rapid.steps=%d", stepsDefault),
				"-rapid.nofailfile", "-rapid.shrinktime=1s")
			cmd.Env = append(os.Environ(), mutantEnv+"="+tc.mutant)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("mutant %s: got %v; want the property test to fail\n%s", tc.mutant, err, tail(out))
			}
			m := invariantRE.FindSubmatch(out)
			if m == nil {
				t.Fatalf("mutant %s: the property test failed without a broken invariant:\n%s", tc.mutant, tail(out))
			}
			t.Logf("caught: %s (shrunk to %d actions)", m[1], bytes.Count(out, []byte("draw action:")))
		})
	}
}

// tail returns the end of a long output.
func tail(out []byte) []byte {
	const keep = 4000
	if len(out) > keep {
		return out[len(out)-keep:]
	}
	return out
}
