package abci_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	"github.com/flashbacknetwork/flashbackd/testutil/txgen"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
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
		require.False(t, h.codec().IsPayload(tx), "no payload at the enable height")
	}
	payload := h.payload(h.commit(1, allCommit(4), make([][]byte, 4)))
	require.Equal(t, reject, h.processProposal(0, [][]byte{payload}, lastCommit(h.emptyLocal())))
	require.Equal(t, accept, h.processProposal(0, nil, lastCommit(h.emptyLocal())))

	// Height 3, the one after: the payload is required.
	local := toHeight3(t, h)
	require.Equal(t, reject, h.processProposal(0, nil, lastCommit(local)), "payload missing")
	txs = h.prepareProposal(0, local)
	require.NotEmpty(t, txs)
	require.True(t, h.codec().IsPayload(txs[0]), "the payload is at index 0")
	require.Equal(t, local, h.decode(txs[0]), "the payload is the local extended commit, whole")
	require.Equal(t, accept, h.processProposal(0, txs, lastCommit(local)))
}

func TestProcessProposalRejects(t *testing.T) {
	h := newHarness(t, 1, 4, 1)
	local := toHeight3(t, h)
	last := lastCommit(local)
	good := h.prepareProposal(0, local)
	require.Equal(t, accept, h.processProposal(0, good, last))

	clone := func() abci.ExtendedCommitInfo {
		return abci.ExtendedCommitInfo{Round: local.Round, Votes: append([]abci.ExtendedVoteInfo(nil), local.Votes...)}
	}
	edited := func(edit func(*abci.ExtendedCommitInfo)) [][]byte {
		c := clone()
		edit(&c)
		return [][]byte{h.payload(c)}
	}
	// A user's transaction: valid, signed, in a block.
	user := txgen.NewAccount(txgen.DeterministicKey("proposal-user", 0))
	userTx, err := txgen.Sign(h.apps[0].TxConfig(), apptest.ChainID, user, 0, 200_000, "", txgen.ConsumerMsg(user.Addr))
	require.NoError(t, err)

	cases := map[string]struct {
		txs  [][]byte
		last abci.CommitInfo
	}{
		"payload missing":        {[][]byte{userTx}, last},
		"payload not at index 0": {[][]byte{userTx, good[0]}, last},
		"payload duplicated":     {[][]byte{good[0], good[0]}, last},
		"undecodable extended commit": {
			[][]byte{h.injectedTx(&oracletypes.MsgInjectVoteExtensions{ExtendedCommit: []byte{0xff, 0xff}})}, last,
		},
		"payload with a memo (not canonical)": {[][]byte{h.nonCanonicalPayload(local)}, last},
		"payload message beside another message": {
			[][]byte{h.injectedTx(&oracletypes.MsgInjectVoteExtensions{ExtendedCommit: mustMarshal(t, local)}, txgen.ConsumerMsg(user.Addr))}, last,
		},
		"less than 2/3 power": func() struct {
			txs  [][]byte
			last abci.CommitInfo
		} {
			flags := []cmtproto.BlockIDFlag{cmtproto.BlockIDFlagCommit, cmtproto.BlockIDFlagCommit, cmtproto.BlockIDFlagAbsent, cmtproto.BlockIDFlagAbsent}
			c := h.commit(2, flags, make([][]byte, 4))
			return struct {
				txs  [][]byte
				last abci.CommitInfo
			}{[][]byte{h.payload(c)}, lastCommit(c)}
		}(),
		"forged power":    {edited(func(c *abci.ExtendedCommitInfo) { c.Votes[0].Validator.Power = 100 }), last},
		"reordered votes": {edited(func(c *abci.ExtendedCommitInfo) { c.Votes[0], c.Votes[1] = c.Votes[1], c.Votes[0] }), last},
		"duplicated vote": {edited(func(c *abci.ExtendedCommitInfo) { c.Votes[1] = c.Votes[0] }), last},
		"flag flipped to nil": {edited(func(c *abci.ExtendedCommitInfo) {
			c.Votes[3].BlockIdFlag = cmtproto.BlockIDFlagNil
			c.Votes[3].VoteExtension, c.Votes[3].ExtensionSignature = nil, nil
		}), last},
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
			}{[][]byte{h.payload(local)}, lastCommit(withAbsent)}
		}(),
		"forged signature": {edited(func(c *abci.ExtendedCommitInfo) {
			c.Votes[2].ExtensionSignature = h.sign(1, 2, 0, nil) // signed by another validator
		}), last},
		"commit vote without a signature": {edited(func(c *abci.ExtendedCommitInfo) { c.Votes[1].ExtensionSignature = nil }), last},
		"truncated signature": {edited(func(c *abci.ExtendedCommitInfo) {
			c.Votes[3].ExtensionSignature = c.Votes[3].ExtensionSignature[:40]
		}), last},
		"one bit of one signature flipped": {edited(func(c *abci.ExtendedCommitInfo) {
			sig := append([]byte{}, c.Votes[0].ExtensionSignature...)
			sig[5] ^= 0x01
			c.Votes[0].ExtensionSignature = sig
		}), last},
		"extension signed for another height": {[][]byte{h.payload(h.commit(1, allCommit(4), make([][]byte, 4)))}, last},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			require.Equal(t, reject, h.processProposal(0, tc.txs, tc.last))
		})
	}
}

// TestCensoredProposalRejected: a proposer may not drop a valid extension,
// neither by turning its vote absent (which the old pruning allowed) nor by
// stripping the extension: the reports of that validator would vanish from
// the medians and its power from the quorum.
func TestCensoredProposalRejected(t *testing.T) {
	h := newHarness(t, 1, 4, 1)
	h.run(3, 100, nil, nil, nil)
	voted := windowEndAfter(t, h)
	exts := make([][]byte, 4)
	for i := range exts {
		exts[i] = h.extensionFor(i, voted, 100)
		require.NotEmpty(t, exts[i])
	}
	local := h.commit(voted, allCommit(4), exts)
	last := lastCommit(local)

	dropped := abci.ExtendedCommitInfo{Round: local.Round, Votes: append([]abci.ExtendedVoteInfo(nil), local.Votes...)}
	dropped.Votes[1].BlockIdFlag = cmtproto.BlockIDFlagAbsent
	dropped.Votes[1].VoteExtension, dropped.Votes[1].ExtensionSignature = nil, nil
	require.Equal(t, reject, h.processProposal(0, [][]byte{h.payload(dropped)}, last), "a valid extension turned absent")

	stripped := abci.ExtendedCommitInfo{Round: local.Round, Votes: append([]abci.ExtendedVoteInfo(nil), local.Votes...)}
	stripped.Votes[2].VoteExtension = nil
	require.Equal(t, reject, h.processProposal(0, [][]byte{h.payload(stripped)}, last), "a valid extension emptied")

	require.Equal(t, accept, h.processProposal(0, [][]byte{h.payload(local)}, last), "the whole commit")
}

// TestInvalidExtensionIsCarriedAndIgnored: an extension that fails the
// structural checks (a validly signed garbage extension, as a faulty local
// validator would produce) stays in the payload with its signature, every
// node accepts the proposal, and the aggregation ignores it (a missed
// window for that validator). With two garbage extensions of four, the
// proposal is still valid, but the reporters hold less than 2/3: no record.
func TestInvalidExtensionIsCarriedAndIgnored(t *testing.T) {
	h := newHarness(t, 2, 4, 1)
	h.run(3, 100, nil, nil, nil)
	voted := windowEndAfter(t, h)
	exts := make([][]byte, 4)
	for i := range exts {
		exts[i] = h.extensionFor(i, voted, 100)
	}
	exts[2] = []byte("garbage")
	local := h.commit(voted, allCommit(4), exts)
	txs := h.prepareProposal(0, local)
	carried := h.decode(txs[0])
	require.Equal(t, cmtproto.BlockIDFlagCommit, carried.Votes[2].BlockIdFlag)
	require.Equal(t, []byte("garbage"), carried.Votes[2].VoteExtension, "kept, with its signature")
	require.Equal(t, local.Votes[2].ExtensionSignature, carried.Votes[2].ExtensionSignature)

	before, err := h.apps[0].OracleKeeper.ReporterStats.Get(h.apps[0].Ctx(), h.address(2))
	require.NoError(t, err)
	hashes := h.block(0, local) // every node accepts and finalizes it
	require.Equal(t, hashes[0], hashes[1])
	rec, ok, err := h.apps[0].OracleKeeper.LatestRecord(h.apps[0].Ctx(), h.units[0])
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, uint32(3), rec.Reporters, "the garbage extension is not a report")
	after, err := h.apps[0].OracleKeeper.ReporterStats.Get(h.apps[0].Ctx(), h.address(2))
	require.NoError(t, err)
	require.Equal(t, before.WindowsMissed+1, after.WindowsMissed)

	voted = windowEndAfter(t, h)
	for i := range exts {
		exts[i] = h.extensionFor(i, voted, 100)
	}
	exts[2], exts[3] = []byte("garbage"), []byte("more garbage")
	local = h.commit(voted, allCommit(4), exts)
	txs = h.prepareProposal(0, local)
	require.True(t, h.codec().IsPayload(txs[0]))
	require.Equal(t, accept, h.processProposal(1, txs, lastCommit(local)))
	h.block(0, local)
	rec2, ok, err := h.apps[0].OracleKeeper.LatestRecord(h.apps[0].Ctx(), h.units[0])
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, rec.Window, rec2.Window, "2 of 4 reporters: no new record")
}

// windowEndAfter runs empty signed blocks until the last committed height
// ends a window, and returns that height (whose extensions the next block
// carries).
func windowEndAfter(t *testing.T, h *harness) int64 {
	t.Helper()
	for i := 0; i < 3*windowBlocks; i++ {
		h.block(0, h.emptyLocalOrSigned())
		if h.extensionFor(0, h.height(), 100) != nil {
			return h.height()
		}
	}
	t.Fatal("no window end")
	return 0
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

func mustMarshal(t *testing.T, c abci.ExtendedCommitInfo) []byte {
	t.Helper()
	bz, err := c.Marshal()
	require.NoError(t, err)
	return bz
}
