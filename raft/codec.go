package raft

import (
	"encoding/binary"
	"fmt"
	"math"
)

// WireVersion is the first byte of every encoded Message and ConfChange. A decoder
// rejects any other value.
const WireVersion byte = 1

// Field presence bits of the encoded Message. Booleans are carried by their bit alone.
const (
	fieldFrom uint64 = 1 << iota
	fieldTo
	fieldTerm
	fieldLogTerm
	fieldIndex
	fieldCommit
	fieldEntries
	fieldReject
	fieldRejectHint
	fieldForce
	fieldRound
	fieldContext
	fieldSnap
	fieldSnapSize
	fieldSnapCRC
	fieldSnapOffset
	fieldSnapData
	fieldSnapDone
	fieldSnapOutgoing // the snapshot's configuration is joint: its outgoing voters

	fieldsAll = fieldSnapOutgoing<<1 - 1
)

// Decoding bounds: a count larger than the remaining bytes could hold is rejected before
// anything is allocated, so a hostile length costs nothing.
const (
	minEntryBytes   = 4 // term, index, type, data length: one byte each at least
	maxDecodeCount  = 1 << 24
	maxEncodedBytes = 1 << 31
)

// AppendMessage appends the wire encoding of m to dst and returns the extended slice. It
// does not allocate when dst has enough spare capacity. The encoding is: WireVersion, the
// type byte, a uvarint bitmap of the fields present, then each present field in a fixed
// order (integers as uvarints, byte strings and lists length-prefixed). Empty and nil
// byte slices encode alike and decode as nil.
func AppendMessage(dst []byte, m Message) []byte {
	mask := m.fieldMask()
	dst = append(dst, WireVersion, byte(m.Type))
	dst = binary.AppendUvarint(dst, mask)
	for _, f := range [...]struct {
		bit uint64
		v   uint64
	}{
		{fieldFrom, m.From}, {fieldTo, m.To}, {fieldTerm, m.Term}, {fieldLogTerm, m.LogTerm},
		{fieldIndex, m.Index}, {fieldCommit, m.Commit},
	} {
		if mask&f.bit != 0 {
			dst = binary.AppendUvarint(dst, f.v)
		}
	}
	if mask&fieldEntries != 0 {
		dst = binary.AppendUvarint(dst, uint64(len(m.Entries)))
		for i := range m.Entries {
			dst = appendEntry(dst, &m.Entries[i])
		}
	}
	if mask&fieldRejectHint != 0 {
		dst = binary.AppendUvarint(dst, m.RejectHint)
	}
	if mask&fieldRound != 0 {
		dst = binary.AppendUvarint(dst, m.Round)
	}
	if mask&fieldContext != 0 {
		dst = appendBytes(dst, m.Context)
	}
	return m.appendSnapFields(dst, mask)
}

func (m *Message) appendSnapFields(dst []byte, mask uint64) []byte {
	if mask&fieldSnap != 0 {
		dst = appendSnapshotMeta(dst, &m.Snap)
	}
	if mask&fieldSnapSize != 0 {
		dst = binary.AppendUvarint(dst, m.SnapSize)
	}
	if mask&fieldSnapCRC != 0 {
		dst = binary.AppendUvarint(dst, uint64(m.SnapCRC))
	}
	if mask&fieldSnapOffset != 0 {
		dst = binary.AppendUvarint(dst, m.SnapOffset)
	}
	if mask&fieldSnapData != 0 {
		dst = appendBytes(dst, m.SnapData)
	}
	if mask&fieldSnapOutgoing != 0 {
		dst = appendIDs(dst, m.Snap.Conf.VotersOutgoing)
	}
	return dst
}

// fieldMask returns the presence bits of m's non-zero fields.
func (m *Message) fieldMask() uint64 {
	var mask uint64
	set := func(bit uint64, on bool) {
		if on {
			mask |= bit
		}
	}
	set(fieldFrom, m.From != 0)
	set(fieldTo, m.To != 0)
	set(fieldTerm, m.Term != 0)
	set(fieldLogTerm, m.LogTerm != 0)
	set(fieldIndex, m.Index != 0)
	set(fieldCommit, m.Commit != 0)
	set(fieldEntries, len(m.Entries) != 0)
	set(fieldReject, m.Reject)
	set(fieldRejectHint, m.RejectHint != 0)
	set(fieldForce, m.Force)
	set(fieldRound, m.Round != 0)
	set(fieldContext, len(m.Context) != 0)
	set(fieldSnap, m.Snap.Index != 0 || m.Snap.Term != 0 ||
		len(m.Snap.Conf.Voters) != 0 || len(m.Snap.Conf.Learners) != 0)
	set(fieldSnapSize, m.SnapSize != 0)
	set(fieldSnapCRC, m.SnapCRC != 0)
	set(fieldSnapOffset, m.SnapOffset != 0)
	set(fieldSnapData, len(m.SnapData) != 0)
	set(fieldSnapDone, m.SnapDone)
	set(fieldSnapOutgoing, len(m.Snap.Conf.VotersOutgoing) != 0)
	return mask
}

func appendEntry(dst []byte, e *Entry) []byte {
	dst = binary.AppendUvarint(dst, e.Term)
	dst = binary.AppendUvarint(dst, e.Index)
	dst = append(dst, byte(e.Type))
	return appendBytes(dst, e.Data)
}

func appendBytes(dst, p []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(p)))
	return append(dst, p...)
}

func appendSnapshotMeta(dst []byte, s *SnapshotMeta) []byte {
	dst = binary.AppendUvarint(dst, s.Index)
	dst = binary.AppendUvarint(dst, s.Term)
	dst = appendIDs(dst, s.Conf.Voters)
	return appendIDs(dst, s.Conf.Learners)
}

func appendIDs(dst []byte, ids []uint64) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(ids)))
	for _, id := range ids {
		dst = binary.AppendUvarint(dst, id)
	}
	return dst
}

// DecodeMessage decodes one message encoded by AppendMessage. It checks the version, the
// type and entry-type enums, every length and count against the bytes that remain, and
// that nothing trails; on malformed input it returns an error wrapping ErrMalformed,
// never panics. The byte slices of the result (Entries' Data, Context, SnapData) alias b:
// b must not be modified while the message is in use.
func DecodeMessage(b []byte) (Message, error) {
	var m Message
	err := DecodeMessageInto(b, &m)
	return m, err
}

// DecodeMessageInto is DecodeMessage into *m, which it overwrites whole (zero on error):
// a host decoding every message it receives saves a copy of the struct.
func DecodeMessageInto(b []byte, m *Message) error {
	*m = Message{}
	if len(b) > maxEncodedBytes {
		return fmt.Errorf("%w: message of %d bytes exceeds %d", ErrMalformed, len(b), maxEncodedBytes)
	}
	d := decoder{b: b}
	if v := d.byte("version"); d.err == nil && v != WireVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrMalformed, v, WireVersion)
	}
	typ := MessageType(d.byte("type"))
	if d.err == nil && !typ.Valid() {
		return fmt.Errorf("%w: message type %d", ErrMalformed, typ)
	}
	mask := d.uvarint("field mask")
	if d.err == nil && mask&^fieldsAll != 0 {
		return fmt.Errorf("%w: unknown field bits %#x", ErrMalformed, mask&^fieldsAll)
	}
	m.Type = typ
	d.fixedFields(m, mask)
	if mask&fieldEntries != 0 {
		m.Entries = d.entries()
	}
	m.Reject = mask&fieldReject != 0
	m.Force = mask&fieldForce != 0
	m.SnapDone = mask&fieldSnapDone != 0
	d.optional(mask, fieldRejectHint, &m.RejectHint, "reject hint")
	d.optional(mask, fieldRound, &m.Round, "round")
	if mask&fieldContext != 0 {
		m.Context = d.bytes("context")
	}
	d.snapFields(m, mask)
	if d.err == nil && d.off != len(b) {
		d.fail(fmt.Sprintf("%d trailing bytes", len(b)-d.off))
	}
	if d.err != nil {
		*m = Message{}
		return d.err
	}
	return nil
}

// fixedFields reads the numeric header fields mask names, in their wire order.
func (d *decoder) fixedFields(m *Message, mask uint64) {
	d.optional(mask, fieldFrom, &m.From, "from")
	d.optional(mask, fieldTo, &m.To, "to")
	d.optional(mask, fieldTerm, &m.Term, "term")
	d.optional(mask, fieldLogTerm, &m.LogTerm, "log term")
	d.optional(mask, fieldIndex, &m.Index, "index")
	d.optional(mask, fieldCommit, &m.Commit, "commit")
}

// optional reads the uvarint field named what into *dst when mask has its bit.
func (d *decoder) optional(mask, bit uint64, dst *uint64, what string) {
	if mask&bit != 0 {
		*dst = d.uvarint(what)
	}
}

func (d *decoder) snapFields(m *Message, mask uint64) {
	if mask&fieldSnap != 0 {
		m.Snap = d.snapshotMeta()
	}
	if mask&fieldSnapSize != 0 {
		m.SnapSize = d.uvarint("snapshot size")
	}
	if mask&fieldSnapCRC != 0 {
		crc := d.uvarint("snapshot crc")
		if crc > math.MaxUint32 {
			d.fail("snapshot crc exceeds 32 bits")
		}
		m.SnapCRC = uint32(crc)
	}
	if mask&fieldSnapOffset != 0 {
		m.SnapOffset = d.uvarint("snapshot offset")
	}
	if mask&fieldSnapData != 0 {
		m.SnapData = d.bytes("snapshot data")
	}
	if mask&fieldSnapOutgoing != 0 {
		m.Snap.Conf.VotersOutgoing = d.ids("outgoing voter")
	}
}

// EncodeConfChange returns the encoding of cc carried in an EntryConfChange's Data.
func EncodeConfChange(cc ConfChange) []byte {
	b := make([]byte, 0, 2+binary.MaxVarintLen64)
	b = append(b, WireVersion, byte(cc.Type))
	return binary.AppendUvarint(b, cc.Node)
}

// DecodeConfChange decodes the Data of an EntryConfChange entry, checking the version,
// the change type, that Node is not None, and that nothing trails.
func DecodeConfChange(b []byte) (ConfChange, error) {
	d := decoder{b: b}
	if v := d.byte("version"); d.err == nil && v != WireVersion {
		return ConfChange{}, fmt.Errorf("%w: conf change version %d, want %d", ErrMalformed, v, WireVersion)
	}
	cc := ConfChange{Type: ConfChangeType(d.byte("conf change type"))}
	if d.err == nil && !cc.Type.Valid() {
		return ConfChange{}, fmt.Errorf("%w: conf change type %d", ErrMalformed, cc.Type)
	}
	cc.Node = d.uvarint("conf change node")
	if d.err == nil && cc.Node == None {
		d.fail("conf change of node 0")
	}
	if d.err == nil && d.off != len(b) {
		d.fail(fmt.Sprintf("%d trailing bytes", len(b)-d.off))
	}
	if d.err != nil {
		return ConfChange{}, d.err
	}
	return cc, nil
}

// decoder reads b from off; after the first failure every read returns zero values and
// err keeps the first error.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s at offset %d", ErrMalformed, what, d.off)
	}
}

func (d *decoder) remaining() int { return len(d.b) - d.off }

func (d *decoder) byte(what string) byte {
	if d.err != nil {
		return 0
	}
	if d.remaining() < 1 {
		d.fail("truncated " + what)
		return 0
	}
	v := d.b[d.off]
	d.off++
	return v
}

func (d *decoder) uvarint(what string) uint64 { return d.uvarintOf(what, "") }

// uvarintOf is uvarint of the field named what+suffix, a name built only for an error.
func (d *decoder) uvarintOf(what, suffix string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail("bad or truncated " + what + suffix)
		return 0
	}
	d.off += n
	return v
}

// bytes reads a length-prefixed byte string, aliasing b with its capacity clipped so that
// appending to it cannot overwrite what follows. An empty string decodes as nil.
func (d *decoder) bytes(what string) []byte {
	n := d.uvarintOf(what, " length")
	if d.err != nil {
		return nil
	}
	if n > uint64(d.remaining()) {
		d.fail(fmt.Sprintf("%s length %d exceeds the %d bytes left", what, n, d.remaining()))
		return nil
	}
	if n == 0 {
		return nil
	}
	end := d.off + int(n)
	p := d.b[d.off:end:end]
	d.off = end
	return p
}

// count reads a list length and bounds it by what the remaining bytes can hold.
func (d *decoder) count(what string, minItemBytes int) int {
	n := d.uvarintOf(what, " count")
	if d.err != nil {
		return 0
	}
	if n > maxDecodeCount || n > uint64(d.remaining()/minItemBytes) {
		d.fail(fmt.Sprintf("%s count %d exceeds what %d bytes can hold", what, n, d.remaining()))
		return 0
	}
	return int(n)
}

func (d *decoder) entries() []Entry {
	n := d.count("entry", minEntryBytes)
	if d.err != nil || n == 0 {
		return nil
	}
	ents := make([]Entry, n)
	for i := range ents {
		e := &ents[i]
		e.Term = d.uvarint("entry term")
		e.Index = d.uvarint("entry index")
		e.Type = EntryType(d.byte("entry type"))
		if d.err == nil && e.Type != EntryNormal && !e.Type.isConf() {
			d.fail(fmt.Sprintf("entry type %d", e.Type))
		}
		e.Data = d.bytes("entry data")
		if d.err != nil {
			return nil
		}
	}
	return ents
}

func (d *decoder) snapshotMeta() SnapshotMeta {
	var s SnapshotMeta
	s.Index = d.uvarint("snapshot index")
	s.Term = d.uvarint("snapshot term")
	s.Conf.Voters = d.ids("voter")
	s.Conf.Learners = d.ids("learner")
	return s
}

func (d *decoder) ids(what string) []uint64 {
	n := d.count(what, 1)
	if d.err != nil || n == 0 {
		return nil
	}
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = d.uvarint(what)
	}
	if d.err != nil {
		return nil
	}
	return ids
}
