package simnet

import "fmt"

// StashMax bounds the messages held back on held links in the whole network; a message sent
// on a held link beyond it is dropped as if its queue were full.
const StashMax = 1 << 14

// stashed is a message held back on a held link.
type stashed struct {
	from, to int32
	buf      []byte
}

// SetHold holds (or stops holding) the link from -> to: while held, a message sent on it is
// kept back, not delivered, until ReleaseHeld. A cut link still drops. This is how a message
// arrives seconds late, after elections it knows nothing of: a deposed leader's append, a
// vote, a snapshot chunk.
func (n *Network) SetHold(from, to NodeID, hold bool) error {
	fi, ti, err := n.pair("SetHold", from, to)
	if err != nil {
		return err
	}
	n.link(fi, ti).hold = hold
	return nil
}

// ReleaseHeld sends every message held back on from -> to, in the order they were sent,
// copies times each (2: each also arrives duplicated), with the link's latency from now; it
// returns how many messages it released. The link's hold is left as it is.
func (n *Network) ReleaseHeld(from, to NodeID, copies int) (int, error) {
	fi, ti, err := n.pair("ReleaseHeld", from, to)
	if err != nil {
		return 0, err
	}
	if copies < 1 || copies > 4 {
		return 0, fmt.Errorf("simnet: ReleaseHeld(%d, %d, %d): copies must be in [1, 4]", from, to, copies)
	}
	l := n.link(fi, ti)
	c := l.config(&n.def)
	kept, released := n.stash[:0], 0
	for _, s := range n.stash {
		if s.from != fi || s.to != ti {
			kept = append(kept, s)
			continue
		}
		for range copies {
			n.enqueue(fi, ti, l, c, s.buf)
		}
		released++
	}
	clear(n.stash[len(kept):])
	n.stash = kept
	n.k.trace.Event(TraceRelease, uint64(from), uint64(to), uint64(released))
	return released, nil
}

// Held returns the number of messages held back in the network.
func (n *Network) Held() int { return len(n.stash) }

func (n *Network) stashMsg(fi, ti int32, msg []byte) {
	from, to := n.eps[fi].id, n.eps[ti].id
	if len(n.stash) >= StashMax {
		n.drop(from, to, DropQueue)
		return
	}
	n.stash = append(n.stash, stashed{from: fi, to: ti, buf: append([]byte(nil), msg...)})
	n.k.trace.Event(TraceHold, uint64(from), uint64(to), uint64(len(msg)))
}
