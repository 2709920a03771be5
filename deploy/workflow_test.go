package deploy

import (
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// workflow is what the test reads of .github/workflows/raftcheck.yml.
type workflow struct {
	Jobs map[string]struct {
		Strategy struct {
			Matrix map[string][]any `yaml:"matrix"`
		} `yaml:"strategy"`
		Steps []struct {
			Run  string            `yaml:"run"`
			Uses string            `yaml:"uses"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readWorkflow(t *testing.T) workflow {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "raftcheck.yml"))
	require.NoError(t, err)
	var w workflow
	require.NoError(t, yaml.Unmarshal(data, &w))
	return w
}

// stepRunning is the run script of job's step that contains cmd, and the paths job uploads.
func (w workflow) stepRunning(t *testing.T, job, cmd string) (run string, uploads []string) {
	t.Helper()
	j, ok := w.Jobs[job]
	require.True(t, ok, "workflow: job %s", job)
	for _, s := range j.Steps {
		if strings.Contains(s.Run, cmd) {
			require.Empty(t, run, "workflow: job %s runs %s twice", job, cmd)
			run = s.Run
		}
		if strings.HasPrefix(s.Uses, "actions/upload-artifact@") {
			uploads = append(uploads, strings.Fields(s.With["path"])...)
		}
	}
	require.NotEmpty(t, run, "workflow: job %s has no step running %s", job, cmd)
	return run, uploads
}

// expand replaces the ${{ matrix.K }} of a step's script with values.
func expand(run string, values map[string]string) string {
	return regexp.MustCompile(`\$\{\{\s*matrix\.(\w+)\s*\}\}`).ReplaceAllStringFunc(run, func(m string) string {
		k := regexp.MustCompile(`matrix\.(\w+)`).FindStringSubmatch(m)[1]
		return values[k]
	})
}

// uploaded reports whether an upload path (a glob, or a directory ending in /) takes rel.
func uploaded(uploads []string, rel string) bool {
	for _, u := range uploads {
		if dir, ok := strings.CutSuffix(u, "/"); ok {
			if m, _ := filepath.Match(dir, strings.Split(rel, "/")[0]); m {
				return true
			}
			continue
		}
		if m, _ := filepath.Match(u, rel); m {
			return true
		}
	}
	return false
}

// TestWorkflowSweepAndMerge runs the GitHub workflow's own sweep step for every shard of its
// matrix (one workload; go run replaced by the image's binary, with a planted bug so that
// seeds fail) and then its merge step, in one directory as download-artifact with
// merge-multiple leaves them: every file a shard writes is uploaded, the merged result has the
// failing seeds' repro files and reports (the links work), the JUnit file names them, and the
// job summaries list them with their replay commands.
func TestWorkflowSweepAndMerge(t *testing.T) {
	w := readWorkflow(t)
	sweep, sweepUploads := w.stepRunning(t, "sweep", "raftcheck sweep")
	merge, mergeUploads := w.stepRunning(t, "merge", "raftcheck merge")
	matrix := w.Jobs["sweep"].Strategy.Matrix
	shards, workloads := matrix["shard"], matrix["workload"]
	require.NotEmpty(t, shards)
	require.NotEmpty(t, workloads)
	m := regexp.MustCompile(`--shard \$\{\{ matrix\.shard \}\}/(\d+)`).FindStringSubmatch(sweep)
	require.NotNil(t, m, "workflow: sweep --shard ${{ matrix.shard }}/N")
	assert.Equal(t, m[1], fmt.Sprint(len(shards)), "workflow: the N of --shard is the matrix's shard count")
	for i, s := range shards {
		assert.Equal(t, i, s, "workflow: shards are numbered 0..N-1")
	}
	for _, want := range []string{`--summary-md "$GITHUB_STEP_SUMMARY"`, "--junit "} {
		assert.Contains(t, sweep, want)
		assert.Contains(t, merge, want)
	}

	bin := builtBinary(t)
	dir := t.TempDir()
	workload := fmt.Sprint(workloads[0])
	const seeds = 12
	var sweepSummaries []string
	for _, s := range shards {
		summary := filepath.Join(t.TempDir(), "step-summary")
		run := expand(sweep, map[string]string{"shard": fmt.Sprint(s), "workload": workload})
		run = strings.Replace(run, "go run ./cmd/raftcheck sweep", bin+" sweep --duration 5s --mutant "+mutant, 1)
		code, out := bash(t, dir, run, "SEEDS="+fmt.Sprint(seeds), "GITHUB_STEP_SUMMARY="+summary)
		require.Contains(t, []int{0, 1}, code, "shard %v:\n%s", s, out)
		text, err := os.ReadFile(summary)
		require.NoError(t, err, "shard %v writes a job summary", s)
		sweepSummaries = append(sweepSummaries, string(text))
	}
	assert.Contains(t, strings.Join(sweepSummaries, ""), "### raftcheck sweep: ")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		assert.True(t, uploaded(sweepUploads, e.Name()), "the sweep job writes %s but does not upload it", e.Name())
	}

	summary := filepath.Join(t.TempDir(), "step-summary")
	run := strings.ReplaceAll(expand(merge, map[string]string{"workload": workload}), "go run ./cmd/raftcheck", bin)
	code, out := bash(t, dir, run, "GITHUB_STEP_SUMMARY="+summary)
	require.Equal(t, 1, code, "the merge finds the failing seeds:\n%s", out)
	md, err := os.ReadFile(summary)
	require.NoError(t, err)
	junitData, err := os.ReadFile(filepath.Join(dir, "raftcheck-out", "junit.xml"))
	require.NoError(t, err)
	assert.True(t, uploaded(mergeUploads, "raftcheck-out"), "the merge job uploads raftcheck-out/")
	assert.Contains(t, mergeUploads, "raftcheck-out/junit.xml", "the merge job uploads the JUnit file")
	var doc struct {
		Cases []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Type string `xml:"type,attr"`
				Text string `xml:",chardata"`
			} `xml:"failure"`
		} `xml:"testsuite>testcase"`
	}
	require.NoError(t, xml.Unmarshal(junitData, &doc))
	page, err := os.ReadFile(filepath.Join(dir, "raftcheck-out", "sweep.html"))
	require.NoError(t, err)
	failing := 0
	for _, c := range doc.Cases {
		if c.Failure == nil {
			continue
		}
		failing++
		seed := strings.TrimPrefix(c.Name, "seed ")
		replay := bin + " replay raftcheck-out/seed-" + seed + ".json"
		assert.NotEmpty(t, c.Failure.Type, "the violation kind")
		assert.Contains(t, c.Failure.Text, "replay: "+replay+"\n")
		assert.Contains(t, string(md), replay+"\n", "the merge's job summary")
		assert.FileExists(t, filepath.Join(dir, "raftcheck-out", "seed-"+seed+".json"))
		assert.FileExists(t, filepath.Join(dir, "raftcheck-out", "seed-"+seed+".html"))
		assert.Contains(t, string(page), `href="seed-`+seed+`.html"`, "the merged page's link")
	}
	assert.NotZero(t, failing, "no failing seed in 1..%d with --mutant %s: choose another for this test", seeds, mutant)
	assert.Contains(t, string(md), fmt.Sprintf("### raftcheck merge: %d of %d seeds failed", failing, seeds))
}

// bash runs a workflow step's script as GitHub does (bash -e), in dir.
func bash(t *testing.T, dir, script string, env ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if e, ok := err.(*exec.ExitError); ok {
		return e.ExitCode(), string(out)
	}
	require.NoError(t, err)
	return 0, string(out)
}
