package simnet

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// refOp is an unsynced operation of the crash scenario, applied by a reference model that is
// independent of the disk's own replay code.
type refOp struct {
	off      int64
	data     []byte // nil: truncate to off
	truncate bool
}

func (op refOp) apply(b []byte) []byte {
	b = slices.Clone(b)
	if op.truncate {
		if int(op.off) <= len(b) {
			return b[:op.off]
		}
		return append(b, make([]byte, int(op.off)-len(b))...)
	}
	if end := int(op.off) + len(op.data); end > len(b) {
		b = append(b, make([]byte, end-len(b))...)
	}
	copy(b[op.off:], op.data)
	return b
}

// crashScenario: file "a" holds 1000 synced bytes; then four unsynced operations follow.
// File "s" is fully synced and must never change.
var crashScenario = []refOp{
	{off: 1000, data: pattern(2, 700)}, // sectors 1..3
	{off: 100, data: pattern(3, 50)},   // sector 0
	{off: 1500, truncate: true},
	{off: 1500, data: pattern(4, 1300)}, // sectors 2..5
}

func setUpCrash(t *testing.T) *Disk {
	d := newTestDisk(t, DiskConfig{})
	require.NoError(t, d.Append("a", pattern(1, 1000)))
	require.NoError(t, d.Append("s", pattern(5, 3000)))
	require.NoError(t, d.Sync("a"))
	require.NoError(t, d.Sync("s"))
	require.NoError(t, d.SyncDir())
	for _, op := range crashScenario {
		if op.truncate {
			require.NoError(t, d.Truncate("a", op.off))
		} else {
			require.NoError(t, d.WriteAt("a", op.off, op.data))
		}
	}
	return d
}

// prefixStates returns the contents after each prefix of crashScenario (index = ops kept).
func prefixStates() [][]byte {
	states := [][]byte{pattern(1, 1000)}
	for _, op := range crashScenario {
		states = append(states, op.apply(states[len(states)-1]))
	}
	return states
}

// tornStates returns the states a torn write may leave: after k ops, j whole leading sectors
// (1 <= j < sectors touched) of write k.
func tornStates() map[string]string {
	out := map[string]string{}
	prefix := prefixStates()
	for k, op := range crashScenario {
		if op.truncate {
			continue
		}
		first, last := op.off/512, (op.off+int64(len(op.data))-1)/512
		for j := int64(1); j < last-first+1; j++ {
			end := (first + j) * 512
			torn := refOp{off: op.off, data: op.data[:end-op.off]}
			out[string(torn.apply(prefix[k]))] = fmt.Sprintf("ops %d + %d sectors of op %d", k, j, k)
		}
	}
	return out
}

func crashSeeds(t *testing.T, mode CrashMode, seeds int, check func(got []byte) string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for seed := range uint64(seeds) {
		d := setUpCrash(t)
		require.NoError(t, d.Crash(mode, rand.New(rand.NewPCG(seed, 1))))
		require.Equal(t, pattern(5, 3000), mustRead(t, d, "s"), "seed %d: a synced file changed", seed)
		got := mustRead(t, d, "a")
		durable, err := d.Durable("a")
		require.NoError(t, err)
		require.Equal(t, got, durable, "seed %d: after a crash everything is durable", seed)
		outcome := check(got)
		require.NotEmpty(t, outcome, "seed %d: %v left a state no crash may leave (len %d)", seed, mode, len(got))
		seen[outcome]++
	}
	return seen
}

func prefixOutcome(got []byte) string {
	for k, s := range prefixStates() {
		if slices.Equal(got, s) {
			return fmt.Sprintf("prefix %d", k)
		}
	}
	return ""
}

func TestCrashLosesExactlyTheUnsyncedData(t *testing.T) {
	states := prefixStates()
	t.Run("LoseUnsynced", func(t *testing.T) {
		seen := crashSeeds(t, LoseUnsynced, 5, func(got []byte) string { return prefixOutcome(got) })
		require.Equal(t, map[string]int{"prefix 0": 5}, seen)
	})
	t.Run("KeepUnsynced", func(t *testing.T) {
		seen := crashSeeds(t, KeepUnsynced, 5, func(got []byte) string { return prefixOutcome(got) })
		require.Equal(t, map[string]int{fmt.Sprintf("prefix %d", len(states)-1): 5}, seen)
	})
	t.Run("KeepPrefix", func(t *testing.T) {
		seen := crashSeeds(t, KeepPrefix, 200, func(got []byte) string { return prefixOutcome(got) })
		require.Len(t, seen, len(states), "every prefix occurs: %v", seen)
	})
	t.Run("TornSectors", func(t *testing.T) {
		torn := tornStates()
		require.Len(t, torn, 2+3, "op 0 tears after 1 or 2 sectors, op 3 after 1, 2 or 3")
		seen := crashSeeds(t, TornSectors, 400, func(got []byte) string {
			if o := prefixOutcome(got); o != "" {
				return o
			}
			return torn[string(got)]
		})
		require.Len(t, seen, len(states)+len(torn), "every prefix and every tear occurs: %v", seen)
	})
	t.Run("RandomSectors", func(t *testing.T) {
		old, cur := states[0], states[len(states)-1]
		seen := crashSeeds(t, RandomSectors, 200, func(got []byte) string { return sectorMix(old, cur, got) })
		require.Greater(t, len(seen), 10, "many sector mixes occur: %v", seen)
	})
}

// sectorMix describes got as a length and, per sector, "o" (old contents) or "n" (new); or
// returns "" if got is not such a mix. Past its end a version reads as zeros.
func sectorMix(old, cur, got []byte) string {
	if len(got) != len(old) && len(got) != len(cur) {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "len %d ", len(got))
	for lo := 0; lo < len(got); lo += 512 {
		hi := min(lo+512, len(got))
		switch {
		case slices.Equal(got[lo:hi], padded(old, lo, hi)):
			b.WriteByte('o')
		case slices.Equal(got[lo:hi], padded(cur, lo, hi)):
			b.WriteByte('n')
		default:
			return ""
		}
	}
	return b.String()
}

func padded(b []byte, lo, hi int) []byte {
	out := make([]byte, hi-lo)
	if lo < len(b) {
		copy(out, b[lo:min(hi, len(b))])
	}
	return out
}

// TestCrashDirectoryOperations: durable files a and c; then unsynced: create "new" (its data
// synced, its name not), rename a -> b, remove c.
func TestCrashDirectoryOperations(t *testing.T) {
	setUp := func(t *testing.T) *Disk {
		d := newTestDisk(t, DiskConfig{})
		require.NoError(t, d.Append("a", []byte("A")))
		require.NoError(t, d.Append("c", []byte("C")))
		require.NoError(t, d.Sync("a"))
		require.NoError(t, d.Sync("c"))
		require.NoError(t, d.SyncDir())
		require.NoError(t, d.Append("new", []byte("N")))
		require.NoError(t, d.Sync("new"))
		require.NoError(t, d.Rename("a", "b"))
		require.NoError(t, d.Remove("c"))
		return d
	}
	prefixes := []string{"a c", "a c new", "b c new", "b new"}
	subsets := []string{"a c", "a c new", "b c", "a", "b c new", "a new", "b", "b new"}
	tests := []struct {
		mode CrashMode
		want []string // the listings that must all occur, and nothing else
	}{
		{LoseUnsynced, []string{"a c"}},
		{KeepUnsynced, []string{"b new"}},
		{KeepPrefix, prefixes},
		{TornSectors, prefixes},
		{RandomSectors, subsets},
	}
	contents := map[string]string{"a": "A", "b": "A", "c": "C", "new": "N"}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			seen := map[string]bool{}
			for seed := range uint64(100) {
				d := setUp(t)
				require.NoError(t, d.Crash(tt.mode, rand.New(rand.NewPCG(seed, 2))))
				names, err := d.List()
				require.NoError(t, err)
				for _, name := range names {
					require.Equal(t, contents[name], string(mustRead(t, d, name)), "seed %d file %s", seed, name)
				}
				seen[strings.Join(names, " ")] = true
			}
			var got []string
			for listing := range seen {
				got = append(got, listing)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			require.Equal(t, want, got)
		})
	}
}

func TestCrashUnsyncedFileDataWithDurableName(t *testing.T) {
	d := newTestDisk(t, DiskConfig{})
	require.NoError(t, d.Append("a", []byte("x")))
	require.NoError(t, d.SyncDir()) // the name is durable, the data is not
	require.NoError(t, d.Crash(LoseUnsynced, nil))
	require.Equal(t, []byte{}, mustRead(t, d, "a"))
	require.Error(t, d.Crash(KeepPrefix, nil), "a random mode needs a *rand.Rand")
	require.EqualError(t, d.Crash(CrashMode(9), nil), "simnet: disk 0: Crash mode = 9: unknown CrashMode")
}
