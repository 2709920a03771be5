package raft

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecodeMessage feeds arbitrary bytes to the decoder. It must never panic; whatever
// decodes must re-encode to bytes that decode to the same message (the seed corpus in
// testdata/fuzz/FuzzDecodeMessage holds an encoding of every message type).
func FuzzDecodeMessage(f *testing.F) {
	for _, m := range sampleMessages() {
		f.Add(AppendMessage(nil, m))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMessage(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		enc := AppendMessage(nil, m)
		again, err := DecodeMessage(enc)
		if err != nil {
			t.Fatalf("re-encoding of a decoded message does not decode: %v", err)
		}
		if diff := cmp.Diff(m, again, cmpMsg); diff != "" {
			t.Fatalf("round trip changed the message (-first +second):\n%s", diff)
		}
		if len(enc) > len(b) {
			t.Fatalf("re-encoding grew from %d to %d bytes", len(b), len(enc))
		}
	})
}

// FuzzStep decodes arbitrary bytes as a message and steps it into nodes in each role:
// whatever arrives, a node must not panic, and must keep its invariants (checked by
// Advance).
func FuzzStep(f *testing.F) {
	for _, m := range sampleMessages() {
		m.To = 1
		f.Add(AppendMessage(nil, m))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMessage(b)
		if err != nil {
			return
		}
		for _, role := range []Role{Follower, Candidate, Leader} {
			n := newPaperNode(t, 1, voters3, []uint64{1, 1, 2}, 2, withPreVote, withCheckQuorum)
			becomeRole(t, n, role, 3)
			_ = n.Step(m)
			drain(n)
			n.Tick()
			drain(n)
		}
	})
}
