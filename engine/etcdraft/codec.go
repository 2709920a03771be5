package etcdraft

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/raft"
	pb "go.etcd.io/raft/v3/raftpb"
)

// marshal is the one protobuf encoding of the package: deterministic, so that equal messages
// are equal bytes on every run.
var marshal = proto.MarshalOptions{Deterministic: true}

// bootstrapContext marks the configuration entries of RawNode.Bootstrap: the founders'
// initial configuration, which the host already counts and which is no membership change.
var bootstrapContext = []byte("raftcheck-bootstrap")

func raftID(node int) uint64 { return uint64(node) + 1 }

func nodeOf(id uint64) int { return int(id) - 1 }

// hintOf names the node with etcd id lead for a NotLeader hint or a Status.
func hintOf(lead uint64) int {
	if lead == 0 {
		return engine.NoHint
	}
	return nodeOf(lead)
}

// nodes converts etcd ids to node ids.
func nodes(ids []uint64) []int {
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = nodeOf(id)
	}
	return out
}

// digest identifies an entry's content for the checkers: FNV-1a 64 over its type and data.
// Saved entries, recovered entries and committed entries all use it.
func digest(e *pb.Entry) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	h = (h ^ uint64(e.GetType())) * prime
	for _, c := range e.GetData() {
		h = (h ^ uint64(c)) * prime
	}
	return h
}

func obsEntry(e *pb.Entry) checker.EntryObs {
	return checker.EntryObs{Index: e.GetIndex(), Term: e.GetTerm(), Digest: digest(e)}
}

func appendObs(dst []checker.EntryObs, ents []*pb.Entry) []checker.EntryObs {
	for _, e := range ents {
		dst = append(dst, obsEntry(e))
	}
	return dst
}

func obsHardState(hs *pb.HardState) checker.HardState {
	return checker.HardState{Term: hs.GetTerm(), Vote: hs.GetVote(), Commit: hs.GetCommit()}
}

func walHardState(hs *pb.HardState) raft.HardState {
	return raft.HardState{Term: hs.GetTerm(), Vote: hs.GetVote(), Commit: hs.GetCommit()}
}

func etcdHardState(hs raft.HardState) *pb.HardState {
	return &pb.HardState{Term: new(hs.Term), Vote: new(hs.Vote), Commit: new(hs.Commit)}
}

// appendWALEntries appends to dst the WAL records of ents: each keeps its index, term, etcd's
// entry type (as the record's type byte) and data, which the WAL copies when it writes.
func appendWALEntries(dst []raft.Entry, ents []*pb.Entry) []raft.Entry {
	for _, e := range ents {
		dst = append(dst, raft.Entry{Index: e.GetIndex(), Term: e.GetTerm(), Type: raft.EntryType(e.GetType()), Data: e.GetData()})
	}
	return dst
}

// etcdEntry decodes a WAL record written by appendWALEntries.
func etcdEntry(r raft.Entry) (*pb.Entry, error) {
	t := pb.EntryType(r.Type)
	if _, known := pb.EntryType_name[int32(t)]; !known {
		return nil, fmt.Errorf("entry %d (term %d): unknown etcd entry type %d", r.Index, r.Term, r.Type)
	}
	return &pb.Entry{Index: new(r.Index), Term: new(r.Term), Type: t.Enum(), Data: r.Data}, nil
}

// isBootstrap says whether e is one of RawNode.Bootstrap's configuration entries.
func isBootstrap(e *pb.Entry) bool {
	if e.GetType() != pb.EntryConfChange {
		return false
	}
	var cc pb.ConfChange
	return proto.Unmarshal(e.GetData(), &cc) == nil && bytes.Equal(cc.GetContext(), bootstrapContext)
}

// walSnapshot is the WAL record of an etcd snapshot. The WAL's configuration holds voters and
// learners only, so its data starts with etcd's whole ConfState (uvarint length, then the
// marshalled proto), followed by the state machine's image.
func walSnapshot(index, term uint64, cs *pb.ConfState, image []byte) raft.Snapshot {
	enc, err := marshal.Marshal(cs)
	if err != nil {
		panic(fmt.Sprintf("etcdraft: cannot marshal configuration %v of snapshot %d: %v", cs, index, err))
	}
	data := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+len(enc)+len(image)), uint64(len(enc)))
	data = append(append(data, enc...), image...)
	return raft.Snapshot{
		Meta: raft.SnapshotMeta{Index: index, Term: term,
			Conf: raft.ConfState{Voters: cs.GetVoters(), Learners: cs.GetLearners(), VotersOutgoing: cs.GetVotersOutgoing()}},
		Data: data,
	}
}

var errSnapshotData = errors.New("malformed snapshot data")

// etcdSnapshot decodes a WAL snapshot written by walSnapshot.
func etcdSnapshot(s *raft.Snapshot) (*pb.Snapshot, error) {
	n, k := binary.Uvarint(s.Data)
	if k <= 0 || n > uint64(len(s.Data)-k) {
		return nil, fmt.Errorf("snapshot %d: %w: bad configuration length", s.Meta.Index, errSnapshotData)
	}
	cs := new(pb.ConfState)
	if err := proto.Unmarshal(s.Data[k:k+int(n)], cs); err != nil {
		return nil, fmt.Errorf("snapshot %d: %w: %w", s.Meta.Index, errSnapshotData, err)
	}
	return &pb.Snapshot{
		Data:     s.Data[k+int(n):],
		Metadata: &pb.SnapshotMetadata{Index: new(s.Meta.Index), Term: new(s.Meta.Term), ConfState: cs},
	}, nil
}
