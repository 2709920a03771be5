package simnet

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"slices"
)

// diskError is a sentinel that also matches a standard library error (fs.ErrNotExist, ...).
type diskError struct {
	msg  string
	like error
}

func (e *diskError) Error() string        { return e.msg }
func (e *diskError) Is(target error) bool { return e.like != nil && target == e.like }

// Sentinel errors of Disk operations; returned errors wrap them (test with errors.Is).
var (
	// ErrNotExist: the named file does not exist. errors.Is(err, fs.ErrNotExist) holds too.
	ErrNotExist error = &diskError{"file does not exist", fs.ErrNotExist}
	// ErrNoSpace: the write would exceed DiskConfig.Capacity (like ENOSPC).
	ErrNoSpace error = &diskError{"no space left on device", nil}
	// ErrIO: a read failed (the read-error fault, like EIO).
	ErrIO error = &diskError{"input/output error", nil}
	// ErrInvalid: a bad argument (empty name, negative offset or size).
	// errors.Is(err, fs.ErrInvalid) holds too.
	ErrInvalid error = &diskError{"invalid argument", fs.ErrInvalid}
)

// Defaults of DiskConfig's zero fields.
const (
	DefaultSectorSize   = 512
	DefaultDiskCapacity = 1 << 30
)

// DiskConfig configures a Disk. The zero value is a 1 GiB disk of 512-byte sectors with no
// latency.
type DiskConfig struct {
	SectorSize   int     // bytes, a power of two up to 64 KiB; 0 means DefaultSectorSize
	Capacity     int64   // total bytes of all files; 0 means DefaultDiskCapacity
	WriteLatency Latency // cost of each write, truncate, create, rename and remove
	SyncLatency  Latency // cost of each Sync and SyncDir
}

// Validate reports the first invalid field.
func (c DiskConfig) Validate() error {
	if c.SectorSize < 0 || c.SectorSize > 1<<16 || c.SectorSize&(c.SectorSize-1) != 0 {
		return fmt.Errorf("simnet: DiskConfig.SectorSize = %d: must be 0 or a power of two <= 65536", c.SectorSize)
	}
	if c.Capacity < 0 {
		return fmt.Errorf("simnet: DiskConfig.Capacity = %d: must be >= 0", c.Capacity)
	}
	if err := c.WriteLatency.validate("DiskConfig.WriteLatency"); err != nil {
		return err
	}
	return c.SyncLatency.validate("DiskConfig.SyncLatency")
}

// inode is one file's contents. data is what reads see; durable is the contents as of the
// last Sync; ops are the writes and truncates since, whose payloads live in payload.
// Invariant: replaying ops over durable gives data; data and durable never share memory.
type inode struct {
	id      uint64
	data    []byte
	durable []byte
	ops     []dataOp
	payload []byte
}

// dataOp is one unsynced write (n >= 0 bytes at payload[at:at+n] to offset off) or
// truncate (n < 0, to size off).
type dataOp struct {
	off int64
	n   int
	at  int
}

// DirOp is a kind of directory operation.
type DirOp uint8

// The directory operations; each is volatile until SyncDir.
const (
	DirCreate DirOp = iota + 1
	DirRename
	DirRemove
)

// dirOp is one unsynced directory operation on file ino: create name, rename name to to,
// or remove name.
type dirOp struct {
	op   DirOp
	name string
	to   string
	ino  *inode
}

// Disk is one node's simulated disk: a flat directory of named files held in memory. Writes
// land in a volatile layer; Sync(name) makes one file's data durable and SyncDir makes
// creates, renames and removes durable. Crash decides what the volatile layer becomes.
// Nothing touches the real filesystem. Disk satisfies raft/wal's FS interface.
type Disk struct {
	k         *Kernel
	node      NodeID
	cfg       DiskConfig
	sector    int64
	dir       map[string]*inode // volatile namespace: what the host sees
	durDir    map[string]*inode // durable namespace
	dirOps    []dirOp           // unsynced directory operations, in order
	nextIno   uint64
	used      int64 // sum of len(data) over the files of dir
	failReads map[string]bool
	latency   Time // accumulated cost, handed out by TakeLatency
	rng       *rand.Rand
	stats     DiskStats
	flight    syncFlight // the last sync while not yet durable (disk_flight.go)
}

// NewDisk returns an empty disk for node. Its latency draws come from the kernel stream
// "disk/<node>".
func NewDisk(k *Kernel, node NodeID, cfg DiskConfig) (*Disk, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.SectorSize == 0 {
		cfg.SectorSize = DefaultSectorSize
	}
	if cfg.Capacity == 0 {
		cfg.Capacity = DefaultDiskCapacity
	}
	return &Disk{
		k: k, node: node, cfg: cfg, sector: int64(cfg.SectorSize),
		dir: map[string]*inode{}, durDir: map[string]*inode{}, nextIno: 1,
		failReads: map[string]bool{},
		rng:       k.Stream(fmt.Sprintf("disk/%d", node)),
	}, nil
}

// Node returns the node the disk belongs to.
func (d *Disk) Node() NodeID { return d.node }

// Config returns the disk's configuration with defaults filled in.
func (d *Disk) Config() DiskConfig { return d.cfg }

func (d *Disk) errf(op, name string, err error) error {
	return fmt.Errorf("simnet: disk %d: %s %q: %w", d.node, op, name, err)
}

func (d *Disk) lookup(op, name string) (*inode, error) {
	if name == "" {
		return nil, d.errf(op, name, ErrInvalid)
	}
	ino, ok := d.dir[name]
	if !ok {
		return nil, d.errf(op, name, ErrNotExist)
	}
	return ino, nil
}

// Append writes p at the end of file name, creating it if missing (an empty p just creates
// it). A write that fails changes nothing.
func (d *Disk) Append(name string, p []byte) error {
	off := int64(0)
	if ino, ok := d.dir[name]; ok {
		off = int64(len(ino.data))
	}
	return d.write("append", name, off, p)
}

// WriteAt writes p at offset off of file name, creating it if missing; a gap past the end
// reads as zeros. A write that fails changes nothing.
func (d *Disk) WriteAt(name string, off int64, p []byte) error {
	return d.write("write", name, off, p)
}

func (d *Disk) write(op, name string, off int64, p []byte) error {
	d.Settle()
	if name == "" || off < 0 {
		return d.errf(op, name, ErrInvalid)
	}
	ino := d.dir[name]
	size := int64(0)
	if ino != nil {
		size = int64(len(ino.data))
	}
	if err := d.reserve(op, name, size, off+int64(len(p))); err != nil {
		return err
	}
	if ino == nil {
		ino = d.create(name)
	}
	at := len(ino.payload)
	ino.payload = append(ino.payload, p...)
	ino.ops = append(ino.ops, dataOp{off: off, n: len(p), at: at})
	ino.data = writeBytes(ino.data, off, p)
	d.used += int64(len(ino.data)) - size
	d.stats.Writes++
	d.stats.BytesWritten += uint64(len(p))
	d.latency += d.cfg.WriteLatency.Sample(d.rng)
	d.k.trace.Event(TraceWrite, uint64(d.node)<<32|ino.id, uint64(off), uint64(len(p)))
	return nil
}

// reserve checks that growing a file from size to end fits the capacity. off > capacity
// fails before any arithmetic can overflow.
func (d *Disk) reserve(op, name string, size, end int64) error {
	if end < 0 || end > d.cfg.Capacity || (end > size && d.used+end-size > d.cfg.Capacity) {
		d.stats.NoSpaceErrors++
		d.k.trace.Note(TraceFault, uint64(d.node), uint64(FaultNoSpace), uint64(max(end, 0)), name)
		return d.errf(op, name, ErrNoSpace)
	}
	return nil
}

func (d *Disk) create(name string) *inode {
	ino := &inode{id: d.nextIno}
	d.nextIno++
	d.dir[name] = ino
	d.dirOps = append(d.dirOps, dirOp{op: DirCreate, name: name, ino: ino})
	d.k.trace.Note(TraceDirOp, uint64(d.node), uint64(DirCreate), ino.id, name)
	return ino
}

// ReadFile returns a fresh copy of file name's contents as the host sees them (unsynced
// writes included).
func (d *Disk) ReadFile(name string) ([]byte, error) {
	ino, err := d.lookup("read", name)
	if err != nil {
		return nil, err
	}
	if d.failReads[name] {
		d.stats.ReadErrors++
		d.k.trace.Note(TraceFault, uint64(d.node), uint64(FaultReadError), ino.id, name)
		return nil, d.errf("read", name, ErrIO)
	}
	d.stats.Reads++
	d.stats.BytesRead += uint64(len(ino.data))
	return slices.Clone(ino.data), nil
}

// Size returns the length of file name.
func (d *Disk) Size(name string) (int64, error) {
	ino, err := d.lookup("size", name)
	if err != nil {
		return 0, err
	}
	return int64(len(ino.data)), nil
}

// Truncate sets the length of file name to size; growing pads with zeros.
func (d *Disk) Truncate(name string, size int64) error {
	d.Settle()
	ino, err := d.lookup("truncate", name)
	if err != nil {
		return err
	}
	if size < 0 {
		return d.errf("truncate", name, ErrInvalid)
	}
	old := int64(len(ino.data))
	if err := d.reserve("truncate", name, old, size); err != nil {
		return err
	}
	ino.ops = append(ino.ops, dataOp{off: size, n: -1})
	ino.data = resize(ino.data, int(size))
	d.used += size - old
	d.stats.Truncates++
	d.latency += d.cfg.WriteLatency.Sample(d.rng)
	d.k.trace.Event(TraceTruncate, uint64(d.node)<<32|ino.id, uint64(size), 0)
	return nil
}

// Rename renames oldName to newName, replacing any file newName. It is volatile until
// SyncDir.
func (d *Disk) Rename(oldName, newName string) error {
	d.Settle()
	ino, err := d.lookup("rename", oldName)
	if err != nil {
		return err
	}
	if newName == "" {
		return d.errf("rename", newName, ErrInvalid)
	}
	if oldName == newName {
		return nil
	}
	if old, ok := d.dir[newName]; ok {
		d.used -= int64(len(old.data))
	}
	delete(d.dir, oldName)
	d.dir[newName] = ino
	d.dirOps = append(d.dirOps, dirOp{op: DirRename, name: oldName, to: newName, ino: ino})
	d.latency += d.cfg.WriteLatency.Sample(d.rng)
	d.k.trace.Note(TraceDirOp, uint64(d.node), uint64(DirRename), ino.id, oldName+" "+newName)
	return nil
}

// Remove removes file name. It is volatile until SyncDir.
func (d *Disk) Remove(name string) error {
	d.Settle()
	ino, err := d.lookup("remove", name)
	if err != nil {
		return err
	}
	delete(d.dir, name)
	d.used -= int64(len(ino.data))
	d.dirOps = append(d.dirOps, dirOp{op: DirRemove, name: name, ino: ino})
	d.latency += d.cfg.WriteLatency.Sample(d.rng)
	d.k.trace.Note(TraceDirOp, uint64(d.node), uint64(DirRemove), ino.id, name)
	return nil
}

// List returns the names of all files, sorted.
func (d *Disk) List() ([]string, error) {
	names := make([]string, 0, len(d.dir))
	for name := range d.dir {
		names = append(names, name)
	}
	slices.Sort(names)
	return names, nil
}

// Sync makes file name's data durable (its name is durable only after SyncDir). The sync is
// in flight until the next operation that changes the disk or Settle (disk_flight.go).
func (d *Disk) Sync(name string) error {
	ino, err := d.lookup("sync", name)
	if err != nil {
		return err
	}
	d.launch(syncFlight{ino: ino})
	d.stats.Syncs++
	d.latency += d.cfg.SyncLatency.Sample(d.rng)
	// What is durable once the sync lands: every write so far, which is what reads see.
	d.k.trace.Event(TraceSync, uint64(d.node), ino.id, uint64(len(ino.data)))
	return nil
}

// SyncDir makes every create, rename and remove so far durable, in flight as Sync is.
func (d *Disk) SyncDir() error {
	n := len(d.dirOps)
	d.launch(syncFlight{dir: true})
	d.stats.DirSyncs++
	d.latency += d.cfg.SyncLatency.Sample(d.rng)
	d.k.trace.Event(TraceSyncDir, uint64(d.node), uint64(n), 0)
	return nil
}

// writeBytes writes p at off of b, growing b (zero-filled) as needed.
func writeBytes(b []byte, off int64, p []byte) []byte {
	if end := int(off) + len(p); end > len(b) {
		b = resize(b, end)
	}
	copy(b[off:], p)
	return b
}

// resize sets len(b) to n; bytes beyond the old length read as zeros.
func resize(b []byte, n int) []byte {
	if n <= len(b) {
		return b[:n]
	}
	if n <= cap(b) {
		old := len(b)
		b = b[:n]
		clear(b[old:])
		return b
	}
	nb := make([]byte, n, max(n, 2*cap(b)))
	copy(nb, b)
	return nb
}

// replay applies the first k of ops to b and returns the result.
func replay(b []byte, ops []dataOp, payload []byte, k int) []byte {
	for _, op := range ops[:k] {
		if op.n < 0 {
			b = resize(b, int(op.off))
			continue
		}
		b = writeBytes(b, op.off, payload[op.at:op.at+op.n])
	}
	return b
}
