package raft

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "regenerate the expected output of raft/testdata scripts")

// A script is a sequence of blocks:
//
//	command arg key=value
//	----
//	expected output
//	(a blank line or the end of the file ends the output)
//
// Lines outside blocks (comments starting with #, blank lines) are kept verbatim by
// -rewrite. Outputs never contain blank lines; an empty output is written as "ok".
type scriptChunk struct {
	raw  string // verbatim text between blocks (with its newlines)
	line int    // line of the command, for blocks
	cmd  string
	want string
}

func parseScript(text string) ([]scriptChunk, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var chunks []scriptChunk
	var raw strings.Builder
	for i := 0; i < len(lines); i++ {
		ln := lines[i]
		if strings.TrimSpace(ln) == "" || strings.HasPrefix(ln, "#") {
			raw.WriteString(ln + "\n")
			continue
		}
		if raw.Len() > 0 {
			chunks = append(chunks, scriptChunk{raw: raw.String()})
			raw.Reset()
		}
		if i+1 >= len(lines) || lines[i+1] != "----" {
			return nil, fmt.Errorf("line %d: command %q is not followed by ----", i+1, ln)
		}
		c := scriptChunk{line: i + 1, cmd: ln}
		var out []string
		for i += 2; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
			out = append(out, lines[i])
		}
		c.want = strings.Join(out, "\n")
		chunks = append(chunks, c)
		if i < len(lines) {
			raw.WriteString("\n")
		}
	}
	if raw.Len() > 0 {
		chunks = append(chunks, scriptChunk{raw: raw.String()})
	}
	return chunks, nil
}

// runScript runs every block of the script in path through run, comparing outputs, or
// rewriting the file with the actual outputs under -rewrite.
func runScript(t *testing.T, path string, run func(cmd string) string) {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	chunks, err := parseScript(string(text))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out strings.Builder
	for i := range chunks {
		c := &chunks[i]
		if c.cmd == "" {
			out.WriteString(c.raw)
			continue
		}
		got := strings.TrimRight(run(c.cmd), "\n")
		if got == "" {
			got = "ok"
		}
		if !*rewrite && got != c.want {
			t.Fatalf("%s:%d: %s\ngot:\n%s\nwant:\n%s", path, c.line, c.cmd, got, c.want)
		}
		fmt.Fprintf(&out, "%s\n----\n%s\n", c.cmd, got)
	}
	if *rewrite {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// scriptArgs splits a command line into the command, its positional arguments and its
// key=value options.
type scriptArgs struct {
	cmd  string
	pos  []string
	opts map[string]string
}

func parseArgs(line string) scriptArgs {
	fields := strings.Fields(line)
	a := scriptArgs{cmd: fields[0], opts: map[string]string{}}
	for _, f := range fields[1:] {
		if k, v, ok := strings.Cut(f, "="); ok {
			a.opts[k] = v
		} else {
			a.pos = append(a.pos, f)
		}
	}
	return a
}

func TestParseScriptKeepsCommentsAndBlocks(t *testing.T) {
	text := "# intro\n\ncmd a\n----\nout 1\nout 2\n\n# mid\nother\n----\nok\n"
	chunks, err := parseScript(text)
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, c := range chunks {
		if c.cmd != "" {
			cmds = append(cmds, c.cmd+"=>"+c.want)
		}
	}
	if got, want := strings.Join(cmds, "|"), "cmd a=>out 1\nout 2|other=>ok"; got != want {
		t.Fatalf("blocks = %q; want %q", got, want)
	}
	var rebuilt strings.Builder
	for _, c := range chunks {
		if c.cmd == "" {
			rebuilt.WriteString(c.raw)
		} else {
			fmt.Fprintf(&rebuilt, "%s\n----\n%s\n", c.cmd, c.want)
		}
	}
	if rebuilt.String() != text {
		t.Fatalf("rebuilt script:\n%q\nwant:\n%q", rebuilt.String(), text)
	}
}
