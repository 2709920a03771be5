// Package builtin lists the engines raftcheck ships, by name: our raft (raftengine) and
// go.etcd.io/raft/v3 (etcdraft).
//
//	d, err := builtin.Lookup("etcd")
//	res, err := cluster.Run(seed, cfg, cluster.Options{Engine: d})
package builtin

import (
	"fmt"
	"strings"

	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/engine/etcdraft"
	"github.com/raftcheck/raftcheck/engine/raftengine"
)

// Default is the engine a run uses when its config names none.
const Default = raftengine.Name

// List returns a fresh descriptor of every built-in engine, the default first.
func List() []*engine.Descriptor {
	return []*engine.Descriptor{raftengine.Descriptor(), etcdraft.Descriptor()}
}

// Names returns the built-in engines' names, the default first.
func Names() []string {
	var out []string
	for _, d := range List() {
		out = append(out, d.Name)
	}
	return out
}

// Lookup returns the engine called name ("" means Default).
func Lookup(name string) (*engine.Descriptor, error) {
	if name == "" {
		name = Default
	}
	for _, d := range List() {
		if d.Name == name {
			return d, nil
		}
	}
	return nil, fmt.Errorf("unknown engine %q (known: %s)", name, strings.Join(Names(), ", "))
}
