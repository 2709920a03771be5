package raft

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/require"
)

// sampleMessages returns one realistic message of every type, each with the fields that
// type uses set to non-trivial values.
func sampleMessages() []Message {
	ents := []Entry{
		{Term: 3, Index: 7, Type: EntryNormal, Data: []byte("put x=1")},
		{Term: 3, Index: 8, Type: EntryConfChange, Data: EncodeConfChange(ConfChange{Type: AddLearner, Node: 4})},
		{Term: 4, Index: 9, Type: EntryNormal},
	}
	meta := SnapshotMeta{Index: 120, Term: 5, Conf: ConfState{Voters: []uint64{1, 2, 3}, Learners: []uint64{9}}}
	return []Message{
		{Type: MsgPreVote, From: 1, To: 2, Term: 8, Index: 44, LogTerm: 7},
		{Type: MsgPreVoteResp, From: 2, To: 1, Term: 8, Reject: true},
		{Type: MsgVote, From: 1, To: 3, Term: 8, Index: 44, LogTerm: 7, Force: true},
		{Type: MsgVoteResp, From: 3, To: 1, Term: 8},
		{Type: MsgApp, From: 1, To: 2, Term: 4, Index: 6, LogTerm: 3, Commit: 6, Entries: ents},
		{Type: MsgAppResp, From: 2, To: 1, Term: 4, Index: 9},
		{Type: MsgAppResp, From: 2, To: 1, Term: 4, Index: 9, Reject: true, RejectHint: 5, LogTerm: 2},
		{Type: MsgHeartbeat, From: 1, To: 2, Term: 4, Commit: 9, Round: 17},
		{Type: MsgHeartbeatResp, From: 2, To: 1, Term: 4, Round: 17},
		{Type: MsgSnap, From: 1, To: 2, Term: 6, Snap: meta, SnapSize: 1 << 20, SnapCRC: 0xdeadbeef,
			SnapOffset: 65536, SnapData: []byte("chunk of state"), SnapDone: false},
		{Type: MsgSnap, From: 1, To: 2, Term: 6, Snap: meta, SnapSize: 3, SnapCRC: 1,
			SnapData: []byte("all"), SnapDone: true},
		{Type: MsgSnapResp, From: 2, To: 1, Term: 6, Index: 120, LogTerm: 5, SnapOffset: 131072},
		{Type: MsgSnapResp, From: 2, To: 1, Term: 6, Index: 120, LogTerm: 5, SnapOffset: 3, SnapDone: true, Commit: 120},
		{Type: MsgProp, From: 2, To: 1, Entries: []Entry{{Data: []byte("cas y 1 2")}}},
		{Type: MsgReadIndex, From: 3, To: 1, Context: []byte("read-42")},
		{Type: MsgReadIndexResp, From: 1, To: 3, Term: 4, Index: 9, Context: []byte("read-42")},
		{Type: MsgTimeoutNow, From: 1, To: 3, Term: 4},
		{Type: MsgTransferLeader, From: 2, To: 1, Index: 3},
	}
}

var cmpMsg = cmpopts.EquateEmpty()

func TestCodecRoundTripsEveryMessageType(t *testing.T) {
	seen := map[MessageType]bool{}
	for _, m := range sampleMessages() {
		seen[m.Type] = true
		t.Run(m.Type.String(), func(t *testing.T) {
			b := AppendMessage(nil, m)
			require.Equal(t, WireVersion, b[0])
			got, err := DecodeMessage(b)
			require.NoError(t, err)
			if diff := cmp.Diff(m, got, cmpMsg); diff != "" {
				t.Fatalf("round trip changed the message (-want +got):\n%s", diff)
			}
		})
	}
	for typ := MsgPreVote; typ < msgTypeEnd; typ++ {
		if !seen[typ] {
			t.Errorf("no sample of %s; want one of every type", typ)
		}
	}
}

func TestCodecZeroMessageFieldsAreOmitted(t *testing.T) {
	b := AppendMessage(nil, Message{Type: MsgTimeoutNow})
	if want := []byte{WireVersion, byte(MsgTimeoutNow), 0}; !cmp.Equal(b, want) {
		t.Fatalf("encoding = %v; want %v", b, want)
	}
}

func TestAppendMessageDoesNotAllocateWithCapacity(t *testing.T) {
	for _, m := range sampleMessages() {
		buf := make([]byte, 0, 4096)
		allocs := testing.AllocsPerRun(100, func() { buf = AppendMessage(buf[:0], m) })
		if allocs != 0 {
			t.Errorf("%s: %v allocations; want 0", m.Type, allocs)
		}
	}
}

func TestDecodeMessageRejectsEveryTruncation(t *testing.T) {
	for _, m := range sampleMessages() {
		b := AppendMessage(nil, m)
		for n := 0; n < len(b); n++ {
			_, err := DecodeMessage(b[:n])
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("%s truncated to %d of %d bytes: err = %v; want ErrMalformed", m.Type, n, len(b), err)
			}
		}
	}
}

func TestDecodeMessageRejectsMalformedInput(t *testing.T) {
	app := AppendMessage(nil, sampleMessages()[4]) // MsgApp with entries
	withByte := func(b []byte, i int, v byte) []byte {
		c := append([]byte(nil), b...)
		c[i] = v
		return c
	}
	hugeCount := func() []byte {
		// MsgApp with only the entries field, claiming 2^40 entries.
		b := []byte{WireVersion, byte(MsgApp)}
		b = binary.AppendUvarint(b, fieldEntries)
		return binary.AppendUvarint(b, 1<<40)
	}
	hugeBytes := func() []byte {
		b := []byte{WireVersion, byte(MsgReadIndex)}
		b = binary.AppendUvarint(b, fieldContext)
		return binary.AppendUvarint(b, 1<<62)
	}
	badCRC := func() []byte {
		b := []byte{WireVersion, byte(MsgSnap)}
		b = binary.AppendUvarint(b, fieldSnapCRC)
		return binary.AppendUvarint(b, 1<<33)
	}
	badEntryType := func() []byte {
		m := Message{Type: MsgApp, Entries: []Entry{{Term: 1, Index: 1, Type: EntryConfChange}}}
		b := AppendMessage(nil, m)
		// version, type, mask, count, term, index, then the entry type byte.
		return withByte(b, 6, 7)
	}
	overlongVarint := []byte{WireVersion, byte(MsgApp), 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}
	cases := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"bad version", withByte(app, 0, 2)},
		{"type zero", withByte(app, 1, 0)},
		{"type out of range", withByte(app, 1, byte(msgTypeEnd))},
		{"unknown field bits", append([]byte{WireVersion, byte(MsgApp)}, binary.AppendUvarint(nil, fieldsAll+1)...)},
		{"trailing byte", append(append([]byte(nil), app...), 0)},
		{"entry count beyond input", hugeCount()},
		{"byte length beyond input", hugeBytes()},
		{"crc beyond 32 bits", badCRC()},
		{"bad entry type", badEntryType()},
		{"varint overflow", overlongVarint},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := DecodeMessage(tc.b)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v; want ErrMalformed", err)
			}
			if diff := cmp.Diff(Message{}, m, cmpMsg); diff != "" {
				t.Fatalf("failed decode returned a non-zero message:\n%s", diff)
			}
		})
	}
}

func TestDecodedSlicesCannotClobberTheBuffer(t *testing.T) {
	m := Message{Type: MsgReadIndex, From: 2, To: 1, Context: []byte("ab")}
	b := AppendMessage(nil, m)
	b = append(b, 'Z') // simulate a buffer holding more after the message
	got, err := DecodeMessage(b[:len(b)-1])
	require.NoError(t, err)
	got.Context = append(got.Context, 'c')
	if b[len(b)-1] != 'Z' {
		t.Fatalf("appending to a decoded slice overwrote the buffer: got %q; want 'Z'", b[len(b)-1])
	}
}

func TestConfChangeCodec(t *testing.T) {
	for _, cc := range []ConfChange{{AddLearner, 4}, {AddVoter, 4}, {RemoveNode, 1 << 60}} {
		got, err := DecodeConfChange(EncodeConfChange(cc))
		require.NoError(t, err)
		if got != cc {
			t.Errorf("round trip of %v = %v", cc, got)
		}
	}
	good := EncodeConfChange(ConfChange{Type: AddVoter, Node: 7})
	bad := map[string][]byte{
		"empty":       nil,
		"bad version": {9, byte(AddVoter), 7},
		"bad type":    {WireVersion, 0, 7},
		"type beyond": {WireVersion, byte(confChangeTypeEnd), 7},
		"node zero":   {WireVersion, byte(AddVoter), 0},
		"truncated":   good[:2],
		"trailing":    append(append([]byte(nil), good...), 1),
	}
	for name, b := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := DecodeConfChange(b); !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v; want ErrMalformed", err)
			}
		})
	}
}
