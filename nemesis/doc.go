// Package nemesis is raftcheck's fault vocabulary: the fault kinds (Kinds), a fault and its text
// form that parses back (Fault, ParseFault), schedules (Schedule, ParseSchedule, and JSON as
// fault lines), and the generation of a run's schedule from its seed's streams, one stream per
// kind so that turning one kind off leaves the others' faults unchanged (Generate); swarm mode
// draws the enabled kinds and their intensities per seed.
//
//	s, err := nemesis.Generate(nemesis.Params{Nodes: 5, Duration: d, Interval: i, Spec: "swarm"}, kernel.Stream)
//	fmt.Print(s) // 2.5s crash for=1.2s nodes=1,3 mode=torn ...
//	back, err := nemesis.ParseSchedule(s.String())
//
// Applying faults to a running cluster is cluster's job; this package only says what they are.
package nemesis
