package cluster

import (
	"os"
	"strconv"
	"testing"
)

func TestDebugSeed(t *testing.T) {
	seed, _ := strconv.ParseUint(os.Getenv("DSEED"), 10, 64)
	if seed == 0 {
		t.Skip()
	}
	cfg := DefaultConfig()
	r, err := newRun(seed, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.execute()
	for _, n := range r.nodes {
		if n.h == nil {
			t.Logf("node %d down corrupt=%v removed=%v state=%v", n.id, n.corrupt, n.removed, n.proc.State())
			continue
		}
		t.Logf("node %d: %+v", n.id, n.h.eng.(*raftEngine).node.Status())
	}
}
