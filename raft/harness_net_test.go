package raft

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// msgFilter selects queued messages by sender, recipient(s) and type.
type msgFilter struct {
	from  uint64
	to    map[uint64]bool // nil: any
	typ   MessageType     // 0: any
	count int             // 0: all
}

func (e *env) filter(a scriptArgs, recipients []string) (msgFilter, error) {
	var f msgFilter
	if v, ok := a.opts["from"]; ok {
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return f, err
		}
		f.from = id
	}
	if v, ok := a.opts["to"]; ok {
		recipients = append(recipients, v)
	}
	if len(recipients) > 0 {
		ids, err := e.ids(recipients)
		if err != nil {
			return f, err
		}
		f.to = map[uint64]bool{}
		for _, id := range ids {
			f.to[id] = true
		}
	}
	if v, ok := a.opts["type"]; ok {
		t, found := MessageTypeByName(v)
		if !found {
			return f, fmt.Errorf("unknown message type %q", v)
		}
		f.typ = t
	}
	n, err := optInt(a, "count", 0)
	f.count = n
	return f, err
}

func (f *msgFilter) match(m *Message) bool {
	return (f.from == 0 || m.From == f.from) && (f.to == nil || f.to[m.To]) &&
		(f.typ == 0 || m.Type == f.typ)
}

// take removes and returns the queued messages matching f, in send order.
func (e *env) take(f msgFilter) []envMsg {
	var taken, kept []envMsg
	for _, m := range e.queue {
		if f.match(&m.m) && (f.count == 0 || len(taken) < f.count) {
			taken = append(taken, m)
		} else {
			kept = append(kept, m)
		}
	}
	e.queue = kept
	return taken
}

// deliver steps each message into its recipient, grouped by recipient in ID order and in
// send order within a recipient.
func (e *env) deliver(msgs []envMsg) {
	byTo := map[uint64][]envMsg{}
	for _, m := range msgs {
		byTo[m.m.To] = append(byTo[m.m.To], m)
	}
	for _, id := range slices.Sorted(maps.Keys(byTo)) {
		h := e.node(id)
		e.printf("> %d receiving messages\n", id)
		for _, m := range byTo[id] {
			if h.down {
				e.printf("  %s (dropped: node down)\n", m.m)
				continue
			}
			e.printf("  %s\n", m.m)
			dec, err := DecodeMessage(m.enc)
			if err != nil {
				panic(fmt.Sprintf("decoding %s: %v", m.m, err))
			}
			if err := h.n.Step(dec); err != nil {
				e.printf("  error: %v\n", err)
			}
		}
	}
}

func cmdDeliver(e *env, a scriptArgs) error {
	f, err := e.filter(a, a.pos)
	if err != nil {
		return err
	}
	e.deliver(e.take(f))
	return nil
}

func cmdDrop(e *env, a scriptArgs) error {
	f, err := e.filter(a, a.pos)
	if err != nil {
		return err
	}
	for _, m := range e.take(f) {
		e.printf("dropped: %s\n", m.m)
	}
	return nil
}

func cmdDup(e *env, a scriptArgs) error {
	f, err := e.filter(a, a.pos)
	if err != nil {
		return err
	}
	n := 0
	for _, m := range e.queue {
		if f.match(&m.m) && (f.count == 0 || n < f.count) {
			e.queue = append(e.queue, m)
			e.printf("duplicated: %s\n", m.m)
			n++
		}
	}
	return nil
}

func cmdStash(e *env, a scriptArgs) error {
	f, err := e.filter(a, a.pos)
	if err != nil {
		return err
	}
	for _, m := range e.take(f) {
		e.stash = append(e.stash, m)
		e.printf("stashed: %s\n", m.m)
	}
	return nil
}

func cmdUnstash(e *env, _ scriptArgs) error {
	for _, m := range e.stash {
		e.printf("unstashed: %s\n", m.m)
	}
	e.queue = append(e.queue, e.stash...)
	e.stash = nil
	return nil
}

func cmdMsgs(e *env, _ scriptArgs) error {
	for _, m := range e.queue {
		e.printf("%s\n", m.m)
	}
	return nil
}

// cmdStabilize handles Readies and delivers messages among the listed nodes (default
// all) until nothing is left to do.
func cmdStabilize(e *env, a scriptArgs) error {
	ids, err := e.idsOrAll(a.pos)
	if err != nil {
		return err
	}
	e.quiet = optBool(a, "quiet")
	set := map[uint64]bool{}
	for _, id := range ids {
		set[id] = true
	}
	for range 1000 {
		progressed := false
		for _, id := range ids {
			if h := e.node(id); !h.down && h.n.HasReady() {
				e.handleReady(h)
				progressed = true
			}
		}
		e.checkLeaders()
		if msgs := e.take(msgFilter{to: set}); len(msgs) > 0 {
			e.deliver(msgs)
			progressed = true
		}
		e.checkLeaders()
		if !progressed {
			return nil
		}
	}
	return fmt.Errorf("stabilize did not settle within 1000 rounds")
}
