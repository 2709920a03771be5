package cluster

import (
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/engine/etcdraft"
	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/stretchr/testify/require"
)

func TestRollTextRoundTrips(t *testing.T) {
	for _, text := range []string{"", "prevote=on,at=0s,every=500ms,nodes=1", "check_quorum=off,at=5s,every=2s,nodes=3",
		"prevote+check_quorum=on,at=1.5s,every=1s,nodes=5"} {
		var r Roll
		require.NoError(t, r.UnmarshalText([]byte(text)), text)
		require.Equal(t, text, r.String())
		require.Equal(t, text == "", r.IsZero())
	}
	for text, want := range map[string]string{
		"prevote=on":                                   "want SETTINGS=on|off,at=D,every=D,nodes=N",
		"prevote=maybe,at=1s,every=1s,nodes=1":         `"prevote=maybe": want SETTINGS=on or SETTINGS=off`,
		"lease=on,at=1s,every=1s,nodes=1":              `setting "lease": want prevote or check_quorum`,
		"prevote=on,every=1s,at=1s,nodes=1":            `part 2 is "every=1s", want at=...`,
		"prevote=on,at=soon,every=1s,nodes=1":          `at="soon"`,
		"check_quorum=on,at=1s,every=1s,nodes=several": `nodes="several": not a number`,
	} {
		var r Roll
		require.ErrorContains(t, r.UnmarshalText([]byte(text)), want, text)
		require.True(t, r.IsZero(), "a bad roll leaves none: %s", text)
	}
}

// TestRollChecked: Validate names the roll's bad part.
func TestRollChecked(t *testing.T) {
	cfg := DefaultConfig()
	for roll, want := range map[Roll]string{
		{PreVote: true, At: simnet.Duration(time.Minute), Every: simnet.Duration(time.Second), Nodes: 1}: "at = 1m0s: must be in [0, duration 30s)",
		{PreVote: true, Every: 0, Nodes: 1}: "every = 0s: must be in [1ms, 1h]",
		{PreVote: true, At: simnet.Duration(20 * time.Second), Every: simnet.Duration(5 * time.Second), Nodes: 3}: "nodes = 3: the roll would reach node 2 at 30s, not before the run's end 30s",
		{CheckQuorum: true, Every: simnet.Duration(time.Second), Nodes: 6}:                                        "nodes = 6: must be in [1, nodes 5]",
	} {
		cfg.Roll = roll
		require.ErrorContains(t, cfg.Validate(), "cluster: config roll = "+roll.String()+": "+want)
	}
}

// TestRollProtocol: a node starts with the old settings until the roll reaches it, with the
// new ones after; nodes beyond the roll keep the old ones; other settings are untouched.
func TestRollProtocol(t *testing.T) {
	base := engine.Protocol{PreVote: true, CheckQuorum: true, MaxAppend: 4}
	r := Roll{CheckQuorum: true, To: true, At: simnet.Duration(time.Second), Every: simnet.Duration(time.Second), Nodes: 2}
	at := func(s int) simnet.Time { return simnet.Time(s) * simnet.Second }
	require.Equal(t, engine.Protocol{PreVote: true, CheckQuorum: false, MaxAppend: 4}, r.protocol(base, 5, 0, at(0)))
	require.Equal(t, engine.Protocol{PreVote: true, CheckQuorum: true, MaxAppend: 4}, r.protocol(base, 5, 0, at(1)))
	require.False(t, r.protocol(base, 5, 1, at(1)).CheckQuorum, "node 1 is reached a second later")
	require.True(t, r.protocol(base, 5, 1, at(2)).CheckQuorum)
	require.False(t, r.protocol(base, 5, 2, at(20)).CheckQuorum, "node 2 is beyond the roll")
	require.Equal(t, base, Roll{}.protocol(base, 5, 0, at(5)))
	require.Equal(t, [2]bool{true, false}, r.settings(base, false))
	require.Equal(t, [2]bool{true, true}, r.settings(base, true))
}

// TestRollFit: a roll cut to fewer nodes or a shorter run keeps the nodes it reaches in time.
func TestRollFit(t *testing.T) {
	r := Roll{CheckQuorum: true, At: simnet.Duration(time.Second), Every: simnet.Duration(2 * time.Second), Nodes: 5}
	d := func(s int) simnet.Duration { return simnet.Duration(time.Duration(s) * time.Second) }
	require.Equal(t, 5, r.Fit(5, d(30)).Nodes)
	require.Equal(t, 3, r.Fit(3, d(30)).Nodes)
	require.Equal(t, 2, r.Fit(5, d(5)).Nodes, "nodes 0 and 1 are reached at 1s and 3s, node 2 at 5s is not")
	require.True(t, r.Fit(5, d(1)).IsZero(), "a roll starting at the end reaches nobody")
	require.NoError(t, r.Fit(5, d(5)).check(5, d(5)))
	require.Equal(t, Roll{}, Roll{}.Fit(3, d(1)))
}

func TestMixAllows(t *testing.T) {
	neither, pv, cq, both := [2]bool{}, [2]bool{true, false}, [2]bool{false, true}, [2]bool{true, true}
	for _, m := range []engine.Mix{engine.MixNone, engine.MixGuarded, engine.MixAny} {
		require.True(t, m.Allows(cq, cq), "%v: a uniform cluster", m)
	}
	require.False(t, engine.MixNone.Allows(pv, both))
	require.True(t, engine.MixGuarded.Allows(pv, both))
	require.True(t, engine.MixGuarded.Allows(neither, pv), "no member runs CheckQuorum")
	require.False(t, engine.MixGuarded.Allows(neither, cq))
	require.False(t, engine.MixGuarded.Allows(both, neither))
	require.True(t, engine.MixAny.Allows(neither, both))
}

// TestDrawRollFollowsSemantics: swarm draws rolls in many seeds, never one mixing settings
// beyond the engine's declaration, and none for an engine that declares uniform settings.
func TestDrawRollFollowsSemantics(t *testing.T) {
	rolls := map[engine.Mix]int{}
	for seed := uint64(1); seed <= 200; seed++ {
		cfg := DefaultConfig().Tune(simnet.NewKernel(seed).Stream("tuning"))
		for _, m := range []engine.Mix{engine.MixNone, engine.MixGuarded, engine.MixAny} {
			r := drawRoll(simnet.NewKernel(seed).Stream("tuning/roll"), cfg, engine.Semantics{MixedProtocol: m})
			if r.IsZero() {
				continue
			}
			rolls[m]++
			require.NoError(t, r.check(cfg.Nodes, cfg.Duration))
			require.True(t, m.Allows(r.settings(cfg.Protocol, false), r.settings(cfg.Protocol, true)), "seed %d: %v under %v", seed, r, m)
		}
	}
	require.Zero(t, rolls[engine.MixNone])
	require.Greater(t, rolls[engine.MixAny], 70, "about half the seeds roll")
	require.Greater(t, rolls[engine.MixGuarded], 30)
	require.Less(t, rolls[engine.MixGuarded], rolls[engine.MixAny])
}

// TestRollRuns: a roll (PreVote on, CheckQuorum on throughout: a mix both engines declare)
// restarts its nodes with the new settings, says so in the notes, keeps both engines correct,
// and runs the same twice.
func TestRollRuns(t *testing.T) {
	cfg := short()
	cfg.Host = "fixed"
	cfg.Roll = Roll{PreVote: true, To: true, At: simnet.Duration(500 * time.Millisecond), Every: simnet.Duration(500 * time.Millisecond), Nodes: 2}
	for _, d := range []*engine.Descriptor{raftengine.Descriptor(), etcdraft.Descriptor()} {
		var hashes []uint64
		for range 2 {
			c := cfg
			c.Protocol.PreVote, c.Protocol.CheckQuorum = true, true
			res, err := Run(3, c, Options{Engine: d})
			require.NoError(t, err)
			require.False(t, res.Failed(), "%s: %v", d.Name, res.Violations)
			require.Contains(t, res.Notes, "operator: PreVote turned on one node at a time by a restart, from 500ms, every 500ms, on nodes 0..1 (the others keep the old settings: the cluster stays mixed)")
			restarts := 0
			for _, m := range res.Timeline {
				if m.Kind == MarkStart && m.Time >= int64(500*time.Millisecond) && m.Time <= int64(time.Second) {
					restarts++
				}
			}
			require.GreaterOrEqual(t, restarts, 2, "%s: nodes 0 and 1 restarted", d.Name)
			hashes = append(hashes, res.TraceHash)
		}
		require.Equal(t, hashes[0], hashes[1], d.Name)
	}
}

// TestRollOdd: the odd nodes are the smaller side of a roll that stops part way, or the first
// node of one that reaches them all.
func TestRollOdd(t *testing.T) {
	r := Roll{CheckQuorum: true, To: true, At: simnet.Duration(time.Second), Every: simnet.Duration(time.Second)}
	for nodes, want := range map[int][]int{1: {0}, 2: {0, 1}, 3: {3, 4}, 4: {4}, 5: {0}} {
		r.Nodes = nodes
		require.Equal(t, want, r.odd(5), "roll over %d of 5 nodes", nodes)
	}
	require.Nil(t, Roll{}.odd(5))
	c := DefaultConfig()
	c.Roll, c.Roll.Nodes = r, 4
	p := c.nemesisParams()
	require.Equal(t, []int{4}, p.Odd)
	require.Equal(t, [2]simnet.Duration{simnet.Duration(4 * time.Second), c.Duration}, [2]simnet.Duration{p.OddFrom, p.OddUntil},
		"a roll that stops part way leaves node 4 odd from its last step to the end")
	r.Nodes = 5
	from, until := r.oddStretch(5, c.Duration)
	require.Equal(t, [2]simnet.Duration{simnet.Duration(time.Second), simnet.Duration(3 * time.Second)}, [2]simnet.Duration{from, until},
		"a roll that reaches every node leaves node 0 odd until it has reached three")
	from, until = Roll{}.oddStretch(5, c.Duration)
	require.Zero(t, until-from)
}
