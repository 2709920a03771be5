package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunProgressOnATerminal: a run on a terminal rewrites one progress line (simulated time
// out of the most the run can take, events per second) and clears it at the end; off a
// terminal it prints nothing of the kind.
func TestRunProgressOnATerminal(t *testing.T) {
	var out, errb bytes.Buffer
	e := newEnv(&out, &errb)
	e.isTerminal = func(io.Writer) bool { return true }
	clock := time.Unix(0, 0)
	e.now = func() time.Time { clock = clock.Add(100 * time.Millisecond); return clock }
	code := e.main([]string{"run", "--seed", "1", "--duration", "60s", "--out", t.TempDir()})
	require.Equal(t, exitOK, code, errb.String())
	assert.Contains(t, errb.String(), "\rrun: ")
	assert.Contains(t, errb.String(), " of at most 80 s simulated, ")
	assert.Contains(t, errb.String(), " M events/s ")
	assert.True(t, strings.HasSuffix(errb.String(), "\r\033[K"), "the line is cleared: %q", errb.String())
	assert.NotContains(t, out.String(), "run: ", "progress goes to stderr only")

	errb.Reset()
	e.isTerminal = func(io.Writer) bool { return false }
	code = e.main([]string{"run", "--seed", "1", "--duration", "60s", "--out", t.TempDir()})
	require.Equal(t, exitOK, code, errb.String())
	assert.NotContains(t, errb.String(), "run: ")
}
