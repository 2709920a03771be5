package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/engine/builtin"
)

func TestVersion(t *testing.T) {
	cases := []struct {
		name  string
		info  *debug.BuildInfo
		first string
	}{
		{"checkout", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "1d6a9001e5b2c3d4e5f60718293a4b5c6d7e8f90"}, {Key: "vcs.modified", Value: "true"}}},
			"raftcheck  (devel) (commit 1d6a9001e5b2, modified)\n"},
		{"go test binary", &debug.BuildInfo{GoVersion: "go1.26.8"}, "raftcheck  (devel)\n"},
		{"released", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.4.0"}}, "raftcheck  v0.4.0\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			e := newEnv(&out, &errb)
			e.buildInfo = func() (*debug.BuildInfo, bool) { return c.info, true }
			require.Equal(t, exitOK, e.main([]string{"version"}), errb.String())
			lines := strings.SplitAfter(out.String(), "\n")
			assert.Equal(t, c.first, lines[0])
			assert.Equal(t, "go         go1.26.8 "+runtime.GOOS+"/"+runtime.GOARCH+"\n", lines[1])
			var engines []string
			for _, l := range lines[2:] {
				if f := strings.Fields(l); len(f) > 0 {
					require.Equal(t, "engine", f[0], l)
					engines = append(engines, f[1]+" "+f[2])
				}
			}
			var want []string
			for _, d := range builtin.List() {
				want = append(want, d.Name+" "+d.Version)
			}
			assert.Equal(t, want, engines, "every built-in engine with its version")
		})
	}
	r := invoke(t, "version", "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var v versionJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &v))
	assert.NotEmpty(t, v.Version)
	assert.Equal(t, runtime.Version(), v.Go)
	assert.Len(t, v.Engines, len(builtin.List()))
}

// helpFlags lists the flags a command's --help shows: an independent account of its flags.
func helpFlags(t *testing.T, cmd string) []string {
	t.Helper()
	r := invoke(t, cmd, "--help")
	require.Equal(t, exitOK, r.code, r.stderr)
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^  (--[a-z-]+)`).FindAllStringSubmatch(r.stdout, -1) {
		out = append(out, m[1])
	}
	return append(out, "--help")
}

// bashComplete runs the bash completion function on the words of a command line (the last
// one being completed) and returns what it offers.
func bashComplete(t *testing.T, script string, words ...string) []string {
	t.Helper()
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, shellSingleQuote(w))
	}
	prog := "source " + shellSingleQuote(script) + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\n" +
		"COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n_raftcheck\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	out, err := exec.Command("bash", "-c", prog).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return strings.Fields(string(out))
}

// TestBashCompletion: the script offers the commands, every flag of each command (as its
// --help lists them, so a flag added anywhere is offered), the values of the flags that take
// one of a few, and the words of list, completion and help.
func TestBashCompletion(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash on PATH")
	}
	r := invoke(t, "completion", "bash")
	require.Equal(t, exitOK, r.code, r.stderr)
	script := filepath.Join(t.TempDir(), "raftcheck.bash")
	require.NoError(t, os.WriteFile(script, []byte(r.stdout), 0o644))
	out, err := exec.Command("bash", "-n", script).CombinedOutput()
	require.NoError(t, err, "bash -n: %s", out)

	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	assert.Equal(t, append(names, "help"), bashComplete(t, script, "raftcheck", ""))
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			want := helpFlags(t, name)
			slices.Sort(want)
			got := bashComplete(t, script, "raftcheck", name, "--")
			slices.Sort(got)
			assert.Equal(t, want, got)
		})
	}
	assert.Equal(t, []string{"--parallel"}, bashComplete(t, script, "raftcheck", "sweep", "--par"))
	assert.Equal(t, builtin.Names(), bashComplete(t, script, "raftcheck", "run", "--engine", ""))
	assert.Equal(t, []string{"crash", "churn", "corrupt"}, bashComplete(t, script, "raftcheck", "run", "--nemesis", "c"))
	assert.Equal(t, []string{"lines"}, bashComplete(t, script, "raftcheck", "sweep", "--progress", "l"))
	assert.Equal(t, []string{"engines", "mutants", "nemeses", "workloads"}, bashComplete(t, script, "raftcheck", "list", ""))
	assert.Equal(t, []string{"bash", "zsh"}, bashComplete(t, script, "raftcheck", "completion", ""))
	assert.Equal(t, []string{"shrink"}, bashComplete(t, script, "raftcheck", "help", "sh"))
	assert.Contains(t, bashComplete(t, script, "raftcheck", "sweep", "--mutant", ""), "vote-without-log-check")
	assert.Empty(t, bashComplete(t, script, "raftcheck", "run", "--seed", ""), "a number: nothing to offer")
}

// TestZshCompletion: the zsh script parses, and completes in a real interactive zsh.
func TestZshCompletion(t *testing.T) {
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Skip("no zsh on PATH: install zsh to check the zsh completion script")
	}
	r := invoke(t, "completion", "zsh")
	require.Equal(t, exitOK, r.code, r.stderr)
	dir := t.TempDir()
	script := filepath.Join(dir, "_raftcheck")
	require.NoError(t, os.WriteFile(script, []byte(r.stdout), 0o644))
	out, err := exec.Command("zsh", "-n", script).CombinedOutput()
	require.NoError(t, err, "zsh -n: %s", out)
	for _, name := range []string{"run", "sweep", "merge", "list", "completion"} {
		for _, f := range helpFlags(t, name) {
			if f != "--help" {
				assert.Contains(t, r.stdout, "'"+f, "zsh script: %s %s", name, f)
			}
		}
	}

	// Type a partial line and TAB in an interactive zsh on a pseudo-terminal.
	harness := filepath.Join(dir, "harness.zsh")
	require.NoError(t, os.WriteFile(harness, []byte(`zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z 'PS1="> "; autoload -U compinit; compinit -u; source '"$1"'; setopt nobeep; print READY'
local out="" chunk
for i in {1..100}; do zpty -r -t z chunk && out+=$chunk; [[ $out == *READY* ]] && break; sleep 0.1; done
zpty -w -n z "$2"$'\t'
out=""
for i in {1..100}; do zpty -r -t z chunk && out+=$chunk; [[ ${out//$'\e'\[[0-9;?]#[a-zA-Z]/} == *"$3"* ]] && break; sleep 0.05; done
print -r -- "${out//$'\r'/}"
zpty -d z
`), 0o644))
	ansi := regexp.MustCompile("\x1b\\[[0-9;?]*[a-zA-Z]|.\x08")
	for line, want := range map[string]string{
		"raftcheck sweep --par":    "raftcheck sweep --parallel",
		"raftcheck run --engine e": "raftcheck run --engine etcd",
		"raftcheck list n":         "raftcheck list nemeses",
		"raftcheck comp":           "raftcheck completion",
		"raftcheck merge --o":      "raftcheck merge --out",
	} {
		out, err := exec.Command("zsh", "-f", harness, script, line, want).CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.Contains(t, ansi.ReplaceAllString(string(out), ""), want, "completing %q", line)
	}
}

func TestCompletionUsage(t *testing.T) {
	r := invoke(t, "completion")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "want one shell, bash or zsh")
	r = invoke(t, "completion", "fish")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `unknown shell "fish": want bash or zsh`)
	r = invoke(t, "version", "extra")
	assert.Equal(t, exitUsage, r.code)
}
