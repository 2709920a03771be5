package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReplayWords(t *testing.T) {
	bin := t.TempDir()
	exe := filepath.Join(bin, "raftcheck")
	require.NoError(t, os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755))
	other := filepath.Join(t.TempDir(), "raftcheck")
	require.NoError(t, os.WriteFile(other, []byte("#!/bin/sh\n"), 0o755))
	onPath := func(dir string) func(string) (string, error) {
		return func(name string) (string, error) {
			if p := filepath.Join(dir, name); sameFile(p, p) {
				return p, nil
			}
			return "", errors.New("not found")
		}
	}
	devel := &debug.BuildInfo{Path: "github.com/raftcheck/raftcheck/cmd/raftcheck", Main: debug.Module{Version: "(devel)"}}
	released := &debug.BuildInfo{Path: "github.com/raftcheck/raftcheck/cmd/raftcheck", Main: debug.Module{Version: "v0.3.1"}}
	cases := []struct {
		name string
		l    launch
		want []string
	}{
		{"go run, first build", launch{arg0: "/tmp/go-build2387089856/b001/exe/raftcheck",
			exe: "/tmp/go-build2387089856/b001/exe/raftcheck", info: devel}, []string{"go", "run", "./cmd/raftcheck"}},
		{"go run, cached", launch{arg0: "/root/.cache/go-build/53/53a3-d/raftcheck",
			exe: "/root/.cache/go-build/53/53a3-d/raftcheck", info: devel}, []string{"go", "run", "./cmd/raftcheck"}},
		{"go run, GOCACHE elsewhere", launch{arg0: "/ci/cache/53/53a3-d/raftcheck", exe: "/ci/cache/53/53a3-d/raftcheck",
			gocache: "/ci/cache"}, []string{"go", "run", "./cmd/raftcheck"}},
		{"go run of a released version", launch{arg0: "/tmp/go-build1/b001/exe/raftcheck",
			exe: "/tmp/go-build1/b001/exe/raftcheck", info: released},
			[]string{"go", "run", "github.com/raftcheck/raftcheck/cmd/raftcheck@v0.3.1"}},
		{"found on PATH", launch{arg0: "raftcheck", exe: exe, lookPath: onPath(bin)}, []string{"raftcheck"}},
		{"by a path to the binary PATH finds", launch{arg0: exe, exe: exe, lookPath: onPath(bin)}, []string{"raftcheck"}},
		{"by a path, PATH has another raftcheck", launch{arg0: exe, exe: exe, lookPath: onPath(filepath.Dir(other))}, []string{exe}},
		{"by a relative path, not on PATH", launch{arg0: "./bin/raftcheck", exe: exe,
			lookPath: func(string) (string, error) { return "", errors.New("not found") }}, []string{"./bin/raftcheck"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, c.l.replayWords())
		})
	}
}

// TestReplayCommandAsInvoked builds the CLI and runs it the three ways a user does: by a path,
// by its name on PATH, and with go run; each prints a replay command that runs it that way.
func TestReplayCommandAsInvoked(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	bin := t.TempDir()
	exe := filepath.Join(bin, "raftcheck")
	build := exec.Command(gobin, "build", "-o", exe, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	work := t.TempDir()
	args := []string{"run", "--seed", "1", "--duration", "1s", "--nemesis", "none", "--out", work}
	want := " replay --seed 1 --duration 1s --nemesis none\n"

	byPath := exec.Command(exe, args...)
	byPath.Dir = work
	out, err = byPath.Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), "replay: "+exe+want)

	byName := exec.Command(exe, args...)
	byName.Args[0] = "raftcheck" // as a shell starts a command it found on PATH
	byName.Dir = work
	byName.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err = byName.Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), "replay: raftcheck"+want)

	goRun := exec.Command(gobin, append([]string{"run", "./cmd/raftcheck"}, args...)...)
	goRun.Dir = "../.."
	out, err = goRun.Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), "replay: go run ./cmd/raftcheck"+want)
	assert.False(t, strings.Contains(string(out), exe))
}
