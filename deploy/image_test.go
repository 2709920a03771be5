// Package deploy holds no code: its tests keep the files that run raftcheck beyond one
// machine true to the code. The Dockerfile's build is the build that works, the Kubernetes
// manifests run sweep shards that cover a range exactly once and a merge that reads what they
// wrote, and the GitHub workflow's sweep and merge steps give a merged result with working
// links, a JUnit file and a step summary.
package deploy

import (
	"bufio"
	"debug/elf"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// root is the module's root, where the Dockerfile's build context starts.
const root = ".."

// dockerStage is one FROM ... stage of the Dockerfile: its base image, its name and its
// instructions (keyword, rest of the line; continuation lines joined).
type dockerStage struct {
	base, name string
	lines      [][2]string
}

func readDockerfile(t *testing.T) []dockerStage {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "Dockerfile"))
	require.NoError(t, err)
	defer f.Close()
	var stages []dockerStage
	sc := bufio.NewScanner(f)
	var pending string
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if pending == "" && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if cont, ok := strings.CutSuffix(line, `\`); ok {
			pending += cont + " "
			continue
		}
		line, pending = pending+line, ""
		kw, rest, _ := strings.Cut(line, " ")
		kw, rest = strings.ToUpper(kw), strings.TrimSpace(rest)
		if kw == "FROM" {
			f := strings.Fields(rest)
			s := dockerStage{base: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			stages = append(stages, s)
			continue
		}
		require.NotEmpty(t, stages, "Dockerfile: %s before FROM", kw)
		stages[len(stages)-1].lines = append(stages[len(stages)-1].lines, [2]string{kw, rest})
	}
	require.NoError(t, sc.Err())
	return stages
}

// find returns the arguments of the stage's instructions kw whose text contains sub.
func (s dockerStage) find(kw, sub string) []string {
	var out []string
	for _, l := range s.lines {
		if l[0] == kw && strings.Contains(l[1], sub) {
			out = append(out, l[1])
		}
	}
	return out
}

var goBuildOutput = regexp.MustCompile(`(?:^|\s)-o\s+(\S+)`)

// buildLine is the build stage's `RUN ... go build ... -o OUT ./cmd/raftcheck` and its OUT.
func buildLine(t *testing.T, stages []dockerStage) (run, out string) {
	t.Helper()
	require.GreaterOrEqual(t, len(stages), 2, "Dockerfile: a build stage and a runtime stage")
	runs := stages[0].find("RUN", "go build")
	require.Len(t, runs, 1, "Dockerfile: one RUN go build in the first stage")
	run = runs[0]
	assert.Contains(t, run, "./cmd/raftcheck", "the build compiles the CLI")
	m := goBuildOutput.FindStringSubmatch(run)
	require.NotNil(t, m, "Dockerfile: the go build names its output with -o: %s", run)
	return run, m[1]
}

var built struct {
	once sync.Once
	bin  string
	out  []byte
	err  error
}

// builtBinary runs the Dockerfile's own go build line, with its output redirected into a
// temporary directory, and returns the binary: what the image holds.
func builtBinary(t *testing.T) string {
	t.Helper()
	run, out := buildLine(t, readDockerfile(t))
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "raftcheck-image-")
		if err != nil {
			built.err = err
			return
		}
		built.bin = filepath.Join(dir, "raftcheck")
		line := strings.Replace(run, out, built.bin, 1)
		cmd := exec.Command("sh", "-c", line)
		cmd.Dir = root // WORKDIR /src after COPY . .
		// go test puts its own toolchain first on the PATH
		built.out, built.err = cmd.CombinedOutput()
	})
	require.NoError(t, built.err, "the Dockerfile's build (%s) fails:\n%s", run, built.out)
	return built.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.bin != "" {
		os.RemoveAll(filepath.Dir(built.bin))
	}
	os.Exit(code)
}

// goVersion is the go directive of go.mod, major.minor.
func goVersion(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(data)
	require.NotNil(t, m, "go.mod has a go directive")
	return string(m[1])
}

// TestDockerfileBuild: the image's build stage is the go build that works: run as written
// (output into a temporary directory), it gives a static binary that runs; its Go image
// satisfies go.mod; the runtime stage installs that binary on the PATH with a shell beside it
// (the manifests' scripts need one) and runs it.
func TestDockerfileBuild(t *testing.T) {
	stages := readDockerfile(t)
	_, out := buildLine(t, stages)
	build, runtimeStage := stages[0], stages[len(stages)-1]
	assert.Regexp(t, `^golang:`+regexp.QuoteMeta(goVersion(t))+`(\.\d+)?(-|$)`, build.base,
		"the build stage's Go image is the version go.mod asks for")
	require.NotEmpty(t, build.name, "the build stage is named, for COPY --from")
	copies := runtimeStage.find("COPY", "--from="+build.name+" "+out+" ")
	require.Len(t, copies, 1, "the runtime stage copies the built %s", out)
	dst := strings.Fields(copies[0])[2]
	assert.Equal(t, "/usr/local/bin/raftcheck", dst, "on the PATH, so that `raftcheck` runs in the manifests' scripts")
	assert.Equal(t, []string{`["` + dst + `"]`}, runtimeStage.find("ENTRYPOINT", ""))
	assert.Regexp(t, `^(alpine|busybox):`, runtimeStage.base, "a small image with /bin/sh (the manifests run sh -c)")

	bin := builtBinary(t)
	f, err := elf.Open(bin)
	if err == nil { // ELF platforms: static means no program interpreter
		defer f.Close()
		for _, p := range f.Progs {
			assert.NotEqual(t, elf.PT_INTERP, p.Type, "the binary is static (CGO_ENABLED=0): it runs on any base image")
		}
	}
	outb, err := exec.Command(bin, "version").CombinedOutput()
	require.NoError(t, err, "%s", outb)
	assert.Contains(t, string(outb), "raftcheck")
}

// TestDockerignoreKeepsSources: .dockerignore leaves every file the build needs in the build
// context (go.mod, go.sum and every non-test Go file) and keeps the history out.
func TestDockerignoreKeepsSources(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, ".dockerignore"))
	require.NoError(t, err)
	var patterns []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			require.False(t, strings.HasPrefix(l, "!"), ".dockerignore: exceptions are not checked by this test: %s", l)
			patterns = append(patterns, strings.TrimPrefix(filepath.Clean(l), "/"))
		}
	}
	assert.True(t, ignored(patterns, ".git"), ".dockerignore: the history stays out of the image")
	need := []string{"go.mod", "go.sum"}
	require.NoError(t, filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() && (rel == ".git" || strings.HasPrefix(d.Name(), ".") && rel != ".") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go") && !strings.Contains(rel, "testdata") {
			need = append(need, filepath.ToSlash(rel))
		}
		return nil
	}))
	require.Greater(t, len(need), 20)
	for _, p := range need {
		assert.False(t, ignored(patterns, p), ".dockerignore leaves out %s, which the build needs", p)
	}
}

// ignored reports whether a .dockerignore pattern matches path or a directory above it.
func ignored(patterns []string, path string) bool {
	parts := strings.Split(path, "/")
	for _, p := range patterns {
		for i := 1; i <= len(parts); i++ {
			prefix := strings.Join(parts[:i], "/")
			if ok, _ := filepath.Match(p, prefix); ok {
				return true
			}
			if rest, isAny := strings.CutPrefix(p, "**/"); isAny {
				for j := range i {
					if ok, _ := filepath.Match(rest, strings.Join(parts[j:i], "/")); ok {
						return true
					}
				}
			}
		}
	}
	return false
}
