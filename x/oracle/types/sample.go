package types

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
)

// The assignment's random sample is consensus-critical: every validator, on
// every platform and Go release, must draw the same units. It therefore
// uses nothing but SHA-256 and integer arithmetic spelled out here, rather
// than a library generator whose algorithm for bounded draws is not part of
// any compatibility promise.

// sampleStream is a deterministic stream of uint64s: SHA-256 of the seed
// and a block counter, read as four big-endian words per block.
type sampleStream struct {
	seed    [32]byte
	counter uint64
	block   [32]byte
	used    int // words of block already returned; 4 means "refill"
}

func newSampleStream(seed [32]byte) *sampleStream {
	return &sampleStream{seed: seed, used: 4}
}

func (s *sampleStream) next() uint64 {
	if s.used == 4 {
		var in [40]byte
		copy(in[:32], s.seed[:])
		binary.BigEndian.PutUint64(in[32:], s.counter)
		s.block = sha256.Sum256(in[:])
		s.counter++
		s.used = 0
	}
	v := binary.BigEndian.Uint64(s.block[8*s.used:])
	s.used++
	return v
}

// below returns a uniform value in [0, bound) (bound > 0): words under
// 2^64 mod bound are rejected, so that every remainder is equally likely.
func (s *sampleStream) below(bound uint64) uint64 {
	threshold := -bound % bound // 2^64 mod bound
	for {
		if v := s.next(); v >= threshold {
			return v % bound
		}
	}
}

// SampleOrdinals draws min(k, n) distinct values of [0, n), uniformly among
// all subsets of that size, from seed, and returns them sorted. It costs
// O(k) hashes and O(k²) comparisons (k is at most MaxMeasurements),
// whatever n: Floyd's algorithm, one draw per value.
func SampleOrdinals(seed [32]byte, n uint64, k int) []uint64 {
	if k <= 0 || n == 0 {
		return nil
	}
	if uint64(k) >= n {
		all := make([]uint64, n)
		for i := range all {
			all[i] = uint64(i)
		}
		return all
	}
	s := newSampleStream(seed)
	chosen := make([]uint64, 0, k)
	for j := n - uint64(k); j < n; j++ {
		t := s.below(j + 1)
		if slices.Contains(chosen, t) {
			t = j // j is new: every earlier draw was below j
		}
		chosen = append(chosen, t)
	}
	slices.Sort(chosen)
	return chosen
}
