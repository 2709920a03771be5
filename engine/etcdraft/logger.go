package etcdraft

import "fmt"

// quietLogger is etcd's Logger for a simulated node: a simulation writes nothing to stderr,
// so etcd's lines (from Info up) go to the host's Config.Log, into the trace of a replay with
// --trace, and are dropped otherwise. It still panics on Panic and Fatal, which etcd calls on
// broken invariants.
type quietLogger struct {
	node int
	log  func(string) // nil: drop
}

func (quietLogger) Debug(...any)          {}
func (quietLogger) Debugf(string, ...any) {}

func (l quietLogger) Info(v ...any)                    { l.line("info", "", v) }
func (l quietLogger) Infof(format string, v ...any)    { l.line("info", format, v) }
func (l quietLogger) Warning(v ...any)                 { l.line("warning", "", v) }
func (l quietLogger) Warningf(format string, v ...any) { l.line("warning", format, v) }
func (l quietLogger) Error(v ...any)                   { l.line("error", "", v) }
func (l quietLogger) Errorf(format string, v ...any)   { l.line("error", format, v) }

// line formats a log line only when someone reads it.
func (l quietLogger) line(level, format string, v []any) {
	if l.log == nil {
		return
	}
	text := fmt.Sprint(v...)
	if format != "" {
		text = fmt.Sprintf(format, v...)
	}
	l.log("etcd " + level + ": " + text)
}

func (l quietLogger) Fatal(v ...any) { l.Panic(v...) }

func (l quietLogger) Fatalf(format string, v ...any) { l.Panicf(format, v...) }

func (l quietLogger) Panic(v ...any) {
	panic(fmt.Sprintf("etcdraft: node %d: etcd raft: %s", l.node, fmt.Sprint(v...)))
}

func (l quietLogger) Panicf(format string, v ...any) {
	panic(fmt.Sprintf("etcdraft: node %d: etcd raft: %s", l.node, fmt.Sprintf(format, v...)))
}
