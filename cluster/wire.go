package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/workloads"
)

// Every datagram on the simulated network starts with one of these bytes. Nodes and clients
// share nothing but these bytes (DESIGN.md, contract 2).
const (
	wireRaft  byte = 'M' // node → node: the Raft implementation's own message bytes follow
	wireWrite byte = 'W' // client → node: a command through the log (workloads command bytes)
	wireRead  byte = 'R' // client → node: a read served through ReadIndex (a Get command's bytes)
	wireReply byte = 'A' // node → client: an answer (see answer)
)

// answerStatus says what a node did with a client's request.
type answerStatus uint8

const (
	answerOK        answerStatus = iota + 1 // Reply is the state machine's reply
	answerNotLeader                         // not proposed: try Hint (or another node)
)

// answer is a node's reply to a client, matched to the request by (Session, Seq).
type answer struct {
	Session, Seq uint64
	Status       answerStatus
	Hint         int // a node believed to lead, or engine.NoHint
	Reply        workloads.Reply
}

var errWire = errors.New("cluster: malformed datagram")

func encodeAnswer(dst []byte, a answer) ([]byte, error) {
	dst = append(dst, wireReply, byte(a.Status))
	dst = binary.AppendUvarint(dst, a.Session)
	dst = binary.AppendUvarint(dst, a.Seq)
	dst = binary.AppendUvarint(dst, uint64(a.Hint+1))
	if a.Status != answerOK {
		return dst, nil
	}
	return workloads.EncodeReply(dst, a.Reply)
}

func decodeAnswer(b []byte) (answer, error) {
	if len(b) < 2 || b[0] != wireReply {
		return answer{}, fmt.Errorf("%w: not an answer", errWire)
	}
	a := answer{Status: answerStatus(b[1])}
	if a.Status != answerOK && a.Status != answerNotLeader {
		return answer{}, fmt.Errorf("%w: answer status %d", errWire, b[1])
	}
	rest := b[2:]
	var fields [3]uint64
	for i := range fields {
		v, n := binary.Uvarint(rest)
		if n <= 0 {
			return answer{}, fmt.Errorf("%w: answer field %d", errWire, i)
		}
		fields[i], rest = v, rest[n:]
	}
	if fields[2] > nemesis.MaxNodeIDs {
		return answer{}, fmt.Errorf("%w: answer hint %d", errWire, fields[2])
	}
	a.Session, a.Seq, a.Hint = fields[0], fields[1], int(fields[2])-1
	if a.Status != answerOK {
		if len(rest) != 0 {
			return answer{}, fmt.Errorf("%w: %d trailing bytes", errWire, len(rest))
		}
		return a, nil
	}
	r, err := workloads.DecodeReply(rest)
	if err != nil {
		return answer{}, fmt.Errorf("%w: %w", errWire, err)
	}
	a.Reply = r
	return a, nil
}
