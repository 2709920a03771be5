package simnet

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSyncInFlight: a crash strikes the last sync only while a host waits for it (between
// TakeLatency and Settle); a sync nobody waits for, or one followed by another operation, has
// returned and is durable.
func TestSyncInFlight(t *testing.T) {
	slow := DiskConfig{SyncLatency: FixedLatency(Millisecond)}
	tests := []struct {
		name  string
		after func(d *Disk)
		want  string
	}{
		{"waited and settled", func(d *Disk) { d.TakeLatency(); d.Settle() }, "ab"},
		{"crash while the host waits", func(d *Disk) { d.TakeLatency() }, "a"},
		{"nobody waits", func(d *Disk) {}, "ab"},
		{"a later write settles it", func(d *Disk) { d.TakeLatency(); require.NoError(t, d.Append("g", nil)) }, "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDisk(t, slow)
			require.NoError(t, d.Append("f", []byte("a")))
			require.NoError(t, d.Sync("f"))
			require.NoError(t, d.SyncDir())
			d.TakeLatency()
			d.Settle()
			require.NoError(t, d.Append("f", []byte("b")))
			require.NoError(t, d.Sync("f"))
			tt.after(d)
			require.NoError(t, d.Crash(LoseUnsynced, nil))
			got, err := d.ReadFile("f")
			require.NoError(t, err)
			require.Equal(t, tt.want, string(got))
		})
	}
}

// TestSyncDirInFlight: a SyncDir a host waits for is lost by a crash like a Sync.
func TestSyncDirInFlight(t *testing.T) {
	d := newTestDisk(t, DiskConfig{SyncLatency: FixedLatency(Millisecond)})
	require.NoError(t, d.Append("f", []byte("a")))
	require.NoError(t, d.Sync("f"))
	require.NoError(t, d.SyncDir())
	pending, open := d.InFlight()
	require.True(t, pending)
	require.False(t, open)
	d.TakeLatency()
	_, open = d.InFlight()
	require.True(t, open)
	require.NoError(t, d.Crash(LoseUnsynced, nil))
	_, err := d.ReadFile("f")
	require.ErrorIs(t, err, ErrNotExist)
}
