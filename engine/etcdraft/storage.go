package etcdraft

import (
	"fmt"
	"slices"

	"google.golang.org/protobuf/proto"

	etcd "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// storage is the Storage etcd reads: the node's MemoryStorage, the in-memory mirror of its
// WAL, plus the history of configurations that snapshots need, and snapshots on demand.
//
// A leader sends a follower that is too far behind Storage.Snapshot(). The stored snapshot's
// configuration may predate a learner added since, and etcd's learner ignores a snapshot
// whose configuration does not name it, forever. So Snapshot takes a fresh image of the
// host's state machine (image) when it is newer than the stored snapshot, with the
// configuration as of the image's index: the leader tracks a learner only once it applied
// the change that added it, so that configuration names it.
type storage struct {
	*etcd.MemoryStorage
	confs confLog
	image func() (applied uint64, data []byte) // nil: always the stored snapshot
	stale bool                                 // mutant etcd-stale-snapshot-conf
	// handed is the last committed index handed to the host; atHanded (mutant
	// etcd-image-at-handed-index) labels an image with it instead of the image's own index.
	handed   uint64
	atHanded bool
}

// Snapshot returns a snapshot at the host's applied index when that is newer than the
// stored one, else the stored one. It does not change the storage: the on-demand snapshot is
// sent, not kept.
func (s *storage) Snapshot() (*pb.Snapshot, error) {
	stored, err := s.MemoryStorage.Snapshot()
	if err != nil || s.image == nil || s.stale {
		return stored, err
	}
	applied, data := s.image()
	if s.atHanded {
		applied = max(applied, s.handed)
	}
	if applied <= stored.GetMetadata().GetIndex() {
		return stored, nil
	}
	last, _ := s.LastIndex()
	if applied > last {
		panic(fmt.Sprintf("etcdraft: the host's image is at applied index %d, beyond the log's last index %d", applied, last))
	}
	term, err := s.Term(applied)
	if err != nil { // compacted past applied: cannot happen as applied > the snapshot's index
		return stored, nil
	}
	return &pb.Snapshot{
		Data: slices.Clone(data),
		Metadata: &pb.SnapshotMetadata{Index: new(applied), Term: new(term),
			ConfState: proto.Clone(s.confs.at(applied)).(*pb.ConfState)},
	}, nil
}

// snapIndex is the index of the stored snapshot (0 if none).
func (s *storage) snapIndex() uint64 {
	first, _ := s.FirstIndex()
	return first - 1
}

// confAt is the configuration in force once the entry at index is applied.
type confAt struct {
	index uint64
	cs    *pb.ConfState
}

// confLog is the history of a node's configurations since its snapshot, in increasing index
// order. Invariant: it is never empty; its first element is the snapshot's configuration (or
// the empty one at index 0).
type confLog struct{ hist []confAt }

// reset forgets the history: the configuration is cs as of index (a snapshot).
func (c *confLog) reset(index uint64, cs *pb.ConfState) {
	c.hist = append(c.hist[:0], confAt{index: index, cs: cs})
}

// record notes that applying the entry at index gave configuration cs.
func (c *confLog) record(index uint64, cs *pb.ConfState) {
	if last := c.hist[len(c.hist)-1].index; index < last {
		panic(fmt.Sprintf("etcdraft: configuration applied at index %d after one at index %d", index, last))
	}
	c.hist = append(c.hist, confAt{index: index, cs: cs})
}

// current is the configuration last applied.
func (c *confLog) current() *pb.ConfState { return c.hist[len(c.hist)-1].cs }

// at is the configuration in force after applying the entries through index.
func (c *confLog) at(index uint64) *pb.ConfState {
	for k := len(c.hist) - 1; k > 0; k-- {
		if c.hist[k].index <= index {
			return c.hist[k].cs
		}
	}
	return c.hist[0].cs
}

// compact drops the history a snapshot at index makes unreachable: everything before the
// configuration in force at index.
func (c *confLog) compact(index uint64) {
	k := len(c.hist) - 1
	for k > 0 && c.hist[k].index > index {
		k--
	}
	c.hist = append(c.hist[:0], c.hist[k:]...)
}
