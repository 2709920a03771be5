package wal

import (
	"errors"
	"fmt"
)

// ErrCorrupt is matched (errors.Is) by every *CorruptionError: damage found in data that was
// durable, which recovery refuses to drop silently.
var ErrCorrupt = errors.New("wal: corrupt")

// ErrNotContiguous is returned by Save when entries do not follow the log: ents[0].Index
// must be in (snapshot index, last index + 1] and the entries' indexes consecutive.
var ErrNotContiguous = errors.New("wal: entries not contiguous with the log")

// ErrSnapshotStale is returned by SaveSnapshot for a snapshot whose index is not above the
// current snapshot's.
var ErrSnapshotStale = errors.New("wal: snapshot not newer than the current one")

// ErrRecordTooLarge is returned by Save for an entry whose record would exceed
// Options.MaxRecordBytes. Nothing is written.
var ErrRecordTooLarge = errors.New("wal: record too large")

// ErrTooManySegments is returned when a rotation would exceed Options.MaxSegments.
var ErrTooManySegments = errors.New("wal: too many segments")

// ErrFailed wraps the first file-system error a WAL met while writing. After it the WAL
// refuses every write, because what reached the disk is unknown: the host must crash the
// node and Open the files again.
var ErrFailed = errors.New("wal: failed")

// CorruptionError reports damage in durable data: a record or snapshot file that fails its
// checksum or is malformed where a crash cannot have torn it. File is the file's name and
// Offset the byte offset of the first damaged record (0 for a snapshot file's checksum).
type CorruptionError struct {
	File   string
	Offset int64
	Reason string
}

// Error describes the damage.
func (e *CorruptionError) Error() string {
	return fmt.Sprintf("wal: corrupt: %s at offset %d: %s", e.File, e.Offset, e.Reason)
}

// Is makes errors.Is(err, ErrCorrupt) hold.
func (e *CorruptionError) Is(target error) bool { return target == ErrCorrupt }

func corruptf(file string, off int64, format string, args ...any) *CorruptionError {
	return &CorruptionError{File: file, Offset: off, Reason: fmt.Sprintf(format, args...)}
}
