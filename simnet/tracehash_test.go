package simnet

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"pgregory.net/rapid"
)

// TestMixBytesTellsPaddingApart: a detail and the same detail with trailing zero bytes, or
// two details of different lengths, never fold to the same hash.
func TestMixBytesTellsPaddingApart(t *testing.T) {
	seen := map[uint64]string{}
	for _, s := range []string{"", "\x00", "\x00\x00", "a", "a\x00", "abcdefgh", "abcdefgh\x00", "abcdefg", "abcdefghi"} {
		h := mixBytes(traceHashStart, s)
		prev, dup := seen[h]
		assert.False(t, dup, "%q and %q share hash %#x", prev, s, h)
		seen[h] = s
	}
	assert.Equal(t, mixBytes(7, "complete c1"), mixBytes(7, []byte("complete c1")), "strings and bytes fold alike")
}

// TestMixWordIsABijection: for a fixed word, different hashes stay different (so one changed
// event field changes the trace hash whatever follows), and a changed word changes the hash.
func TestMixWordIsABijection(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h1 := rapid.Uint64().Draw(t, "h1")
		h2 := rapid.Uint64().Filter(func(v uint64) bool { return v != h1 }).Draw(t, "h2")
		v := rapid.Uint64().Draw(t, "v")
		w := rapid.Uint64().Filter(func(x uint64) bool { return x != v }).Draw(t, "w")
		if mixWord(h1, v) == mixWord(h2, v) {
			t.Fatalf("mixWord(%#x, %#x) == mixWord(%#x, %#x)", h1, v, h2, v)
		}
		if mixWord(h1, v) == mixWord(h1, w) {
			t.Fatalf("mixWord(%#x, %#x) == mixWord(%#x, %#x)", h1, v, h1, w)
		}
	})
}
