package fuzz

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/workloads"
)

// FuzzWireDecode feeds the same arbitrary bytes to every decoder whose input crosses a wire or
// a disk between packages: raft.DecodeMessage (node to node), raft.DecodeConfChange (inside
// EntryConfChange entries), workloads.DecodeCommand (client to log), workloads.DecodeReply
// (node to client) and workloads.KV.Restore (snapshots inside MsgSnap). None may panic, every
// error must wrap the package's ErrMalformed, and whatever decodes must round-trip: a raft
// message re-encodes (raft.AppendMessage) to bytes that decode to an equal message and
// re-encode to the same bytes; the workloads encodings are canonical, so they re-encode to
// exactly the input.
func FuzzWireDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		in := bytes.Clone(b)
		checkMessage(t, b)
		checkConfChange(t, b)
		checkCommand(t, b)
		checkReply(t, b)
		checkKVSnapshot(t, b)
		if !bytes.Equal(in, b) {
			t.Fatalf("a decoder modified its input: got %q; want %q", b, in)
		}
	})
}

func checkMessage(t *testing.T, b []byte) {
	m, err := raft.DecodeMessage(b)
	if err != nil {
		if !errors.Is(err, raft.ErrMalformed) {
			t.Fatalf("DecodeMessage error %v does not wrap raft.ErrMalformed", err)
		}
		return
	}
	_ = m.String() // logged by the cluster's trace: must not panic on any decodable message
	enc := raft.AppendMessage(nil, m)
	again, err := raft.DecodeMessage(enc)
	if err != nil {
		t.Fatalf("re-encoding %q of decoded %v does not decode: %v", enc, m, err)
	}
	if diff := cmp.Diff(m, again); diff != "" {
		t.Fatalf("message changed in a round trip (-decoded +re-decoded):\n%s", diff)
	}
	if enc2 := raft.AppendMessage(nil, again); !bytes.Equal(enc, enc2) {
		t.Fatalf("encoding is not a fixpoint: got %q; want %q", enc2, enc)
	}
	// AppendMessage appends: a prefix in dst must be kept and the encoding follow it.
	prefixed := raft.AppendMessage([]byte("prefix"), m)
	if !bytes.Equal(prefixed, append([]byte("prefix"), enc...)) {
		t.Fatalf("AppendMessage with a prefix: got %q; want prefix+%q", prefixed, enc)
	}
	for _, e := range m.Entries {
		if e.Type == raft.EntryConfChange {
			checkConfChange(t, e.Data)
		}
	}
}

func checkConfChange(t *testing.T, b []byte) {
	cc, err := raft.DecodeConfChange(b)
	if err != nil {
		if !errors.Is(err, raft.ErrMalformed) {
			t.Fatalf("DecodeConfChange error %v does not wrap raft.ErrMalformed", err)
		}
		return
	}
	_ = cc.String()
	again, err := raft.DecodeConfChange(raft.EncodeConfChange(cc))
	if err != nil || again != cc {
		t.Fatalf("conf change round trip: got %v, %v; want %v", again, err, cc)
	}
}

func checkCommand(t *testing.T, b []byte) {
	c, err := workloads.DecodeCommand(b)
	if err != nil {
		if !errors.Is(err, workloads.ErrMalformed) {
			t.Fatalf("DecodeCommand error %v does not wrap workloads.ErrMalformed", err)
		}
		return
	}
	enc, err := workloads.EncodeCommand(nil, c)
	if err != nil {
		t.Fatalf("decoded command %+v does not re-encode: %v", c, err)
	}
	if !bytes.Equal(enc, b) {
		t.Fatalf("command encoding is not canonical: got %q; want %q", enc, b)
	}
	op, err := workloads.ParseOp(c.Op.String())
	if err != nil || op != c.Op {
		t.Fatalf("ParseOp(%q): got %+v, %v; want %+v", c.Op.String(), op, err, c.Op)
	}
}

func checkReply(t *testing.T, b []byte) {
	r, err := workloads.DecodeReply(b)
	if err != nil {
		if !errors.Is(err, workloads.ErrMalformed) {
			t.Fatalf("DecodeReply error %v does not wrap workloads.ErrMalformed", err)
		}
		return
	}
	enc, err := workloads.EncodeReply(nil, r)
	if err != nil {
		t.Fatalf("decoded reply %+v does not re-encode: %v", r, err)
	}
	if !bytes.Equal(enc, b) {
		t.Fatalf("reply encoding is not canonical: got %q; want %q", enc, b)
	}
}

// checkKVSnapshot restores b into a fresh KV: an accepted snapshot must come back unchanged
// from Snapshot, and a refused one must leave the KV as it was.
func checkKVSnapshot(t *testing.T, b []byte) {
	kv, err := workloads.NewKV(workloads.KVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	empty := kv.Snapshot()
	if err := kv.Restore(b); err != nil {
		if !errors.Is(err, workloads.ErrMalformed) {
			t.Fatalf("Restore error %v does not wrap workloads.ErrMalformed", err)
		}
		if got := kv.Snapshot(); !bytes.Equal(got, empty) {
			t.Fatalf("a refused Restore changed the KV: got %q; want %q", got, empty)
		}
		return
	}
	if got := kv.Snapshot(); !bytes.Equal(got, b) {
		t.Fatalf("snapshot encoding is not canonical: got %q; want %q", got, b)
	}
}
