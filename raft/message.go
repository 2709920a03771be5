package raft

import (
	"fmt"
	"strconv"
	"strings"
)

// MessageType names the kind of a Message. Each constant's comment lists the fields that
// kind uses; every other field is zero.
type MessageType uint8

const (
	// MsgPreVote asks whether the recipient would vote for the sender in Term (thesis §9.6)
	// without anyone changing term: Term is the sender's term + 1, Index/LogTerm its last
	// log position, Force set when a leadership transfer forced the campaign.
	MsgPreVote MessageType = iota + 1
	// MsgPreVoteResp answers MsgPreVote: Term, Reject.
	MsgPreVoteResp
	// MsgVote is RequestVote (Figure 2): Term, Index/LogTerm = candidate's last log
	// position (§5.4.1), Force as for MsgPreVote.
	MsgVote
	// MsgVoteResp answers MsgVote: Term, Reject.
	MsgVoteResp
	// MsgApp is AppendEntries (Figure 2): Index/LogTerm = prevLogIndex/prevLogTerm,
	// Entries, Commit = leaderCommit.
	MsgApp
	// MsgAppResp answers MsgApp. On success Index is the last index the follower now
	// holds in agreement with the leader. On rejection Index is the rejected prevLogIndex,
	// RejectHint the follower's guess of the last index that may match and LogTerm the
	// follower's term at RejectHint (fast backtracking). A bare MsgAppResp carrying only
	// a higher Term tells a stale leader to step down.
	MsgAppResp
	// MsgHeartbeat is an empty AppendEntries: Commit = min(leader commit, follower's
	// match), Round = the leader's latest ReadIndex confirmation round.
	MsgHeartbeat
	// MsgHeartbeatResp answers MsgHeartbeat: Round echoed back.
	MsgHeartbeatResp
	// MsgSnap is one chunk of an InstallSnapshot transfer: Snap (the snapshot's
	// metadata), SnapSize and SnapCRC (the whole snapshot's length and CRC-32C),
	// SnapOffset, SnapData (this chunk) and SnapDone (the last chunk).
	MsgSnap
	// MsgSnapResp acknowledges MsgSnap: Index/LogTerm name the snapshot, SnapOffset is
	// the next offset the follower expects; Reject marks a chunk the follower did not
	// take (wrong offset or unknown transfer). SnapDone reports that the snapshot is
	// installed (or was unnecessary), with Commit the follower's commit index.
	MsgSnapResp
	// MsgProp forwards proposals from a follower to its leader: Entries (Term and Index
	// zero).
	MsgProp
	// MsgReadIndex forwards a ReadIndex request to the leader: Context.
	MsgReadIndex
	// MsgReadIndexResp returns the read index to the follower that asked: Index,
	// Context.
	MsgReadIndexResp
	// MsgTimeoutNow tells a caught-up follower to campaign at once (thesis §3.10).
	MsgTimeoutNow
	// MsgTransferLeader forwards TransferLeadership from a follower to its leader:
	// Index = the transfer target.
	MsgTransferLeader

	msgTypeEnd // one past the last valid MessageType
)

var msgTypeNames = [...]string{
	MsgPreVote:        "MsgPreVote",
	MsgPreVoteResp:    "MsgPreVoteResp",
	MsgVote:           "MsgVote",
	MsgVoteResp:       "MsgVoteResp",
	MsgApp:            "MsgApp",
	MsgAppResp:        "MsgAppResp",
	MsgHeartbeat:      "MsgHeartbeat",
	MsgHeartbeatResp:  "MsgHeartbeatResp",
	MsgSnap:           "MsgSnap",
	MsgSnapResp:       "MsgSnapResp",
	MsgProp:           "MsgProp",
	MsgReadIndex:      "MsgReadIndex",
	MsgReadIndexResp:  "MsgReadIndexResp",
	MsgTimeoutNow:     "MsgTimeoutNow",
	MsgTransferLeader: "MsgTransferLeader",
}

// Valid reports whether t is one of the defined message types.
func (t MessageType) Valid() bool { return t >= MsgPreVote && t < msgTypeEnd }

// String returns the constant's name, e.g. "MsgApp".
func (t MessageType) String() string {
	if t.Valid() {
		return msgTypeNames[t]
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

// MessageTypeByName returns the MessageType whose String is name.
func MessageTypeByName(name string) (MessageType, bool) {
	for t := MsgPreVote; t < msgTypeEnd; t++ {
		if msgTypeNames[t] == name {
			return t, true
		}
	}
	return 0, false
}

// Message is one Raft message between two nodes. Messages cross the network encoded with
// AppendMessage and DecodeMessage. Which fields a message uses depends on its Type (see
// the MessageType constants); unused fields are zero. Term is the sender's current term,
// except for MsgPreVote (the term the sender would campaign in) and MsgProp,
// MsgReadIndex and MsgTransferLeader (zero: forwarded requests carry no term).
type Message struct {
	Type    MessageType
	From    uint64
	To      uint64
	Term    uint64
	LogTerm uint64
	Index   uint64
	Commit  uint64
	Entries []Entry

	Reject     bool
	RejectHint uint64
	Force      bool
	Round      uint64
	Context    []byte

	Snap       SnapshotMeta
	SnapSize   uint64
	SnapCRC    uint32
	SnapOffset uint64
	SnapData   []byte
	SnapDone   bool
}

// String renders m on one line, e.g. "1->2 MsgApp term=2 prev=1/5 commit=5 entries=[2/6 "x"]".
func (m Message) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d->%d %s term=%d", m.From, m.To, m.Type, m.Term)
	switch m.Type {
	case MsgPreVote, MsgVote:
		fmt.Fprintf(&b, " last=%d/%d", m.LogTerm, m.Index)
		writeFlag(&b, m.Force, " force")
	case MsgPreVoteResp, MsgVoteResp:
		writeFlag(&b, m.Reject, " reject")
	case MsgApp:
		fmt.Fprintf(&b, " prev=%d/%d commit=%d", m.LogTerm, m.Index, m.Commit)
		if len(m.Entries) > 0 {
			b.WriteString(" entries=")
			writeEntries(&b, m.Entries)
		}
	case MsgAppResp:
		m.writeAppResp(&b)
	case MsgHeartbeat:
		fmt.Fprintf(&b, " commit=%d round=%d", m.Commit, m.Round)
	case MsgHeartbeatResp:
		fmt.Fprintf(&b, " round=%d", m.Round)
	case MsgSnap:
		fmt.Fprintf(&b, " snap=%d/%d size=%d offset=%d len=%d", m.Snap.Term, m.Snap.Index,
			m.SnapSize, m.SnapOffset, len(m.SnapData))
		writeFlag(&b, m.SnapDone, " done")
	case MsgSnapResp:
		fmt.Fprintf(&b, " snap=%d/%d offset=%d", m.LogTerm, m.Index, m.SnapOffset)
		writeFlag(&b, m.Reject, " reject")
		if m.SnapDone {
			fmt.Fprintf(&b, " done commit=%d", m.Commit)
		}
	case MsgProp:
		b.WriteString(" entries=")
		writeEntries(&b, m.Entries)
	case MsgReadIndex:
		fmt.Fprintf(&b, " ctx=%q", m.Context)
	case MsgReadIndexResp:
		fmt.Fprintf(&b, " index=%d ctx=%q", m.Index, m.Context)
	case MsgTransferLeader:
		fmt.Fprintf(&b, " target=%d", m.Index)
	}
	return b.String()
}

func (m Message) writeAppResp(b *strings.Builder) {
	switch {
	case m.Reject:
		fmt.Fprintf(b, " reject prev=%d hint=%d/%d", m.Index, m.LogTerm, m.RejectHint)
	case m.Index == 0 && m.LogTerm == 0:
		// a bare higher-term notice to a stale leader
	default:
		fmt.Fprintf(b, " index=%d", m.Index)
	}
}

func writeFlag(b *strings.Builder, on bool, s string) {
	if on {
		b.WriteString(s)
	}
}

func writeEntries(b *strings.Builder, ents []Entry) {
	b.WriteByte('[')
	for i, e := range ents {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.String())
	}
	b.WriteByte(']')
}
