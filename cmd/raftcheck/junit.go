package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// The JUnit XML that sweep --junit and merge --junit write: one test suite for the sweep, a
// test case per failing seed (a <failure> whose text is its violations and its replay command;
// an <error> for a seed that panicked) and one test case for all the passing seeds. CI systems
// (GitHub test reporters, GitLab, Jenkins) show it as test results.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

// junitProblem is a <failure> or an <error>.
type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// junitOf is the JUnit document of a sweep's (or merge's) tally.
func junitOf(cmd string, t *tally) junitSuites {
	s := t.sum
	class := "raftcheck." + cmd
	suite := junitSuite{
		Name: fmt.Sprintf("raftcheck %s: seeds %d..%d, shard %s", cmd, s.From, s.From+s.Count-1, s.Shard),
		Time: strconv.FormatFloat(s.WallSeconds, 'f', 3, 64),
		Properties: []junitProperty{
			{"shard", s.Shard}, {"from", fmt.Sprint(s.From)}, {"count", fmt.Sprint(s.Count)},
			{"seeds", fmt.Sprint(s.Seeds)}, {"failed", fmt.Sprint(s.Failed)}, {"interrupted", fmt.Sprint(s.Interrupted)},
			{"engine", s.Config.Engine}, {"workload", s.Config.Workload}, {"config", s.Config.String()},
		},
	}
	for _, f := range t.failures {
		c := junitCase{Name: fmt.Sprintf("seed %d", f.run.Seed), Classname: class,
			SystemOut: f.run.Summary + "\nreplay: " + f.replay + "\n"}
		p := &junitProblem{Message: strings.Join(f.run.Kinds, ", "), Type: firstKind(f),
			Text: violationText(f) + "replay: " + f.replay + "\n"}
		if len(f.run.Kinds) == 1 && f.run.Kinds[0] == "panic" {
			c.Error, suite.Errors = p, suite.Errors+1
		} else {
			c.Failure, suite.Failures = p, suite.Failures+1
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Cases = append(suite.Cases, junitCase{Name: "passing seeds", Classname: class,
		SystemOut: fmt.Sprintf("%d of %d seeds passed (no violation)\n", s.Seeds-s.Failed, s.Seeds)})
	if s.Interrupted {
		suite.Cases = append(suite.Cases, junitCase{Name: "interrupted", Classname: class,
			Error: &junitProblem{Message: "the sweep was interrupted", Type: "interrupted",
				Text: fmt.Sprintf("only %d seeds of the range ran", s.Seeds)}})
		suite.Errors++
	}
	suite.Tests = len(suite.Cases)
	return junitSuites{Name: "raftcheck", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors,
		Time: suite.Time, Suites: []junitSuite{suite}}
}

// violationText is one line per violation of a failing seed: kind, time, nodes, detail.
func violationText(f failure) string {
	var b strings.Builder
	for _, v := range f.violations {
		b.WriteString(v.Kind)
		if v.Kind != "panic" { // a panic's line has no time
			fmt.Fprintf(&b, " at %.3fs", v.Time)
		}
		if len(v.Nodes) > 0 {
			nodes := make([]string, len(v.Nodes))
			for i, n := range v.Nodes {
				nodes[i] = strconv.Itoa(n)
			}
			fmt.Fprintf(&b, " (nodes %s)", strings.Join(nodes, ", "))
		}
		fmt.Fprintf(&b, ": %s\n", v.Detail)
	}
	if len(f.violations) == 0 { // a line without its violations: say what is known
		fmt.Fprintf(&b, "%s\n", f.run.Summary)
	}
	return b.String()
}

// firstKind is the kind of the seed's first violation in time.
func firstKind(f failure) string {
	switch {
	case len(f.violations) > 0:
		return f.violations[0].Kind
	case len(f.run.Kinds) > 0:
		return f.run.Kinds[0]
	}
	return "violation"
}

// writeJUnit writes the JUnit XML of t to path.
func writeJUnit(path, cmd string, t *tally) error {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	_, err := writeFile(dir, name, func(w io.Writer) error {
		if _, err := io.WriteString(w, xml.Header); err != nil {
			return err
		}
		enc := xml.NewEncoder(w)
		enc.Indent("", "  ")
		if err := enc.Encode(junitOf(cmd, t)); err != nil {
			return err
		}
		_, err := io.WriteString(w, "\n")
		return err
	})
	return err
}
