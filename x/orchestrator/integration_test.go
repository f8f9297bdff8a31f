package orchestrator_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/network"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// TestDealLifecycleOnNetwork drives a whole deal through signed transactions
// on a real in-process CometBFT network — register, list, request, accept,
// accrue, withdraw, top up, complete by itself — and reads it back over gRPC
// and REST.
func TestDealLifecycleOnNetwork(t *testing.T) {
	cfg := network.DefaultConfig(t)
	var gs types.GenesisState
	cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[types.ModuleName], &gs)
	gs.Params.MinDealDuration = 5 * time.Second
	gs.Params.MinPrepaidPeriod = 10 * time.Second
	cfg.GenesisState[types.ModuleName] = cfg.Codec.MustMarshalJSON(&gs)
	net := network.New(t, cfg)
	val := net.Validators[0]
	ctx := context.Background()

	conn, err := grpc.NewClient(val.AppConfig.GRPC.Address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	q := types.NewQueryClient(conn)
	bank := banktypes.NewQueryClient(conn)

	newKey := func(name string) sdk.AccAddress {
		rec, _, err := val.ClientCtx.Keyring.NewMnemonic(name, keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
		require.NoError(t, err)
		addr, err := rec.GetAddress()
		require.NoError(t, err)
		return addr
	}
	provider, consumer := newKey("provider"), newKey("consumer")
	send := func(from string, msgs ...sdk.Msg) *sdk.TxResponse {
		t.Helper()
		res := network.BroadcastTx(t, net, val, from, msgs...)
		require.Zero(t, res.Code, res.RawLog)
		return res
	}
	send(val.Moniker,
		banktypes.NewMsgSend(val.Address, provider, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 5_000_000_000))),
		banktypes.NewMsgSend(val.Address, consumer, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 5_000_000_000))),
	)

	send("provider", &types.MsgRegisterProvider{
		Owner: provider.String(), Name: "Acme", Country: "FR", Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000),
	})
	send("consumer", &types.MsgRegisterConsumer{Owner: consumer.String(), Name: "Bob"})
	sla := types.Sla{MaxLatencyMs: 100, MinUploadKbps: 1000, MinDownloadKbps: 1000, MinUptimeBps: 9900, MaxErrorRateBps: 100}
	send("provider", &types.MsgCreateDataUnit{
		Provider: provider.String(), CapacityGb: 1000, PricePerGbMonth: sdkmath.NewInt(2_592_000), // 1 uflash per GB-second
		Region: "eu-west", Country: "FR", Api: types.API_COMPATIBILITY_S3, Endpoint: "https://s3.acme.example/u1",
		Sla: sla, PriorityFee: &[]sdk.Coin{sdk.NewInt64Coin(app.BondDenom, 10_000)}[0],
	})

	market, err := q.DataUnits(ctx, &types.QueryDataUnitsRequest{Region: "eu-west"})
	require.NoError(t, err)
	require.Len(t, market.DataUnits, 1)
	unitID := market.DataUnits[0].Id

	// 10 GB for 20 s at 1 uflash per GB-second: 200 uflash; deposit 150 and top up later.
	send("consumer", &types.MsgRequestDeal{
		Consumer: consumer.String(), UnitId: unitID, CapacityGb: 10, Term: 20 * time.Second, Sla: sla,
		Deposit: sdk.NewInt64Coin(app.BondDenom, 150),
	})
	deals, err := q.Deals(ctx, &types.QueryDealsRequest{Consumer: consumer.String()})
	require.NoError(t, err)
	require.Len(t, deals.Deals, 1)
	dealID := deals.Deals[0].Id
	require.Equal(t, types.DEAL_STATE_PENDING, deals.Deals[0].State)

	send("provider", &types.MsgAcceptDeal{Provider: provider.String(), DealId: dealID})
	require.NoError(t, net.WaitForNextBlock())
	require.NoError(t, net.WaitForNextBlock())
	send("consumer", &types.MsgTopUpDeal{Consumer: consumer.String(), DealId: dealID, Amount: sdk.NewInt64Coin(app.BondDenom, 50)})

	deal, err := q.Deal(ctx, &types.QueryDealRequest{Id: dealID})
	require.NoError(t, err)
	require.Equal(t, types.DEAL_STATE_ACTIVE, deal.Deal.State)
	require.True(t, deal.Escrow.Accrued.IsPositive(), "the deal accrues every second")
	require.Equal(t, int64(200), deal.Deal.Deposited.Int64())

	res := send("provider", &types.MsgWithdrawEarnings{Provider: provider.String(), DealIds: []uint64{dealID}})
	require.Contains(t, res.RawLog+eventsText(res), "EventWithdrawal")

	// The term ends and the deal completes by itself.
	require.Eventually(t, func() bool {
		d, err := q.Deal(ctx, &types.QueryDealRequest{Id: dealID})
		return err == nil && d.Deal.State == types.DEAL_STATE_CLOSED
	}, 60*time.Second, 500*time.Millisecond, "deal: %v", func() string {
		d, err := q.Deal(ctx, &types.QueryDealRequest{Id: dealID})
		if err != nil {
			return err.Error()
		}
		st, _ := net.LatestHeight()
		return d.String() + " height " + itoa(uint64(st))
	}())
	deal, err = q.Deal(ctx, &types.QueryDealRequest{Id: dealID})
	require.NoError(t, err)
	require.Equal(t, types.CLOSE_REASON_COMPLETED, deal.Deal.CloseReason)
	require.Equal(t, int64(200), deal.Deal.Accrued.Int64(), "20 s × 10 GB × 1 uflash")
	send("provider", &types.MsgWithdrawEarnings{Provider: provider.String(), DealIds: []uint64{dealID}})

	// Over REST: the deal, the marketplace and the stats.
	var restDeal types.QueryDealResponse
	getREST(t, val, "/flashback/orchestrator/v1/deals/"+itoa(dealID), &restDeal)
	require.Equal(t, deal.Deal.Id, restDeal.Deal.Id)
	require.Equal(t, types.CLOSE_REASON_COMPLETED, restDeal.Deal.CloseReason)
	var restUnits types.QueryDataUnitsResponse
	getREST(t, val, "/flashback/orchestrator/v1/data_units?region=eu-west&min_free_gb=10", &restUnits)
	require.Len(t, restUnits.DataUnits, 1)
	var restProvider types.QueryProviderResponse
	getREST(t, val, "/flashback/orchestrator/v1/providers/"+provider.String(), &restProvider)
	require.Equal(t, "Acme", restProvider.Provider.Name)
	var restStats types.QueryStatsResponse
	getREST(t, val, "/flashback/orchestrator/v1/stats", &restStats)

	// Money: the module account holds exactly the bond and what deals hold.
	moduleAddr := authtypes.NewModuleAddress(types.ModuleName)
	bal, err := bank.Balance(ctx, &banktypes.QueryBalanceRequest{Address: moduleAddr.String(), Denom: app.BondDenom})
	require.NoError(t, err)
	require.Equal(t, restStats.Stats.BondsHeld.Add(restStats.Stats.EscrowHeld), bal.Balance.Amount)
	require.Equal(t, int64(1_000_000_000), bal.Balance.Amount.Int64(), "only the bond remains once all is withdrawn")

	// The same books through the Holdings query, and the SLA rounds in
	// progress (none: the network's SLA epoch is a day).
	var holdings types.QueryHoldingsResponse
	getREST(t, val, "/flashback/orchestrator/v1/holdings", &holdings)
	require.Equal(t, app.BondDenom, holdings.Denom)
	require.Equal(t, bal.Balance.Amount, holdings.Balance)
	require.Equal(t, holdings.BondsHeld.Add(holdings.EscrowHeld).Add(holdings.PendingPlatformFees), holdings.Balance)
	require.True(t, holdings.PendingPlatformFees.IsZero(), "every block's sweep paid its fees")
	var rounds types.QuerySlaRoundsResponse
	getREST(t, val, "/flashback/orchestrator/v1/sla_rounds", &rounds)
	require.Empty(t, rounds.Rounds)
}

func getREST(t *testing.T, val *network.Validator, path string, out interface{ ProtoMessage() }) {
	t.Helper()
	resp, err := http.Get(val.APIAddress + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.NoError(t, val.ClientCtx.Codec.UnmarshalJSON(body, out.(interface {
		ProtoMessage()
		Reset()
		String() string
	})), string(body))
}

func eventsText(res *sdk.TxResponse) string {
	s := ""
	for _, e := range res.Events {
		s += e.Type + " "
	}
	return s
}

func itoa(n uint64) string { return sdkmath.NewIntFromUint64(n).String() }
