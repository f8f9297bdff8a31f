package app_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/crypto"
	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	"github.com/flashbacknetwork/flashbackd/testutil/txgen"
)

// CheckTx refuses a new transaction when CometBFT's mempool (config.toml
// [mempool] size, max_txs_bytes) has no room for it, before the ante handler
// advances the sender's sequence: the refused transaction is valid again as
// soon as there is room. Without the bound the app accepted it, and CometBFT
// v0.38, finding itself full after CheckTx, dropped it while telling the
// client it was accepted (docs/FAULTS.md, "Overload").
func TestMempoolAdmission(t *testing.T) {
	signers := deterministicSigners(2)
	alice, bob := signers[0], signers[1]
	a := apptest.Setup(t, apptest.Options{
		Accounts:      []sdk.AccAddress{alice.Addr, bob.Addr},
		Balance:       sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)),
		ValidatorKeys: []cmtcrypto.PrivKey{cmted25519.GenPrivKeyFromSecret([]byte("admission-validator"))},
		AppOptions:    map[string]any{"mempool.size": 2, "mempool.max_txs_bytes": 1 << 20},
	})
	for _, s := range signers {
		s.Num = a.AccountKeeper.GetAccount(a.Ctx(), s.Addr).GetAccountNumber()
	}
	send := func(from, to *txgen.Account, seq uint64) []byte {
		bz, err := txgen.Sign(a.TxConfig(), apptest.ChainID, from, seq, 200_000, "",
			banktypes.NewMsgSend(from.Addr, to.Addr, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000))))
		require.NoError(t, err)
		return bz
	}
	check := func(tx []byte, kind abci.CheckTxType) *abci.ResponseCheckTx {
		res, err := a.CheckTx(&abci.RequestCheckTx{Tx: tx, Type: kind})
		require.NoError(t, err)
		return res
	}
	full := func(res *abci.ResponseCheckTx) {
		t.Helper()
		require.Equal(t, sdkerrors.ErrMempoolIsFull.ABCICode(), res.Code, res.Log)
		require.Equal(t, sdkerrors.RootCodespace, res.Codespace)
	}

	a0, a1, b0 := send(alice, bob, 0), send(alice, bob, 1), send(bob, alice, 0)
	require.Zero(t, check(a0, abci.CheckTxType_New).Code)
	require.Zero(t, check(a1, abci.CheckTxType_New).Code)
	full(check(b0, abci.CheckTxType_New))
	full(check(send(alice, bob, 2), abci.CheckTxType_New))

	// An empty block: CometBFT still holds a0 and a1 and rechecks them, so
	// the mempool is full again.
	a.NextBlock(t)
	require.Zero(t, check(a0, abci.CheckTxType_Recheck).Code)
	require.Zero(t, check(a1, abci.CheckTxType_Recheck).Code)
	full(check(b0, abci.CheckTxType_New))

	// A block takes them: room again, and bob's refused transaction, at the
	// same sequence, is accepted (the refusals did not move it), as is
	// alice's next.
	a.NextBlock(t, a0, a1)
	require.Zero(t, check(b0, abci.CheckTxType_New).Code)
	require.Zero(t, check(send(alice, bob, 2), abci.CheckTxType_New).Code)
	full(check(send(bob, alice, 1), abci.CheckTxType_New))

	// The byte bound too.
	a.NextBlock(t)
	small := apptest.Setup(t, apptest.Options{
		Accounts:   []sdk.AccAddress{alice.Addr},
		Balance:    sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)),
		AppOptions: map[string]any{"mempool.size": 100, "mempool.max_txs_bytes": len(a0) + 10},
	})
	alice.Num = small.AccountKeeper.GetAccount(small.Ctx(), alice.Addr).GetAccountNumber()
	res, err := small.CheckTx(&abci.RequestCheckTx{Tx: a0, Type: abci.CheckTxType_New})
	require.NoError(t, err)
	require.Zero(t, res.Code, res.Log)
	res, err = small.CheckTx(&abci.RequestCheckTx{Tx: a1, Type: abci.CheckTxType_New})
	require.NoError(t, err)
	full(res)
}
