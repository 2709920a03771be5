package etcdraft

import "fmt"

// quietLogger is etcd's Logger for a simulated node: it discards every message, since a
// simulation writes nothing to stderr and its trace already says what happened, but still
// panics on Panic and Fatal, which etcd calls on broken invariants.
type quietLogger struct{ node int }

func (quietLogger) Debug(...any)            {}
func (quietLogger) Debugf(string, ...any)   {}
func (quietLogger) Info(...any)             {}
func (quietLogger) Infof(string, ...any)    {}
func (quietLogger) Warning(...any)          {}
func (quietLogger) Warningf(string, ...any) {}
func (quietLogger) Error(...any)            {}
func (quietLogger) Errorf(string, ...any)   {}

func (l quietLogger) Fatal(v ...any) { l.Panic(v...) }

func (l quietLogger) Fatalf(format string, v ...any) { l.Panicf(format, v...) }

func (l quietLogger) Panic(v ...any) {
	panic(fmt.Sprintf("etcdraft: node %d: etcd raft: %s", l.node, fmt.Sprint(v...)))
}

func (l quietLogger) Panicf(format string, v ...any) {
	panic(fmt.Sprintf("etcdraft: node %d: etcd raft: %s", l.node, fmt.Sprintf(format, v...)))
}
