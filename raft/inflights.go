package raft

import "fmt"

// inflights is a bounded FIFO of the MsgApps sent to one peer in Replicate state and not
// yet acknowledged, each recorded by its last entry index. Indexes increase from the
// oldest to the newest.
type inflights struct {
	// buf is a ring of capacity limit, allocated on first use.
	buf   []uint64
	start int
	count int
	limit int
}

func newInflights(limit int) inflights { return inflights{limit: limit} }

// full reports whether no more messages may be sent.
func (in *inflights) full() bool { return in.count == in.limit }

// add records a message whose last entry is index.
func (in *inflights) add(index uint64) {
	if in.full() {
		panic(fmt.Sprintf("raft: inflights full (%d) adding index %d", in.limit, index))
	}
	if in.buf == nil {
		in.buf = make([]uint64, in.limit)
	}
	if in.count > 0 {
		if last := in.buf[(in.start+in.count-1)%in.limit]; index <= last {
			panic(fmt.Sprintf("raft: inflight index %d after %d", index, last))
		}
	}
	in.buf[(in.start+in.count)%in.limit] = index
	in.count++
}

// freeLE forgets every message whose last index is <= index (acknowledged).
func (in *inflights) freeLE(index uint64) {
	for in.count > 0 && in.buf[in.start] <= index {
		in.start = (in.start + 1) % in.limit
		in.count--
	}
	if in.count == 0 {
		in.start = 0
	}
}

func (in *inflights) reset() {
	in.start, in.count = 0, 0
}
