package raft

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestInteraction runs the scenario scripts in testdata/*.txt (see script_test.go for the
// format and harness_cmds_test.go for the commands). Run with -rewrite to regenerate the
// expected outputs, and read the diff before committing it.
func TestInteraction(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no scripts in testdata")
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			e := newEnv()
			runScript(t, path, func(cmd string) string {
				out, err := e.run(cmd)
				if err != nil {
					t.Fatalf("%s: %s: %v", path, cmd, err)
				}
				return out
			})
			if len(e.violations) > 0 && !e.mutants {
				t.Errorf("%s: safety violations without any mutation:\n%s", path, strings.Join(e.violations, "\n"))
			}
		})
	}
}
