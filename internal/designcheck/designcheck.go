// Package designcheck enforces the rules of ARCHITECTURE.md that a compiler cannot: the import
// direction between the module's packages and the determinism rules of simulation code.
//
// It parses source with go/parser (no build, no type checking), so it is fast and runs as an
// ordinary test:
//
//	findings, err := designcheck.Check(moduleRoot, designcheck.Layout)
//	for _, f := range findings {
//		fmt.Println(f) // simnet/kernel.go:12:2: go statement
//	}
package designcheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Rules says, for one entry of the layout (a directory and the packages below it that have no
// entry of their own), which other entries it may import and whether the determinism rules
// apply to it.
type Rules struct {
	MayImport     []string // layout entries; "*" allows any
	Deterministic bool
}

// Layout is the table of ARCHITECTURE.md: imports point down it only. A package belongs to the
// longest entry that is a prefix of its directory.
var Layout = map[string]Rules{
	"simnet":            {Deterministic: true},
	"raft":              {Deterministic: true},
	"workloads":         {Deterministic: true},
	"checker":           {MayImport: []string{"workloads"}, Deterministic: true},
	"engine":            {MayImport: []string{"checker", "raft"}, Deterministic: true},
	"engine/raftengine": {MayImport: []string{"engine", "checker", "raft"}, Deterministic: true},
	// etcdraft serialises calls into etcd raft with a mutex (its entropy gate), so it is not
	// held to the determinism rules by syntax; its determinism is tested by running it.
	"engine/etcdraft": {MayImport: []string{"engine", "checker", "raft"}},
	"engine/builtin":  {MayImport: []string{"engine", "engine/raftengine", "engine/etcdraft"}},
	"nemesis":         {MayImport: []string{"simnet"}, Deterministic: true},
	"cluster":         {MayImport: []string{"simnet", "engine", "nemesis", "workloads", "checker"}, Deterministic: true},
	"shrink":          {MayImport: []string{"cluster", "nemesis", "simnet", "checker"}, Deterministic: true},
	"coverage":        {MayImport: []string{"cluster", "engine", "nemesis"}, Deterministic: true},
	"enginetest":      {MayImport: []string{"cluster", "engine", "reports"}},
	"reports":         {MayImport: []string{"cluster", "nemesis", "checker", "simnet", "workloads", "engine", "engine/builtin"}},
	"fuzz":            {MayImport: []string{"*"}},
	"cmd":             {MayImport: []string{"*"}},
	"internal":        {},
}

// entry returns the layout entry a module-relative slash path belongs to: the longest key that
// is the path or a directory above it; "" if none.
func entry(layout map[string]Rules, rel string) string {
	best := ""
	for key := range layout {
		if (rel == key || strings.HasPrefix(rel, key+"/")) && len(key) > len(best) {
			best = key
		}
	}
	return best
}

// Check walks the module rooted at root (the directory holding go.mod) and returns every
// broken rule, sorted by position. Test files and testdata directories are skipped.
func Check(root string, layout map[string]Rules) ([]Finding, error) {
	module, err := modulePath(root)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var out []Finding
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return skipDir(root, path, d.Name())
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		found, err := checkPath(fset, root, path, module, layout)
		out = append(out, found...)
		return err
	})
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Offset < b.Offset
	})
	return out, err
}

func skipDir(root, path, name string) error {
	if path == root {
		return nil
	}
	if name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
		return filepath.SkipDir
	}
	return nil
}

func checkPath(fset *token.FileSet, root, path, module string, layout map[string]Rules) ([]Finding, error) {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return nil, err
	}
	dir := filepath.ToSlash(filepath.Dir(rel))
	top := entry(layout, dir)
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("designcheck: %w", err)
	}
	rules, known := layout[top]
	if !known {
		return []Finding{{Pos: fset.Position(f.Package), Rule: fmt.Sprintf("directory %q is not in ARCHITECTURE.md's layout", dir)}}, nil
	}
	out := checkImports(fset, f, module, top, rules, layout)
	if !rules.Deterministic {
		return out, nil
	}
	return append(out, checkFile(fset, f)...), nil
}

// checkImports reports imports of the module's own packages that ARCHITECTURE.md's table forbids.
func checkImports(fset *token.FileSet, f *ast.File, module, top string, rules Rules, layout map[string]Rules) []Finding {
	var out []Finding
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil || !strings.HasPrefix(path, module+"/") {
			continue
		}
		target := entry(layout, strings.TrimPrefix(path, module+"/"))
		if target == top || allowed(rules.MayImport, target) {
			continue
		}
		out = append(out, Finding{
			Pos:  fset.Position(imp.Pos()),
			Rule: fmt.Sprintf("%s may not import %s (ARCHITECTURE.md import table)", top, path),
		})
	}
	return out
}

func allowed(list []string, target string) bool {
	for _, a := range list {
		if a == "*" || a == target {
			return true
		}
	}
	return false
}

// modulePath reads the module path from root/go.mod.
func modulePath(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("designcheck: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("designcheck: %s has no module line", filepath.Join(root, "go.mod"))
}
