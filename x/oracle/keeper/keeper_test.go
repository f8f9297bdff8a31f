package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	"github.com/flashbacknetwork/flashbackd/x/oracle/keeper"
	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
	orchkeeper "github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

type fixture struct {
	t                            *testing.T
	app                          *apptest.TestApp
	msgs                         types.MsgServer
	queries                      types.QueryServer
	orch                         orchtypes.MsgServer
	provider, consumer, stranger sdk.AccAddress
	units                        []uint64
}

func addr(seed string) sdk.AccAddress {
	return sdk.AccAddress(secp256k1.GenPrivKeyFromSecret([]byte(seed)).PubKey().Address())
}

func newFixture(t *testing.T, units int, mutate func(*types.Params)) *fixture {
	t.Helper()
	f := &fixture{t: t, provider: addr("provider"), consumer: addr("consumer"), stranger: addr("stranger")}
	f.app = apptest.Setup(t, apptest.Options{
		Accounts: []sdk.AccAddress{f.provider, f.consumer, f.stranger},
		Balance:  sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000_000_000_000)),
		Mutate: func(g app.GenesisState) {
			gs := types.DefaultGenesis()
			gs.Params.WindowBlocks = 2
			gs.Params.MaxUnitsPerWindow = 3
			if mutate != nil {
				mutate(&gs.Params)
			}
			g[types.ModuleName] = app.MakeEncodingConfig().Codec.MustMarshalJSON(gs)
		},
	})
	f.msgs = keeper.NewMsgServerImpl(f.app.OracleKeeper)
	f.queries = keeper.NewQueryServerImpl(f.app.OracleKeeper)
	f.orch = orchkeeper.NewMsgServerImpl(f.app.OrchestratorKeeper)
	ctx := f.app.Ctx()
	_, err := f.orch.RegisterProvider(ctx, &orchtypes.MsgRegisterProvider{Owner: f.provider.String(), Name: "p", Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)})
	require.NoError(t, err)
	_, err = f.orch.RegisterConsumer(ctx, &orchtypes.MsgRegisterConsumer{Owner: f.consumer.String()})
	require.NoError(t, err)
	for i := 0; i < units; i++ {
		res, err := f.orch.CreateDataUnit(ctx, &orchtypes.MsgCreateDataUnit{
			Provider: f.provider.String(), CapacityGb: 100, PricePerGbMonth: sdkmath.NewInt(2_592_000),
			Region: "eu-west", Country: "FR", Api: orchtypes.API_COMPATIBILITY_S3, Endpoint: "https://s3.example/u",
			Sla: orchtypes.Sla{MaxLatencyMs: 100},
		})
		require.NoError(t, err)
		f.units = append(f.units, res.UnitId)
	}
	return f
}

func TestSelfReports(t *testing.T) {
	f := newFixture(t, 1, func(p *types.Params) { p.SelfReportMinInterval = time.Hour; p.SelfReportRetention = 2 * time.Hour })
	ctx := f.app.Ctx()
	res, err := f.orch.RequestDeal(ctx, &orchtypes.MsgRequestDeal{
		Consumer: f.consumer.String(), UnitId: f.units[0], CapacityGb: 10, Term: 30 * 24 * time.Hour,
		Sla: orchtypes.Sla{MaxLatencyMs: 100}, Deposit: sdk.NewInt64Coin(app.BondDenom, 25_920_000),
	})
	require.NoError(t, err)
	deal := res.DealId

	report := func(reporter sdk.AccAddress) error {
		_, err := f.msgs.SubmitQoSReport(f.app.Ctx(), &types.MsgSubmitQoSReport{
			Reporter: reporter.String(), DealId: deal, Operation: types.OPERATION_TYPE_DOWNLOAD,
			LatencyMs: 42, ThroughputKbps: 80_000, Success: true,
		})
		return err
	}
	require.NoError(t, report(f.consumer))
	require.NoError(t, report(f.provider))
	require.ErrorIs(t, report(f.consumer), types.ErrTooSoon)
	require.ErrorIs(t, report(f.stranger), types.ErrUnauthorized)
	_, err = f.msgs.SubmitQoSReport(f.app.Ctx(), &types.MsgSubmitQoSReport{Reporter: f.consumer.String(), DealId: 99, Operation: types.OPERATION_TYPE_READ})
	require.ErrorIs(t, err, types.ErrDealNotFound)
	for _, bad := range []*types.MsgSubmitQoSReport{
		{Reporter: f.consumer.String(), DealId: deal},                                    // no operation
		{Reporter: f.consumer.String(), DealId: deal, Operation: 42},                     // unknown operation
		{Reporter: f.consumer.String(), DealId: 0, Operation: types.OPERATION_TYPE_READ}, // no deal
		{Reporter: "flash1bad", DealId: deal, Operation: types.OPERATION_TYPE_READ},      // bad address
		{Reporter: f.consumer.String(), DealId: deal, Operation: types.OPERATION_TYPE_READ, Success: true, ErrorDetails: "x"},
		{Reporter: f.consumer.String(), DealId: deal, Operation: types.OPERATION_TYPE_READ, ErrorDetails: string(make([]byte, 300))},
	} {
		_, err := f.msgs.SubmitQoSReport(f.app.Ctx(), bad)
		require.Error(t, err, "%v", bad)
	}

	list, err := f.queries.SelfReports(f.app.Ctx(), &types.QuerySelfReportsRequest{DealId: deal})
	require.NoError(t, err)
	require.Len(t, list.Reports, 2)
	require.Equal(t, "consumer", list.Reports[0].Role)
	require.Equal(t, "provider", list.Reports[1].Role)

	// An hour later the consumer may report again; after the retention the
	// old reports are pruned by themselves.
	f.app.BlockTime = time.Hour
	f.app.NextBlock(t)
	require.NoError(t, report(f.consumer))
	f.app.BlockTime = 90 * time.Minute
	f.app.NextBlock(t)
	list, err = f.queries.SelfReports(f.app.Ctx(), &types.QuerySelfReportsRequest{DealId: deal})
	require.NoError(t, err)
	require.Len(t, list.Reports, 1, "the two first reports are past the retention")

	// Closed deals take no more reports.
	_, err = f.orch.CancelDealRequest(f.app.Ctx(), &orchtypes.MsgCancelDealRequest{Consumer: f.consumer.String(), DealId: deal})
	require.NoError(t, err)
	require.ErrorIs(t, report(f.provider), types.ErrDealNotOpen)
}

// TestRecordsPrunedWithCap writes records directly through aggregation's
// writer and checks that pruning removes at most the cap per block.
func TestRecordsPrunedWithCap(t *testing.T) {
	f := newFixture(t, 0, func(p *types.Params) { p.RecordRetentionWindows = 5; p.MaxPrunePerBlock = 4 })
	k := f.app.OracleKeeper
	ctx := f.app.Ctx()
	for w := uint64(0); w < 10; w++ {
		for u := uint64(1); u <= 3; u++ {
			require.NoError(t, k.WriteRecordForTest(ctx, types.QoSRecord{UnitId: u, Window: w, Provider: f.provider.String(), Time: f.app.Time, LatencyMs: 10}))
		}
	}
	count := func() int {
		n := 0
		require.NoError(t, k.Records.Walk(f.app.Ctx(), nil, func(_ keeper.RecordKey, _ types.QoSRecord) (bool, error) { n++; return false, nil }))
		return n
	}
	require.Equal(t, 30, count())
	require.NoError(t, k.CurrentWindow.Set(ctx, 10))
	require.NoError(t, k.Prune(f.app.Ctx()))
	require.Equal(t, 26, count(), "at most max_prune_per_block")
	for i := 0; i < 10; i++ {
		require.NoError(t, k.Prune(f.app.Ctx()))
	}
	require.Equal(t, 15, count(), "windows 5..9 kept")

	hist, err := f.queries.QoSHistory(f.app.Ctx(), &types.QueryQoSHistoryRequest{UnitId: 2, FromWindow: 6, ToWindow: 8})
	require.NoError(t, err)
	require.Len(t, hist.Records, 3)
	latest, err := f.queries.LatestQoS(f.app.Ctx(), &types.QueryLatestQoSRequest{UnitId: 3})
	require.NoError(t, err)
	require.Equal(t, uint64(9), latest.Record.Window)
	sum, err := f.queries.QoSSummary(f.app.Ctx(), &types.QueryQoSSummaryRequest{UnitId: 1, Period: time.Hour})
	require.NoError(t, err)
	require.Equal(t, uint64(10), sum.Summary.Records, "buckets keep what records were pruned of")
	require.Equal(t, uint32(10), sum.Summary.LatencyMs)
	sum, err = f.queries.QoSSummary(f.app.Ctx(), &types.QueryQoSSummaryRequest{Provider: f.provider.String(), Period: time.Hour})
	require.NoError(t, err)
	require.Equal(t, uint64(30), sum.Summary.Records)
	_, err = f.queries.QoSSummary(f.app.Ctx(), &types.QueryQoSSummaryRequest{Period: time.Hour})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	_, err = f.queries.QoSSummary(f.app.Ctx(), &types.QueryQoSSummaryRequest{UnitId: 1, Period: 365 * 24 * time.Hour})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	_, err = f.queries.LatestQoS(f.app.Ctx(), &types.QueryLatestQoSRequest{UnitId: 77})
	require.Equal(t, codes.NotFound, status.Code(err))
}

func TestGenesisRoundTripAndParams(t *testing.T) {
	f := newFixture(t, 2, nil)
	k := f.app.OracleKeeper
	ctx := f.app.Ctx()
	require.NoError(t, k.WriteRecordForTest(ctx, types.QoSRecord{UnitId: 1, Window: 3, Provider: f.provider.String(), Time: f.app.Time}))
	f.app.NextBlock(t)
	exported, err := k.ExportGenesis(f.app.Ctx())
	require.NoError(t, err)
	require.NoError(t, exported.Validate())

	other := newFixture(t, 0, nil)
	require.NoError(t, other.app.OracleKeeper.InitGenesis(other.app.Ctx(), *exported))
	again, err := other.app.OracleKeeper.ExportGenesis(other.app.Ctx())
	require.NoError(t, err)
	require.Equal(t, exported, again)

	gov := authtypes.NewModuleAddress("gov").String()
	p := types.DefaultParams()
	p.WindowBlocks = 30
	_, err = f.msgs.UpdateParams(f.app.Ctx(), &types.MsgUpdateParams{Authority: f.consumer.String(), Params: p})
	require.ErrorIs(t, err, types.ErrUnauthorized)
	bad := p
	bad.MaxUnitsPerWindow = types.MaxMeasurements + 1
	_, err = f.msgs.UpdateParams(f.app.Ctx(), &types.MsgUpdateParams{Authority: gov, Params: bad})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	_, err = f.msgs.UpdateParams(f.app.Ctx(), &types.MsgUpdateParams{Authority: gov, Params: p})
	require.NoError(t, err)
}

// TestWindowRecordsFillSummaryBuckets writes a window end's records in one
// batch — several units of two providers — twice in the same bucket, and
// checks the unit and provider summaries and the buckets' time indexes.
func TestWindowRecordsFillSummaryBuckets(t *testing.T) {
	f := newFixture(t, 0, nil)
	k := f.app.OracleKeeper
	other := addr("other-provider")
	window := func(w uint64, latency uint32) []types.QoSRecord {
		return []types.QoSRecord{
			{UnitId: 1, Window: w, Provider: f.provider.String(), Time: f.app.Time, LatencyMs: latency, UptimeBps: 10_000},
			{UnitId: 2, Window: w, Provider: other.String(), Time: f.app.Time, LatencyMs: 100, UptimeBps: 5_000},
			{UnitId: 3, Window: w, Provider: f.provider.String(), Time: f.app.Time, LatencyMs: latency + 20, UptimeBps: 9_000},
		}
	}
	ctx := f.app.Ctx()
	require.NoError(t, k.WriteRecordsForTest(ctx, window(1, 10)))
	require.NoError(t, k.WriteRecordsForTest(ctx, window(2, 30)))

	summary := func(req *types.QueryQoSSummaryRequest) types.QoSSummary {
		req.Period = time.Hour
		res, err := f.queries.QoSSummary(ctx, req)
		require.NoError(t, err)
		return res.Summary
	}
	mine := summary(&types.QueryQoSSummaryRequest{Provider: f.provider.String()})
	require.Equal(t, uint64(4), mine.Records, "two units in two windows")
	require.Equal(t, uint32((10+30+30+50)/4), mine.LatencyMs)
	require.Equal(t, uint32((10_000+9_000)/2), mine.UptimeBps)
	theirs := summary(&types.QueryQoSSummaryRequest{Provider: other.String()})
	require.Equal(t, uint64(2), theirs.Records)
	require.Equal(t, uint32(5_000), theirs.UptimeBps)
	unit3 := summary(&types.QueryQoSSummaryRequest{UnitId: 3})
	require.Equal(t, uint64(2), unit3.Records)
	require.Equal(t, uint32((30+50)/2), unit3.LatencyMs)

	countKeys := func(walk func(func() (bool, error)) error) int {
		n := 0
		require.NoError(t, walk(func() (bool, error) { n++; return false, nil }))
		return n
	}
	unitIdx := countKeys(func(f func() (bool, error)) error {
		return k.UnitBucketsByTime.Walk(ctx, nil, func(collections.Pair[int64, uint64]) (bool, error) { return f() })
	})
	providerIdx := countKeys(func(f func() (bool, error)) error {
		return k.ProviderBucketsByTime.Walk(ctx, nil, func(collections.Pair[int64, sdk.AccAddress]) (bool, error) { return f() })
	})
	require.Equal(t, 3, unitIdx, "one time-index entry per unit bucket")
	require.Equal(t, 2, providerIdx, "one time-index entry per provider bucket")
}
