package simnet

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// CrashMode says what a crash does to a disk's unsynced (volatile) state. Synced data and
// synced directory entries always survive a crash.
//
// File data:
//   - LoseUnsynced: every unsynced write and truncate is lost.
//   - KeepUnsynced: every unsynced write survives (a process crash: the OS page cache lives on).
//   - KeepPrefix: per file, a random prefix (0..all) of its unsynced operations survives, in
//     write order.
//   - TornSectors: per file, a random prefix of its unsynced operations plus, of the next
//     write, a random number of its leading sectors (never all of them): a write torn at
//     sector granularity. Only whole sectors of the torn write ever land.
//   - RandomSectors: per file, a random subset of the sectors touched by unsynced operations
//     holds the new contents and the rest the old (zeros past the old end), and the file
//     length is either the old or the new one: lazyfs's "torn-seq" fault.
//
// Directory operations (create, rename, remove) not yet made durable by SyncDir:
// LoseUnsynced loses them all, KeepUnsynced keeps them all, KeepPrefix and TornSectors keep a
// random prefix of them (directory updates are journaled in order), RandomSectors keeps a
// random subset (replayed in order; an operation whose file is not there is skipped). A file
// whose name does not survive is gone, whatever was synced of its data.
type CrashMode uint8

// The crash modes; see CrashMode.
const (
	LoseUnsynced CrashMode = iota
	KeepUnsynced
	KeepPrefix
	TornSectors
	RandomSectors
	crashModeEnd
)

var crashModeNames = [crashModeEnd]string{"LoseUnsynced", "KeepUnsynced", "KeepPrefix", "TornSectors", "RandomSectors"}

// String returns the mode's name.
func (m CrashMode) String() string {
	if m < crashModeEnd {
		return crashModeNames[m]
	}
	return fmt.Sprintf("CrashMode(%d)", uint8(m))
}

// CrashModes lists every crash mode, for nemeses that pick one.
func CrashModes() []CrashMode {
	return []CrashMode{LoseUnsynced, KeepUnsynced, KeepPrefix, TornSectors, RandomSectors}
}

// Crash resolves the disk's volatile state as mode says, drawing its choices from r (which
// may be nil only for LoseUnsynced and KeepUnsynced). Afterwards everything on the disk is
// durable: the directory and every file hold exactly what survived. An unknown mode is an
// error and changes nothing.
func (d *Disk) Crash(mode CrashMode, r *rand.Rand) error {
	if mode >= crashModeEnd {
		return fmt.Errorf("simnet: disk %d: Crash mode = %d: unknown CrashMode", d.node, mode)
	}
	if r == nil && mode != LoseUnsynced && mode != KeepUnsynced {
		return fmt.Errorf("simnet: disk %d: Crash(%v, nil): mode needs a *rand.Rand", d.node, mode)
	}
	d.crashFlight()
	pending := len(d.dirOps)
	for _, ino := range d.dir {
		pending += len(ino.ops)
	}
	ns := d.crashDir(mode, r)
	names := make([]string, 0, len(ns))
	for name := range ns {
		names = append(names, name)
	}
	slices.Sort(names)
	d.used = 0
	for _, name := range names {
		ino := ns[name]
		if len(ino.ops) > 0 {
			ino.durable = d.crashData(ino, mode, r)
			ino.ops = ino.ops[:0]
			ino.payload = ino.payload[:0]
		}
		ino.data = append(ino.data[:0], ino.durable...)
		d.used += int64(len(ino.data))
	}
	d.dir = ns
	d.durDir = make(map[string]*inode, len(ns))
	for _, name := range names {
		d.durDir[name] = ns[name]
	}
	d.dirOps = d.dirOps[:0]
	d.stats.Crashes++
	d.k.trace.Event(TraceDiskCrash, uint64(d.node), uint64(mode), uint64(pending))
	return nil
}

// crashDir returns the namespace that survives: the durable one plus the surviving
// unsynced directory operations.
func (d *Disk) crashDir(mode CrashMode, r *rand.Rand) map[string]*inode {
	keep := make([]bool, len(d.dirOps))
	switch mode {
	case KeepUnsynced:
		for i := range keep {
			keep[i] = true
		}
	case KeepPrefix, TornSectors:
		n := r.IntN(len(keep) + 1)
		for i := range n {
			keep[i] = true
		}
	case RandomSectors:
		for i := range keep {
			keep[i] = r.IntN(2) == 1
		}
	}
	ns := make(map[string]*inode, len(d.durDir))
	for name, ino := range d.durDir {
		ns[name] = ino
	}
	for i, op := range d.dirOps {
		if !keep[i] {
			continue
		}
		switch op.op {
		case DirCreate:
			ns[op.name] = op.ino
		case DirRename:
			if ns[op.name] == op.ino {
				delete(ns, op.name)
				ns[op.to] = op.ino
			}
		case DirRemove:
			if ns[op.name] == op.ino {
				delete(ns, op.name)
			}
		}
	}
	return ns
}

// crashData returns what survives of ino's contents.
func (d *Disk) crashData(ino *inode, mode CrashMode, r *rand.Rand) []byte {
	m := len(ino.ops)
	switch mode {
	case LoseUnsynced:
		return ino.durable
	case KeepUnsynced:
		return replay(ino.durable, ino.ops, ino.payload, m)
	case KeepPrefix:
		return replay(ino.durable, ino.ops, ino.payload, r.IntN(m+1))
	case TornSectors:
		k := r.IntN(m + 1)
		b := replay(ino.durable, ino.ops, ino.payload, k)
		if k == m || ino.ops[k].n <= 0 {
			return b
		}
		return d.tear(b, ino.ops[k], ino.payload, r)
	case RandomSectors:
		return d.randomSectors(ino, r)
	}
	panic(fmt.Sprintf("simnet: crashData: mode %d", mode))
}

// tear applies to b the leading whole sectors of write op: j of the s sectors it touches,
// j drawn from [0, s).
func (d *Disk) tear(b []byte, op dataOp, payload []byte, r *rand.Rand) []byte {
	first := op.off / d.sector
	last := (op.off + int64(op.n) - 1) / d.sector
	j := int64(r.IntN(int(last - first + 1)))
	end := min(op.off+int64(op.n), (first+j)*d.sector)
	if end <= op.off {
		return b
	}
	return writeBytes(b, op.off, payload[op.at:op.at+int(end-op.off)])
}

// randomSectors implements the RandomSectors mode for one file: the length is the old or the
// new one, then each dirty sector independently takes the new or the old contents.
func (d *Disk) randomSectors(ino *inode, r *rand.Rand) []byte {
	old, cur := ino.durable, ino.data
	n := len(old)
	if len(cur) != len(old) && r.IntN(2) == 1 {
		n = len(cur)
	}
	dirty := d.dirtySectors(ino)
	out := make([]byte, n)
	copy(out, old)
	for s := int64(0); s*d.sector < int64(n); s++ {
		if s >= int64(len(dirty)) || !dirty[s] || r.IntN(2) == 0 {
			continue
		}
		lo, hi := s*d.sector, min((s+1)*d.sector, int64(n))
		clear(out[lo:hi])
		if lo < int64(len(cur)) {
			copy(out[lo:hi], cur[lo:min(hi, int64(len(cur)))])
		}
	}
	return out
}

// dirtySectors marks the sectors that ino's unsynced operations touched: the sectors a write
// covers, and for a truncate every sector from the new end to the longest the file was.
func (d *Disk) dirtySectors(ino *inode) []bool {
	size := int64(len(ino.durable))
	longest := size
	for _, op := range ino.ops {
		if op.n < 0 {
			size = op.off
		} else {
			size = max(size, op.off+int64(op.n))
		}
		longest = max(longest, size)
	}
	dirty := make([]bool, (longest+d.sector-1)/d.sector)
	size = int64(len(ino.durable))
	for _, op := range ino.ops {
		lo, hi := op.off, op.off+int64(op.n)
		if op.n < 0 {
			lo, hi = min(size, op.off), max(size, op.off)
			size = op.off
		} else {
			size = max(size, hi)
		}
		for s := lo / d.sector; s*d.sector < hi; s++ {
			dirty[s] = true
		}
	}
	return dirty
}
