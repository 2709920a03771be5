package raft

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// scriptOnlyMutants are planted bugs that need rare interleavings; the random scripts
// reach them only with a larger budget (about 1000-2000 seeds), so by default they are
// shown by their scenario scripts, and tried (without failing) under RAFTCHECK_LONG=1.
var scriptOnlyMutants = map[string]string{
	"CommitPriorTermByCount":  "needs the Figure 8 interleaving with a batch split between the old entry and the no-op",
	"ProgressRegress":         "harmful only when a reply from an earlier term reaches a re-elected leader whose log shrank",
	"SnapshotRegress":         "needs a snapshot to arrive after the follower caught up past it through the log",
	"AcceptStaleAppend":       "needs an append held back across an election, delivered above the follower's commit index, then the new leader cut off",
	"JointCommitIncomingOnly": "needs the old voters cut off from the new majority while the joint entry commits, then electing among themselves",
}

// TestMutantsAreCaught checks that the planted bugs are real: random scripts with the
// mutation on (otherwise as in TestRandomScriptsKeepSafety) hit a safety violation, an
// invariant panic, or a failure to converge after healing, within a bounded number of
// seeds. It logs the first seed that catches each.
func TestMutantsAreCaught(t *testing.T) {
	maxSeeds, long := uint64(200), os.Getenv("RAFTCHECK_LONG") == "1"
	if long {
		maxSeeds = 3000
	}
	for _, name := range MutationNames() {
		why, scriptOnly := scriptOnlyMutants[name]
		if scriptOnly && !long {
			continue
		}
		t.Run(name, func(t *testing.T) {
			var mu Mutations
			if err := mu.Set(name); err != nil {
				t.Fatal(err)
			}
			for seed := range maxSeeds {
				if _, err := chaosRun(seed, 1000, mu, strings.HasPrefix(name, "Joint")); err != nil {
					first, _, _ := strings.Cut(err.Error(), "\n")
					t.Logf("caught at seed %d: %s", seed, first)
					return
				}
			}
			if scriptOnly {
				t.Logf("%s not caught in %d seeds (%s)", name, maxSeeds, why)
				return
			}
			t.Errorf("%s not caught in %d seeds", name, maxSeeds)
		})
	}
}

// snakeCase turns "VoteWithoutLogCheck" into "vote_without_log_check".
func snakeCase(s string) string {
	return strings.ToLower(regexp.MustCompile(`([a-z])([A-Z])`).ReplaceAllString(s, "${1}_${2}"))
}

// TestEveryMutantHasAScenario checks that each mutation has a script in testdata that
// switches it on, that the same script with the mutation removed shows no safety violation
// (the switch, and nothing else, plants the bug), and that the switch changes what the
// script prints (the script exercises the bug).
func TestEveryMutantHasAScenario(t *testing.T) {
	for _, name := range MutationNames() {
		t.Run(name, func(t *testing.T) {
			paths, _ := filepath.Glob(filepath.Join("testdata", "mutant_"+snakeCase(name)+"*.txt"))
			if len(paths) == 0 {
				t.Fatalf("no testdata/mutant_%s.txt", snakeCase(name))
			}
			for _, path := range paths {
				text, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(text), "mutant="+name) {
					t.Errorf("%s does not switch on %s", path, name)
				}
				chunks, err := parseScript(string(text))
				if err != nil {
					t.Fatal(err)
				}
				with, _ := runChunks(t, path, chunks, nil)
				without, e := runChunks(t, path, chunks, strings.NewReplacer("mutant="+name, ""))
				if len(e.violations) > 0 {
					t.Errorf("%s without %s: %s", path, name, strings.Join(e.violations, "; "))
				}
				if with == without {
					t.Errorf("%s prints the same with and without %s", path, name)
				}
			}
		})
	}
}

// runChunks runs the commands of a script on a fresh env, each rewritten by edit if it is
// not nil, and returns everything they printed.
func runChunks(t *testing.T, path string, chunks []scriptChunk, edit *strings.Replacer) (string, *env) {
	t.Helper()
	e := newEnv()
	var out strings.Builder
	for _, c := range chunks {
		if c.cmd == "" {
			continue
		}
		cmd := c.cmd
		if edit != nil {
			cmd = edit.Replace(cmd)
		}
		got, err := e.run(cmd)
		if err != nil {
			t.Fatalf("%s: %s: %v", path, cmd, err)
		}
		out.WriteString(got)
	}
	return out.String(), e
}
