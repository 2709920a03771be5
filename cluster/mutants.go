package cluster

import (
	"fmt"
	"slices"
	"strings"

	"github.com/raftcheck/raftcheck/engine"
)

// hostMutants are the planted bugs of the host itself (the state machine's side), which any
// engine can run with.
var hostMutants = []engine.Mutant{
	{Name: "no-session-dedup", Help: "a retried client command is applied twice (no session dedup)"},
	{Name: "restore-without-sessions", Help: "a state machine restored from a snapshot forgets its client sessions: it applies a retried command the others deduplicated"},
	{Name: "read-at-handed-index", Help: "a read is served once the engine has handed out the entries through its index, not once the state machine has applied them (only a slow state machine, apply_delay, tells them apart)"},
	{Name: "read-ctx-session", Help: "a read's ReadIndex context names the client's session but not the request: an answer to an earlier read of the session, late or repeated (read_retry), serves a later one"},
}

// Mutants lists every bug that can be planted in a run of engine d: the engine's own, then
// the host's.
func Mutants(d *engine.Descriptor) []engine.Mutant {
	return append(slices.Clone(d.Mutants), hostMutants...)
}

// mutants is the parsed set of a run's planted bugs: the host's switches and the names the
// engine gets.
type mutants struct {
	noDedup           bool     // workloads: no client-session deduplication
	restoreNoSessions bool     // workloads: a restore forgets the client sessions
	readAtHanded      bool     // host: reads served at the handed index, not the applied one
	readCtxSession    bool     // host: ReadIndex contexts name the session only
	engine            []string // planted in the engine, through engine.Config.Mutants
}

// parseMutants sorts names into the host's and the engine's; a name neither knows is an
// error listing what d knows.
func parseMutants(names []string, d *engine.Descriptor) (mutants, error) {
	var m mutants
	for _, name := range names {
		switch _, ok := d.Lookup(name); {
		case ok:
			m.engine = append(m.engine, name)
		case name == "no-session-dedup":
			m.noDedup = true
		case name == "restore-without-sessions":
			m.restoreNoSessions = true
		case name == "read-at-handed-index":
			m.readAtHanded = true
		case name == "read-ctx-session":
			m.readCtxSession = true
		default:
			known := make([]string, 0, len(d.Mutants)+len(hostMutants))
			for _, mu := range Mutants(d) {
				known = append(known, mu.Name)
			}
			return mutants{}, fmt.Errorf("cluster: unknown mutant %q of engine %s (known: %s)", name, d.Name, strings.Join(known, ", "))
		}
	}
	return m, nil
}
