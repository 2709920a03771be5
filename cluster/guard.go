package cluster

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/raftcheck/raftcheck/engine"
)

// KindPanic is the violation of an engine that panicked: a broken invariant inside the Raft
// implementation, found by the run that made it break.
const KindPanic = "panic"

// errBroken is what a guarded engine returns once it has panicked.
var errBroken = errors.New("cluster: the engine panicked earlier")

// guarded wraps one life's engine so that a panic inside it becomes a violation naming the
// node, with the engine's frames, instead of tearing the run down: the run stops at the end of
// the current event, and everything it observed until then is judged. After a panic every
// call is refused.
type guarded struct {
	e      engine.Engine
	broken bool
	fail   func(method string, v any, frames string) // reports the panic
}

func (g *guarded) catch(method string) {
	if v := recover(); v != nil {
		g.broken = true
		g.fail(method, v, enginePanicFrames())
	}
}

// enginePanicFrames lists the panicking goroutine's frames as function and file:line, without
// addresses or goroutine ids, so that a violation's text is the same on every replay.
func enginePanicFrames() string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(4, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var b strings.Builder
	for i := 0; i < 12; i++ {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, "runtime.") {
			if !more {
				break
			}
			continue
		}
		fmt.Fprintf(&b, "\n  %s (%s:%d)", f.Function, shortFile(f.File), f.Line)
		if !more || strings.Contains(f.Function, "/cluster.") {
			break
		}
	}
	return b.String()
}

func shortFile(path string) string {
	if i := strings.LastIndex(path, "/"); i >= 0 {
		if j := strings.LastIndex(path[:i], "/"); j >= 0 {
			return path[j+1:]
		}
	}
	return path
}

func (g *guarded) Tick() {
	if !g.broken {
		defer g.catch("Tick")
		g.e.Tick()
	}
}

func (g *guarded) Step(msg []byte) (err error) {
	if g.broken {
		return errBroken
	}
	defer g.catch("Step")
	return g.e.Step(msg)
}

func (g *guarded) Propose(cmd []byte) error {
	if g.broken {
		return errBroken
	}
	defer g.catch("Propose")
	return g.e.Propose(cmd)
}

func (g *guarded) ReadIndex(ctx []byte) error {
	if g.broken {
		return errBroken
	}
	defer g.catch("ReadIndex")
	return g.e.ReadIndex(ctx)
}

func (g *guarded) ChangeMembership(c ...engine.MemberChange) error {
	if g.broken {
		return errBroken
	}
	defer g.catch("ChangeMembership")
	return g.e.ChangeMembership(c...)
}

func (g *guarded) TransferLeader(to int) error {
	if g.broken {
		return errBroken
	}
	defer g.catch("TransferLeader")
	return g.e.TransferLeader(to)
}

func (g *guarded) Compact(index uint64, snapshot []byte) error {
	if g.broken {
		return errBroken
	}
	defer g.catch("Compact")
	return g.e.Compact(index, snapshot)
}

func (g *guarded) Ready() (b engine.Batch, ok bool, err error) {
	if g.broken {
		return engine.Batch{}, false, nil
	}
	defer g.catch("Ready")
	return g.e.Ready()
}

func (g *guarded) Advance() {
	if !g.broken {
		defer g.catch("Advance")
		g.e.Advance()
	}
}

func (g *guarded) Report(peer int, d engine.Delivery) {
	if !g.broken {
		defer g.catch("Report")
		g.e.Report(peer, d)
	}
}

func (g *guarded) Status() (s engine.Status) {
	if g.broken {
		return engine.Status{Leader: engine.NoHint}
	}
	defer g.catch("Status")
	return g.e.Status()
}
