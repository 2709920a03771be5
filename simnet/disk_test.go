package simnet

import (
	"io/fs"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func newTestDisk(t *testing.T, cfg DiskConfig) *Disk {
	t.Helper()
	d, err := NewDisk(NewKernel(1), 0, cfg)
	require.NoError(t, err)
	return d
}

// pattern returns n bytes whose values depend on seed and position.
func pattern(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7) + byte(i>>8)
	}
	return b
}

func TestDiskFileOperations(t *testing.T) {
	d := newTestDisk(t, DiskConfig{})
	require.NoError(t, d.Append("a", []byte("hello")))
	require.NoError(t, d.Append("a", []byte(" world")))
	require.NoError(t, d.WriteAt("a", 0, []byte("J")))
	require.NoError(t, d.WriteAt("b", 3, []byte("x")))
	got, err := d.ReadFile("a")
	require.NoError(t, err)
	require.Equal(t, "Jello world", string(got))
	got, err = d.ReadFile("b")
	require.NoError(t, err)
	require.Equal(t, []byte{0, 0, 0, 'x'}, got)

	require.NoError(t, d.Truncate("a", 5))
	require.NoError(t, d.Truncate("a", 7))
	got, _ = d.ReadFile("a")
	require.Equal(t, []byte("Jello\x00\x00"), got, "growing after shrinking must read zeros")
	size, err := d.Size("a")
	require.NoError(t, err)
	require.Equal(t, int64(7), size)

	require.NoError(t, d.Rename("a", "c"))
	require.NoError(t, d.Rename("b", "c")) // replaces c
	names, err := d.List()
	require.NoError(t, err)
	require.Equal(t, []string{"c"}, names)
	require.NoError(t, d.Remove("c"))
	names, _ = d.List()
	require.Empty(t, names)
	require.NoError(t, d.Append("e", nil))
	names, _ = d.List()
	require.Equal(t, []string{"e"}, names, "an empty append creates the file")
}

func TestDiskErrors(t *testing.T) {
	d := newTestDisk(t, DiskConfig{})
	require.NoError(t, d.Append("a", []byte("x")))
	missing := map[string]error{}
	_, missing["ReadFile"] = d.ReadFile("nope")
	_, missing["Size"] = d.Size("nope")
	missing["Truncate"] = d.Truncate("nope", 0)
	missing["Rename"] = d.Rename("nope", "x")
	missing["Remove"] = d.Remove("nope")
	missing["Sync"] = d.Sync("nope")
	for _, op := range []string{"ReadFile", "Size", "Truncate", "Rename", "Remove", "Sync"} {
		t.Run(op, func(t *testing.T) {
			err := missing[op]
			require.ErrorIs(t, err, ErrNotExist)
			require.ErrorIs(t, err, fs.ErrNotExist)
			require.Contains(t, err.Error(), `simnet: disk 0: `)
			require.Contains(t, err.Error(), `"nope": file does not exist`)
		})
	}
	require.ErrorIs(t, d.WriteAt("a", -1, []byte("x")), ErrInvalid)
	require.ErrorIs(t, d.WriteAt("a", -1, []byte("x")), fs.ErrInvalid)
	require.ErrorIs(t, d.Truncate("a", -1), ErrInvalid)
	require.ErrorIs(t, d.Append("", []byte("x")), ErrInvalid)
	require.ErrorIs(t, d.Rename("a", ""), ErrInvalid)
}

func TestDiskConfigValidation(t *testing.T) {
	tests := []struct {
		cfg  DiskConfig
		want string
	}{
		{DiskConfig{SectorSize: 500}, "simnet: DiskConfig.SectorSize = 500: must be 0 or a power of two <= 65536"},
		{DiskConfig{SectorSize: -512}, "simnet: DiskConfig.SectorSize = -512: must be 0 or a power of two <= 65536"},
		{DiskConfig{Capacity: -1}, "simnet: DiskConfig.Capacity = -1: must be >= 0"},
		{DiskConfig{WriteLatency: FixedLatency(-1)}, "simnet: DiskConfig.WriteLatency.Min = -1: must be >= 0"},
		{DiskConfig{SyncLatency: UniformLatency(5, 3)}, "simnet: DiskConfig.SyncLatency.Max = 3: must be >= DiskConfig.SyncLatency.Min (5)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := NewDisk(NewKernel(1), 0, tt.cfg)
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestDiskCapacity(t *testing.T) {
	d := newTestDisk(t, DiskConfig{Capacity: 1000})
	require.NoError(t, d.Append("a", make([]byte, 600)))
	err := d.Append("b", make([]byte, 500))
	require.ErrorIs(t, err, ErrNoSpace)
	require.EqualError(t, err, `simnet: disk 0: append "b": no space left on device`)
	names, _ := d.List()
	require.Equal(t, []string{"a"}, names, "a failed write creates nothing")
	require.ErrorIs(t, d.WriteAt("a", 1<<62, []byte("x")), ErrNoSpace)
	require.ErrorIs(t, d.Truncate("a", 1001), ErrNoSpace)
	require.NoError(t, d.Append("b", make([]byte, 400)))
	require.NoError(t, d.Remove("a"))
	require.NoError(t, d.Append("b", make([]byte, 600)), "Remove frees space")
	require.Equal(t, uint64(3), d.Stats().NoSpaceErrors)
}

func TestDiskReadErrorFault(t *testing.T) {
	d := newTestDisk(t, DiskConfig{})
	require.NoError(t, d.Append("a", []byte("x")))
	require.NoError(t, d.Append("b", []byte("y")))
	d.FailReads("a", true)
	_, err := d.ReadFile("a")
	require.ErrorIs(t, err, ErrIO)
	require.EqualError(t, err, `simnet: disk 0: read "a": input/output error`)
	got, err := d.ReadFile("b")
	require.NoError(t, err)
	require.Equal(t, "y", string(got))
	d.FailReads("a", false)
	got, err = d.ReadFile("a")
	require.NoError(t, err)
	require.Equal(t, "x", string(got))
	require.Equal(t, uint64(1), d.Stats().ReadErrors)
}

func TestDiskLatency(t *testing.T) {
	d := newTestDisk(t, DiskConfig{WriteLatency: FixedLatency(Millisecond), SyncLatency: FixedLatency(5 * Millisecond)})
	require.NoError(t, d.Append("a", []byte("x")))
	require.NoError(t, d.Append("a", []byte("y")))
	require.NoError(t, d.Sync("a"))
	require.Equal(t, 7*Millisecond, d.TakeLatency())
	require.Equal(t, Time(0), d.TakeLatency())
	require.NoError(t, d.SyncDir())
	require.Equal(t, 5*Millisecond, d.TakeLatency())
}

func TestDiskBitFlipChangesOneBitOfTheSector(t *testing.T) {
	d := newTestDisk(t, DiskConfig{})
	orig := pattern(3, 2000)
	require.NoError(t, d.Append("a", orig))
	require.NoError(t, d.Sync("a"))
	require.NoError(t, d.FlipBit("a", 2, 13))
	got, err := d.ReadFile("a")
	require.NoError(t, err)
	durable, err := d.Durable("a")
	require.NoError(t, err)
	require.Equal(t, got, durable)
	require.Equal(t, []int{2*512*8 + 13}, diffBits(orig, got))

	err = d.FlipBit("a", 3, 8*(2000-3*512))
	require.ErrorIs(t, err, ErrInvalid, "past the end of the last, partial sector")
	require.ErrorIs(t, d.FlipBit("a", 0, 4096), ErrInvalid)

	r := rand.New(rand.NewPCG(7, 7))
	for range 100 {
		before, _ := d.ReadFile("a")
		flip, ok := d.FlipRandomBit(r)
		require.True(t, ok)
		after, _ := d.ReadFile("a")
		require.Equal(t, []int{flip.Sector*512*8 + flip.Bit}, diffBits(before, after))
	}
	require.Equal(t, uint64(101), d.Stats().BitFlips)
}

func TestDiskBitFlipUnderUnsyncedWrite(t *testing.T) {
	d := newTestDisk(t, DiskConfig{})
	require.NoError(t, d.Append("a", pattern(1, 1024)))
	require.NoError(t, d.Sync("a"))
	require.NoError(t, d.SyncDir())
	require.NoError(t, d.WriteAt("a", 0, pattern(9, 10)))
	require.NoError(t, d.FlipBit("a", 0, 0)) // under the unsynced write: hidden
	require.NoError(t, d.FlipBit("a", 1, 0)) // visible
	got, _ := d.ReadFile("a")
	want := append(pattern(9, 10), pattern(1, 1024)[10:]...)
	require.Equal(t, []int{512 * 8}, diffBits(want, got))
	require.NoError(t, d.Crash(LoseUnsynced, nil))
	got, _ = d.ReadFile("a")
	require.Equal(t, []int{0, 512 * 8}, diffBits(pattern(1, 1024), got))
}

// diffBits returns the positions of the bits that differ between a and b (same length).
func diffBits(a, b []byte) []int {
	var out []int
	for i := range a {
		x := a[i] ^ b[i]
		for x != 0 {
			bit := bits.TrailingZeros8(x)
			out = append(out, i*8+bit)
			x &^= 1 << bit
		}
	}
	return out
}

func mustRead(t *testing.T, d *Disk, name string) []byte {
	t.Helper()
	b, err := d.ReadFile(name)
	require.NoError(t, err)
	return b
}

func TestSetCapacityAndLatency(t *testing.T) {
	k := NewKernel(1)
	d, err := NewDisk(k, 0, DiskConfig{})
	require.NoError(t, err)
	require.NoError(t, d.Append("a", make([]byte, 1000)))
	require.Equal(t, int64(1000), d.Used())
	require.NoError(t, d.SetCapacity(d.Used()))
	err = d.Append("a", []byte{1})
	require.ErrorIs(t, err, ErrNoSpace)
	require.NoError(t, d.Truncate("a", 10))
	require.NoError(t, d.Append("a", []byte{1}), "space freed by truncate is usable")
	require.Error(t, d.SetCapacity(0))

	require.NoError(t, d.SetLatency(FixedLatency(2*Millisecond), FixedLatency(7*Millisecond)))
	require.NoError(t, d.Sync("a"))
	require.NoError(t, d.Append("a", []byte{2}))
	require.Equal(t, 9*Millisecond, d.TakeLatency())
	require.Error(t, d.SetLatency(Latency{Min: 5, Max: 1}, FixedLatency(0)))
}
