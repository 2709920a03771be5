package wal

import "fmt"

// Defaults of Options' zero fields, and the bounds the fields must respect.
const (
	DefaultSegmentBytes     = 64 << 20
	DefaultMaxRecordBytes   = 16 << 20
	DefaultMaxSegments      = 1 << 12
	DefaultMaxSnapshotBytes = 1 << 30

	// MinSegmentBytes is the smallest SegmentBytes: room for a segment's header, its
	// HardState and a sync commit, with space to spare.
	MinSegmentBytes = 256
	// MinRecordBytes is the smallest MaxRecordBytes: an entry with a few bytes of data.
	MinRecordBytes = 64
	// segmentFileMax bounds the size of any segment file Open reads, whatever the options.
	segmentFileMax = 1 << 32
)

// Options configures a WAL. The zero value is the default configuration.
type Options struct {
	// SegmentBytes is the size at which the WAL starts a new segment file. A segment holds at
	// least one record after its header, so a single larger record makes a larger segment.
	// 0 means DefaultSegmentBytes.
	SegmentBytes int64
	// MaxRecordBytes bounds one record (an entry plus 26 bytes of framing), on write and on
	// read: a larger length field in a file is damage, never an allocation. 0 means
	// DefaultMaxRecordBytes. Must not shrink between runs over the same files.
	MaxRecordBytes int
	// MaxSegments bounds the number of segment files. 0 means DefaultMaxSegments.
	MaxSegments int
	// MaxSnapshotBytes bounds a snapshot file's size. 0 means DefaultMaxSnapshotBytes.
	MaxSnapshotBytes int64
	// TruncateOnCorruption is a planted bug (mutant "wal-truncate-on-corruption"): recovery
	// truncates the log at the first damaged record anywhere, even in durable data, instead
	// of returning a *CorruptionError. It silently loses synced entries. Off, it costs
	// nothing.
	TruncateOnCorruption bool
}

// withDefaults validates o and fills in its zero fields.
func (o Options) withDefaults() (Options, error) {
	if o.SegmentBytes == 0 {
		o.SegmentBytes = DefaultSegmentBytes
	}
	if o.MaxRecordBytes == 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if o.MaxSegments == 0 {
		o.MaxSegments = DefaultMaxSegments
	}
	if o.MaxSnapshotBytes == 0 {
		o.MaxSnapshotBytes = DefaultMaxSnapshotBytes
	}
	switch {
	case o.SegmentBytes < MinSegmentBytes || o.SegmentBytes > segmentFileMax/2:
		return o, fmt.Errorf("wal: Options.SegmentBytes = %d: must be 0 or in [%d, %d]",
			o.SegmentBytes, MinSegmentBytes, segmentFileMax/2)
	case o.MaxRecordBytes < MinRecordBytes || o.MaxRecordBytes > 1<<30:
		return o, fmt.Errorf("wal: Options.MaxRecordBytes = %d: must be 0 or in [%d, %d]",
			o.MaxRecordBytes, MinRecordBytes, 1<<30)
	case o.MaxSegments < 2:
		return o, fmt.Errorf("wal: Options.MaxSegments = %d: must be 0 or >= 2", o.MaxSegments)
	case o.MaxSnapshotBytes < snapMinBytes:
		return o, fmt.Errorf("wal: Options.MaxSnapshotBytes = %d: must be 0 or >= %d", o.MaxSnapshotBytes, snapMinBytes)
	}
	return o, nil
}
