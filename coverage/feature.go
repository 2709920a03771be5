package coverage

import (
	"fmt"
	"strings"

	"github.com/raftcheck/raftcheck/nemesis"
)

// A feature is one abstract situation of a run (see the package documentation). Inside a
// run it is a key: its family's index plus one, then one small value per dimension of the
// family, a byte each. Its name, the stable id reports and sets use, spells the family and each
// dimension: "state/role=follower/term=equal/log=behind/lag=1-4/phase=steady".
type key uint64

// dim is one dimension of a family: its name and the values it takes, in order.
type dim struct {
	name   string
	values []string
}

// family is a kind of feature: a name and its dimensions. Every combination of values is a
// feature; some are unreachable in a correct Raft (the documentation says which).
type family struct {
	name string
	dims []dim
}

// The dimensions' values. A value's index is what a key holds.
var (
	roleDim       = dim{"role", []string{"follower", "pre-candidate", "candidate", "leader", "learner"}}
	fromDim       = dim{"from", roleDim.values}
	toDim         = dim{"to", roleDim.values}
	termDim       = dim{"term", []string{"lower", "equal", "higher"}}
	logDim        = dim{"log", []string{"behind", "equal", "ahead", "divergent"}}
	logAnyDim     = dim{"log", []string{"behind", "equal", "ahead", "divergent", "no-leader"}}
	lagDim        = dim{"lag", []string{"0", "1-4", "5-32", "33+", "ahead"}}
	phaseDim      = dim{"phase", []string{"election", "steady", "config", "heal"}}
	uncommitDim   = dim{"uncommitted", []string{"0", "1-4", "5+"}}
	jumpDim       = dim{"jump", []string{"1", "2-3", "4+"}}
	truncDim      = dim{"entries", []string{"1", "2-8", "9+"}}
	belowDim      = dim{"committed", []string{"no", "yes"}}
	candLogDim    = dim{"candidate-log", []string{"older", "equal", "newer"}}
	kindDim       = dim{"kind", faultKinds()}
	targetDim     = dim{"target", []string{"follower", "pre-candidate", "candidate", "leader", "learner", "down", "cluster"}}
	advanceDim    = dim{"advance", []string{"1", "2-8", "9-64", "65+"}}
	earlierDim    = dim{"earlier-terms", []string{"no", "yes"}}
	upToDateDim   = dim{"up-to-date", []string{"leader-only", "minority", "majority", "all"}}
	leadersDim    = dim{"leaders", []string{"1", "2+"}}
	snapLogDim    = dim{"log-before", logAnyDim.values}
	restartLogDim = dim{"log", logAnyDim.values}
	measureDim    = dim{"measure", []string{"elections", "max-term", "step-downs", "truncations", "restarts", "divergent-at-once"}}
	levelDim      = dim{"reached", []string{"1", "2-3", "4-7", "8-15", "16-31", "32+"}}
)

// The families, in the order of the documentation's table. Their index is part of the key
// only: names are what is stable.
const (
	famState = iota
	famLeaderless
	famRoleChange
	famTermJump
	famTruncate
	famSnapshot
	famVote
	famFault
	famCommit
	famQuorum
	famRestart
	famDepth
)

var families = []family{
	famState:      {"state", []dim{roleDim, termDim, logDim, lagDim, phaseDim}},
	famLeaderless: {"leaderless", []dim{roleDim, logDim, phaseDim}},
	famRoleChange: {"role-change", []dim{fromDim, toDim, uncommitDim, phaseDim}},
	famTermJump:   {"term-jump", []dim{roleDim, jumpDim}},
	famTruncate:   {"truncate", []dim{roleDim, truncDim, belowDim}},
	famSnapshot:   {"snapshot", []dim{roleDim, snapLogDim}},
	famVote:       {"vote", []dim{roleDim, candLogDim, phaseDim}},
	famFault:      {"fault", []dim{kindDim, targetDim, phaseDim}},
	famCommit:     {"commit", []dim{advanceDim, earlierDim, phaseDim}},
	famQuorum:     {"quorum", []dim{upToDateDim, leadersDim, phaseDim}},
	famRestart:    {"restart", []dim{restartLogDim, phaseDim}},
	famDepth:      {"depth", []dim{measureDim, levelDim}},
}

func faultKinds() []string {
	out := make([]string, len(nemesis.Kinds))
	for i, k := range nemesis.Kinds {
		out[i] = string(k.Kind)
	}
	return out
}

// mk packs a feature of family fam with one value per dimension.
func mk(fam int, vals ...uint8) key {
	f := families[fam]
	if len(vals) != len(f.dims) {
		panic(fmt.Sprintf("coverage: family %s has %d dimensions, got %d values %v", f.name, len(f.dims), len(vals), vals))
	}
	k := key(fam + 1) // never 0, so that the family byte is the key's highest
	for i, v := range vals {
		if int(v) >= len(f.dims[i].values) {
			panic(fmt.Sprintf("coverage: family %s dimension %s: value %d out of range [0, %d)", f.name, f.dims[i].name, v, len(f.dims[i].values)))
		}
		k = k<<8 | key(v)
	}
	return k
}

// name spells k.
func (k key) name() string {
	n := 0
	for fam := k; fam > 0xff; fam >>= 8 {
		n++
	}
	fam := int(k>>(8*n)) - 1
	f := families[fam]
	if n != len(f.dims) {
		panic(fmt.Sprintf("coverage: key %#x has %d values, family %s has %d dimensions", uint64(k), n, f.name, len(f.dims)))
	}
	var b strings.Builder
	b.WriteString(f.name)
	for i, d := range f.dims {
		v := int(k>>(8*(n-1-i))) & 0xff
		b.WriteString("/" + d.name + "=" + d.values[v])
	}
	return b.String()
}

// Family returns the family of a feature name: the part before its first slash.
func Family(feature string) string {
	f, _, _ := strings.Cut(feature, "/")
	return f
}

// Families lists the family names in the documentation's order.
func Families() []string {
	out := make([]string, len(families))
	for i, f := range families {
		out[i] = f.name
	}
	return out
}

// All returns every feature name, family by family in the documentation's order, each
// family's features in the order of its dimensions' values. Some are unreachable by a
// correct Raft; reports list the ones a sweep never reached.
func All() []string {
	var out []string
	for _, f := range families {
		out = appendProduct(out, f.name, f.dims)
	}
	return out
}

func appendProduct(out []string, prefix string, dims []dim) []string {
	if len(dims) == 0 {
		return append(out, prefix)
	}
	for _, v := range dims[0].values {
		out = appendProduct(out, prefix+"/"+dims[0].name+"="+v, dims[1:])
	}
	return out
}
