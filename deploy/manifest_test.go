package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// object is what the tests read of a Kubernetes object: a PersistentVolumeClaim, a Job or a
// Pod.
type object struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		AccessModes    []string `yaml:"accessModes"`    // PersistentVolumeClaim
		CompletionMode string   `yaml:"completionMode"` // Job
		Completions    *int     `yaml:"completions"`
		Parallelism    *int     `yaml:"parallelism"`
		Template       struct {
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
		podSpec `yaml:",inline"` // Pod
	} `yaml:"spec"`
	file string
}

type podSpec struct {
	RestartPolicy string      `yaml:"restartPolicy"`
	Containers    []container `yaml:"containers"`
	Volumes       []struct {
		Name                  string `yaml:"name"`
		PersistentVolumeClaim *struct {
			ClaimName string `yaml:"claimName"`
		} `yaml:"persistentVolumeClaim"`
	} `yaml:"volumes"`
}

type container struct {
	Name       string   `yaml:"name"`
	Image      string   `yaml:"image"`
	Command    []string `yaml:"command"`
	Args       []string `yaml:"args"`
	WorkingDir string   `yaml:"workingDir"`
	Env        []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

// manifests reads every object of deploy/*.yaml.
func manifests(t *testing.T) map[string]object {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	objs := map[string]object{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var o object
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, "%s", f)
			o.file = f
			known := map[string]string{"PersistentVolumeClaim": "v1", "Pod": "v1", "Job": "batch/v1"}
			require.Contains(t, known, o.Kind, "%s: kind %q", f, o.Kind)
			require.Equal(t, known[o.Kind], o.APIVersion, "%s: apiVersion of %s %s", f, o.Kind, o.Metadata.Name)
			require.NotEmpty(t, o.Metadata.Name, "%s: a %s without a name", f, o.Kind)
			key := o.Kind + "/" + o.Metadata.Name
			require.NotContains(t, objs, key, "%s: %s given twice", f, key)
			objs[key] = o
		}
	}
	return objs
}

// pod is the pod spec of a Job or a Pod.
func (o object) pod() podSpec {
	if o.Kind == "Job" {
		return o.Spec.Template.Spec
	}
	return o.Spec.podSpec
}

// script is the one container of o, which runs a shell script, and the script.
func script(t *testing.T, o object) (container, string) {
	t.Helper()
	p := o.pod()
	require.Len(t, p.Containers, 1, "%s %s: one container", o.Kind, o.Metadata.Name)
	c := p.Containers[0]
	require.Equal(t, []string{"/bin/sh", "-c"}, c.Command, "%s %s: runs a script", o.Kind, o.Metadata.Name)
	require.Len(t, c.Args, 1)
	return c, c.Args[0]
}

// claimAt is the PersistentVolumeClaim mounted at the container's working directory (where its
// script reads and writes, by relative paths), which must be a claim of the manifests that
// pods on several nodes can write at once.
func claimAt(t *testing.T, objs map[string]object, o object, c container) string {
	t.Helper()
	require.NotEmpty(t, c.WorkingDir, "%s: the script's paths are relative to its working directory", o.Metadata.Name)
	for _, m := range c.VolumeMounts {
		if m.MountPath != c.WorkingDir {
			continue
		}
		for _, v := range o.pod().Volumes {
			if v.Name == m.Name && v.PersistentVolumeClaim != nil {
				claim := v.PersistentVolumeClaim.ClaimName
				pvc, ok := objs["PersistentVolumeClaim/"+claim]
				require.True(t, ok, "%s: claim %s is not in deploy/", o.Metadata.Name, claim)
				assert.Contains(t, pvc.Spec.AccessModes, "ReadWriteMany", "claim %s: the shards' pods may run on different nodes", claim)
				return claim
			}
		}
	}
	t.Fatalf("%s: no PersistentVolumeClaim is mounted at its working directory %s", o.Metadata.Name, c.WorkingDir)
	return ""
}

// makefileImage is the default IMAGE of the Makefile's image target.
func makefileImage(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "Makefile"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^IMAGE\s*\?=\s*(\S+)\s*$`).FindSubmatch(data)
	require.NotNil(t, m, "Makefile: IMAGE ?= ...")
	require.Regexp(t, `(?m)^image:.*\n\t\$\(DOCKER\) build -t \$\(IMAGE\) \.$`, string(data), "Makefile: the image target builds the Dockerfile as IMAGE")
	return string(m[1])
}

var shardFlag = regexp.MustCompile(`--shard[ =]"?([^"\s]+)"?`)

// TestSweepJob: the sweep is an Indexed Job of N completions whose pods run
// `raftcheck sweep --shard $JOB_COMPLETION_INDEX/N`, with the Makefile's image, writing into
// a ReadWriteMany claim the merge Job and the results pod mount as well.
func TestSweepJob(t *testing.T) {
	objs := manifests(t)
	sweep, ok := objs["Job/raftcheck-sweep"]
	require.True(t, ok, "deploy/: Job raftcheck-sweep")
	s := sweep.Spec
	assert.Equal(t, "Indexed", s.CompletionMode)
	require.NotNil(t, s.Completions)
	require.NotNil(t, s.Parallelism)
	n := *s.Completions
	assert.GreaterOrEqual(t, n, 1)
	assert.True(t, *s.Parallelism >= 1 && *s.Parallelism <= n, "parallelism %d in [1, completions %d]", *s.Parallelism, n)
	assert.Equal(t, "Never", sweep.pod().RestartPolicy, "a podFailurePolicy needs restartPolicy Never")

	c, sh := script(t, sweep)
	assert.Contains(t, sh, "raftcheck sweep ")
	shards := shardFlag.FindAllStringSubmatch(sh, -1)
	require.NotEmpty(t, shards, "the sweep passes --shard")
	for _, m := range shards {
		assert.Equal(t, fmt.Sprintf("$JOB_COMPLETION_INDEX/%d", n), m[1], "--shard: the pod's index of completions %d", n)
	}
	image := makefileImage(t)
	claim := claimAt(t, objs, sweep, c)
	for _, key := range []string{"Job/raftcheck-sweep", "Job/raftcheck-merge", "Pod/raftcheck-results"} {
		o, ok := objs[key]
		require.True(t, ok, "deploy/: %s", key)
		p := o.pod()
		require.Len(t, p.Containers, 1, key)
		assert.Equal(t, image, p.Containers[0].Image, "%s runs the image `make image` builds", key)
		assert.Equal(t, claim, claimAt(t, objs, o, p.Containers[0]), "%s reads what the sweep wrote", key)
		assert.Equal(t, c.WorkingDir, p.Containers[0].WorkingDir, key)
	}
}

// runScript runs a manifest's script as its container would: sh -c in dir (the volume), the
// container's env with overrides, the image's binary on the PATH as `raftcheck`.
func runScript(t *testing.T, c container, sh, dir, bin string, env map[string]string) (int, string) {
	t.Helper()
	cmd := exec.Command("sh", "-c", sh)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	for _, e := range c.Env {
		if _, ok := env[e.Name]; !ok {
			cmd.Env = append(cmd.Env, e.Name+"="+e.Value)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), string(out)
	}
	require.NoError(t, err)
	return 0, string(out)
}

// runLine is what the test reads of a sweep's --json line.
type runLine struct {
	Seed       *uint64 `json:"seed"`
	Violations []struct {
		Kind string `json:"kind"`
	} `json:"violations"`
	Summary *struct {
		Shard string `json:"shard"`
	} `json:"summary"`
}

// mutant is a planted bug that fails seed 1 of a 5 s run (cmd/raftcheck's flow tests use it too).
const mutant = "vote-without-log-check"

// TestJobsSweepAndMerge runs the manifests' scripts, as their pods would on a shared volume,
// with the binary the Dockerfile builds: the sweep Job's for every index 0..N-1 over a small
// range (every seed run exactly once, failing seeds not failing the pod, a bad flag failing it
// with exit 2), then the merge Job's: one result with working links and replay commands.
func TestJobsSweepAndMerge(t *testing.T) {
	objs := manifests(t)
	sweep, merge := objs["Job/raftcheck-sweep"], objs["Job/raftcheck-merge"]
	n := *sweep.Spec.Completions
	sc, ssh := script(t, sweep)
	mc, msh := script(t, merge)
	bin := builtBinary(t)
	vol := t.TempDir()
	const from, count = 1, 13
	env := map[string]string{"SEED_FROM": fmt.Sprint(from), "SEED_COUNT": fmt.Sprint(count),
		"RAFTCHECK_FLAGS": "--duration 5s --mutant " + mutant}

	seen := map[uint64]int{}
	var failing []uint64
	for i := range n {
		env["JOB_COMPLETION_INDEX"] = fmt.Sprint(i)
		code, out := runScript(t, sc, ssh, vol, bin, env)
		require.Equal(t, 0, code, "pod %d: failing seeds are a result, not a failed pod:\n%s", i, out)
		data, err := os.ReadFile(filepath.Join(vol, fmt.Sprintf("shard-%d.jsonl", i)))
		require.NoError(t, err, "pod %d writes its --json output to the volume", i)
		summaries := 0
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var l runLine
			require.NoError(t, json.Unmarshal([]byte(line), &l), "pod %d: %s", i, line)
			if l.Summary != nil {
				summaries++
				assert.Equal(t, fmt.Sprintf("%d/%d", i, n), l.Summary.Shard)
				continue
			}
			require.NotNil(t, l.Seed)
			seen[*l.Seed]++
			if len(l.Violations) > 0 {
				failing = append(failing, *l.Seed)
			}
		}
		assert.Equal(t, 1, summaries, "pod %d: one summary line", i)
		assert.DirExists(t, filepath.Join(vol, fmt.Sprintf("out-%d", i)))
		assert.FileExists(t, filepath.Join(vol, fmt.Sprintf("junit-%d.xml", i)))
	}
	for s := uint64(from); s < from+count; s++ {
		assert.Equal(t, 1, seen[s], "seed %d: run by exactly one shard", s)
	}
	assert.Len(t, seen, count, "no seed outside the range")
	require.NotEmpty(t, failing, "no seed of %d..%d fails with --mutant %s: choose another mutant for this test", from, from+count-1, mutant)

	bad := map[string]string{"JOB_COMPLETION_INDEX": "0", "RAFTCHECK_FLAGS": "--nodes 12"}
	code, out := runScript(t, sc, ssh, t.TempDir(), bin, bad)
	assert.Equal(t, 2, code, "a usage error fails the pod with exit 2 (the podFailurePolicy's FailJob):\n%s", out)

	code, out = runScript(t, mc, msh, vol, bin, nil)
	require.Equal(t, 0, code, "merge: failing seeds are the verdict, not a failed Job:\n%s", out)
	assert.Contains(t, out, fmt.Sprintf("sweep: %d seeds (range %d..%d, shard 0/1), %d failed", count, from, from+count-1, len(failing)))
	merged := filepath.Join(vol, "raftcheck-out")
	page, err := os.ReadFile(filepath.Join(merged, "sweep.html"))
	require.NoError(t, err)
	summary, err := os.ReadFile(filepath.Join(merged, "summary.md"))
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(merged, "junit.xml"))
	slices.Sort(failing)
	for _, s := range failing {
		assert.FileExists(t, filepath.Join(merged, fmt.Sprintf("seed-%d.json", s)))
		assert.FileExists(t, filepath.Join(merged, fmt.Sprintf("seed-%d.html", s)))
		assert.Contains(t, string(page), fmt.Sprintf(`href="seed-%d.html"`, s), "the merged page links the report")
		replay := fmt.Sprintf("raftcheck replay raftcheck-out/seed-%d.json", s)
		assert.Contains(t, out, replay+"\n", "relative to the volume's root, as kubectl cp brings it home")
		assert.Contains(t, string(summary), replay+"\n")
	}
	rp := exec.Command(bin, "replay", filepath.Join("raftcheck-out", fmt.Sprintf("seed-%d.json", failing[0])), "--out", t.TempDir())
	rp.Dir = vol
	rout, _ := rp.CombinedOutput()
	assert.Contains(t, string(rout), "reproduced: same trace hash", "the merged repro file replays")

	code, out = runScript(t, mc, msh, vol, bin, nil)
	require.Equal(t, 0, code, out)
	again, err := os.ReadFile(filepath.Join(merged, "summary.md"))
	require.NoError(t, err)
	assert.Equal(t, string(summary), string(again), "a second merge writes the summary anew")
}

// TestReadmeKubernetes: the README's "Running on Kubernetes" commands name files, Jobs and
// pods that deploy/ has, its --shard is the Job's, and what it copies home is what the merge
// writes.
func TestReadmeKubernetes(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(data), "### Running on Kubernetes\n")
	require.True(t, ok, "README: a section Running on Kubernetes")
	if i := strings.Index(section, "\n#"); i >= 0 {
		section = section[:i]
	}
	objs := manifests(t)
	n := *objs["Job/raftcheck-sweep"].Spec.Completions
	assert.Contains(t, section, fmt.Sprintf("--shard $JOB_COMPLETION_INDEX/%d`", n))
	assert.Contains(t, section, "make image ", "README: the image is built by make image")
	makefileImage(t)
	kubectl := regexp.MustCompile(`(?m)^kubectl .*$`).FindAllString(section, -1)
	require.GreaterOrEqual(t, len(kubectl), 5)
	for _, line := range kubectl {
		line, _, _ = strings.Cut(line, "#")
		for _, m := range regexp.MustCompile(`-f (\S+)`).FindAllStringSubmatch(line, -1) {
			assert.FileExists(t, filepath.Join(root, m[1]), "README: %s", line)
		}
		for _, m := range regexp.MustCompile(`\b(job|pod)/([a-z0-9-]+)`).FindAllStringSubmatch(line, -1) {
			kind := map[string]string{"job": "Job", "pod": "Pod"}[m[1]]
			assert.Contains(t, objs, kind+"/"+m[2], "README: %s", line)
		}
		if rest, ok := strings.CutPrefix(line, "kubectl cp "); ok {
			pod, path, _ := strings.Cut(strings.Fields(rest)[0], ":")
			p, ok := objs["Pod/"+pod]
			require.True(t, ok, "README: kubectl cp from pod %s, which deploy/ does not have", pod)
			_, msh := script(t, objs["Job/raftcheck-merge"])
			out := regexp.MustCompile(`--out (\S+)`).FindStringSubmatch(msh)
			require.NotNil(t, out, "the merge Job passes --out")
			assert.Equal(t, filepath.Join(p.pod().Containers[0].WorkingDir, out[1]), path, "README: kubectl cp copies what the merge wrote")
			assert.Equal(t, out[1], strings.Fields(rest)[1], "README: copied to where the merge's replay commands point")
		}
	}
}
