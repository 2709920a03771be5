package workloads

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var sampleCommands = []Command{
	{Client: 1, Seq: 1, Op: Op{Kind: Get, Key: "k0"}},
	{Client: 1 << 40, Seq: 1<<64 - 1, Op: Op{Kind: Put, Key: "key with space", Value: "v\x00\xff"}},
	{Client: 3, Seq: 9, Op: Op{Kind: Put, Key: "x", Value: ""}},
	{Client: 3, Seq: 10, Op: Op{Kind: Append, Key: "x", Value: "123456789012345678"}},
	{Client: 7, Seq: 2, Op: Op{Kind: CAS, Key: "x", Expect: "", Value: "4"}},
	{Client: 7, Seq: 3, Op: Op{Kind: CAS, Key: "x", Expect: "4", Value: "5"}},
}

var sampleReplies = []Reply{
	{}, {Value: "3", Found: true}, {Value: "3", Found: true, Swapped: true}, {Swapped: true},
	{Status: StatusStale}, {Status: StatusSessionExpired}, {Status: StatusLimit}, {Status: StatusUnknown},
	{Value: "1 2 3 4 5", Found: true},
}

func TestCommandRoundTrip(t *testing.T) {
	for _, c := range sampleCommands {
		t.Run(c.Op.String(), func(t *testing.T) {
			b := encode(t, c)
			got, err := DecodeCommand(b)
			require.NoError(t, err)
			assert.Equal(t, c, got)
			assert.Equal(t, byte(0x11), b[0], "tag")
		})
	}
}

func TestCommandEncodingExact(t *testing.T) {
	b := encode(t, Command{Client: 300, Seq: 2, Op: Op{Kind: CAS, Key: "k", Expect: "1", Value: "22"}})
	want := []byte{0x11, 0xac, 0x02, 0x02, 0x04, 1, 'k', 2, '2', '2', 1, '1'}
	assert.Equal(t, want, b)
}

func TestReplyRoundTrip(t *testing.T) {
	for _, r := range sampleReplies {
		b, err := EncodeReply([]byte("prefix"), r)
		require.NoError(t, err)
		require.Equal(t, "prefix", string(b[:6]))
		got, err := DecodeReply(b[6:])
		require.NoError(t, err)
		assert.Equal(t, r, got)
	}
	b, err := EncodeReply(nil, Reply{Value: "ab", Found: true, Swapped: true, Status: StatusOK})
	require.NoError(t, err)
	assert.Equal(t, []byte{0x21, 3, 0, 2, 'a', 'b'}, b)
}

// Every strict prefix of a valid encoding must be rejected with an error, never a panic.
func TestDecodeTruncatedAtEveryByte(t *testing.T) {
	for _, c := range sampleCommands {
		b := encode(t, c)
		for n := range len(b) {
			_, err := DecodeCommand(b[:n])
			assert.ErrorIs(t, err, ErrMalformed, "command %v cut at %d of %d", c, n, len(b))
		}
	}
	for _, r := range sampleReplies {
		b, err := EncodeReply(nil, r)
		require.NoError(t, err)
		for n := range len(b) {
			_, err := DecodeReply(b[:n])
			assert.ErrorIs(t, err, ErrMalformed, "reply %v cut at %d of %d", r, n, len(b))
		}
	}
}

func TestDecodeCommandRejects(t *testing.T) {
	valid := encode(t, Command{Client: 1, Seq: 1, Op: Op{Kind: Put, Key: "k", Value: "v"}})
	with := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), valid...)) }
	build := func(client, seq uint64, kind byte, key, value, expect string) []byte {
		b := []byte{0x11}
		b = binary.AppendUvarint(b, client)
		b = binary.AppendUvarint(b, seq)
		b = append(b, kind)
		b = appendString(b, key)
		b = appendString(b, value)
		return appendString(b, expect)
	}
	hugeLen := append([]byte{0x11, 1, 1, 2}, binary.AppendUvarint(nil, 1<<62)...)
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"reply tag", with(func(b []byte) []byte { b[0] = 0x21; return b }), "tag 0x21"},
		{"future version", with(func(b []byte) []byte { b[0] = 0x12; return b }), "tag 0x12"},
		{"trailing byte", with(func(b []byte) []byte { return append(b, 0) }), "trailing"},
		{"client zero", build(0, 1, 2, "k", "v", ""), "client 0"},
		{"seq zero", build(1, 0, 2, "k", "v", ""), "seq 0"},
		{"kind zero", build(1, 1, 0, "k", "", ""), "Kind = 0"},
		{"kind five", build(1, 1, 5, "k", "", ""), "Kind = 5"},
		{"empty key", build(1, 1, 1, "", "", ""), "key length 0"},
		{"key too long", build(1, 1, 1, strings.Repeat("k", MaxKeyBytes+1), "", ""), "string length 257"},
		{"get with value", build(1, 1, 1, "k", "v", ""), "get has no value"},
		{"put with expect", build(1, 1, 2, "k", "v", "e"), "only cas has Expect"},
		{"append not decimal", build(1, 1, 3, "k", "x", ""), "append element"},
		{"append leading zero", build(1, 1, 3, "k", "07", ""), "append element"},
		{"append too long", build(1, 1, 3, "k", strings.Repeat("1", MaxElementDigits+1), ""), "append element"},
		{"huge length", hugeLen, "string length"},
		{"non-minimal varint", []byte{0x11, 0x81, 0x00, 1, 2, 1, 'k', 0, 0}, "non-minimal"},
		{"overlong varint", []byte{0x11, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, "varint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeCommand(tt.b)
			require.ErrorIs(t, err, ErrMalformed)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestDecodeReplyRejects(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
	}{
		{"unknown flag", []byte{0x21, 4, 0, 0}},
		{"unknown status", []byte{0x21, 0, 5, 0}},
		{"command tag", []byte{0x11, 0, 0, 0}},
		{"trailing", []byte{0x21, 0, 0, 0, 0}},
		{"value too long", append([]byte{0x21, 0, 0}, binary.AppendUvarint(nil, MaxValueBytes+1)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeReply(tt.b)
			assert.ErrorIs(t, err, ErrMalformed)
		})
	}
}

func TestEncodeRejectsInvalid(t *testing.T) {
	dst := []byte("keep")
	got, err := EncodeCommand(dst, Command{Client: 1, Seq: 1, Op: Op{Kind: Append, Key: "k", Value: "-1"}})
	assert.ErrorIs(t, err, ErrMalformed)
	assert.Equal(t, "keep", string(got))
	_, err = EncodeReply(nil, Reply{Status: 9})
	assert.ErrorIs(t, err, ErrMalformed)
	_, err = EncodeReply(nil, Reply{Value: strings.Repeat("v", MaxValueBytes+1)})
	assert.ErrorIs(t, err, ErrMalformed)
}

func TestOpStringParsesBack(t *testing.T) {
	tests := []struct {
		op   Op
		want string
	}{
		{Op{Kind: Get, Key: "k1"}, `get "k1"`},
		{Op{Kind: Put, Key: "k1", Value: "7"}, `put "k1" "7"`},
		{Op{Kind: Put, Key: "a b", Value: "q\"uote"}, `put "a b" "q\"uote"`},
		{Op{Kind: Append, Key: "k1", Value: "12"}, `append "k1" "12"`},
		{Op{Kind: CAS, Key: "k1", Expect: "7", Value: "8"}, `cas "k1" "7" "8"`},
		{Op{Kind: CAS, Key: "k1", Expect: "", Value: "8"}, `cas "k1" "" "8"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.op.String())
			got, err := ParseOp(tt.want)
			require.NoError(t, err)
			assert.Equal(t, tt.op, got)
		})
	}
	for _, bad := range []string{"", "get", `get k1`, `get "k1" "x"`, `put "k1"`, `put "k1""7"`, `del "k1"`,
		`append "k1" "x"`, `cas "k1" "1"`, `get "k1" `} {
		_, err := ParseOp(bad)
		assert.ErrorIs(t, err, ErrMalformed, "ParseOp(%q)", bad)
	}
}

func TestParseList(t *testing.T) {
	good := []struct {
		in   string
		want []int
	}{
		{"", nil}, {"0", []int{0}}, {"3 17 4", []int{3, 17, 4}},
		{"999999999999999999", []int{999999999999999999}},
	}
	for _, tt := range good {
		got, err := ParseList(tt.in)
		require.NoError(t, err, "ParseList(%q)", tt.in)
		assert.Equal(t, tt.want, got, "ParseList(%q)", tt.in)
		assert.Equal(t, tt.in, FormatList(got), "FormatList")
	}
	for _, bad := range []string{" ", "1 ", " 1", "1  2", "01", "-1", "+1", "1,2", "a", "1\t2",
		"1000000000000000000"} {
		_, err := ParseList(bad)
		assert.ErrorIs(t, err, ErrMalformed, "ParseList(%q)", bad)
	}
	assert.Panics(t, func() { FormatList([]int{-1}) })
}

func FuzzDecodeCommand(f *testing.F) {
	for _, c := range sampleCommands {
		b, _ := EncodeCommand(nil, c)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeCommand(b)
		if err != nil {
			return
		}
		again, err := EncodeCommand(nil, c)
		if err != nil {
			t.Fatalf("decoded command %+v does not re-encode: %v", c, err)
		}
		c2, err := DecodeCommand(again)
		if err != nil || c2 != c {
			t.Fatalf("re-decode: got %+v, %v; want %+v", c2, err, c)
		}
	})
}
