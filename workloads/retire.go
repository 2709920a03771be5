package workloads

import "fmt"

// A retire command drops a key the workload will never touch again from the KV, so that the
// replicated state (and every snapshot of it) stays as small as the live keyspace however
// long a run lasts. It is not a client operation: it carries no session, never appears in a
// history, and its encoding has a tag of its own, so a client's command never decodes as one.
// Its proposer must make sure that no client operation on the key can still execute or be
// answered when the retire command applies (see the cluster package's retirement).
//
//	retire: 0x41 key
const retireTag = 0x41

// EncodeRetire appends the retire command of key to dst and returns the extended slice. It
// returns an error (and dst unchanged) if key is empty or longer than MaxKeyBytes.
func EncodeRetire(dst []byte, key string) ([]byte, error) {
	if len(key) == 0 || len(key) > MaxKeyBytes {
		return dst, fmt.Errorf("%w retire: key length %d: must be in [1,%d]", ErrMalformed, len(key), MaxKeyBytes)
	}
	return appendString(append(dst, retireTag), key), nil
}

// DecodeRetire decodes a retire command and returns its key.
func DecodeRetire(b []byte) (string, error) {
	r := reader{b: b, what: "retire"}
	r.tag(retireTag)
	key := r.string(MaxKeyBytes)
	if err := r.done(); err != nil {
		return "", err
	}
	if key == "" {
		return "", fmt.Errorf("%w retire: empty key", ErrMalformed)
	}
	return key, nil
}

// isRetire says whether an entry's data is a retire command (it may still be malformed).
func isRetire(data []byte) bool { return len(data) > 0 && data[0] == retireTag }

// applyRetire drops the key of a retire command; a key already gone is no error.
func (kv *KV) applyRetire(index uint64, data []byte) (Applied, error) {
	key, err := DecodeRetire(data)
	if err != nil {
		return Applied{Index: index, NoOp: true}, fmt.Errorf("workloads: entry %d: %w", index, err)
	}
	delete(kv.data, key)
	return Applied{Index: index, Retired: key}, nil
}
