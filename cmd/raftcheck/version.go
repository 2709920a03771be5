package main

import (
	"fmt"
	"runtime"
	"text/tabwriter"

	"github.com/raftcheck/raftcheck/engine/builtin"
)

const versionAbout = `
Prints raftcheck's module version ("(devel)" when built from a checkout, with the commit when
the build recorded it), the Go version it was built with, and every built-in engine with its
version: the versions a repro file records and a replay checks.`

// versionJSON is the --json output of version.
type versionJSON struct {
	Version  string          `json:"version"`
	Revision string          `json:"revision,omitempty"`
	Modified bool            `json:"modified,omitempty"`
	Go       string          `json:"go"`
	Platform string          `json:"platform"`
	Engines  []engineVersion `json:"engines"`
}

type engineVersion struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

func cmdVersion(e *env, args []string) error {
	c := newCLI("version", "raftcheck version [--json]", versionAbout)
	asJSON := c.fs.Bool("json", false, "print one JSON object")
	pos, err := c.parse(e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q (version takes no arguments)", pos[0])
	}
	v := e.version()
	if *asJSON {
		return writeJSONLine(e.stdout, v)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	mod := v.Version
	if v.Revision != "" {
		mod += " (commit " + v.Revision[:min(12, len(v.Revision))]
		if v.Modified {
			mod += ", modified"
		}
		mod += ")"
	}
	fmt.Fprintf(tw, "raftcheck\t%s\n", mod)
	fmt.Fprintf(tw, "go\t%s %s\n", v.Go, v.Platform)
	for _, eng := range v.Engines {
		fmt.Fprintf(tw, "engine\t%s\t%s\n", eng.Name, eng.Version)
	}
	if err := tw.Flush(); err != nil {
		return internalErr("writing the version: %v", err)
	}
	return nil
}

// version gathers what `raftcheck version` prints.
func (e *env) version() versionJSON {
	v := versionJSON{Version: "(devel)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := e.buildInfo(); ok && bi != nil {
		if bi.Main.Version != "" {
			v.Version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			v.Go = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	for _, d := range builtin.List() {
		v.Engines = append(v.Engines, engineVersion{d.Name, d.Version})
	}
	return v
}
