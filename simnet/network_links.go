package simnet

import (
	"fmt"
	"math"
)

// SetDefault sets the configuration of every link without its own (see SetLink).
func (n *Network) SetDefault(c LinkConfig) error {
	if err := c.Validate(); err != nil {
		return err
	}
	n.def = c
	n.k.trace.Event(TraceLinkConfig, math.MaxUint64, math.MaxUint64, c.hash())
	return nil
}

// SetLink gives the link from -> to its own configuration (one direction only).
func (n *Network) SetLink(from, to NodeID, c LinkConfig) error {
	if err := c.Validate(); err != nil {
		return err
	}
	fi, ti, err := n.pair("SetLink", from, to)
	if err != nil {
		return err
	}
	n.link(fi, ti).cfg = &c
	n.k.trace.Event(TraceLinkConfig, uint64(from), uint64(to), c.hash())
	return nil
}

// Link returns the configuration of the link from -> to.
func (n *Network) Link(from, to NodeID) (LinkConfig, error) {
	fi, ti, err := n.pair("Link", from, to)
	if err != nil {
		return LinkConfig{}, err
	}
	return *n.link(fi, ti).config(&n.def), nil
}

// ResetLinks drops every link's own configuration: all links use the default again.
func (n *Network) ResetLinks() {
	for i := range n.links {
		n.links[i].cfg = nil
	}
	n.k.trace.Event(TraceLinkConfig, math.MaxUint64, math.MaxUint64, n.def.hash())
}

// hash folds every field of c, for the trace.
func (c LinkConfig) hash() uint64 {
	h := fnvUint64(fnvOffset, uint64(c.Latency.Kind))
	h = fnvUint64(h, uint64(c.Latency.Min))
	h = fnvUint64(h, uint64(c.Latency.Max))
	h = fnvUint64(h, uint64(c.Latency.TailMean))
	h = fnvUint64(h, math.Float64bits(c.Loss))
	h = fnvUint64(h, math.Float64bits(c.Duplicate))
	return fnvUint64(h, uint64(c.QueueCap))
}

func (n *Network) pair(op string, from, to NodeID) (int32, int32, error) {
	fi, err := n.lookup(op, from)
	if err != nil {
		return 0, 0, err
	}
	ti, err := n.lookup(op, to)
	return fi, ti, err
}

// setCut cuts or restores one direction, tracing changes only.
func (n *Network) setCut(fi, ti int32, cut bool) {
	l := n.link(fi, ti)
	if l.cut == cut {
		return
	}
	l.cut = cut
	c := uint64(0)
	if cut {
		c = 1
	}
	n.k.trace.Event(TraceLink, uint64(n.eps[fi].id), uint64(n.eps[ti].id), c)
}

// Partition cuts, both ways, every link between nodes of different groups. Nodes in no
// group keep their links. Cuts add to the existing ones; Heal lifts them all. A node in two
// groups, or an unknown node, is an error and changes nothing.
func (n *Network) Partition(groups ...[]NodeID) error {
	group := make(map[int32]int, len(n.eps))
	var order []int32
	for g, nodes := range groups {
		for _, id := range nodes {
			i, err := n.lookup("Partition", id)
			if err != nil {
				return err
			}
			if prev, ok := group[i]; ok {
				return fmt.Errorf("simnet: Partition: node %d is in groups %d and %d", id, prev, g)
			}
			group[i] = g
			order = append(order, i)
		}
	}
	for _, a := range order {
		for _, b := range order {
			if group[a] != group[b] {
				n.setCut(a, b, true)
			}
		}
	}
	return nil
}

// PartitionOneWay cuts every link from a node of from to a node of to (not the reverse):
// the nodes of to stop hearing those of from, while from still hears to.
func (n *Network) PartitionOneWay(from, to []NodeID) error {
	fis, err := n.indexes("PartitionOneWay", from)
	if err != nil {
		return err
	}
	tis, err := n.indexes("PartitionOneWay", to)
	if err != nil {
		return err
	}
	for _, a := range fis {
		for _, b := range tis {
			if a != b {
				n.setCut(a, b, true)
			}
		}
	}
	return nil
}

func (n *Network) indexes(op string, ids []NodeID) ([]int32, error) {
	out := make([]int32, len(ids))
	for k, id := range ids {
		i, err := n.lookup(op, id)
		if err != nil {
			return nil, err
		}
		out[k] = i
	}
	return out, nil
}

// Block cuts the link from -> to (one way: to stops hearing from).
func (n *Network) Block(from, to NodeID) error {
	fi, ti, err := n.pair("Block", from, to)
	if err != nil {
		return err
	}
	n.setCut(fi, ti, true)
	return nil
}

// Unblock restores the link from -> to.
func (n *Network) Unblock(from, to NodeID) error {
	fi, ti, err := n.pair("Unblock", from, to)
	if err != nil {
		return err
	}
	n.setCut(fi, ti, false)
	return nil
}

// Clog cuts the link between a and b both ways.
func (n *Network) Clog(a, b NodeID) error {
	ai, bi, err := n.pair("Clog", a, b)
	if err != nil {
		return err
	}
	n.setCut(ai, bi, true)
	n.setCut(bi, ai, true)
	return nil
}

// Isolate cuts every link of id, both ways, to every other endpoint.
func (n *Network) Isolate(id NodeID) error {
	i, err := n.lookup("Isolate", id)
	if err != nil {
		return err
	}
	for j := range int32(len(n.eps)) {
		if j != i {
			n.setCut(i, j, true)
			n.setCut(j, i, true)
		}
	}
	return nil
}

// Heal restores every cut link. Link configurations are kept (see ResetLinks).
func (n *Network) Heal() {
	m := int32(len(n.eps))
	for a := range m {
		for b := range m {
			n.setCut(a, b, false)
		}
	}
}

// Connected reports whether the link from -> to is not cut (unknown nodes are not connected).
func (n *Network) Connected(from, to NodeID) bool {
	fi, ti, err := n.pair("Connected", from, to)
	return err == nil && !n.link(fi, ti).cut
}
