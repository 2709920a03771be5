package simnet

import (
	"fmt"
	"time"
)

// Duration is a span of simulated time as configuration holds it: it reads and writes as text
// ("30s", "150ms") in JSON, so repro files stay readable.
type Duration time.Duration

// String formats d like time.Duration.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes d as text.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a duration such as "30s".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: %w", b, err)
	}
	*d = Duration(v)
	return nil
}

// Time converts d to simulated time.
func (d Duration) Time() Time { return Time(d) }
