package app_test

import (
	"bytes"
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
	"github.com/flashbacknetwork/flashbackd/testutil/bench/txgen"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// verifyOnceNet is n signers on an app whose genesis is the same every time
// (fixed validator keys), so that two of them reach the same app hash.
func verifyOnceNet(t *testing.T, signers []*txgen.Account) *apptest.TestApp {
	t.Helper()
	addrs := make([]sdk.AccAddress, len(signers))
	for i, s := range signers {
		addrs[i] = s.Addr
	}
	a := apptest.Setup(t, apptest.Options{
		Accounts:      addrs,
		Balance:       sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)),
		ValidatorKeys: []cmtcrypto.PrivKey{cmted25519.GenPrivKeyFromSecret([]byte("verify-once-validator"))},
	})
	for _, s := range signers {
		s.Num = a.AccountKeeper.GetAccount(a.Ctx(), s.Addr).GetAccountNumber()
	}
	return a
}

func verifyOnceSigners(n int) []*txgen.Account {
	out := make([]*txgen.Account, n)
	for i := range out {
		out[i] = txgen.NewAccount(txgen.DeterministicKey("verify-once", i))
	}
	return out
}

func checkTx(t *testing.T, a *apptest.TestApp, tx []byte) {
	t.Helper()
	res, err := a.CheckTx(&abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
	require.NoError(t, err)
	require.Zero(t, res.Code, res.Log)
}

// TestVerifyOnceSameBlockResults runs the same block on a node that checked
// its transactions in CheckTx (and so skips their signatures) and on one
// that never saw them: results, gas, events and app hash must be identical.
func TestVerifyOnceSameBlockResults(t *testing.T) {
	signers := verifyOnceSigners(3)
	warm, cold := verifyOnceNet(t, signers), verifyOnceNet(t, signers)
	require.Equal(t, warm.LastCommitID(), cold.LastCommitID(), "same genesis")
	txCfg := warm.TxConfig()

	var txs [][]byte
	for i, s := range signers {
		// Each signer's first transaction (it also sets the public key on
		// the account), then a second one on the next sequence.
		next := signers[(i+1)%len(signers)].Addr
		first, err := txgen.Sign(txCfg, apptest.ChainID, s, 0, 200_000, "",
			banktypes.NewMsgSend(s.Addr, next, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000))))
		require.NoError(t, err)
		second, err := txgen.Sign(txCfg, apptest.ChainID, s, 1, 200_000, "", txgen.ConsumerMsg(s.Addr))
		require.NoError(t, err)
		txs = append(txs, first, second)
	}
	for _, tx := range txs {
		checkTx(t, warm, tx)
	}

	resWarm := warm.NextBlock(t, txs...)
	resCold := cold.NextBlock(t, txs...)
	require.EqualValues(t, len(txs), warm.SignatureChecksSkipped(), "the warm node skipped every check CheckTx made")
	require.Zero(t, cold.SignatureChecksSkipped(), "the cold node verified every signature")

	require.Len(t, resWarm.TxResults, len(txs))
	for i := range txs {
		w, c := resWarm.TxResults[i], resCold.TxResults[i]
		require.Zero(t, w.Code, w.Log)
		require.Equal(t, c.Code, w.Code, "tx %d code", i)
		require.Equal(t, c.GasUsed, w.GasUsed, "tx %d gas used", i)
		require.Equal(t, c.GasWanted, w.GasWanted, "tx %d gas wanted", i)
		require.Equal(t, c.Events, w.Events, "tx %d events", i)
	}
	require.Equal(t, resCold.AppHash, resWarm.AppHash)
	require.Equal(t, cold.LastCommitID(), warm.LastCommitID())
}

// TestVerifyOnceStillRejectsBadSignatures: only the exact transaction that
// CheckTx verified skips the check. The same transaction with another
// signature, or one that was only simulated, is verified in FinalizeBlock.
func TestVerifyOnceStillRejectsBadSignatures(t *testing.T) {
	signers := verifyOnceSigners(1)
	a := verifyOnceNet(t, signers)
	s := signers[0]
	tx, err := txgen.Sign(a.TxConfig(), apptest.ChainID, s, 0, 200_000, "", txgen.ConsumerMsg(s.Addr))
	require.NoError(t, err)
	checkTx(t, a, tx)

	// The signature is the last field of the encoded transaction.
	forged := bytes.Clone(tx)
	forged[len(forged)-1] ^= 0x01
	res := a.NextBlock(t, forged)
	require.Equal(t, sdkerrors.ErrUnauthorized.ABCICode(), res.TxResults[0].Code, res.TxResults[0].Log)
	require.Equal(t, sdkerrors.ErrUnauthorized.Codespace(), res.TxResults[0].Codespace)
	require.Zero(t, a.SignatureChecksSkipped())

	res = a.NextBlock(t, tx)
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.EqualValues(t, 1, a.SignatureChecksSkipped())

	// Simulation verifies nothing, so it vouches for nothing.
	second, err := txgen.Sign(a.TxConfig(), apptest.ChainID, s, 1, 200_000, "",
		&orchestratortypes.MsgUpdateConsumer{Owner: s.Addr.String(), Name: "renamed"})
	require.NoError(t, err)
	_, _, err = a.Simulate(second)
	require.NoError(t, err)
	res = a.NextBlock(t, second)
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.EqualValues(t, 1, a.SignatureChecksSkipped(), "a simulated transaction is verified in its block")
}
