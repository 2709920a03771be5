// Package reports renders a cluster run's Result for people and machines: a terminal
// summary (WriteText), a stable JSON form (RunJSON), a self-contained HTML report (WriteHTML)
// and a sweep's summary page (WriteSweepHTML).
//
// The HTML report is one file that works offline: inline CSS, inline SVG drawn by this
// package (a timeline of node roles, node lives, faults and client operations; latency and
// throughput plots in the manner of Jepsen's perf graphs) and, for an illegal history,
// Porcupine's own visualisation in an iframe. Every string that comes from a run is escaped.
//
//	res, err := cluster.Run(seed, cfg, cluster.Options{})
//	if err != nil {
//		return err
//	}
//	if err := reports.WriteText(os.Stdout, res, ""); err != nil {
//		return err
//	}
//	f, err := os.Create("report.html")
//	if err != nil {
//		return err
//	}
//	defer f.Close()
//	return reports.WriteHTML(f, res, "")
package reports
