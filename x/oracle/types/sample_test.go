package types

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"
)

// The sample is consensus-critical: these values were checked against an
// independent implementation of the spec (SHA-256(seed ‖ counter), four
// big-endian words per block, rejection below 2^64 mod bound, Floyd's
// algorithm). A change here forks the chain.
func TestSampleOrdinalsGolden(t *testing.T) {
	seed := sha256.Sum256([]byte("flashback sample golden"))
	s := newSampleStream(seed)
	require.Equal(t, []uint64{0xbe8dcb1b874a5d3f, 0xdeadc5c3d5530001, 0x45bd75480b920254, 0x9b426228714d98f4, 0xcbe2d82f98e818f8},
		[]uint64{s.next(), s.next(), s.next(), s.next(), s.next()})
	require.Equal(t, []uint64{0x3d2, 0x5f8, 0x608, 0x79a, 0x933, 0xc2c, 0xde7, 0xeee, 0xf14, 0xf37, 0x1328, 0x13fc, 0x14a2, 0x15b5, 0x164f, 0x16de},
		SampleOrdinals(seed, 6400, 16))
	require.Equal(t, []uint64{0, 1, 7}, SampleOrdinals(seed, 10, 3))
	got := AssignmentSeed([]byte{1, 2, 3}, 7)
	require.Equal(t, "248294a2dc5519a8a9092411fc3637e26f333b26dd3ba8ab157a4c17028e6067", hex.EncodeToString(got[:]))
}

func TestSampleOrdinalsShape(t *testing.T) {
	seed := sha256.Sum256([]byte("shape"))
	require.Nil(t, SampleOrdinals(seed, 0, 5))
	require.Nil(t, SampleOrdinals(seed, 5, 0))
	require.Equal(t, []uint64{0, 1, 2, 3}, SampleOrdinals(seed, 4, 64), "k ≥ n takes every ordinal")
	for _, tc := range []struct {
		n uint64
		k int
	}{{5, 4}, {100, 64}, {6400, 128}, {1 << 40, 128}, {^uint64(0), 3}} {
		got := SampleOrdinals(seed, tc.n, tc.k)
		require.Len(t, got, tc.k)
		require.True(t, slices.IsSorted(got))
		require.Len(t, slices.Compact(slices.Clone(got)), tc.k, "distinct")
		require.Less(t, got[len(got)-1], tc.n)
	}
}

// Every ordinal is drawn equally often: over 30,000 seeds, 3 of 10 puts
// each ordinal in 9,000 samples; a biased draw (plain modulo without
// rejection would not show at this size, an off-by-one in Floyd's algorithm
// would) lands far outside ±5 %.
func TestSampleOrdinalsUniform(t *testing.T) {
	counts := make([]int, 10)
	var seed [32]byte
	for i := 0; i < 30_000; i++ {
		binary.BigEndian.PutUint64(seed[:], uint64(i))
		for _, o := range SampleOrdinals(seed, 10, 3) {
			counts[o]++
		}
	}
	for o, c := range counts {
		require.InDelta(t, 9_000, c, 450, "ordinal %d drawn %d times", o, c)
	}
}

// below skips the words under 2^64 mod bound: with bound 2^63+1 that is
// every word under 2^63−1, about half of them, so the raw stream shows
// which words a draw must skip.
func TestBelowRejectsTheBiasedRange(t *testing.T) {
	seed := sha256.Sum256([]byte("below"))
	bound := uint64(1)<<63 + 1
	threshold := uint64(1)<<63 - 1
	raw, s := newSampleStream(seed), newSampleStream(seed)
	skipped := 0
	for i := 0; i < 200; i++ {
		w := raw.next()
		for w < threshold {
			skipped++
			w = raw.next()
		}
		require.Equal(t, w%bound, s.below(bound), "draw %d", i)
	}
	require.Positive(t, skipped, "some words were rejected")
	require.Zero(t, newSampleStream(seed).below(1))
}

func TestAssignmentSeedAndCommitEntropy(t *testing.T) {
	vote := func(addr string, flag cmtproto.BlockIDFlag, sig string) abci.ExtendedVoteInfo {
		return abci.ExtendedVoteInfo{Validator: abci.Validator{Address: []byte(addr), Power: 1}, BlockIdFlag: flag, ExtensionSignature: []byte(sig)}
	}
	commit := abci.ExtendedCommitInfo{Votes: []abci.ExtendedVoteInfo{
		vote("val-a", cmtproto.BlockIDFlagCommit, "sig-a"),
		vote("val-b", cmtproto.BlockIDFlagCommit, "sig-b"),
		vote("val-c", cmtproto.BlockIDFlagAbsent, ""),
	}}
	e := CommitEntropy(commit)
	require.Len(t, e, 32)

	otherSig := commit
	otherSig.Votes = slices.Clone(commit.Votes)
	otherSig.Votes[1] = vote("val-b", cmtproto.BlockIDFlagCommit, "sig-B")
	require.NotEqual(t, e, CommitEntropy(otherSig), "every signature counts")

	fewer := commit
	fewer.Votes = commit.Votes[:1]
	require.NotEqual(t, e, CommitEntropy(fewer), "which votes are included counts")

	// Votes that are not commit votes carry nothing: a stray signature on
	// one is ignored.
	stray := commit
	stray.Votes = slices.Clone(commit.Votes)
	stray.Votes[2] = vote("val-c", cmtproto.BlockIDFlagNil, "sig-c")
	require.Equal(t, e, CommitEntropy(stray))

	// Address and signature are length-prefixed: moving a byte between them
	// changes the entropy.
	shifted := commit
	shifted.Votes = slices.Clone(commit.Votes)
	shifted.Votes[0] = vote("val-", cmtproto.BlockIDFlagCommit, "asig-a")
	require.NotEqual(t, e, CommitEntropy(shifted))

	require.Nil(t, CommitEntropy(abci.ExtendedCommitInfo{}))
	require.Nil(t, CommitEntropy(abci.ExtendedCommitInfo{Votes: []abci.ExtendedVoteInfo{vote("v", cmtproto.BlockIDFlagCommit, "")}}))

	require.NotEqual(t, AssignmentSeed(e, 1), AssignmentSeed(e, 2), "the window counts")
	require.NotEqual(t, AssignmentSeed(e, 1), AssignmentSeed(CommitEntropy(otherSig), 1))
	require.Equal(t, AssignmentSeed(e, 1), AssignmentSeed(CommitEntropy(commit), 1))
}
