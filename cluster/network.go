package cluster

import (
	"slices"

	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// applyNetwork rebuilds the cuts from the partition faults in effect.
func (r *run) applyNetwork() {
	r.net.Heal()
	for _, i := range r.faults.network {
		if r.schedule[i].Kind == nemesis.Joint {
			r.splitCut(i)
			continue
		}
		r.cut(r.schedule[i].Shape, r.partitionOrder(i))
	}
	r.touchLinks()
}

// partitionOrder lists the nodes a partition fault arranges: its resolved targets first (the
// leader first when it asked for the leader), then every other live member.
func (r *run) partitionOrder(i int) []int {
	order := slices.Clone(r.faults.targets[i])
	if order == nil {
		order = r.targets(r.schedule[i])
		r.faults.targets[i] = order
	}
	for _, id := range r.members.all() {
		if !slices.Contains(order, id) && !r.nodes[id].removed {
			order = append(order, id)
		}
	}
	return order
}

// cut applies one partition shape over nodes (in order).
func (r *run) cut(shape string, nodes []int) {
	ids := make([]simnet.NodeID, len(nodes))
	for i, n := range nodes {
		ids[i] = simnet.NodeID(n)
	}
	n := len(ids)
	var err error
	switch shape {
	case "halves":
		err = r.net.Partition(ids[:n/2], ids[n/2:])
	case "isolate":
		err = r.net.Partition(ids[:1], ids[1:])
	case "one-way":
		err = r.net.PartitionOneWay(ids[:n/2], ids[n/2:])
	case "bridge":
		err = r.bridge(ids)
	case "ring":
		err = r.ring(ids)
	}
	if err != nil {
		panic("cluster: applying partition " + shape + ": " + err.Error())
	}
}

// bridge cuts the nodes after the first into two halves that only the first node joins.
func (r *run) bridge(ids []simnet.NodeID) error {
	rest := ids[1:]
	a, b := rest[:len(rest)/2], rest[len(rest)/2:]
	return r.net.Partition(a, b)
}

// ring arranges the nodes in a circle where each hears only its nearest neighbours: every node
// sees a majority, but no two nodes see the same one (Jepsen's majorities ring).
func (r *run) ring(ids []simnet.NodeID) error {
	n := len(ids)
	reach := (n/2 + 1) / 2 // neighbours on each side, so that a node sees a majority
	for i := range n {
		for j := range n {
			d := min((i-j+n)%n, (j-i+n)%n)
			if d > reach {
				if err := r.net.Block(ids[i], ids[j]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// applyLinks sets every link's behaviour from the link faults in effect over the base link.
func (r *run) applyLinks() {
	c := r.baseLink()
	for _, i := range r.faults.links {
		f := r.schedule[i]
		ms := simnet.Time(f.Value * float64(simnet.Millisecond))
		switch f.Kind {
		case nemesis.Loss:
			c.Loss = max(c.Loss, f.Value)
		case nemesis.Duplicate:
			c.Duplicate = max(c.Duplicate, f.Value)
		case nemesis.Delay:
			c.Latency.Min += ms
			c.Latency.Max += ms
		case nemesis.Reorder:
			c.Latency = simnet.UniformLatency(c.Latency.Min, c.Latency.Max+ms)
		}
	}
	if err := r.net.SetDefault(c); err != nil {
		panic("cluster: link faults: " + err.Error())
	}
}
