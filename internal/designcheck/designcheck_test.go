package designcheck

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestModuleKeepsDesign is the guard: the real module must break no rule of ARCHITECTURE.md.
func TestModuleKeepsDesign(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	findings, err := Check(root, Layout)
	require.NoError(t, err)
	for _, f := range findings {
		t.Errorf("%s", f)
	}
}

// TestPlantedViolations proves the guard fails on each kind of violation, and only on those.
func TestPlantedViolations(t *testing.T) {
	findings, err := Check("testdata/fixture", Layout)
	require.NoError(t, err)
	var got []string
	for _, f := range findings {
		got = append(got, filepath.ToSlash(strings.TrimPrefix(f.Pos.Filename, "testdata/fixture/"))+
			":"+strconv.Itoa(f.Pos.Line)+": "+f.Rule)
	}
	want := []string{
		"checker/checker.go:3: checker may not import example.com/fixture/raft (ARCHITECTURE.md import table)",
		"cluster/cluster.go:4: cluster may not import example.com/fixture/raft/wal (ARCHITECTURE.md import table)",
		"cluster/cluster.go:5: cluster may not import example.com/fixture/reports (ARCHITECTURE.md import table)",
		"engine/raftengine/raftengine.go:4: engine/raftengine may not import example.com/fixture/cluster (ARCHITECTURE.md import table)",
		`extra/extra.go:1: directory "extra" is not in ARCHITECTURE.md's layout`,
		"simnet/bad.go:4: imports crypto/rand (randomness must come from the run's seed)",
		"simnet/bad.go:6: imports sync (simulation code is single-threaded)",
		"simnet/bad.go:12: channel type",
		"simnet/bad.go:13: go statement",
		"simnet/bad.go:14: select statement",
		"simnet/bad.go:15: channel send",
		"simnet/bad.go:16: channel receive",
		"simnet/bad.go:17: time.Now reads the wall clock (use simulated time)",
		"simnet/bad.go:18: time.Sleep reads the wall clock (use simulated time)",
		"simnet/bad.go:19: rand.IntN uses the global random source (use a seeded stream)",
	}
	require.Equal(t, want, got)
}
