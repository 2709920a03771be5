package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGCBudget(t *testing.T) {
	env := func(kv map[string]string) func(string) string {
		return func(k string) string { return kv[k] }
	}
	tests := []struct {
		name     string
		parallel int
		env      map[string]string
		want     gcPolicy
		set      bool
	}{
		{"one worker", 1, nil, gcPolicy{-1, 48 << 20}, true},
		{"two workers", 2, nil, gcPolicy{-1, 96 << 20}, true},
		{"sixteen workers", 16, nil, gcPolicy{-1, 768 << 20}, true},
		{"GOGC wins", 2, map[string]string{"GOGC": "100"}, gcPolicy{}, false},
		{"GOMEMLIMIT wins", 2, map[string]string{"GOMEMLIMIT": "1GiB"}, gcPolicy{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, set := gcBudget(tt.parallel, env(tt.env))
			assert.Equal(t, tt.set, set)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLessGCRestores(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	percent := debug.SetGCPercent(100)
	debug.SetGCPercent(percent)
	limit := debug.SetMemoryLimit(-1) // a negative limit reads without setting
	restore := lessGC(4)
	assert.Equal(t, -1, debug.SetGCPercent(-1), "collection by growth is off")
	assert.Equal(t, int64(4*48<<20), debug.SetMemoryLimit(-1), "heap budget of 4 workers")
	restore()
	assert.Equal(t, percent, debug.SetGCPercent(percent))
	assert.Equal(t, limit, debug.SetMemoryLimit(-1))
}

// TestGCGovernorRaisesLimit: a live heap past half the budget raises the limit to twice the
// live heap, so the collector does not run without pause.
func TestGCGovernorRaisesLimit(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	prev := debug.SetMemoryLimit(-1)
	g := &gcGovernor{limit: 1 << 20, live: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	keep := make([]byte, 4<<20) // live past half of 1 MiB once collected
	runtime.GC()
	g.raise()
	runtime.KeepAlive(keep)
	assert.GreaterOrEqual(t, g.limit, int64(8<<20), "twice the live heap")
	assert.Equal(t, g.limit, debug.SetMemoryLimit(prev))
}
