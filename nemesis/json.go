package nemesis

import (
	"encoding/json"
	"fmt"
)

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
