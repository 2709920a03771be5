package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The Markdown summary that sweep --summary-md and merge --summary-md append to a file, made
// for GitHub's job summary ($GITHUB_STEP_SUMMARY): the counts, the failing seeds per violation
// kind, and each failing seed (up to maxListed) with its first violation and the command that
// replays it.

// stepSummary is the Markdown of a sweep's (or merge's) tally; out holds the seeds' files.
func stepSummary(cmd string, t *tally, out string) string {
	s := t.sum
	var b strings.Builder
	verdict := fmt.Sprintf("all %d seeds passed", s.Seeds)
	if s.Failed > 0 {
		verdict = fmt.Sprintf("%d of %d seeds failed", s.Failed, s.Seeds)
	}
	fmt.Fprintf(&b, "### raftcheck %s: %s\n\n", cmd, verdict)
	fmt.Fprintf(&b, "Seeds %d..%d, shard %s, engine %s, workload %s; %.1f seeds/s, speed-up %.0f× (%.1f s wall).\n\n",
		s.From, s.From+s.Count-1, s.Shard, orDefault(s.Config.Engine, "raftcheck"), s.Config.Workload,
		s.SeedsPerSecond, s.Speedup, s.WallSeconds)
	if s.Interrupted {
		b.WriteString("**Interrupted**: not every seed of the range ran.\n\n")
	}
	if len(s.Violations) > 0 {
		b.WriteString("| violation kind | failing seeds |\n|---|---:|\n")
		for _, k := range slices.Sorted(maps.Keys(s.Violations)) {
			fmt.Fprintf(&b, "| %s | %d |\n", mdEscape(k), s.Violations[k])
		}
		b.WriteString("\n")
	}
	if len(t.failures) > 0 {
		fmt.Fprintf(&b, "Failing seeds (repro files and reports in `%s`):\n\n", strings.ReplaceAll(out, "`", "'"))
	}
	for i, f := range t.failures {
		if i == maxListed {
			fmt.Fprintf(&b, "- … and %d more: see `sweep.html` in `%s`\n", len(t.failures)-maxListed, strings.ReplaceAll(out, "`", "'"))
			break
		}
		fmt.Fprintf(&b, "- **seed %d**: %s\n", f.run.Seed, mdEscape(strings.Join(f.run.Kinds, ", ")))
		first, _, _ := strings.Cut(violationText(f), "\n")
		writeFenced(&b, "text", first)
		writeFenced(&b, "sh", f.replay)
	}
	b.WriteString("\n")
	return b.String()
}

// writeFenced writes text as a fenced code block inside a list item, with a fence longer than
// any run of backticks in the text.
func writeFenced(b *strings.Builder, lang, text string) {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	fmt.Fprintf(b, "  %s%s\n  %s\n  %s\n", fence, lang, strings.ReplaceAll(text, "\n", "\n  "), fence)
}

// mdEscape keeps text from being read as Markdown or HTML.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`)
	return r.Replace(s)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// appendStepSummary appends the Markdown summary to path (created if missing): GitHub gives
// each step its own file, and other tools may have written to it before.
func appendStepSummary(path, cmd string, t *tally, out string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return internalErr("--summary-md %s: %v", path, unwrapPath(err))
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return internalErr("--summary-md %s: %v", path, unwrapPath(err))
	}
	_, err = f.WriteString(stepSummary(cmd, t, out))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return internalErr("--summary-md %s: %v", path, err)
	}
	return nil
}
