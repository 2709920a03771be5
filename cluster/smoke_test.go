package cluster

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSmoke(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SMOKE_SEEDS"))
	if n == 0 {
		n = 1
	}
	fails := 0
	for seed := uint64(1); seed <= uint64(n); seed++ {
		cfg := DefaultConfig()
		if w := os.Getenv("SMOKE_WORKLOAD"); w != "" {
			cfg.Workload = w
		}
		res, err := Run(seed, cfg, Options{Wall: time.Now})
		if err != nil {
			t.Fatal(err)
		}
		if res.Failed() || res.Linearizable.String() != "ok" || os.Getenv("SMOKE_V") != "" {
			fails++
			t.Log(res.Summary())
			for i, v := range res.Violations {
				if i < 5 {
					t.Log(v)
				}
			}
			t.Logf("%+v", res.Stats)
		}
	}
	if fails > 0 {
		t.Errorf("%d/%d seeds failed", fails, n)
	}
}

func TestSeedTimeline(t *testing.T) {
	seed, _ := strconv.ParseUint(os.Getenv("SEED"), 10, 64)
	if seed == 0 {
		t.Skip()
	}
	cfg := DefaultConfig()
	if w := os.Getenv("SMOKE_WORKLOAD"); w != "" {
		cfg.Workload = w
	}
	res, err := Run(seed, cfg, Options{RecordTrace: os.Getenv("TRACE") != ""})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Summary())
	t.Log("\n" + res.Schedule.String())
	for _, m := range res.Timeline {
		t.Logf("%v %s node=%d term=%d %s", Duration(m.Time), m.Kind, m.Node, m.Term, m.Detail)
	}
	for _, v := range res.Violations {
		t.Log(v)
	}
	if os.Getenv("TRACE") != "" {
		os.WriteFile("/tmp/trace.txt", []byte(strings.Join(res.Trace, "\n")), 0o644)
	}
}
