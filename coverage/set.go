package coverage

import (
	"slices"
	"sort"
)

// Set is a coverage value: the features some runs reached, by name. The zero value is an
// empty set ready to use. Names are the stable ids: sets from different processes, engines
// or versions of raftcheck merge by name.
type Set struct {
	m map[string]struct{}
}

// NewSet returns the set of the given feature names.
func NewSet(names ...string) Set {
	var s Set
	for _, n := range names {
		s.Add(n)
	}
	return s
}

// Add puts feature name in s and reports whether it was new.
func (s *Set) Add(name string) bool {
	if s.m == nil {
		s.m = map[string]struct{}{}
	}
	if _, ok := s.m[name]; ok {
		return false
	}
	s.m[name] = struct{}{}
	return true
}

// Has reports whether s holds feature name.
func (s Set) Has(name string) bool {
	_, ok := s.m[name]
	return ok
}

// Len is the number of features in s.
func (s Set) Len() int { return len(s.m) }

// Merge adds every feature of o to s and returns how many were new to s.
func (s *Set) Merge(o Set) int {
	added := 0
	for _, n := range o.Names() { // in order: what Add allocates does not depend on map order
		if s.Add(n) {
			added++
		}
	}
	return added
}

// NewIn returns the features of s that base lacks, sorted.
func (s Set) NewIn(base Set) []string {
	var out []string
	for n := range s.m {
		if !base.Has(n) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Names returns the features of s, sorted.
func (s Set) Names() []string {
	out := make([]string, 0, len(s.m))
	for n := range s.m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Missing returns the features of All that s lacks, in All's order.
func (s Set) Missing() []string {
	return slices.DeleteFunc(All(), s.Has)
}
