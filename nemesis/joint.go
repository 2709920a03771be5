package nemesis

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// JointShapes are the shapes of a joint fault, the membership change it asks for at once:
//
//	joint shape=add value=2          two fresh nodes join as voters
//	joint shape=remove nodes=1,3     nodes 1 and 3 leave
//	joint shape=replace nodes=1,3    two fresh nodes join as voters and nodes 1 and 3 leave
//	joint shape=demote nodes=2,4     voters 2 and 4 become learners
//
// Every shape makes two changes or more, so the cluster goes through C_old,new. With
// mode=split and for=D, the network is split for D from the moment the leader takes the
// change: the leader and a bare majority of the incoming voters (fresh ones first) on one
// side, every other node on the other, so that the leader's side holds a majority of C_new
// but not of C_old while the joint entry is in flight:
//
//	joint shape=remove nodes=1,3 mode=split for=2s
var JointShapes = []string{"add", "remove", "replace", "demote"}

// JointSplit is the mode of a joint fault that splits old from new voters while joint.
const JointSplit = "split"

// maxJointNodes bounds the members one joint fault changes on each side.
const maxJointNodes = 3

// validateJoint checks a joint fault's shape and that it makes at least two changes.
func (f Fault) validateJoint() error {
	switch {
	case !slices.Contains(JointShapes, f.Shape):
		return fmt.Errorf("fault %s: shape %q not one of %v", f, f.Shape, JointShapes)
	case f.Shape == "add" && !(f.Value >= 2 && f.Value <= maxJointNodes && f.Value == float64(int(f.Value))):
		return fmt.Errorf("fault %s: value %v must be the nodes to add, 2 to %d", f, f.Value, maxJointNodes)
	case f.Shape != "add" && (len(f.Nodes) > maxJointNodes || len(f.Nodes) < 2 && f.Shape != "replace" || len(f.Nodes) < 1):
		return fmt.Errorf("fault %s: %s needs 1 to %d nodes (2 or more unless replacing)", f, f.Shape, maxJointNodes)
	case f.Mode != "" && f.Mode != JointSplit:
		return fmt.Errorf("fault %s: mode %q: want %q or none", f, f.Mode, JointSplit)
	case (f.Mode == JointSplit) != (f.For > 0):
		return fmt.Errorf("fault %s: for= is the split's length: needed with mode=%s, and only then", f, JointSplit)
	}
	return nil
}

// drawJoint picks a joint fault's shape and targets: two members, sometimes three, or one
// replaced; two in three split old from new voters while joint, for three seconds on
// average (long enough for a leader to lose CheckQuorum and for elections on both sides).
func drawJoint(nodes int, r *rand.Rand) Fault {
	f := Fault{Kind: Joint, Shape: JointShapes[r.IntN(len(JointShapes))]}
	if r.IntN(3) > 0 {
		f.Mode, f.For = JointSplit, drawFor(r, 3*time.Second)
	}
	count := 2 + r.IntN(2)*r.IntN(2) // 2, sometimes 3
	if f.Shape == "add" {
		f.Value = float64(count)
		return f
	}
	if f.Shape == "replace" {
		count = 1 + r.IntN(2)
	}
	f.Nodes = slices.Sorted(slices.Values(r.Perm(nodes)[:min(count, nodes)]))
	return f
}

// JointChanges returns how many members f adds (fresh nodes) and which it removes or demotes.
func (f Fault) JointChanges() (added int, leaving []int) {
	switch f.Shape {
	case "add":
		return int(f.Value), nil
	case "replace":
		return len(f.Nodes), f.Nodes
	}
	return 0, f.Nodes
}
