package app_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	"github.com/flashbacknetwork/flashbackd/testutil/txgen"
	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// TestRatingCheckTxJudgesAsItsBlock: the SDK runs no message handler in
// CheckTx, so a rating of a deal that had paid nothing yet passed CheckTx
// (code 0, its fee taken on inclusion) and failed in its block ("deal 1 has
// paid its provider 0uflash", the upgrade test's retries). CheckTx now
// refuses what the block would refuse, judged at the last block's time (a
// running deal's payment only grows, so what it admits the next block
// accepts), and the refused transaction changes nothing: the same bytes are
// admitted and included once the deal has paid.
func TestRatingCheckTxJudgesAsItsBlock(t *testing.T) {
	provider, consumer := txgen.NewAccount(txgen.DeterministicKey("rating-checktx", 0)), txgen.NewAccount(txgen.DeterministicKey("rating-checktx", 1))
	cdc := app.MakeEncodingConfig().Codec
	a := apptest.Setup(t, apptest.Options{
		Accounts: []sdk.AccAddress{provider.Addr, consumer.Addr},
		Balance:  sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000_000_000_000)),
		Mutate: func(g app.GenesisState) {
			var rg reputationtypes.GenesisState
			cdc.MustUnmarshalJSON(g[reputationtypes.ModuleName], &rg)
			rg.Params.MinRatingPayment = sdkmath.NewInt(1_000)
			g[reputationtypes.ModuleName] = cdc.MustMarshalJSON(&rg)
		},
	})
	for _, s := range []*txgen.Account{provider, consumer} {
		s.Num = a.AccountKeeper.GetAccount(a.Ctx(), s.Addr).GetAccountNumber()
	}
	seq := map[*txgen.Account]uint64{}
	sign := func(s *txgen.Account, msg sdk.Msg) []byte {
		t.Helper()
		tx, err := txgen.Sign(a.TxConfig(), apptest.ChainID, s, seq[s], 400_000, "", msg)
		require.NoError(t, err)
		return tx
	}
	deliver := func(s *txgen.Account, msg sdk.Msg) {
		t.Helper()
		res := a.NextBlock(t, sign(s, msg))
		require.Zero(t, res.TxResults[0].Code, "%T: %s", msg, res.TxResults[0].Log)
		seq[s]++
	}
	params, err := a.OrchestratorKeeper.Params.Get(a.Ctx())
	require.NoError(t, err)
	deliver(provider, txgen.ProviderMsg(provider.Addr, params.MinProviderBond.Amount.Int64()))
	deliver(consumer, txgen.ConsumerMsg(consumer.Addr))
	deliver(provider, txgen.UnitMsg(provider.Addr, 1_000, "https://s3.example.com"))
	deliver(consumer, txgen.DealMsg(consumer.Addr, 1, 100, txgen.Month))
	deliver(provider, &orchtypes.MsgAcceptDeal{Provider: provider.Addr.String(), DealId: 1})

	// The deal started at the last block's time: it has paid nothing.
	rating := sign(consumer, &reputationtypes.MsgRateProvider{Consumer: consumer.Addr.String(), DealId: 1, Stars: 4})
	require.Equal(t, reputationtypes.ErrRatingUnderpaid.ABCICode(), checkTxCode(t, a, rating),
		"CheckTx admits a rating its block refuses")
	acc := a.AccountKeeper.GetAccount(a.Ctx(), consumer.Addr)
	require.Equal(t, seq[consumer], acc.GetSequence(), "the refused rating left the sequence alone")

	// An hour later the deal has paid more than min_rating_payment: the same
	// transaction is admitted and its block accepts it.
	a.BlockTime = time.Hour
	a.NextBlock(t)
	a.BlockTime = time.Second
	require.Zero(t, checkTxCode(t, a, rating))
	res := a.NextBlock(t, rating)
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	seq[consumer]++
	r, err := a.ReputationKeeper.Ratings.Get(a.Ctx(), 1)
	require.NoError(t, err)
	require.True(t, r.Paid.GTE(sdkmath.NewInt(1_000)), "paid %s", r.Paid)

	// A second rating of the deal is refused at the door too.
	again := sign(consumer, &reputationtypes.MsgRateProvider{Consumer: consumer.Addr.String(), DealId: 1, Stars: 1})
	require.Equal(t, reputationtypes.ErrAlreadyRated.ABCICode(), checkTxCode(t, a, again))
}
