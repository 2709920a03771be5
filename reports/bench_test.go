package reports

import (
	"bytes"
	"testing"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine/raftengine"
)

// BenchmarkWriteHTML renders the report of a standard run (DefaultConfig: 5 nodes, 30 s,
// swarm nemesis) and reports the size of the page.
func BenchmarkWriteHTML(b *testing.B) {
	res, err := cluster.Run(1, cluster.DefaultConfig(), cluster.Options{Engine: raftengine.Descriptor()})
	if err != nil {
		b.Fatal(err)
	}
	benchHTML(b, res)
	b.ReportMetric(float64(len(res.History)), "ops")
}

// BenchmarkWriteHTMLIllegal adds Porcupine's visualisation of an illegal history.
func BenchmarkWriteHTMLIllegal(b *testing.B) {
	benchHTML(b, illegalRun(b))
}

// benchHTML renders res's report in a loop and reports the size of the page.
func benchHTML(b *testing.B, res *cluster.Result) {
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteHTML(&buf, res, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/report")
}
