package simnet

import (
	"fmt"
	"math/rand/v2"
)

// LatencyKind selects the shape of a Latency distribution.
type LatencyKind uint8

const (
	// LatencyUniform draws uniformly from [Min, Max]; Min == Max is a fixed latency.
	LatencyUniform LatencyKind = iota
	// LatencyExponential draws Min plus an exponential tail of mean TailMean, capped at Max.
	LatencyExponential
)

// Latency is a distribution of simulated delays. The zero value is a fixed delay of 0.
type Latency struct {
	Kind     LatencyKind
	Min      Time
	Max      Time // inclusive; must be >= Min for both kinds
	TailMean Time // LatencyExponential only; 0 means always Min
}

// FixedLatency returns a distribution that is always d.
func FixedLatency(d Time) Latency { return Latency{Kind: LatencyUniform, Min: d, Max: d} }

// UniformLatency returns the uniform distribution on [lo, hi].
func UniformLatency(lo, hi Time) Latency { return Latency{Kind: LatencyUniform, Min: lo, Max: hi} }

// ExponentialLatency returns lo plus an exponential tail of mean tailMean, capped at hi.
func ExponentialLatency(lo, tailMean, hi Time) Latency {
	return Latency{Kind: LatencyExponential, Min: lo, Max: hi, TailMean: tailMean}
}

// Validate reports the first invalid field, named as "Latency.<Field>".
func (l Latency) Validate() error { return l.validate("Latency") }

// validate reports the first invalid field; field is the path naming l in the error.
func (l Latency) validate(field string) error {
	switch {
	case l.Kind > LatencyExponential:
		return fmt.Errorf("simnet: %s.Kind = %d: unknown kind", field, l.Kind)
	case l.Min < 0:
		return fmt.Errorf("simnet: %s.Min = %d: must be >= 0", field, int64(l.Min))
	case l.Max < l.Min:
		return fmt.Errorf("simnet: %s.Max = %d: must be >= %s.Min (%d)", field, int64(l.Max), field, int64(l.Min))
	case l.TailMean < 0:
		return fmt.Errorf("simnet: %s.TailMean = %d: must be >= 0", field, int64(l.TailMean))
	case l.Kind == LatencyUniform && l.TailMean != 0:
		return fmt.Errorf("simnet: %s.TailMean = %d: only for LatencyExponential", field, int64(l.TailMean))
	}
	return nil
}

// Varies reports whether samples can differ from each other (and so reorder messages).
func (l Latency) Varies() bool {
	if l.Kind == LatencyExponential {
		return l.TailMean > 0 && l.Max > l.Min
	}
	return l.Max > l.Min
}

// Sample draws one delay from r. A distribution that cannot vary draws nothing from r.
// l must be valid.
func (l Latency) Sample(r *rand.Rand) Time {
	if !l.Varies() {
		return l.Min
	}
	if l.Kind == LatencyUniform {
		return l.Min + Time(r.Int64N(int64(l.Max-l.Min)+1))
	}
	tail := r.ExpFloat64() * float64(l.TailMean)
	if tail >= float64(l.Max-l.Min) {
		return l.Max
	}
	return l.Min + Time(tail)
}
