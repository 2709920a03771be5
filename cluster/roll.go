package cluster

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/simnet"
)

// Roll is a rolling change of protocol settings, the way operators migrate a live cluster:
// every node starts with the rolled settings at the opposite of To; from At, nodes 0, 1, ...,
// Nodes-1 are restarted one every Every with the settings at To. Nodes from Nodes on keep the
// old settings, so a roll that stops part way leaves the cluster mixed to the end; a node
// added later starts with the settings most of the initial nodes have at that time. The
// zero Roll changes nothing.
//
// Its text form (a flag's value, a repro file's "roll") is
// "SETTINGS=on|off,at=D,every=D,nodes=N" with SETTINGS one of prevote, check_quorum or
// prevote+check_quorum, e.g. "check_quorum=on,at=5s,every=2s,nodes=3"; "" is no roll.
type Roll struct {
	PreVote, CheckQuorum bool // the settings rolled
	To                   bool // their value after a node's restart
	At, Every            simnet.Duration
	Nodes                int
}

// IsZero reports a roll that changes nothing (a repro file then omits it).
func (r Roll) IsZero() bool { return !r.PreVote && !r.CheckQuorum }

// MarshalText implements encoding.TextMarshaler.
func (r Roll) MarshalText() ([]byte, error) {
	if r.IsZero() {
		return nil, nil
	}
	return fmt.Appendf(nil, "%s=%s,at=%v,every=%v,nodes=%d", r.names("prevote", "check_quorum", "+"), onOff(r.To), r.At, r.Every, r.Nodes), nil
}

// names joins the names of the rolled settings with sep, given each setting's name.
func (r Roll) names(preVote, checkQuorum, sep string) string {
	var names []string
	if r.PreVote {
		names = append(names, preVote)
	}
	if r.CheckQuorum {
		names = append(names, checkQuorum)
	}
	return strings.Join(names, sep)
}

func onOff(v bool) string {
	if v {
		return "on"
	}
	return "off"
}

func (r Roll) String() string {
	b, _ := r.MarshalText() // never fails
	return string(b)
}

// UnmarshalText implements encoding.TextUnmarshaler; an error says which part is wrong.
func (r *Roll) UnmarshalText(b []byte) error {
	*r = Roll{}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return fmt.Errorf("roll %q: want SETTINGS=on|off,at=D,every=D,nodes=N", s)
	}
	var v Roll
	if err := v.parseSettings(parts[0]); err != nil {
		return fmt.Errorf("roll %q: %w", s, err)
	}
	for i, key := range []string{"at", "every", "nodes"} {
		val, ok := strings.CutPrefix(parts[i+1], key+"=")
		if !ok {
			return fmt.Errorf("roll %q: part %d is %q, want %s=...", s, i+2, parts[i+1], key)
		}
		if err := v.parseField(key, val); err != nil {
			return fmt.Errorf("roll %q: %w", s, err)
		}
	}
	*r = v
	return nil
}

func (r *Roll) parseSettings(part string) error {
	names, to, ok := strings.Cut(part, "=")
	if !ok || (to != "on" && to != "off") {
		return fmt.Errorf("%q: want SETTINGS=on or SETTINGS=off", part)
	}
	r.To = to == "on"
	for _, name := range strings.Split(names, "+") {
		switch name {
		case "prevote":
			r.PreVote = true
		case "check_quorum":
			r.CheckQuorum = true
		default:
			return fmt.Errorf("setting %q: want prevote or check_quorum", name)
		}
	}
	return nil
}

func (r *Roll) parseField(key, val string) error {
	if key == "nodes" {
		n, err := strconv.Atoi(val)
		if err != nil {
			return fmt.Errorf("nodes=%q: not a number", val)
		}
		r.Nodes = n
		return nil
	}
	d, err := time.ParseDuration(val)
	if err != nil {
		return fmt.Errorf("%s=%q: %v", key, val, err)
	}
	if key == "at" {
		r.At = simnet.Duration(d)
	} else {
		r.Every = simnet.Duration(d)
	}
	return nil
}

// check reports what is wrong with the roll of a cluster of nodes members running for d.
func (r Roll) check(nodes int, d simnet.Duration) error {
	switch {
	case r.IsZero():
		return nil
	case r.At < 0 || r.At >= d:
		return fmt.Errorf("at = %v: must be in [0, duration %v)", r.At, d)
	case r.Every < simnet.Duration(time.Millisecond) || r.Every > simnet.Duration(time.Hour):
		return fmt.Errorf("every = %v: must be in [1ms, 1h]", r.Every)
	case r.Nodes < 1 || r.Nodes > nodes:
		return fmt.Errorf("nodes = %d: must be in [1, nodes %d]", r.Nodes, nodes)
	case r.when(r.Nodes-1) >= simnet.Time(d):
		return fmt.Errorf("nodes = %d: the roll would reach node %d at %v, not before the run's end %v", r.Nodes, r.Nodes-1, r.when(r.Nodes-1), d)
	}
	return nil
}

// Fit returns the roll cut to a cluster of nodes members running for d: only the nodes it
// reaches before the end (none: the zero Roll). A shrinker cutting nodes or time keeps the
// roll valid with it.
func (r Roll) Fit(nodes int, d simnet.Duration) Roll {
	if r.IsZero() {
		return r
	}
	r.Nodes = min(r.Nodes, nodes)
	for r.Nodes > 0 && r.when(r.Nodes-1) >= simnet.Time(d) {
		r.Nodes--
	}
	if r.Nodes == 0 {
		return Roll{}
	}
	return r
}

// drawRoll draws a rolling change for half the seeds: the settings (both together in half of
// those), their new value (on for three in four), when it starts (in the first half of the
// run), the time between two nodes and how many nodes it reaches. A roll often stops part
// way, with one node left (on the old settings) or one node done, the canary: the mixes
// that last. Every value is drawn whatever the engine permits, so the draws do not depend
// on it.
func drawRoll(r *rand.Rand, c Config, s engine.Semantics) Roll {
	rolls, which, on := r.IntN(2) == 0, r.IntN(4), r.IntN(4) > 0
	at := simnet.Duration(time.Duration(r.Int64N(int64(c.Duration)/2 + 1)).Truncate(time.Millisecond))
	every := simnet.Duration([]time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 5 * time.Second}[r.IntN(4)])
	nodes := []int{1, c.Nodes - 1, c.Nodes - 1, c.Nodes, 1 + r.IntN(c.Nodes)}[r.IntN(5)]
	roll := Roll{PreVote: which != 1, CheckQuorum: which != 0, To: on, At: at, Every: every, Nodes: nodes}.Fit(c.Nodes, c.Duration)
	if !rolls || roll.IsZero() || nodes < 1 || !s.MixedProtocol.Allows(roll.settings(c.Protocol, false), roll.settings(c.Protocol, true)) {
		return Roll{}
	}
	return roll
}

// settings are the (PreVote, CheckQuorum) of a node the roll has reached (done) or not.
func (r Roll) settings(base engine.Protocol, done bool) [2]bool {
	p := r.set(base, done == r.To)
	return [2]bool{p.PreVote, p.CheckQuorum}
}

// protocol is the protocol node id of a cluster of nodes initial members starts with at time
// t: base, with the rolled settings at their new value if the roll has reached the node by t,
// else at their old one. A node added later is configured as most of the initial members are
// at t, the way an operator deploys a new node: a roll that stopped with one node left keeps
// that one node odd after replacements, and a canary stays alone.
func (r Roll) protocol(base engine.Protocol, nodes, id int, t simnet.Time) engine.Protocol {
	if r.IsZero() {
		return base
	}
	if id >= nodes {
		return r.set(base, r.To == (2*r.reached(t) > nodes))
	}
	return r.set(base, r.To == (id < r.Nodes && t >= r.when(id)))
}

// reached is how many nodes the roll has restarted by t.
func (r Roll) reached(t simnet.Time) int {
	n := 0
	for n < r.Nodes && t >= r.when(n) {
		n++
	}
	return n
}

// set returns base with the rolled settings at v.
func (r Roll) set(base engine.Protocol, v bool) engine.Protocol {
	if r.PreVote {
		base.PreVote = v
	}
	if r.CheckQuorum {
		base.CheckQuorum = v
	}
	return base
}

// when is the time the roll restarts node id.
func (r Roll) when(id int) simnet.Time {
	return simnet.Time(r.At) + simnet.Time(id)*simnet.Time(r.Every)
}

// odd are the nodes whose settings differ from most others' for part of the run: the
// smaller side of a roll that stops part way (the nodes it reached, if they are no more
// than the rest), or, of a roll that reaches every node, node 0, the first to change.
func (r Roll) odd(nodes int) []int {
	var out []int
	switch {
	case r.IsZero():
	case r.Nodes >= nodes:
		out = []int{0}
	case 2*r.Nodes <= nodes:
		for id := range r.Nodes {
			out = append(out, id)
		}
	default:
		for id := r.Nodes; id < nodes; id++ {
			out = append(out, id)
		}
	}
	return out
}

// oddStretch is the stretch of a run of duration d in which the odd nodes (odd) are the
// smaller side: from the roll's last step to the end for a roll that stops part way, and for
// one that reaches every node, from its first step until it has reached a majority.
func (r Roll) oddStretch(nodes int, d simnet.Duration) (from, until simnet.Duration) {
	switch {
	case r.IsZero():
		return 0, 0
	case r.Nodes >= nodes:
		return r.At, simnet.Duration(r.when((nodes - 1) / 2))
	}
	return simnet.Duration(r.when(r.Nodes - 1)), d
}

// note describes the roll for the report.
func (r Roll) note(nodes int) string {
	s := fmt.Sprintf("operator: %s turned %s one node at a time by a restart, from %v, every %v, on nodes 0..%d",
		r.names("PreVote", "CheckQuorum", " and "), onOff(r.To), r.At, r.Every, r.Nodes-1)
	if r.Nodes < nodes {
		s += " (the others keep the old settings: the cluster stays mixed)"
	}
	return s
}

// rollEvent restarts node arg with its new settings, if it is running and started before its
// turn; a node that is down takes them when it next starts. A paused node is restarted too,
// which ends its pause (an operator restarting a hung process).
type rollEvent run

func (e *rollEvent) OnEvent(_ simnet.Time, arg uint64) {
	r := (*run)(e)
	n := r.nodes[arg]
	if n.proc.State() == simnet.Down || n.removed || n.corrupt || n.startedAt >= int64(r.cfg.Roll.when(int(arg))) {
		return // it starts with the new settings anyway (the supervisor restarts a node that is down)
	}
	r.k.Trace().Note(traceRoll, arg, 0, 0, "roll")
	r.crash(n, nil, nil)
	r.restart(n)
}

// scheduleRoll queues the roll's restarts.
func (r *run) scheduleRoll() {
	roll := r.cfg.Roll
	for id := range min(roll.Nodes, len(r.nodes)) { // Validate: each before the end
		r.k.Schedule(max(roll.when(id), r.k.Now()), (*rollEvent)(r), uint64(id))
	}
}
