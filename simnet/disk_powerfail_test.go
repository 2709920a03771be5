package simnet

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestArmPowerFailStrikesAtNextSync(t *testing.T) {
	k := NewKernel(1)
	d, err := NewDisk(k, 0, DiskConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Append("f", []byte("synced")); err != nil {
		t.Fatal(err)
	}
	if err := d.Sync("f"); err != nil || d.SyncDir() != nil {
		t.Fatal(err)
	}
	if err := d.ArmPowerFail(LoseUnsynced, nil); err != nil {
		t.Fatal(err)
	}
	if err := d.Append("f", []byte(" in flight")); err != nil {
		t.Fatal(err)
	}
	if err := d.Sync("f"); !errors.Is(err, ErrPowerFail) || !errors.Is(err, ErrIO) {
		t.Fatalf("Sync after ArmPowerFail = %v; want ErrPowerFail, also ErrIO", err)
	}
	if err := d.Append("f", []byte("x")); !errors.Is(err, ErrPowerFail) || !d.PoweredOff() {
		t.Fatalf("Append after the power failure = %v, PoweredOff %v; want ErrPowerFail, true", err, d.PoweredOff())
	}
	if err := d.Crash(LoseUnsynced, rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatal(err)
	}
	got, err := d.ReadFile("f")
	if err != nil || string(got) != "synced" || d.PoweredOff() {
		t.Fatalf("after the crash: %q, %v, PoweredOff %v; want \"synced\", nil, false", got, err, d.PoweredOff())
	}
	if err := d.ArmPowerFail(LoseUnsynced, nil); err != nil || !d.Disarm() || d.Disarm() {
		t.Fatalf("Disarm after ArmPowerFail: want true once, then false (err %v)", err)
	}
}
