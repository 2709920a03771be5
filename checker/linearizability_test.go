package checker

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"
)

// regIn is an operation on a register key: a put of value, or a get.
type regIn struct {
	put   bool
	key   string
	value int
}

// registerModel is a per-key register (0 before any put), partitioned by key in sorted
// key order.
var registerModel = porcupine.Model{
	Partition: func(ops []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		for _, op := range ops {
			k := op.Input.(regIn).key
			byKey[k] = append(byKey[k], op)
		}
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out := make([][]porcupine.Operation, len(keys))
		for i, k := range keys {
			out[i] = byKey[k]
		}
		return out
	},
	Init: func() any { return 0 },
	Step: func(state, input, output any) (bool, any) {
		in := input.(regIn)
		if in.put {
			return true, in.value
		}
		return output.(int) == state.(int), state
	},
	DescribeOperation: func(input, output any) string {
		in := input.(regIn)
		if in.put {
			return fmt.Sprintf("put(%s, %d)", in.key, in.value)
		}
		return fmt.Sprintf("get(%s) -> %d", in.key, output)
	},
}

func op(client int, in regIn, out int, call, ret int64) porcupine.Operation {
	return porcupine.Operation{ClientId: client, Input: in, Output: out, Call: call, Return: ret}
}

func TestCheckLinearizability(t *testing.T) {
	okHist := []porcupine.Operation{
		op(0, regIn{put: true, key: "x", value: 1}, 0, 0, 10),
		op(1, regIn{key: "x"}, 1, 20, 30),
		op(2, regIn{put: true, key: "y", value: 5}, 0, 0, 10),
		op(2, regIn{key: "y"}, 5, 11, 12),
	}
	t.Run("ok", func(t *testing.T) {
		res := CheckLinearizability(registerModel, okHist, 10*time.Second)
		require.NoError(t, res.Err)
		require.Equal(t, OK, res.Outcome, "got %v", res.Outcome)
		_, bad := res.Violation(100)
		require.False(t, bad)
	})
	t.Run("illegal", func(t *testing.T) {
		hist := slices.Clone(okHist)
		hist[1] = op(1, regIn{key: "x"}, 2, 20, 30) // reads a value nobody wrote
		res := CheckLinearizability(registerModel, hist, 10*time.Second)
		require.Equal(t, Illegal, res.Outcome, "got %v", res.Outcome)
		require.True(t, res.HasInfo, "Illegal keeps the LinearizationInfo")
		require.Len(t, res.Info.PartialLinearizations(), 2, "one entry per partition")
		require.Equal(t, "partition 0 of 2 (2 ops): at most 1 linearize; not linearized: get(x) -> 2 [client 1, 20ns..30ns]", res.Detail)
		var html strings.Builder
		require.NoError(t, porcupine.Visualize(registerModel, res.Info, &html))
		require.True(t, strings.Contains(html.String(), `get(x) -\u003e 2`), "the visualisation describes the failing get")
		v, bad := res.Violation(100)
		require.True(t, bad)
		require.Equal(t, Violation{Kind: KindLinearizability, Time: 100, Detail: "client history is not linearizable: " + res.Detail}, v)
	})
	t.Run("illegal with an unanswered operation", func(t *testing.T) {
		hist := slices.Clone(okHist)
		hist[1] = op(1, regIn{key: "x"}, 2, 20, math.MaxInt64) // never answered, yet reads 2
		res := CheckLinearizability(registerModel, hist, 10*time.Second)
		require.Equal(t, Illegal, res.Outcome, "got %v", res.Outcome)
		require.Equal(t, "partition 0 of 2 (2 ops): at most 1 linearize; not linearized: get(x) -> 2 [client 1, 20ns..never answered]", res.Detail)
	})
	t.Run("unknown", func(t *testing.T) {
		// A model whose step only returns once the checker gives up: no verdict, ever.
		blocking := registerModel
		blocking.Step = nil
		blocking.StepContext = func(ctx context.Context, _, _, _ any) (bool, any) {
			<-ctx.Done()
			return false, nil
		}
		res := CheckLinearizability(blocking, okHist, 5*time.Millisecond)
		require.NoError(t, res.Err)
		require.Equal(t, Unknown, res.Outcome, "got %v", res.Outcome)
		require.Equal(t, "no verdict within 5ms on 4 operations", res.Detail)
		_, bad := res.Violation(100)
		require.False(t, bad, "Unknown is not a violation")
		require.NotEqual(t, OK, res.Outcome, "Unknown is never OK")
	})
	t.Run("bad parameters", func(t *testing.T) {
		res := CheckLinearizability(registerModel, okHist, 0)
		require.EqualError(t, res.Err, "checker: CheckLinearizability timeout = 0s: must be > 0")
		require.Equal(t, Unknown, res.Outcome)
		res = CheckLinearizability(porcupine.Model{}, okHist, time.Second)
		require.Error(t, res.Err)
		require.Equal(t, Unknown, res.Outcome)
	})
	require.Equal(t, []string{"unknown", "ok", "illegal"}, []string{Unknown.String(), OK.String(), Illegal.String()})
}
