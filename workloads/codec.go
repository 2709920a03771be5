package workloads

import (
	"encoding/binary"
	"fmt"
)

// Encodings. Every encoding starts with one tag byte: the high nibble names what follows
// (1 command, 2 reply, 3 snapshot) and the low nibble is its version, so bytes of one kind
// never decode as another. Integers are unsigned varints (encoding/binary); a string is its
// length as a varint followed by its bytes. Decoders check every length against its bound
// before reading or allocating, reject non-minimal varints and trailing bytes (so a
// decoded value re-encodes to the same bytes), and return errors wrapping
// ErrMalformed; they never panic.
//
//	command:  0x11 client seq kind(1 byte) key value expect
//	reply:    0x21 flags(1 byte: bit 0 Found, bit 1 Swapped) status(1 byte) value
//	snapshot: see Snapshot
const (
	commandTag  = 0x11
	replyTag    = 0x21
	snapshotTag = 0x31
)

// EncodeCommand appends the encoding of c to dst and returns the extended slice. It
// returns an error (and dst unchanged) if c does not pass Command.Validate.
func EncodeCommand(dst []byte, c Command) ([]byte, error) {
	if err := c.Validate(); err != nil {
		return dst, err
	}
	dst = append(dst, commandTag)
	dst = binary.AppendUvarint(dst, c.Client)
	dst = binary.AppendUvarint(dst, c.Seq)
	dst = append(dst, byte(c.Op.Kind))
	dst = appendString(dst, c.Op.Key)
	dst = appendString(dst, c.Op.Value)
	dst = appendString(dst, c.Op.Expect)
	return dst, nil
}

// DecodeCommand decodes an encoded command and validates it (Command.Validate).
func DecodeCommand(b []byte) (Command, error) {
	r := reader{b: b, what: "command"}
	r.tag(commandTag)
	var c Command
	c.Client = r.uvarint()
	c.Seq = r.uvarint()
	c.Op.Kind = OpKind(r.byte())
	c.Op.Key = r.string(MaxKeyBytes)
	c.Op.Value = r.string(MaxValueBytes)
	c.Op.Expect = r.string(MaxValueBytes)
	if err := r.done(); err != nil {
		return Command{}, err
	}
	if err := c.Validate(); err != nil {
		return Command{}, err
	}
	return c, nil
}

// EncodeReply appends the encoding of r to dst and returns the extended slice. It returns
// an error (and dst unchanged) if r.Value is longer than MaxValueBytes or r.Status is
// unknown.
func EncodeReply(dst []byte, r Reply) ([]byte, error) {
	if err := r.validate(); err != nil {
		return dst, err
	}
	dst = append(dst, replyTag)
	return appendReply(dst, r), nil
}

// DecodeReply decodes an encoded reply.
func DecodeReply(b []byte) (Reply, error) {
	r := reader{b: b, what: "reply"}
	r.tag(replyTag)
	rep := r.reply()
	if err := r.done(); err != nil {
		return Reply{}, err
	}
	return rep, nil
}

func (r Reply) validate() error {
	if len(r.Value) > MaxValueBytes {
		return fmt.Errorf("%w reply: value length %d: must be <= %d", ErrMalformed, len(r.Value), MaxValueBytes)
	}
	if int(r.Status) >= len(statusNames) {
		return fmt.Errorf("%w reply: Status = %d: unknown", ErrMalformed, r.Status)
	}
	return nil
}

// appendReply appends a reply's body (no tag): flags, status, value.
func appendReply(dst []byte, r Reply) []byte {
	var flags byte
	if r.Found {
		flags |= 1
	}
	if r.Swapped {
		flags |= 2
	}
	dst = append(dst, flags, byte(r.Status))
	return appendString(dst, r.Value)
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// reader decodes from b, remembering the first error; after an error every method returns
// zero values, so decoders read straight through and check once with done.
type reader struct {
	b    []byte
	off  int
	what string
	err  error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w %s at byte %d: %s", ErrMalformed, r.what, r.off, fmt.Sprintf(format, args...))
	}
}

func (r *reader) tag(want byte) {
	if got := r.byte(); r.err == nil && got != want {
		r.off--
		r.fail("tag 0x%02x: want 0x%02x", got, want)
	}
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.b) {
		r.fail("truncated")
		return 0
	}
	r.off++
	return r.b[r.off-1]
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail("bad or truncated varint")
		return 0
	}
	if n > 1 && r.b[r.off+n-1] == 0 {
		r.fail("non-minimal varint")
		return 0
	}
	r.off += n
	return v
}

// count reads a varint element count, bounded by limit and by the bytes left (each element
// takes at least minBytes), so a hostile count cannot cause a large allocation.
func (r *reader) count(limit, minBytes int) int {
	n := r.uvarint()
	if r.err == nil && (n > uint64(limit) || n > uint64((len(r.b)-r.off)/minBytes)) {
		r.fail("count %d: more than the limit %d or the %d bytes left allow", n, limit, len(r.b)-r.off)
		return 0
	}
	return int(n)
}

func (r *reader) string(limit int) string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(limit) {
		r.fail("string length %d: must be <= %d", n, limit)
		return ""
	}
	if n > uint64(len(r.b)-r.off) {
		r.fail("string length %d: only %d bytes left", n, len(r.b)-r.off)
		return ""
	}
	s := string(r.b[r.off : r.off+int(n)])
	r.off += int(n)
	return s
}

func (r *reader) reply() Reply {
	flags := r.byte()
	status := Status(r.byte())
	value := r.string(MaxValueBytes)
	if r.err != nil {
		return Reply{}
	}
	if flags&^3 != 0 {
		r.fail("reply flags 0x%02x: unknown bits", flags)
	}
	if int(status) >= len(statusNames) {
		r.fail("reply status %d: unknown", status)
	}
	return Reply{Value: value, Found: flags&1 != 0, Swapped: flags&2 != 0, Status: status}
}

func (r *reader) done() error {
	if r.err == nil && r.off != len(r.b) {
		r.fail("%d trailing bytes", len(r.b)-r.off)
	}
	return r.err
}
