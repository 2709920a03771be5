// Package reports renders a cluster run's Result for people and machines: a terminal
// summary (WriteText), a stable JSON form (RunJSON), a self-contained HTML report (WriteHTML),
// a sweep's summary page (WriteSweepHTML) and the client history for other checkers
// (WriteHistoryEDN, WriteHistoryJSON).
//
// The HTML report is one file that works offline: inline CSS, inline SVG drawn by this
// package (a timeline of node roles, node lives, votes, faults and client operations; latency,
// latency-quantile (p50/p95/p99 over time) and throughput plots in the manner of Jepsen's perf
// graphs), each node's term, vote, last log index/term and commit around every violation, the
// client operations near each violation before the full history (collapsed), and, for an
// illegal history, Porcupine's own visualisation in an iframe, opened on the first partition
// that failed. Every string that comes from a run is escaped. RunJSON's stats carry the same
// latency quantiles (LatencyQuantiles).
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
//
// # Histories for Jepsen's checkers
//
// WriteHistoryEDN writes Result.History as Jepsen writes a history.edn, so that Knossos (kv)
// or Elle (append) can check it; WriteHistoryJSON writes the same events as JSON lines. Each
// operation becomes two events, its invocation and its completion, and all events are in
// simulated-time order, numbered by :index from 0:
//
//	{:type :invoke, :f :write, :value ["k3" "17"], :process 3, :time 1500000000, :index 0, :client 3}
//	{:type :ok, :f :write, :value ["k3" "17"], :process 3, :time 1502000000, :index 1, :client 3}
//
// The fields:
//
//   - :type is :invoke, then :ok, :fail (the operation did not take effect) or :info (its
//     outcome is indeterminate: the client gave up or got no definite answer).
//   - :time is simulated nanoseconds since the run started: the call, and the reply (or the
//     moment the client gave up).
//   - :process is the client's id, numbered as Jepsen numbers processes: once an operation of
//     a client ends in :info, the client goes on as a fresh process, id + the number of
//     clients, since Knossos and Elle hold that a process with an operation possibly in
//     flight invokes no other. :client is always the client's id.
//   - :f and :value follow the workload. kv is a register per key in Knossos' style, the key
//     first: a get is :f :read with :value [k nil] on invocation and [k v] on completion (v
//     nil when the key does not exist); a put is :f :write, [k v]; a compare-and-set is
//     :f :cas, [k [expected new]] (expected nil: the key must not exist), and one that found
//     another value completes as :fail with :error :mismatch. append is Elle's list-append,
//     each operation a transaction of one micro-operation: :f :txn, :value [[:append k 5]]
//     for an append, [[:r k nil]] for a read, completed as [[:r k [1 2 5]]] (nil when the key
//     does not exist). Keys and kv values are strings; appended elements are integers.
//   - A :fail or :info completion carries its invocation's value, as Knossos requires.
package reports
