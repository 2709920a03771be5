// Package cluster runs one simulated Jepsen-style test: Raft nodes on simnet with clients, a
// nemesis, a heal phase and the checkers, as a pure function of (seed, config, schedule).
//
// A run builds N nodes (disk + process + a host that drives a Raft engine.Engine through its
// Ready contract and applies committed commands to a workloads.KV), C clients that invoke
// operations from the workload generator, retry with their session sequence numbers and
// record a history in simulated time, and a schedule of faults generated from the seed (or
// given). After Config.Duration every fault is lifted; within Config.HealTime the cluster must
// elect a leader, answer every pending operation and catch every member up. The checkers
// watch every node online (checker.Invariants) and judge the history at the end
// (linearizability, append anomalies, liveness).
//
//	cfg := cluster.DefaultConfig()
//	cfg.Workload = "append"
//	d, _ := builtin.Lookup("etcd") // or your own engine.Descriptor
//	res, err := cluster.Run(seed, cfg, cluster.Options{Engine: d})
//	if err != nil {
//		log.Fatal(err) // the config is invalid
//	}
//	if res.Failed() {
//		fmt.Println(res.Summary())
//		for _, v := range res.Violations {
//			fmt.Println(v)
//		}
//		repro, _ := cluster.NewRepro(res, true).Marshal() // replays exactly
//		os.WriteFile("repro.json", repro, 0o644)
//	}
//
// The Raft implementation arrives as an engine.Descriptor in Options.Engine: cluster knows no
// implementation. The checkers see nodes only through engine.Observations, so they hold for
// any implementation; where the engine declares different semantics (engine.Semantics) the
// run follows the declaration and says so in Result.Notes. A panic inside an engine is a
// violation of kind KindPanic. Mutants plant known bugs by name (Config.Mutants; Mutants lists
// an engine's and the host's) to measure how quickly a run finds them.
package cluster
