package simnet

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Fault is a kind of injected fault, as recorded in TraceFault events.
type Fault uint8

// The faults simnet records.
const (
	FaultBitFlip    Fault = iota + 1 // c = file<<32 | bit offset in the file
	FaultReadErrors                  // c = 1 on, 0 off (read errors switched for a file)
	FaultReadError                   // c = file (one failed read)
	FaultNoSpace                     // c = the end offset the write wanted
)

// DiskStats counts a disk's activity and faults.
type DiskStats struct {
	Writes        uint64 // Append and WriteAt calls that succeeded
	BytesWritten  uint64
	Truncates     uint64
	Reads         uint64 // ReadFile calls that succeeded
	BytesRead     uint64
	Syncs         uint64
	DirSyncs      uint64
	Crashes       uint64
	BitFlips      uint64
	ReadErrors    uint64 // reads failed by the read-error fault
	NoSpaceErrors uint64
}

// Stats returns the disk's counters.
func (d *Disk) Stats() DiskStats { return d.stats }

// TakeLatency returns the simulated time the operations since the last call cost (drawn from
// DiskConfig.WriteLatency and SyncLatency) and resets it. A host waits that long (for
// example with Process.After), then calls Settle, before acting on the durability it got;
// while it waits, the last sync is in flight and a crash may strike it (disk_flight.go).
func (d *Disk) TakeLatency() Time {
	t := d.latency
	d.latency = 0
	if t > 0 {
		d.openFlight()
	}
	return t
}

// ForgetLatency drops the cost of the operations since the last TakeLatency, for a host that
// will never wait for it: a life that ended (a boot that failed, a crash) before it asked.
// The next life starts owing nothing.
func (d *Disk) ForgetLatency() { d.latency = 0 }

// Durable returns a copy of file name's durable contents: what a LoseUnsynced crash would
// leave if the name's directory entry is durable.
func (d *Disk) Durable(name string) ([]byte, error) {
	d.Settle()
	ino, err := d.lookup("durable", name)
	if err != nil {
		return nil, err
	}
	return slices.Clone(ino.durable), nil
}

// Unsynced reports whether file name has data or directory operations not yet durable.
func (d *Disk) Unsynced(name string) (data bool, dir bool, err error) {
	d.Settle()
	ino, err := d.lookup("unsynced", name)
	if err != nil {
		return false, false, err
	}
	return len(ino.ops) > 0, d.durDir[name] != ino, nil
}

// FailReads switches the read-error fault for file name: while on, ReadFile(name) fails
// with ErrIO. The switch belongs to the name and survives crashes.
func (d *Disk) FailReads(name string, on bool) {
	if on {
		d.failReads[name] = true
	} else {
		delete(d.failReads, name)
	}
	c := uint64(0)
	if on {
		c = 1
	}
	d.k.trace.Note(TraceFault, uint64(d.node), uint64(FaultReadErrors), c, name)
}

// FlipBit flips bit bit (0 = the least significant bit of the sector's first byte) of
// sector sector in file name's durable contents: corruption at rest. Exactly one bit of
// that sector changes; unsynced writes over it (if any) still read as written.
func (d *Disk) FlipBit(name string, sector, bit int) error {
	d.Settle()
	ino, err := d.lookup("flipbit", name)
	if err != nil {
		return err
	}
	off := int64(sector)*d.sector + int64(bit/8)
	if sector < 0 || bit < 0 || int64(bit) >= 8*d.sector || off >= int64(len(ino.durable)) {
		return fmt.Errorf("simnet: disk %d: flipbit %q sector %d bit %d: outside the %d durable bytes: %w",
			d.node, name, sector, bit, len(ino.durable), ErrInvalid)
	}
	ino.durable[off] ^= 1 << (bit % 8)
	ino.data = replay(append(ino.data[:0], ino.durable...), ino.ops, ino.payload, len(ino.ops))
	d.stats.BitFlips++
	d.k.trace.Note(TraceFault, uint64(d.node), uint64(FaultBitFlip), ino.id<<32|uint64(off*8+int64(bit%8)), name)
	return nil
}

// BitFlip names one bit of a disk: the arguments of FlipBit.
type BitFlip struct {
	Name   string
	Sector int
	Bit    int
}

// FlipRandomBit flips a bit chosen with r: a file with durable data (uniformly, by sorted
// name), a sector of it, a bit of that sector's durable bytes. ok is false if no file has
// durable data.
func (d *Disk) FlipRandomBit(r *rand.Rand) (flip BitFlip, ok bool) {
	d.Settle()
	var names []string
	for name, ino := range d.dir {
		if len(ino.durable) > 0 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return BitFlip{}, false
	}
	slices.Sort(names)
	name := names[r.IntN(len(names))]
	size := int64(len(d.dir[name].durable))
	sectors := (size + d.sector - 1) / d.sector
	s := r.Int64N(sectors)
	bytes := min(d.sector, size-s*d.sector)
	flip = BitFlip{Name: name, Sector: int(s), Bit: int(r.Int64N(8 * bytes))}
	if err := d.FlipBit(flip.Name, flip.Sector, flip.Bit); err != nil {
		panic(fmt.Sprintf("simnet: FlipRandomBit chose %+v of %d durable bytes: %v", flip, size, err))
	}
	return flip, true
}

// Used returns the bytes all files of the disk hold now.
func (d *Disk) Used() int64 { return d.used }

// SetCapacity changes the disk's capacity (the disk-full fault sets it to Used). Files already
// larger stay as they are; growing writes fail with ErrNoSpace until enough is freed. A
// capacity <= 0 is an error.
func (d *Disk) SetCapacity(bytes int64) error {
	if bytes <= 0 {
		return fmt.Errorf("simnet: disk %d capacity = %d: must be > 0", d.node, bytes)
	}
	d.cfg.Capacity = bytes
	d.k.trace.Event(TraceFault, uint64(d.node), uint64(FaultNoSpace)<<32|1, uint64(bytes))
	return nil
}

// SetLatency changes the cost of writes and syncs (the slow-disk fault).
func (d *Disk) SetLatency(write, sync Latency) error {
	if err := write.validate("DiskConfig.WriteLatency"); err != nil {
		return err
	}
	if err := sync.validate("DiskConfig.SyncLatency"); err != nil {
		return err
	}
	d.cfg.WriteLatency, d.cfg.SyncLatency = write, sync
	d.k.trace.Event(TraceFault, uint64(d.node), uint64(write.Max), uint64(sync.Max))
	return nil
}
