package cluster

import (
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/stretchr/testify/require"
)

func TestReproRoundTrip(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Duration = simnet.Duration(3 * time.Second)
	res, err := Run(7, cfg, Options{Engine: raftengine.Descriptor()})
	require.NoError(t, err)
	rp := NewRepro(res, true)
	b, err := rp.Marshal()
	require.NoError(t, err)
	back, err := ParseRepro("r.json", b)
	require.NoError(t, err)
	require.Equal(t, rp, back)

	opts, err := back.Options(mustEngine(t, back.Config.Engine))
	require.NoError(t, err)
	again, err := Run(back.Seed, back.Config, opts)
	require.NoError(t, err)
	require.Equal(t, res.TraceHash, again.TraceHash, "an explicit schedule replays the generated one exactly")
}

func TestParseReproErrors(t *testing.T) {
	good, err := Repro{Version: ReproVersion, Seed: 1, Config: DefaultConfig()}.Marshal()
	require.NoError(t, err)
	cases := []struct {
		name, data, want string
	}{
		{"empty", "", "EOF"},
		{"truncated", string(good[:len(good)/2]), "unexpected EOF"},
		{"not json", "seed: 1", "invalid character"},
		{"wrong version", `{"version": 9, "seed": 1}`, "version 9, this raftcheck reads version 1"},
		{"unknown field", `{"version": 1, "seed": 1, "colour": "red"}`, `unknown field "colour"`},
		{"bad config", `{"version": 1, "seed": 1, "config": {"nodes": 2}}`, "config nodes = 2"},
		{"bad fault", `{"version": 1, "seed": 1, "schedule": ["1s explode"]}`, `unknown kind "explode"`},
		{"trailing", string(good) + "{}", "trailing data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRepro("x.json", []byte(c.data))
			require.ErrorIs(t, err, ErrRepro)
			require.ErrorContains(t, err, "x.json")
			require.ErrorContains(t, err, c.want)
		})
	}
}
