package cluster

import (
	"slices"
	"testing"
)

// TestSplitSide: the leader's side of a joint split holds a bare majority of the incoming
// voters, fresh ones first, and never a majority of the outgoing ones.
func TestSplitSide(t *testing.T) {
	old := []int{0, 1, 2, 3, 4}
	cases := []struct {
		name     string
		leader   int
		incoming []int
		want     []int
	}{
		{"remove 0 and 1, leader 2", 2, []int{2, 3, 4}, []int{2, 3}},
		{"add 5 and 6, leader 3", 3, []int{0, 1, 2, 3, 4, 5, 6}, []int{3, 5, 6, 0}},
		{"replace 4 by 5, leader 0", 0, []int{0, 1, 2, 3, 5}, []int{0, 5, 1}},
		{"demote 3 and 4, leader 1", 1, []int{0, 1, 2}, []int{1, 0}},
	}
	r := &run{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := r.splitSide(c.leader, c.incoming, old)
			if !slices.Equal(got, c.want) {
				t.Fatalf("splitSide(%d, %v, %v) = %v; want %v", c.leader, c.incoming, old, got, c.want)
			}
			inOld := 0
			for _, id := range got {
				if slices.Contains(old, id) {
					inOld++
				}
			}
			if inOld >= len(old)/2+1 {
				t.Fatalf("side %v holds %d of the outgoing voters %v: a majority", got, inOld, old)
			}
		})
	}
}
