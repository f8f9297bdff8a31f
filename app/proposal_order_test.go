package app_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	"github.com/flashbacknetwork/flashbackd/testutil/txgen"
)

// A proposal puts each sender's transactions in sequence order, whatever
// order the mempool listed them in, and keeps every other position: the
// block then executes them all. In the mempool's order the sender's first
// transaction to run would fail with a sequence mismatch, and every later
// one with it.
func TestProposalOrdersEachSenderBySequence(t *testing.T) {
	signers := deterministicSigners(2)
	a := sameGenesisNode(t, signers)
	alice, bob := signers[0], signers[1]
	send := func(from, to *txgen.Account, seq uint64) []byte {
		bz, err := txgen.Sign(a.TxConfig(), apptest.ChainID, from, seq, 200_000, "",
			banktypes.NewMsgSend(from.Addr, to.Addr, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000))))
		require.NoError(t, err)
		return bz
	}
	a0, a1, a2 := send(alice, bob, 0), send(alice, bob, 1), send(alice, bob, 2)
	b0, b1 := send(bob, alice, 0), send(bob, alice, 1)

	mempoolOrder := [][]byte{a2, b0, a0, b1, a1}
	res, err := a.PrepareProposal(&abci.RequestPrepareProposal{
		Txs: mempoolOrder, MaxTxBytes: 1 << 20, Height: a.Height + 1, Time: a.Time.Add(a.BlockTime),
		ProposerAddress: a.ValSet.Proposer.Address, NextValidatorsHash: a.ValSet.Hash(),
	})
	require.NoError(t, err)
	require.Equal(t, [][]byte{a0, b0, a1, b1, a2}, res.Txs, "alice's sorted into her positions 0, 2, 4; bob's already in order")

	block := a.NextBlock(t, res.Txs...)
	for i, r := range block.TxResults {
		require.Zero(t, r.Code, "tx %d: %s", i, r.Log)
	}

	// A selection cut short by the block's bytes keeps the default
	// selector's choice; only the order changes.
	c0, c1 := send(alice, bob, 3), send(alice, bob, 4)
	res, err = a.PrepareProposal(&abci.RequestPrepareProposal{
		Txs: [][]byte{c1, c0}, MaxTxBytes: int64(len(c1)) + 8, Height: a.Height + 1, Time: a.Time.Add(a.BlockTime),
		ProposerAddress: a.ValSet.Proposer.Address, NextValidatorsHash: a.ValSet.Hash(),
	})
	require.NoError(t, err)
	require.Equal(t, [][]byte{c1}, res.Txs, "room for one transaction: the first offered, as without sorting")
}
