// Command raftcheck runs raftcheck's deterministic Raft simulations from the command line:
// one seed (run), many seeds on all cores (sweep, with --shard to spread a sweep over
// machines and merge to combine the shards), an exact rerun of a seed or a saved repro file
// (replay), the minimisation of a failing run (shrink), a report of a saved run (report), the
// measure of how fast each planted bug is caught (hunt), the catalogue of engines, mutants,
// fault kinds and workloads (list), the abstract-state coverage of saved runs (coverage), its
// own and the engines' versions (version), and shell completion scripts (completion). sweep
// and hunt take --guided: coverage-guided search that mutates the schedules of runs that
// reached new coverage.
//
// Every run is a pure function of its seed and config, so any failure replays exactly:
//
//	raftcheck sweep --seeds 1000 --mutant commit-to-last-index   # find failing seeds
//	raftcheck replay raftcheck-out/seed-18.json                 # same trace hash, same violations
//	raftcheck shrink raftcheck-out/seed-18.json                 # a schedule of a few faults
//	raftcheck report raftcheck-out/seed-18-shrunk.json          # HTML report
//
// In CI, sweep and merge write a JUnit XML file (--junit FILE: a test case per failing seed
// with its violations and replay command) and append a Markdown summary (--summary-md FILE,
// e.g. "$GITHUB_STEP_SUMMARY"); deploy/ in the repository runs a sweep as a Kubernetes
// Indexed Job, --shard $JOB_COMPLETION_INDEX/N per pod.
//
// Exit codes, for every subcommand: 0 no violation, 1 violation found (or an expected one no
// longer reproduces), 2 usage or input error, 3 internal error (a run panicked, or results
// could not be written), 130 a sweep or hunt interrupted by Ctrl-C (after printing what it
// found). `raftcheck help` and `raftcheck <command> --help` describe the flags.
package main
