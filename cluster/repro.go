package cluster

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// ReproVersion is the format version of repro files this package writes and reads.
const ReproVersion = 1

// Repro is a repro file: a seed and a config, and after shrinking an explicit schedule, enough
// to replay a run exactly. Expect, when present, says what the replay must show.
type Repro struct {
	Version int    `json:"version"`
	Seed    uint64 `json:"seed"`
	Config  Config `json:"config"`
	// EngineVersion is the version of the engine Config.Engine names that recorded the file;
	// a replay with another version is refused (the run would differ).
	EngineVersion string            `json:"engine_version,omitempty"`
	Schedule      *nemesis.Schedule `json:"schedule,omitempty"` // nil: generated from the seed
	// Ops are the operations each client issues, one list of OpLine texts per client (nil:
	// drawn from the seed). The shrinker writes them, so that it can drop single operations.
	Ops    [][]string   `json:"ops,omitempty"`
	Expect *Expectation `json:"expect,omitempty"`
	Note   string       `json:"note,omitempty"`
}

// Expectation is what replaying a repro must give.
type Expectation struct {
	Kinds     []string `json:"kinds"`                // violation kinds, sorted; empty for a passing run
	TraceHash string   `json:"trace_hash,omitempty"` // 16 hex digits
	// HashVersion is the simnet.TraceHashVersion TraceHash was computed with (0: version 1,
	// from before files recorded it). A replay compares hashes of its own version only.
	HashVersion int `json:"trace_hash_version,omitempty"`
}

// HashComparable reports whether e's trace hash was computed the way this build computes
// one.
func (e *Expectation) HashComparable() bool {
	return e.TraceHash != "" && e.TraceHashVersion() == simnet.TraceHashVersion
}

// TraceHashVersion returns the trace-hash version of e's hash (1 when the file predates the
// field).
func (e *Expectation) TraceHashVersion() int { return max(e.HashVersion, 1) }

// Options returns the run options that replay r with engine d. It is an error wrapping
// ErrEngine when d is not the engine, or not the version of it, that recorded r (a file that
// names none was recorded by the default engine, at any version).
func (r Repro) Options(d *engine.Descriptor) (Options, error) {
	if r.Config.Engine != "" && r.Config.Engine != d.Name {
		return Options{}, fmt.Errorf("%w: the file was recorded with engine %q, not %q", ErrEngine, r.Config.Engine, d.Name)
	}
	if r.EngineVersion != "" && r.EngineVersion != d.Version {
		return Options{}, fmt.Errorf("%w: the file was recorded with %s %s; this raftcheck has %s %s",
			ErrEngine, d.Name, r.EngineVersion, d.Name, d.Version)
	}
	opts := Options{Engine: d, Schedule: r.Schedule}
	if r.Ops != nil {
		ops, err := ParseClientOps(r.Ops)
		if err != nil {
			return Options{}, fmt.Errorf("%w: %v", ErrRepro, err)
		}
		opts.Ops = ops
	}
	return opts, nil
}

// ErrEngine marks a repro file recorded with another engine or engine version than the one
// asked to replay it.
var ErrEngine = errors.New("engine mismatch")

// NewRepro makes the repro of a finished run, with an explicit schedule when explicit is set.
func NewRepro(res *Result, explicit bool) Repro {
	rp := Repro{Version: ReproVersion, Seed: res.Seed, Config: res.Config, EngineVersion: res.EngineVersion,
		Expect: &Expectation{Kinds: res.Kinds(), TraceHash: fmt.Sprintf("%016x", res.TraceHash),
			HashVersion: simnet.TraceHashVersion}}
	if rp.Expect.Kinds == nil {
		rp.Expect.Kinds = []string{}
	}
	if explicit {
		s := append(nemesis.Schedule{}, res.Schedule...)
		rp.Schedule = &s
	}
	if res.ExplicitOps {
		rp.Ops = res.IssuedOps().Lines()
	}
	return rp
}

// Marshal encodes r as indented JSON.
func (r Repro) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ErrRepro marks a repro file that cannot be used.
var ErrRepro = errors.New("bad repro file")

// ParseRepro decodes and validates a repro file; name is used in errors only. Unknown fields,
// a wrong version, trailing data, an invalid config or schedule are errors wrapping ErrRepro.
func ParseRepro(name string, data []byte) (Repro, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Repro
	if err := dec.Decode(&r); err != nil {
		return Repro{}, fmt.Errorf("%w %s: %v", ErrRepro, name, err)
	}
	if dec.More() {
		return Repro{}, fmt.Errorf("%w %s: trailing data after the JSON object", ErrRepro, name)
	}
	if r.Version != ReproVersion {
		return Repro{}, fmt.Errorf("%w %s: version %d, this raftcheck reads version %d", ErrRepro, name, r.Version, ReproVersion)
	}
	if err := r.Config.Validate(); err != nil {
		return Repro{}, fmt.Errorf("%w %s: %v", ErrRepro, name, err)
	}
	if r.Ops != nil {
		if _, err := ParseClientOps(r.Ops); err != nil {
			return Repro{}, fmt.Errorf("%w %s: %v", ErrRepro, name, err)
		}
		if len(r.Ops) != r.Config.Clients {
			return Repro{}, fmt.Errorf("%w %s: ops lists %d clients; the config has %d", ErrRepro, name, len(r.Ops), r.Config.Clients)
		}
	}
	return r, nil
}
