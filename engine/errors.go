package engine

import "errors"

// Errors an Engine returns for expected refusals; anything else it returns is a bug the run
// reports.
var (
	ErrNotLeader = errors.New("engine: not the leader")
	ErrDropped   = errors.New("engine: request dropped")
	ErrCorrupt   = errors.New("engine: durable data corrupt")
)

// NotLeader is returned by Propose when the node does not lead; Hint is a node believed to
// lead, or -1.
type NotLeader struct{ Hint int }

func (e *NotLeader) Error() string        { return "engine: not the leader" }
func (e *NotLeader) Is(target error) bool { return target == ErrNotLeader }

// NoHint is a NotLeader hint or a Status leader that names no node.
const NoHint = -1
