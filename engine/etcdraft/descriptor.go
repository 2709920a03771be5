package etcdraft

import (
	"fmt"
	"runtime/debug"

	etcd "go.etcd.io/raft/v3"

	"github.com/raftcheck/raftcheck/engine"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

const (
	// modulePath is etcd raft's module, whose version Descriptor reports.
	modulePath = "go.etcd.io/raft/v3"
	// fallbackVersion is the version go.mod requires, reported when the binary carries no
	// build information for modulePath.
	fallbackVersion = "v3.7.0"
)

// The planted bugs, by name. Each is a mistake an integration of etcd raft makes in the code
// around the RawNode (etcd itself is never changed). etcd-send-before-sync and
// etcd-apply-before-persist are mistakes of the synchronous Ready loop and plant nothing with
// asynchronous storage writes (engine.Config.AsyncWrites), where messages leave before the
// append by design; etcd-async-ack-before-sync is their counterpart there and plants nothing
// without them.
const (
	mutantSendBeforeSync     = "etcd-send-before-sync"
	mutantDropHardState      = "etcd-drop-hard-state"
	mutantApplyBeforePersist = "etcd-apply-before-persist"
	mutantNoReportSnapshot   = "etcd-no-report-snapshot"
	mutantSkipRestore        = "etcd-skip-restore"
	mutantAppliedFromCommit  = "etcd-applied-from-commit"
	mutantStaleSnapshotConf  = "etcd-stale-snapshot-conf"
	mutantJointExplicit      = "etcd-joint-explicit"
	mutantIgnoreLeave        = "etcd-ignore-leave"
	mutantImageAtHanded      = "etcd-image-at-handed-index"
	mutantAsyncAckBeforeSync = "etcd-async-ack-before-sync"
)

var mutants = []engine.Mutant{
	{Name: mutantSendBeforeSync, Help: "a Ready's messages leave before its entries and hard state are synced; the sync happens at the next tick"},
	{Name: mutantDropHardState, Help: "the Ready's HardState is never written: term, vote and commit are forgotten on restart"},
	{Name: mutantApplyBeforePersist, Help: "a Ready's committed entries are applied and its messages sent, but its entries and hard state are written only with the next Ready"},
	{Name: mutantNoReportSnapshot, Help: "snapshot outcomes are never reported (no ReportSnapshot): a lost snapshot leaves the follower paused until the leader changes"},
	{Name: mutantSkipRestore, Help: "a snapshot received from the leader is persisted but never handed to the state machine"},
	{Name: mutantAppliedFromCommit, Help: "on restart Config.Applied is the recovered commit index, not the snapshot's: entries between them are never applied again"},
	{Name: mutantStaleSnapshotConf, Help: "a follower is always sent the stored snapshot, whose configuration may predate a learner added since (no snapshot on demand)"},
	{Name: mutantJointExplicit, Help: "a joint change is proposed with an explicit transition (ConfChangeTransitionJointExplicit) and the application never proposes the leave: the cluster stays in C_old,new"},
	{Name: mutantIgnoreLeave, Help: "the entry that leaves a joint configuration (an empty ConfChangeV2) reaches the host but is never applied to etcd (no ApplyConfChange): etcd stays joint and needs majorities of both voter sets"},
	{Name: mutantImageAtHanded, Help: "a snapshot made on demand is labelled with the last index etcd handed the host, not the index of the host's image: a slow state machine (apply_delay) sends a follower an image older than its label"},
	{Name: mutantAsyncAckBeforeSync, Help: "with asynchronous storage writes (async_writes), the append thread delivers a MsgStorageAppend's responses (the follower's MsgAppResp, its vote, the leader's own acknowledgement) once the write returns, leaving the fsync to a group commit at the next tick"},
}

// planted is the set of mutants a node runs with.
type planted struct {
	sendBeforeSync, dropHardState, applyBeforePersist bool
	noReportSnapshot, skipRestore, appliedFromCommit  bool
	staleSnapshotConf, jointExplicit, ignoreLeave     bool
	imageAtHanded, asyncAckBeforeSync                 bool
}

func parseMutants(names []string) (planted, error) {
	var p planted
	for _, name := range names {
		switch name {
		case mutantSendBeforeSync:
			p.sendBeforeSync = true
		case mutantDropHardState:
			p.dropHardState = true
		case mutantApplyBeforePersist:
			p.applyBeforePersist = true
		case mutantNoReportSnapshot:
			p.noReportSnapshot = true
		case mutantSkipRestore:
			p.skipRestore = true
		case mutantAppliedFromCommit:
			p.appliedFromCommit = true
		case mutantStaleSnapshotConf:
			p.staleSnapshotConf = true
		case mutantJointExplicit:
			p.jointExplicit = true
		case mutantIgnoreLeave:
			p.ignoreLeave = true
		case mutantImageAtHanded:
			p.imageAtHanded = true
		case mutantAsyncAckBeforeSync:
			p.asyncAckBeforeSync = true
		default:
			return planted{}, fmt.Errorf("etcdraft: unknown mutant %q", name)
		}
	}
	return p, nil
}

// Descriptor describes the etcd engine: go.etcd.io/raft/v3 behind engine.Engine. Its
// configurations take effect when applied, and the host promotes learners.
func Descriptor() *engine.Descriptor {
	return &engine.Descriptor{
		Name:      "etcd",
		Version:   version(),
		Semantics: engine.Semantics{ConfOnApply: true, PromotesLearners: false, LazyApply: true, RepeatReads: true, MixedProtocol: engine.MixGuarded, QuietBelowTermWithoutChecks: true, AsyncWrites: true},
		New:       New,
		Mutants:   append([]engine.Mutant(nil), mutants...),
		Describe:  describe,
	}
}

// describe renders an etcd message for a trace, the way etcd's own DescribeMessage does.
func describe(msg []byte) string {
	m := new(pb.Message)
	if err := proto.Unmarshal(msg, m); err != nil {
		return "undecodable message: " + err.Error()
	}
	return etcd.DescribeMessage(m, nil)
}

// version is the version of etcd raft linked into the binary.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return fallbackVersion
	}
	for _, d := range bi.Deps {
		if d.Path != modulePath {
			continue
		}
		if d.Replace != nil && d.Replace.Version != "" {
			return d.Replace.Version
		}
		if d.Version != "" {
			return d.Version
		}
	}
	return fallbackVersion
}
