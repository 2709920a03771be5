package simnet

import "encoding/binary"

// TraceHashVersion names the function Trace.Hash computes, so that a file recording a hash
// can say which one it used: a replay compares hashes of one version only. Version 1 folded
// every field into FNV-1a 64 a byte at a time (8 multiplies a word, 6.5% of a run). Version 2
// starts from the FNV-1a 64 offset basis and folds each 64-bit field w of an event (kind,
// time, a, b, c) as h = (h xor w) * 0x9e3779b97f4a7c15, then h xor= h >> 32; a Note's detail
// follows as its length, then its bytes as little-endian words, the last one zero-padded.
const TraceHashVersion = 2

// traceHashStart is the hash of an empty trace.
const traceHashStart uint64 = fnvOffset

// mixMul is an odd 64-bit constant (the golden ratio's fraction), so multiplying by it is a
// bijection.
const mixMul uint64 = 0x9e3779b97f4a7c15

// mixWord folds the word v into h. Each step (xor v, multiply by an odd constant, xor the high
// half into the low) is a bijection of h for a given v, so two traces that differ in one word
// and agree after it never share a hash, and the multiply spreads every bit of v over h.
func mixWord(h, v uint64) uint64 {
	h = (h ^ v) * mixMul
	return h ^ h>>32
}

// mixBytes folds the length of s, then s eight bytes at a time (little-endian, the last word
// padded with zeros: the length already tells the padding apart).
func mixBytes[T string | []byte](h uint64, s T) uint64 {
	h = mixWord(h, uint64(len(s)))
	for len(s) >= 8 {
		h = mixWord(h, binary.LittleEndian.Uint64([]byte(s[:8])))
		s = s[8:]
	}
	if len(s) > 0 {
		var w [8]byte
		copy(w[:], s)
		h = mixWord(h, binary.LittleEndian.Uint64(w[:]))
	}
	return h
}
