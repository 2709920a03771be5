package simnet

// denseIDs bounds the NodeIDs an endpointIndex keeps in a slice; larger ones go to a map.
const denseIDs = 1 << 12

// endpointIndex maps NodeIDs to endpoint indexes. Every Send looks up two, so the small IDs
// every cluster uses are a slice index (-1: none), not a map lookup.
type endpointIndex struct {
	dense  []int32
	sparse map[NodeID]int32
}

func (x *endpointIndex) get(id NodeID) (int32, bool) {
	if id >= 0 && id < NodeID(len(x.dense)) {
		i := x.dense[id]
		return i, i >= 0
	}
	i, ok := x.sparse[id]
	return i, ok
}

func (x *endpointIndex) set(id NodeID, i int32) {
	if id >= 0 && id < denseIDs {
		for NodeID(len(x.dense)) <= id {
			x.dense = append(x.dense, -1)
		}
		x.dense[id] = i
		return
	}
	if x.sparse == nil {
		x.sparse = map[NodeID]int32{}
	}
	x.sparse[id] = i
}
