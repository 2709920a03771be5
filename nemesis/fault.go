package nemesis

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/simnet"
)

// Kind names a fault the nemesis can apply.
type Kind string

// The nemesis menu. Every fault is lifted when it ends or, at the latest, when the heal phase
// begins.
const (
	Crash     Kind = "crash"         // crash Nodes; Mode says what their unsynced writes become; restart after For
	Churn     Kind = "churn"         // for For, kill every leader within Value ms of its election; restart it soon after
	Pause     Kind = "pause"         // pause Nodes (no ticks, messages wait); resume after For
	Partition Kind = "partition"     // cut the network into Shape over Nodes
	Loss      Kind = "loss"          // every link drops a message with probability Value
	Duplicate Kind = "duplicate"     // every link duplicates a message with probability Value
	Delay     Kind = "delay"         // latency spike: Value milliseconds added to every link's floor
	Reorder   Kind = "reorder"       // latency jitter: uniform 0..Value milliseconds, so messages overtake
	Drift     Kind = "drift"         // Nodes' clocks run at rates spread from Value to 2-Value (e.g. 0.95..1.05)
	Corrupt   Kind = "corrupt"       // flip a bit in a synced sector of Nodes[0]'s log, crash and restart it
	SlowDisk  Kind = "slow-disk"     // Nodes' syncs take Value milliseconds
	DiskFull  Kind = "disk-full"     // Nodes' disks refuse writes beyond what they hold now
	Add       Kind = "add"           // add a fresh node as a learner (promoted by the leader once caught up)
	Remove    Kind = "remove"        // remove Nodes[0] from the configuration (the leader if Leader)
	Replace   Kind = "replace"       // add a fresh node, then remove Nodes[0]
	Hold      Kind = "hold"          // hold back what Nodes (the leader) send for For, then deliver it late, Value copies each
	AckKill   Kind = "ack-kill"      // within For, kill the leader right after it acknowledges a write, before its followers learn the commit
	Transfer  Kind = "transfer"      // the leader hands leadership to a voter chosen by Shape: random, lagging or restarted
	Joint     Kind = "joint"         // change several members at once through the joint configuration; Shape says how (JointShapes)
	SnapFail  Kind = "snapshot-fail" // Nodes (the leader) compact their logs; for For, every snapshot transfer they start fails, and their transport says so
)

// Kinds lists every fault kind with a one-line description, in menu order.
var Kinds = []struct {
	Kind Kind
	Help string
}{
	{Crash, "crash one, a minority, a majority, the leader or all nodes; unsynced data lost, kept as a prefix, torn or a random sector subset"},
	{Churn, "leader churn: kill every new leader within a few hundred ms, restarting it soon after"},
	{Pause, "pause nodes (SIGSTOP): no ticks, messages wait until resume"},
	{Partition, "network partitions: random halves, isolate the leader, majorities ring, bridge, one-way"},
	{Loss, "drop messages on every link with a probability"},
	{Duplicate, "duplicate messages on every link with a probability"},
	{Delay, "latency spike on every link"},
	{Reorder, "wide latency jitter so messages overtake each other"},
	{Drift, "clock drift: nodes tick at different rates"},
	{Corrupt, "flip a bit in a synced sector of a node's log, then crash and restart it"},
	{SlowDisk, "slow fsync on some nodes"},
	{DiskFull, "a node's disk fills up: writes fail with no space"},
	{Add, "membership: add a node (learner, promoted when caught up)"},
	{Remove, "membership: remove a node or the leader"},
	{Replace, "membership: add a node, then remove an old one"},
	{Hold, "hold back what nodes (often the leader) send for seconds, across elections, then deliver it late (shape=election: just after the next leader is elected), sometimes twice"},
	{AckKill, "kill the leader right after it acknowledges a write, before its followers learn that the write committed"},
	{Transfer, "leadership transfer to a random voter, the most lagging one, or the one restarted last"},
	{Joint, "membership, several at once through the joint configuration (thesis §4.3): add, remove, replace or demote two or more members"},
	{SnapFail, "nodes (often the leader) compact their logs, so a follower behind needs a snapshot, and their snapshot transfers fail, as a broken snapshot stream does; the transport reports each failure"},
}

func knownKind(k Kind) bool {
	for _, e := range Kinds {
		if e.Kind == k {
			return true
		}
	}
	return false
}

// Fault is one entry of a schedule. Its text form (String) parses back with ParseFault, so a
// shrinker or a person can edit schedules as text:
//
//	2.5s crash for=1.2s nodes=1,3 mode=torn
//	7s partition for=3s nodes=4,0,2,1,3 shape=ring
//	9s remove leader
type Fault struct {
	At     simnet.Duration `json:"at"`
	Kind   Kind            `json:"kind"`
	For    simnet.Duration `json:"for,omitempty"`
	Nodes  []int           `json:"nodes,omitempty"`
	Leader bool            `json:"leader,omitempty"` // target the leader at the moment the fault starts
	Shape  string          `json:"shape,omitempty"`
	Mode   string          `json:"mode,omitempty"`
	Value  float64         `json:"value,omitempty"`
}

// Schedule is the concrete list of faults a run applies, sorted by start time.
type Schedule []Fault

// Partition shapes and crash modes.
var (
	Shapes = []string{"halves", "isolate", "ring", "bridge", "one-way"}
	// HoldReleases are the shapes of a hold fault: when what it held goes out. "" at the
	// end of For; "election" a moment (up to a few ticks) after the next leader is elected,
	// while that leader's first entries are still uncommitted on its followers, or at the end
	// of For if no leader is elected before.
	HoldReleases = []string{"", "election"}
	// TransferTargets are the shapes of a transfer fault: whom the leader hands over to.
	TransferTargets = []string{"random", "lagging", "restarted"}
	CrashModes      = []string{"lose", "prefix", "torn", "subset"}
)

// String renders f in its text form.
func (f Fault) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", f.At, f.Kind)
	if f.For > 0 {
		fmt.Fprintf(&b, " for=%s", f.For)
	}
	if len(f.Nodes) > 0 {
		parts := make([]string, len(f.Nodes))
		for i, n := range f.Nodes {
			parts[i] = strconv.Itoa(n)
		}
		fmt.Fprintf(&b, " nodes=%s", strings.Join(parts, ","))
	}
	if f.Leader {
		b.WriteString(" leader")
	}
	if f.Shape != "" {
		fmt.Fprintf(&b, " shape=%s", f.Shape)
	}
	if f.Mode != "" {
		fmt.Fprintf(&b, " mode=%s", f.Mode)
	}
	if f.Value != 0 {
		fmt.Fprintf(&b, " value=%s", strconv.FormatFloat(f.Value, 'g', -1, 64))
	}
	return b.String()
}

// ParseFault parses the text form of a fault.
func ParseFault(line string) (Fault, error) {
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return Fault{}, fmt.Errorf("fault %q: want \"<at> <kind> [key=value ...]\"", line)
	}
	var f Fault
	if err := f.At.UnmarshalText([]byte(fields[0])); err != nil {
		return Fault{}, fmt.Errorf("fault %q: at: %w", line, err)
	}
	f.Kind = Kind(fields[1])
	for _, field := range fields[2:] {
		if err := f.setField(field); err != nil {
			return Fault{}, fmt.Errorf("fault %q: %w", line, err)
		}
	}
	return f, f.Validate()
}

func (f *Fault) setField(field string) error {
	if field == "leader" {
		f.Leader = true
		return nil
	}
	key, val, ok := strings.Cut(field, "=")
	if !ok {
		return fmt.Errorf("field %q: want key=value", field)
	}
	switch key {
	case "for":
		return f.For.UnmarshalText([]byte(val))
	case "nodes":
		for _, s := range strings.Split(val, ",") {
			n, err := strconv.Atoi(s)
			if err != nil {
				return fmt.Errorf("nodes: %w", err)
			}
			f.Nodes = append(f.Nodes, n)
		}
	case "shape":
		f.Shape = val
	case "mode":
		f.Mode = val
	case "value":
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return fmt.Errorf("value: %w", err)
		}
		f.Value = v
	default:
		return fmt.Errorf("unknown key %q", key)
	}
	return nil
}

// Validate checks that f is well formed: a known kind, the parameters its kind needs, and values
// in range. It does not check node ids against a cluster.
func (f Fault) Validate() error {
	switch {
	case !knownKind(f.Kind):
		return fmt.Errorf("fault %s: unknown kind %q", f, f.Kind)
	case f.At < 0 || f.For < 0:
		return fmt.Errorf("fault %s: negative time", f)
	case f.For > simnet.Duration(24*time.Hour):
		return fmt.Errorf("fault %s: for=%s exceeds 24h", f, f.For)
	}
	for _, n := range f.Nodes {
		if n < 0 || n >= MaxNodeIDs {
			return fmt.Errorf("fault %s: node %d out of range [0, %d)", f, n, MaxNodeIDs)
		}
	}
	return f.validateParams()
}

func (f Fault) validateParams() error {
	needNodes := map[Kind]bool{Crash: true, Pause: true, Partition: true, Drift: true, Corrupt: true,
		SlowDisk: true, DiskFull: true, Remove: true, Replace: true, Hold: true, SnapFail: true}
	switch {
	case needNodes[f.Kind] && len(f.Nodes) == 0 && !f.Leader:
		return fmt.Errorf("fault %s: needs nodes= or leader", f)
	case f.Kind == Partition && !slices.Contains(Shapes, f.Shape):
		return fmt.Errorf("fault %s: shape %q not one of %v", f, f.Shape, Shapes)
	case f.Kind == Transfer && !slices.Contains(TransferTargets, f.Shape):
		return fmt.Errorf("fault %s: shape %q not one of %v", f, f.Shape, TransferTargets)
	case f.Kind == Crash && !slices.Contains(CrashModes, f.Mode):
		return fmt.Errorf("fault %s: mode %q not one of %v", f, f.Mode, CrashModes)
	case (f.Kind == Loss || f.Kind == Duplicate) && !(f.Value > 0 && f.Value <= 1):
		return fmt.Errorf("fault %s: value %v must be a probability in (0, 1]", f, f.Value)
	case (f.Kind == Delay || f.Kind == Reorder || f.Kind == SlowDisk || f.Kind == Churn) && !(f.Value > 0 && f.Value <= 60_000):
		return fmt.Errorf("fault %s: value %v must be milliseconds in (0, 60000]", f, f.Value)
	case f.Kind == Hold && !slices.Contains(HoldReleases, f.Shape):
		return fmt.Errorf("fault %s: shape %q not one of %q", f, f.Shape, HoldReleases)
	case f.Kind == Hold && !(f.Value == 1 || f.Value == 2):
		return fmt.Errorf("fault %s: value %v must be the copies delivered, 1 or 2", f, f.Value)
	case f.Kind == Drift && !(f.Value >= 0.5 && f.Value <= 1.5):
		return fmt.Errorf("fault %s: value %v must be a clock rate in [0.5, 1.5] (the nodes' rates spread from value to 2-value)", f, f.Value)
	case f.Kind == Joint:
		return f.validateJoint()
	}
	return nil
}

// String renders s one fault per line.
func (s Schedule) String() string {
	var b strings.Builder
	for _, f := range s {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// ParseSchedule parses one fault per line; blank lines and lines starting with # are skipped.
func ParseSchedule(text string) (Schedule, error) {
	var s Schedule
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f, err := ParseFault(line)
		if err != nil {
			return nil, fmt.Errorf("schedule line %d: %w", i+1, err)
		}
		s = append(s, f)
	}
	s.Sort()
	return s, nil
}

// Sort orders s by start time, keeping the order of faults that start together.
func (s Schedule) Sort() {
	sort.SliceStable(s, func(i, j int) bool { return s[i].At < s[j].At })
}
