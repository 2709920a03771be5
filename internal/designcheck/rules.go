package designcheck

import (
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
)

// Finding is one broken rule at one place in the source.
type Finding struct {
	Pos  token.Position
	Rule string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: %s", f.Pos, f.Rule)
}

// bannedImports are packages a simulation package may not import at all.
var bannedImports = map[string]string{
	"sync":        "imports sync (simulation code is single-threaded)",
	"sync/atomic": "imports sync/atomic (simulation code is single-threaded)",
	"crypto/rand": "imports crypto/rand (randomness must come from the run's seed)",
	"math/rand":   "imports math/rand v1 (use a seeded *rand.Rand from math/rand/v2)",
	"unsafe":      "imports unsafe",
}

// bannedTime are functions of package time that read or wait on the wall clock.
var bannedTime = map[string]bool{
	"Now": true, "Sleep": true, "After": true, "AfterFunc": true, "Tick": true,
	"NewTimer": true, "NewTicker": true, "Since": true, "Until": true,
}

// allowedRand are the names of math/rand/v2 that do not touch the global source:
// types and constructors of explicitly seeded generators.
var allowedRand = map[string]bool{
	"New": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true,
	"Rand": true, "Source": true, "PCG": true, "ChaCha8": true, "Zipf": true,
}

// checkFile applies the determinism rules of ARCHITECTURE.md to one parsed file.
func checkFile(fset *token.FileSet, f *ast.File) []Finding {
	var out []Finding
	report := func(n ast.Node, rule string) {
		out = append(out, Finding{Pos: fset.Position(n.Pos()), Rule: rule})
	}
	names := importNames(f, report)
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.GoStmt:
			report(x, "go statement")
		case *ast.SelectStmt:
			report(x, "select statement")
		case *ast.ChanType:
			report(x, "channel type")
		case *ast.SendStmt:
			report(x, "channel send")
		case *ast.UnaryExpr:
			if x.Op == token.ARROW {
				report(x, "channel receive")
			}
		case *ast.SelectorExpr:
			checkSelector(x, names, report)
		}
		return true
	})
	return out
}

// importNames records banned imports and returns the local names of time and math/rand/v2.
func importNames(f *ast.File, report func(ast.Node, string)) map[string]string {
	names := map[string]string{}
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		if why, bad := bannedImports[path]; bad {
			report(imp, why)
		}
		local := defaultName(path)
		if imp.Name != nil {
			local = imp.Name.Name
		}
		if path == "time" || path == "math/rand/v2" {
			names[local] = path
		}
	}
	return names
}

func defaultName(path string) string {
	switch path {
	case "math/rand/v2":
		return "rand"
	}
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[i+1:]
		}
	}
	return path
}

func checkSelector(x *ast.SelectorExpr, names map[string]string, report func(ast.Node, string)) {
	id, ok := x.X.(*ast.Ident)
	if !ok || id.Obj != nil { // id.Obj != nil: a local variable shadows the package name
		return
	}
	switch names[id.Name] {
	case "time":
		if bannedTime[x.Sel.Name] {
			report(x, "time."+x.Sel.Name+" reads the wall clock (use simulated time)")
		}
	case "math/rand/v2":
		if !allowedRand[x.Sel.Name] {
			report(x, "rand."+x.Sel.Name+" uses the global random source (use a seeded stream)")
		}
	}
}
