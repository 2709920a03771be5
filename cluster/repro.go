package cluster

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ReproVersion is the format version of repro files this package writes and reads.
const ReproVersion = 1

// Repro is a repro file: a seed and a config, and after shrinking an explicit schedule, enough
// to replay a run exactly. Expect, when present, says what the replay must show.
type Repro struct {
	Version  int          `json:"version"`
	Seed     uint64       `json:"seed"`
	Config   Config       `json:"config"`
	Schedule *Schedule    `json:"schedule,omitempty"` // nil: generated from the seed
	Expect   *Expectation `json:"expect,omitempty"`
	Note     string       `json:"note,omitempty"`
}

// Expectation is what replaying a repro must give.
type Expectation struct {
	Kinds     []string `json:"kinds"`                // violation kinds, sorted; empty for a passing run
	TraceHash string   `json:"trace_hash,omitempty"` // 16 hex digits
}

// Options returns the run options that replay r.
func (r Repro) Options() Options { return Options{Schedule: r.Schedule} }

// NewRepro makes the repro of a finished run, with an explicit schedule when explicit is set.
func NewRepro(res *Result, explicit bool) Repro {
	rp := Repro{Version: ReproVersion, Seed: res.Seed, Config: res.Config,
		Expect: &Expectation{Kinds: res.Kinds(), TraceHash: fmt.Sprintf("%016x", res.TraceHash)}}
	if rp.Expect.Kinds == nil {
		rp.Expect.Kinds = []string{}
	}
	if explicit {
		s := append(Schedule{}, res.Schedule...)
		rp.Schedule = &s
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
	return r, nil
}

// MarshalJSON writes a schedule as an array of faults in their text form, so repro files
// stay readable and editable by hand.
func (s Schedule) MarshalJSON() ([]byte, error) {
	lines := make([]string, len(s))
	for i, f := range s {
		lines[i] = f.String()
	}
	return json.Marshal(lines)
}

// UnmarshalJSON reads a schedule written by MarshalJSON, validating every fault.
func (s *Schedule) UnmarshalJSON(b []byte) error {
	var lines []string
	if err := json.Unmarshal(b, &lines); err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	out := make(Schedule, 0, len(lines))
	for i, line := range lines {
		f, err := ParseFault(line)
		if err != nil {
			return fmt.Errorf("schedule[%d]: %w", i, err)
		}
		out = append(out, f)
	}
	out.Sort()
	*s = out
	return nil
}
