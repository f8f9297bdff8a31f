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

// sameGenesisNode is an app whose genesis is the same for every call (fixed
// validator key, the signers funded in the same order), so that nodes built
// with it reach the same app hash.
func sameGenesisNode(t *testing.T, signers []*txgen.Account) *apptest.TestApp {
	t.Helper()
	addrs := make([]sdk.AccAddress, len(signers))
	for i, s := range signers {
		addrs[i] = s.Addr
	}
	a := apptest.Setup(t, apptest.Options{
		Accounts:      addrs,
		Balance:       sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)),
		ValidatorKeys: []cmtcrypto.PrivKey{cmted25519.GenPrivKeyFromSecret([]byte("determinism-validator"))},
	})
	for _, s := range signers {
		s.Num = a.AccountKeeper.GetAccount(a.Ctx(), s.Addr).GetAccountNumber()
	}
	return a
}

func deterministicSigners(n int) []*txgen.Account {
	out := make([]*txgen.Account, n)
	for i := range out {
		out[i] = txgen.NewAccount(txgen.DeterministicKey("determinism", i))
	}
	return out
}

func checkTxCode(t *testing.T, a *apptest.TestApp, tx []byte) uint32 {
	t.Helper()
	res, err := a.CheckTx(&abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
	require.NoError(t, err)
	return res.Code
}

// TestSameBlockSameResultOnEveryNode executes one block on three nodes with
// the same state: one that saw the block's transactions in CheckTx, one that
// was restarted and saw them in CheckTx before its first commit (when the SDK
// checks signatures as at genesis, with account number 0), and one that never
// saw them. Results, gas, events and app hash must be identical, including
// for a transaction signed with the wrong account number, which only the
// restarted node's CheckTx accepts and which every node must reject in the
// block. A node-local shortcut on signature checks (a cache filled by CheckTx)
// broke exactly this.
func TestSameBlockSameResultOnEveryNode(t *testing.T) {
	signers := deterministicSigners(3)
	warm, restarted, cold := sameGenesisNode(t, signers), sameGenesisNode(t, signers), sameGenesisNode(t, signers)
	require.Equal(t, warm.LastCommitID(), cold.LastCommitID(), "same genesis")
	require.Equal(t, warm.LastCommitID(), restarted.LastCommitID(), "same genesis")
	// Make every signer's public key known on chain (a first transaction
	// each), so that the block below exercises verification with stored keys.
	var setup [][]byte
	for i, s := range signers {
		tx, err := txgen.Sign(warm.TxConfig(), apptest.ChainID, s, 0, 200_000, "",
			banktypes.NewMsgSend(s.Addr, signers[(i+1)%len(signers)].Addr, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000))))
		require.NoError(t, err)
		setup = append(setup, tx)
	}
	for _, node := range []*apptest.TestApp{warm, restarted, cold} {
		res := node.NextBlock(t, setup...)
		for i, r := range res.TxResults {
			require.Zero(t, r.Code, "setup tx %d: %s", i, r.Log)
		}
	}
	restarted.Restart(t)

	txCfg := warm.TxConfig()
	var txs [][]byte
	for _, s := range signers[:2] {
		tx, err := txgen.Sign(txCfg, apptest.ChainID, s, 1, 200_000, "", txgen.ConsumerMsg(s.Addr))
		require.NoError(t, err)
		txs = append(txs, tx)
	}
	// Signed for account number 0: valid only where signatures are checked as
	// at genesis.
	wrong := *signers[2]
	require.NotZero(t, wrong.Num)
	wrong.Num = 0
	wrongNum, err := txgen.Sign(txCfg, apptest.ChainID, &wrong, 1, 200_000, "", txgen.ConsumerMsg(wrong.Addr))
	require.NoError(t, err)
	txs = append(txs, wrongNum)

	for _, tx := range txs[:2] {
		require.Zero(t, checkTxCode(t, warm, tx))
		require.Equal(t, sdkerrors.ErrUnauthorized.ABCICode(), checkTxCode(t, restarted, tx),
			"a restarted node's CheckTx, before its first commit, checks signatures as at genesis (account number 0)")
	}
	require.Equal(t, sdkerrors.ErrUnauthorized.ABCICode(), checkTxCode(t, warm, wrongNum),
		"a running node's CheckTx rejects the wrong account number")
	require.Zero(t, checkTxCode(t, restarted, wrongNum),
		"a restarted node's CheckTx, before its first commit, accepts account number 0")

	resWarm, resRestarted, resCold := warm.NextBlock(t, txs...), restarted.NextBlock(t, txs...), cold.NextBlock(t, txs...)
	require.Len(t, resCold.TxResults, len(txs))
	for i := range txs {
		c := resCold.TxResults[i]
		for name, res := range map[string]*abci.ResponseFinalizeBlock{"warm": resWarm, "restarted": resRestarted} {
			r := res.TxResults[i]
			require.Equal(t, c.Code, r.Code, "%s node, tx %d code: %s", name, i, r.Log)
			require.Equal(t, c.GasUsed, r.GasUsed, "%s node, tx %d gas used", name, i)
			require.Equal(t, c.GasWanted, r.GasWanted, "%s node, tx %d gas wanted", name, i)
			require.Equal(t, c.Events, r.Events, "%s node, tx %d events", name, i)
		}
	}
	require.Zero(t, resCold.TxResults[0].Code, resCold.TxResults[0].Log)
	require.Zero(t, resCold.TxResults[1].Code, resCold.TxResults[1].Log)
	require.Equal(t, sdkerrors.ErrUnauthorized.ABCICode(), resCold.TxResults[2].Code, resCold.TxResults[2].Log)
	require.Equal(t, resCold.AppHash, resWarm.AppHash)
	require.Equal(t, resCold.AppHash, resRestarted.AppHash)
	require.Equal(t, cold.LastCommitID(), warm.LastCommitID())
	require.Equal(t, cold.LastCommitID(), restarted.LastCommitID())
}

// TestForgedSignatureRejectedAfterCheckTx: a node that accepted a transaction
// in CheckTx still rejects a block carrying the same transaction with another
// signature.
func TestForgedSignatureRejectedAfterCheckTx(t *testing.T) {
	signers := deterministicSigners(1)
	a := sameGenesisNode(t, signers)
	s := signers[0]
	tx, err := txgen.Sign(a.TxConfig(), apptest.ChainID, s, 0, 200_000, "", txgen.ConsumerMsg(s.Addr))
	require.NoError(t, err)
	require.Zero(t, checkTxCode(t, a, tx))

	// The signature is the last field of the encoded transaction.
	forged := append([]byte(nil), tx...)
	forged[len(forged)-1] ^= 0x01
	res := a.NextBlock(t, forged)
	require.Equal(t, sdkerrors.ErrUnauthorized.ABCICode(), res.TxResults[0].Code, res.TxResults[0].Log)
	require.Equal(t, sdkerrors.ErrUnauthorized.Codespace(), res.TxResults[0].Codespace)

	res = a.NextBlock(t, tx)
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
}
