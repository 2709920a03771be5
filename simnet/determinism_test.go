package simnet

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const scenarioDuration = 10 * Second

// goldenHashes pins the trace hashes of three seeds (of TraceHashVersion 2). A change here
// means simnet's behaviour changed: update these values ONLY when that change is intended,
// and say so in the commit.
var goldenHashes = map[uint64]uint64{
	1:          0x126ccda60cfb6ed4,
	42:         0x0d3b133b7c2fc64d,
	0xdeadbeef: 0x081e91df6e978310,
}

func TestDeterminismSameSeedSameHash(t *testing.T) {
	const seeds = 50
	first := make(map[uint64]uint64, seeds)
	owner := make(map[uint64]uint64, seeds) // hash -> seed
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		for seed := range uint64(seeds) {
			for run := range 2 {
				h, _, err := runScenario(seed, scenarioDuration, false)
				require.NoError(t, err, "seed %d", seed)
				if want, ok := first[seed]; ok {
					require.Equal(t, want, h, "seed %d GOMAXPROCS %d run %d: got hash %#x; want %#x", seed, procs, run, h, want)
					continue
				}
				first[seed] = h
				prev, dup := owner[h]
				require.False(t, dup, "seeds %d and %d have the same hash %#x", prev, seed, h)
				owner[h] = seed
			}
		}
	}
}

func TestDeterminismGoldenHashes(t *testing.T) {
	for _, seed := range []uint64{1, 42, 0xdeadbeef} {
		h, _, err := runScenario(seed, scenarioDuration, false)
		require.NoError(t, err)
		require.Equal(t, goldenHashes[seed], h, "seed %d: got hash %#x; want %#x (see goldenHashes)", seed, h, goldenHashes[seed])
	}
}

// TestDeterminismRecordingChangesNothing: recording text lines leaves the hash alone, and
// the lines are themselves deterministic.
func TestDeterminismRecordingChangesNothing(t *testing.T) {
	h, lines, err := runScenario(1, scenarioDuration, true)
	require.NoError(t, err)
	require.Equal(t, goldenHashes[1], h)
	require.Greater(t, len(lines), 1000)
	_, again, err := runScenario(1, scenarioDuration, true)
	require.NoError(t, err)
	require.Equal(t, lines, again)
	kinds := map[string]bool{}
	for _, line := range lines {
		kinds[strings.Fields(line)[1]] = true
	}
	for _, kind := range []string{"send", "deliver", "drop", "write", "sync", "diskcrash", "start", "crash",
		"pause", "resume", "tick", "timer", "link", "boot", "durable", "duplicate", "fault", "clock",
		"linkconfig", "dirop", "syncdir"} {
		require.True(t, kinds[kind], "no %q line in the trace", kind)
	}
}
