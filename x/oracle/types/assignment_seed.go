package types

import (
	"crypto/sha256"
	"encoding/binary"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
)

// assignmentSeedDomain keeps assignment seeds apart from any other hash of
// the same data.
const assignmentSeedDomain = "flashback/oracle/assignment/v1"

// CommitEntropy hashes what a block carries of the previous height's
// precommits that nobody could know before they were cast: the
// vote-extension signature of every committed vote (with its validator's
// address, in commit order) from the extended commit at the block's tx 0.
// These are the same votes, signed at the same moment, as the precommits the
// header's LastCommitHash commits to, which ABCI does not hand the
// application. A signature is deterministic for its signer, so no validator
// can choose its own; none can compute the others' in advance. The block's
// proposer chooses which votes beyond 2/3 of the power to include, like it
// chooses LastCommit's signatures: that is the only choice anyone has over
// the seed. It returns nil when the commit has no signed vote.
func CommitEntropy(commit abci.ExtendedCommitInfo) []byte {
	h := sha256.New()
	signed := false
	var n [8]byte
	for _, v := range commit.Votes {
		if v.BlockIdFlag != cmtproto.BlockIDFlagCommit || len(v.ExtensionSignature) == 0 {
			continue
		}
		signed = true
		for _, part := range [][]byte{v.Validator.Address, v.ExtensionSignature} {
			binary.BigEndian.PutUint64(n[:], uint64(len(part)))
			h.Write(n[:])
			h.Write(part)
		}
	}
	if !signed {
		return nil
	}
	return h.Sum(nil)
}

// AssignmentSeed is the seed window's units are drawn with (SampleOrdinals):
// SHA-256 of a domain tag, the window and the entropy of the block that
// assigns it.
func AssignmentSeed(entropy []byte, window uint64) [32]byte {
	h := sha256.New()
	h.Write([]byte(assignmentSeedDomain))
	var w [8]byte
	binary.BigEndian.PutUint64(w[:], window)
	h.Write(w[:])
	h.Write(entropy)
	var seed [32]byte
	copy(seed[:], h.Sum(nil))
	return seed
}
