package abci_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	oracleabci "github.com/flashbacknetwork/flashbackd/x/oracle/abci"
)

const (
	accept = abci.ResponseProcessProposal_ACCEPT
	reject = abci.ResponseProcessProposal_REJECT
)

// toHeight3 runs height 2 (the enable height: no extensions yet) and returns
// the signed extended commit of height 2 that the block of height 3 carries.
func toHeight3(t *testing.T, h *harness) abci.ExtendedCommitInfo {
	t.Helper()
	require.Equal(t, int64(1), h.height())
	h.block(0, h.emptyLocal())
	exts := make([][]byte, len(h.keys))
	return h.commit(2, allCommit(len(h.keys)), exts)
}

func TestBoundaryHeights(t *testing.T) {
	h := newHarness(t, 1, 4, 1)

	// Height 2 = the enable height: extensions start being produced at 2, so
	// no block before 3 carries them. A payload at height 2 is refused.
	txs := h.prepareProposal(0, h.emptyLocal())
	for _, tx := range txs {
		require.False(t, oracleabci.IsPayload(tx), "no payload at the enable height")
	}
	payload, err := oracleabci.EncodePayload(h.commit(1, allCommit(4), make([][]byte, 4)))
	require.NoError(t, err)
	require.Equal(t, reject, h.processProposal(0, [][]byte{payload}, lastCommit(h.emptyLocal())))
	require.Equal(t, accept, h.processProposal(0, nil, lastCommit(h.emptyLocal())))

	// Height 3, the one after: the payload is required.
	local := toHeight3(t, h)
	require.Equal(t, reject, h.processProposal(0, nil, lastCommit(local)), "payload missing")
	txs = h.prepareProposal(0, local)
	require.NotEmpty(t, txs)
	require.True(t, oracleabci.IsPayload(txs[0]), "the payload is at index 0")
	require.Equal(t, accept, h.processProposal(0, txs, lastCommit(local)))
}

func TestProcessProposalRejects(t *testing.T) {
	h := newHarness(t, 1, 4, 1)
	local := toHeight3(t, h)
	last := lastCommit(local)
	good := h.prepareProposal(0, local)
	require.Equal(t, accept, h.processProposal(0, good, last))

	payloadOf := func(c abci.ExtendedCommitInfo) []byte {
		bz, err := oracleabci.EncodePayload(c)
		require.NoError(t, err)
		return bz
	}
	clone := func() abci.ExtendedCommitInfo {
		c := abci.ExtendedCommitInfo{Round: local.Round, Votes: append([]abci.ExtendedVoteInfo(nil), local.Votes...)}
		return c
	}
	garbageTx := []byte{0x0a, 0x02, 0x08, 0x01}

	cases := map[string]struct {
		txs  [][]byte
		last abci.CommitInfo
	}{
		"payload missing":        {[][]byte{garbageTx}, last},
		"payload not at index 0": {[][]byte{garbageTx, good[0]}, last},
		"payload duplicated":     {[][]byte{good[0], good[0]}, last},
		"undecodable payload":    {[][]byte{append(append([]byte{}, oracleabci.PayloadPrefix...), 0xff, 0xff)}, last},
		"less than 2/3 power": func() struct {
			txs  [][]byte
			last abci.CommitInfo
		} {
			flags := []cmtproto.BlockIDFlag{cmtproto.BlockIDFlagCommit, cmtproto.BlockIDFlagCommit, cmtproto.BlockIDFlagAbsent, cmtproto.BlockIDFlagAbsent}
			c := h.commit(2, flags, make([][]byte, 4))
			return struct {
				txs  [][]byte
				last abci.CommitInfo
			}{[][]byte{payloadOf(c)}, lastCommit(c)}
		}(),
		"forged power": func() struct {
			txs  [][]byte
			last abci.CommitInfo
		} {
			c := clone()
			c.Votes[0].Validator.Power = 100
			return struct {
				txs  [][]byte
				last abci.CommitInfo
			}{[][]byte{payloadOf(c)}, last}
		}(),
		"reordered votes": func() struct {
			txs  [][]byte
			last abci.CommitInfo
		} {
			c := clone()
			c.Votes[0], c.Votes[1] = c.Votes[1], c.Votes[0]
			return struct {
				txs  [][]byte
				last abci.CommitInfo
			}{[][]byte{payloadOf(c)}, last}
		}(),
		"duplicated vote": func() struct {
			txs  [][]byte
			last abci.CommitInfo
		} {
			c := clone()
			c.Votes[1] = c.Votes[0]
			return struct {
				txs  [][]byte
				last abci.CommitInfo
			}{[][]byte{payloadOf(c)}, last}
		}(),
		"flag flipped to nil": func() struct {
			txs  [][]byte
			last abci.CommitInfo
		} {
			c := clone()
			c.Votes[3].BlockIdFlag = cmtproto.BlockIDFlagNil
			c.Votes[3].VoteExtension, c.Votes[3].ExtensionSignature = nil, nil
			return struct {
				txs  [][]byte
				last abci.CommitInfo
			}{[][]byte{payloadOf(c)}, last}
		}(),
		"absent vote flipped to commit": func() struct {
			txs  [][]byte
			last abci.CommitInfo
		} {
			// The block says validator 3 was absent; the payload claims its
			// (validly signed) extension.
			flags := allCommit(4)
			flags[3] = cmtproto.BlockIDFlagAbsent
			withAbsent := h.commit(2, flags, make([][]byte, 4))
			return struct {
				txs  [][]byte
				last abci.CommitInfo
			}{[][]byte{payloadOf(local)}, lastCommit(withAbsent)}
		}(),
		"forged signature": func() struct {
			txs  [][]byte
			last abci.CommitInfo
		} {
			c := clone()
			c.Votes[2].ExtensionSignature = h.sign(1, 2, 0, nil) // signed by another validator
			return struct {
				txs  [][]byte
				last abci.CommitInfo
			}{[][]byte{payloadOf(c)}, last}
		}(),
		"commit vote without a signature": func() struct {
			txs  [][]byte
			last abci.CommitInfo
		} {
			c := clone()
			c.Votes[1].ExtensionSignature = nil
			return struct {
				txs  [][]byte
				last abci.CommitInfo
			}{[][]byte{payloadOf(c)}, last}
		}(),
		"truncated signature": func() struct {
			txs  [][]byte
			last abci.CommitInfo
		} {
			c := clone()
			c.Votes[3].ExtensionSignature = c.Votes[3].ExtensionSignature[:40]
			return struct {
				txs  [][]byte
				last abci.CommitInfo
			}{[][]byte{payloadOf(c)}, last}
		}(),
		"one bit of one signature flipped": func() struct {
			txs  [][]byte
			last abci.CommitInfo
		} {
			c := clone()
			sig := append([]byte{}, c.Votes[0].ExtensionSignature...)
			sig[5] ^= 0x01
			c.Votes[0].ExtensionSignature = sig
			return struct {
				txs  [][]byte
				last abci.CommitInfo
			}{[][]byte{payloadOf(c)}, last}
		}(),
		"extension signed for another height": func() struct {
			txs  [][]byte
			last abci.CommitInfo
		} {
			c := h.commit(1, allCommit(4), make([][]byte, 4))
			return struct {
				txs  [][]byte
				last abci.CommitInfo
			}{[][]byte{payloadOf(c)}, last}
		}(),
		"signed but malformed extension": func() struct {
			txs  [][]byte
			last abci.CommitInfo
		} {
			exts := make([][]byte, 4)
			exts[1] = []byte{0xde, 0xad}
			c := h.commit(2, allCommit(4), exts)
			return struct {
				txs  [][]byte
				last abci.CommitInfo
			}{[][]byte{payloadOf(c)}, lastCommit(c)}
		}(),
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			require.Equal(t, reject, h.processProposal(0, tc.txs, tc.last))
		})
	}
}

// TestPrepareProposalPrunesInvalidExtensions: an extension that fails the
// structural checks (here a validly signed garbage extension, as a faulty
// local validator would produce) is pruned to absent, and the proposal is
// still valid because the rest holds more than 2/3 of the power.
func TestPrepareProposalPrunesInvalidExtensions(t *testing.T) {
	h := newHarness(t, 1, 4, 1)
	h.block(0, h.emptyLocal())
	exts := make([][]byte, 4)
	exts[2] = []byte("garbage")
	local := h.commit(2, allCommit(4), exts)
	txs := h.prepareProposal(0, local)
	commit, err := oracleabci.DecodePayload(txs[0])
	require.NoError(t, err)
	require.Equal(t, cmtproto.BlockIDFlagAbsent, commit.Votes[2].BlockIdFlag)
	require.Empty(t, commit.Votes[2].VoteExtension)
	require.Equal(t, accept, h.processProposal(0, txs, lastCommit(local)))

	// With two of four pruned, less than 2/3 remains: the handler fails, the
	// baseapp falls back to a proposal without payload, which every node
	// rejects, and CometBFT moves on to the next round and proposer.
	exts[3] = []byte("garbage")
	local = h.commit(2, allCommit(4), exts)
	txs = h.prepareProposal(0, local)
	for _, tx := range txs {
		require.False(t, oracleabci.IsPayload(tx))
	}
	require.Equal(t, reject, h.processProposal(0, txs, lastCommit(local)))
}

func TestVerifyVoteExtension(t *testing.T) {
	h := newHarness(t, 1, 4, 1)
	a := h.apps[0]
	verify := func(ext []byte, height int64) abci.ResponseVerifyVoteExtension_VerifyStatus {
		res, err := a.VerifyVoteExtension(&abci.RequestVerifyVoteExtension{
			Hash: []byte("h"), ValidatorAddress: h.address(1), Height: height, VoteExtension: ext,
		})
		require.NoError(t, err)
		return res.Status
	}
	good := h.extensionForUnits(5, 1)
	require.Equal(t, abci.ResponseVerifyVoteExtension_ACCEPT, verify(nil, 5), "empty is accepted")
	require.Equal(t, abci.ResponseVerifyVoteExtension_ACCEPT, verify(good, 5))
	require.Equal(t, abci.ResponseVerifyVoteExtension_REJECT, verify(good, 6), "height mismatch")
	require.Equal(t, abci.ResponseVerifyVoteExtension_REJECT, verify([]byte{0xff, 0x00}, 5), "undecodable")
	require.Equal(t, abci.ResponseVerifyVoteExtension_REJECT, verify(make([]byte, 9000), 5), "oversized")
}
