package simnet

import (
	"fmt"
	"math/rand/v2"
)

// ErrPowerFail: the disk lost power while a sync was in flight (ArmPowerFail); every
// operation but reads fails with it until the next Crash. errors.Is(err, ErrIO) holds too.
var ErrPowerFail error = &diskError{"power failure during sync", ErrIO}

// powerFail is a power failure armed to strike at the next sync, and whether it struck.
type powerFail struct {
	armed bool
	off   bool
	mode  CrashMode
	r     *rand.Rand
}

// ArmPowerFail makes the next Sync or SyncDir a power failure in the middle of that sync: the
// volatile layer, the write being synced included, is resolved as Crash(mode, r) would, and
// the sync and every later operation but reads fail with ErrPowerFail until the next Crash.
// A write torn this way was never acknowledged as durable, so recovery must treat it as a
// torn tail. Disarm takes the failure back if no sync came.
func (d *Disk) ArmPowerFail(mode CrashMode, r *rand.Rand) error {
	if mode >= crashModeEnd || (r == nil && mode != LoseUnsynced && mode != KeepUnsynced) {
		return fmt.Errorf("simnet: disk %d: ArmPowerFail(%v): unknown mode or no *rand.Rand", d.node, mode)
	}
	d.power = powerFail{armed: true, mode: mode, r: r}
	return nil
}

// Disarm cancels an armed power failure and reports whether one was armed.
func (d *Disk) Disarm() bool {
	was := d.power.armed
	d.power.armed = false
	return was
}

// PoweredOff reports whether an armed power failure struck and no Crash came since.
func (d *Disk) PoweredOff() bool { return d.power.off }

// syncPower is checked at the start of every sync: it strikes an armed power failure.
func (d *Disk) syncPower(op, name string) error {
	if d.power.off {
		return d.errf(op, name, ErrPowerFail)
	}
	if !d.power.armed {
		return nil
	}
	p := d.power
	if err := d.Crash(p.mode, p.r); err != nil {
		return err
	}
	d.power.off = true
	return d.errf(op, name, ErrPowerFail)
}

// writePower fails a write, truncate or directory operation after a power failure.
func (d *Disk) writePower(op, name string) error {
	if d.power.off {
		return d.errf(op, name, ErrPowerFail)
	}
	return nil
}
