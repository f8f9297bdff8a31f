package abci_test

import (
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authz "github.com/cosmos/cosmos-sdk/x/authz"

	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	"github.com/flashbacknetwork/flashbackd/testutil/txgen"
	oracleabci "github.com/flashbacknetwork/flashbackd/x/oracle/abci"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// largestExtension is the largest extension the protocol allows for
// `height`: MaxMeasurements with every field at its maximum.
func largestExtension(t testing.TB, height int64) []byte {
	ms := make([]oracletypes.Measurement, oracletypes.MaxMeasurements)
	for i := range ms {
		ms[i] = oracletypes.Measurement{
			UnitId: ^uint64(0) - uint64(oracletypes.MaxMeasurements-i), LatencyMs: ^uint32(0),
			DownloadKbps: ^uint64(0), UploadKbps: ^uint64(0),
			UptimeBps: oracletypes.MaxBasisPoints, ErrorRateBps: oracletypes.MaxBasisPoints,
		}
	}
	bz, err := oracletypes.EncodeVoteExtension(height, ^uint64(0), ms)
	require.NoError(t, err)
	return bz
}

// TestPayloadBoundHoldsTheLargestVote: the payload of n votes, each with an
// extension of MaxVoteExtensionBytes, a 64-byte signature, a 20-byte address
// and the largest power, fits MaxPayloadBytes(n), for any n.
func TestPayloadBoundHoldsTheLargestVote(t *testing.T) {
	h := newHarness(t, 1, 1, 0)
	for _, n := range []int{1, 4, 100, 400, 1000} {
		c := abci.ExtendedCommitInfo{Round: 1 << 30}
		for i := 0; i < n; i++ {
			c.Votes = append(c.Votes, abci.ExtendedVoteInfo{
				Validator:          abci.Validator{Address: make([]byte, 20), Power: 1<<63 - 1},
				VoteExtension:      make([]byte, oracletypes.MaxVoteExtensionBytes),
				ExtensionSignature: make([]byte, 64),
				BlockIdFlag:        cmtproto.BlockIDFlagCommit,
			})
		}
		payload := h.payload(c)
		require.LessOrEqual(t, len(payload), oracleabci.MaxPayloadBytes(n), "%d votes", n)
		_, err := h.codec().Decode(payload, n)
		require.NoError(t, err, "%d votes", n)
		if n >= 4 {
			_, err = h.codec().Decode(payload, n/2)
			require.ErrorContains(t, err, "limit", "a payload larger than the bound of its block's last commit")
		}
	}
}

// TestLargeValidatorSetPayloadAccepted: the payload bound follows the
// validator set. With every validator at the largest extension, a set whose
// payload exceeds 2 MiB (the fixed cap before, which every node would have
// refused: a halt) is proposed and accepted.
func TestLargeValidatorSetPayloadAccepted(t *testing.T) {
	perVote := len(largestExtension(t, 2)) + 100
	n := (2<<20)/perVote + 8
	h := newHarness(t, 1, n, 1)
	h.block(0, h.emptyLocal())
	exts := make([][]byte, n)
	for i := range exts {
		exts[i] = largestExtension(t, 2)
	}
	local := h.commit(2, allCommit(n), exts)
	txs := h.prepareProposalWith(0, local, 22<<20, nil)
	require.Greater(t, len(txs[0]), 2<<20, "the payload of %d validators", n)
	require.Equal(t, accept, h.processProposal(0, txs, lastCommit(local)))
	t.Logf("%d validators at the largest extension: payload %d bytes", n, len(txs[0]))
}

// TestPrepareProposalFitsSmallBlocks: CometBFT counts each transaction's
// protobuf framing against the block's bytes. With max bytes set right at
// the edge, the proposal (payload included) must fit, or CometBFT refuses
// the proposer's own block.
func TestPrepareProposalFitsSmallBlocks(t *testing.T) {
	h := newHarness(t, 1, 4, 1)
	local := toHeight3(t, h)
	payload := h.payload(local)
	framedPayload := cmttypes.ComputeProtoSizeForTxs([]cmttypes.Tx{payload})
	require.Greater(t, framedPayload, int64(len(payload)))

	var users [][]byte
	for i := 0; i < 3; i++ {
		u := txgen.NewAccount(txgen.DeterministicKey("small-blocks", i))
		tx, err := txgen.Sign(h.apps[0].TxConfig(), apptest.ChainID, u, 0, 200_000, "", txgen.ConsumerMsg(u.Addr))
		require.NoError(t, err)
		users = append(users, tx)
	}
	framedUsers := cmttypes.ComputeProtoSizeForTxs(cmttypes.ToTxs(users))
	for _, limit := range []int64{
		framedPayload,                   // the payload alone, exactly
		framedPayload + framedUsers,     // everything, exactly
		framedPayload + framedUsers - 1, // one byte short: the last user transaction stays out
		framedPayload + cmttypes.ComputeProtoSizeForTxs([]cmttypes.Tx{users[0]}) - 1,
	} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			txs := h.prepareProposalWith(0, local, limit, users)
			require.Equal(t, payload, txs[0])
			require.NoError(t, cmttypes.ToTxs(txs).Validate(limit), "CometBFT's own check of the proposal")
			require.Equal(t, accept, h.processProposal(0, txs, lastCommit(local)))
		})
	}
	// Less than the payload: no proposal with the payload can be made. The
	// SDK then proposes the mempool's transactions, which every node rejects,
	// and CometBFT moves to the next round.
	res, err := h.apps[0].PrepareProposal(&abci.RequestPrepareProposal{
		MaxTxBytes: framedPayload - 1, LocalLastCommit: local, Height: h.height() + 1,
		Time: h.apps[0].Time.Add(time.Second), ProposerAddress: h.address(0), NextValidatorsHash: h.apps[0].ValSet.Hash(),
	})
	require.NoError(t, err)
	for _, tx := range res.Txs {
		require.False(t, h.codec().IsPayload(tx))
	}
}

// TestPayloadIsATransaction: the payload decodes with the SDK's transaction
// decoder, executes at index 0 with code 0 and no gas, and its message
// names the oracle module, so explorers and `q txs` read every block.
func TestPayloadIsATransaction(t *testing.T) {
	h := newHarness(t, 1, 4, 1)
	local := toHeight3(t, h)
	txs := h.prepareProposal(0, local)
	decoded, err := h.apps[0].TxConfig().TxDecoder()(txs[0])
	require.NoError(t, err)
	require.Len(t, decoded.GetMsgs(), 1)
	require.IsType(t, &oracletypes.MsgInjectVoteExtensions{}, decoded.GetMsgs()[0])

	res := h.finalize(txs, lastCommit(local))
	r := res.TxResults[0]
	require.Zero(t, r.Code, r.Log)
	require.Zero(t, r.GasUsed)
	require.Zero(t, r.GasWanted)
	action := false
	for _, ev := range r.Events {
		for _, attr := range ev.Attributes {
			if ev.Type == sdk.EventTypeMessage && attr.Key == sdk.AttributeKeyAction &&
				attr.Value == sdk.MsgTypeURL(&oracletypes.MsgInjectVoteExtensions{}) {
				action = true
			}
		}
	}
	require.True(t, action, "a message event names the injected message: %v", r.Events)
}

// TestInjectedMessageRefusedFromUsers: nobody but the proposer, at index 0,
// gets the message executed: not through CheckTx (as it is or signed by a
// user), not through simulation, not at another index of a block, not inside
// authz's MsgExec.
func TestInjectedMessageRefusedFromUsers(t *testing.T) {
	h := newHarness(t, 1, 4, 1)
	a := h.apps[0]
	local := toHeight3(t, h)
	payload := h.payload(local)
	injectedOnly := oracletypes.ErrInjectedOnly.ABCICode()

	check, err := a.CheckTx(&abci.RequestCheckTx{Tx: payload, Type: abci.CheckTxType_New})
	require.NoError(t, err)
	require.Equal(t, injectedOnly, check.Code, check.Log)
	require.Equal(t, oracletypes.ModuleName, check.Codespace)
	_, _, err = a.Simulate(payload)
	require.ErrorIs(t, err, oracletypes.ErrInjectedOnly)

	// A user's signed transaction that carries the message.
	user := txgen.NewAccount(txgen.DeterministicKey("injected-user", 0))
	user.Num = 0
	signed, err := txgen.Sign(a.TxConfig(), apptest.ChainID, user, 0, 200_000, "",
		&oracletypes.MsgInjectVoteExtensions{ExtendedCommit: mustMarshal(t, local)})
	require.NoError(t, err)
	check, err = a.CheckTx(&abci.RequestCheckTx{Tx: signed, Type: abci.CheckTxType_New})
	require.NoError(t, err)
	require.Equal(t, injectedOnly, check.Code, check.Log)

	// Inside authz's MsgExec.
	exec := authz.NewMsgExec(user.Addr, []sdk.Msg{&oracletypes.MsgInjectVoteExtensions{ExtendedCommit: mustMarshal(t, local)}})
	nested, err := txgen.Sign(a.TxConfig(), apptest.ChainID, user, 0, 200_000, "", &exec)
	require.NoError(t, err)
	check, err = a.CheckTx(&abci.RequestCheckTx{Tx: nested, Type: abci.CheckTxType_New})
	require.NoError(t, err)
	require.Equal(t, injectedOnly, check.Code, check.Log)

	// At index 1 of a block: ProcessProposal refuses the block; executed
	// anyway (as a block nobody should have committed), it fails.
	good := h.prepareProposal(0, local)
	withSecond := [][]byte{good[0], payload}
	require.Equal(t, reject, h.processProposal(0, withSecond, lastCommit(local)))
	require.Equal(t, reject, h.processProposal(0, [][]byte{good[0], nested}, lastCommit(local)))
	res := h.finalize(withSecond, lastCommit(local))
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Equal(t, injectedOnly, res.TxResults[1].Code, res.TxResults[1].Log)
}

// prepareProposalWith asks node n, as proposer, to build the next block with
// maxTxBytes and the mempool transactions txs.
func (h *harness) prepareProposalWith(n int, local abci.ExtendedCommitInfo, maxTxBytes int64, txs [][]byte) [][]byte {
	a := h.apps[n]
	res, err := a.PrepareProposal(&abci.RequestPrepareProposal{
		MaxTxBytes: maxTxBytes, Txs: txs, LocalLastCommit: local, Height: a.Height + 1, Time: a.Time.Add(time.Second),
		ProposerAddress: h.address(n % len(h.keys)), NextValidatorsHash: a.ValSet.Hash(),
	})
	require.NoError(h.t, err)
	return res.Txs
}

// finalize executes and commits txs as node 0's next block, without
// ProcessProposal.
func (h *harness) finalize(txs [][]byte, last abci.CommitInfo) *abci.ResponseFinalizeBlock {
	a := h.apps[0]
	res, err := a.FinalizeBlock(&abci.RequestFinalizeBlock{
		Txs: txs, DecidedLastCommit: last, Height: a.Height + 1, Time: a.Time.Add(time.Second),
		ProposerAddress: h.address(0), NextValidatorsHash: a.ValSet.Hash(),
	})
	require.NoError(h.t, err)
	_, err = a.Commit()
	require.NoError(h.t, err)
	a.Height++
	a.Time = a.Time.Add(time.Second)
	return res
}

func FuzzDecodePayload(f *testing.F) {
	h := newHarness(f, 1, 1, 0)
	codec := h.codec()
	good := h.payload(abci.ExtendedCommitInfo{Round: 1, Votes: []abci.ExtendedVoteInfo{
		{Validator: abci.Validator{Address: []byte{1}, Power: 1}, VoteExtension: []byte{1, 2}, ExtensionSignature: []byte{3}},
	}})
	f.Add(good)
	f.Add(h.injectedTx(&oracletypes.MsgInjectVoteExtensions{ExtendedCommit: []byte{0xff}}))
	f.Add([]byte{0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, tx []byte) {
		commit, err := codec.Decode(tx, 4)
		if err != nil {
			return
		}
		require.True(t, codec.IsPayload(tx))
		again, err := codec.Encode(commit)
		require.NoError(t, err)
		require.Equal(t, tx, again, "one canonical form")
	})
}
