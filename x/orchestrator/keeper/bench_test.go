package keeper_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"
	storetypes "cosmossdk.io/store/types"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Benchmarks of the per-block hook and the marketplace query at scale. They
// report time per call; compare the 1k and 100k rows for scaling. Run with
//   go test ./x/orchestrator/keeper -run '^$' -bench . -benchtime 200x

var regions = []string{"eu-west", "eu-central", "us-east", "us-west", "ap-south", "ap-east", "sa-east", "af-south", "me-central", "oc-east"}

// benchMarket builds an app with `units` data units (10 regions, 10
// providers) and `deals` running deals, spread round-robin over the units,
// whose terms end in a year, so that nothing is due for a long time, and one
// open request.
func benchMarket(b *testing.B, units, deals int) (*apptest.TestApp, []uint64) {
	b.Helper()
	providers := make([]sdk.AccAddress, 10)
	for i := range providers {
		providers[i] = newAddr()
	}
	consumer := newAddr()
	a := apptest.Setup(b, apptest.Options{
		Accounts: append(providers, consumer),
		Balance:  sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000_000_000_000_000)),
		// SLA rounds read slaOracle's QoS (the costliest path).
		AppOptions: map[string]any{app.OracleReaderOption: slaOracle{}},
		Mutate: func(g app.GenesisState) {
			gs := types.DefaultGenesis()
			gs.Params.MaxUnitsPerProvider = 100_000
			gs.Params.MaxDuePerBlock = 10_000
			gs.Params.UnitSubmissionFee = sdk.NewInt64Coin(app.BondDenom, 0)
			g[types.ModuleName] = app.MakeEncodingConfig().Codec.MustMarshalJSON(gs)
		},
	})
	msgs := keeper.NewMsgServerImpl(a.OrchestratorKeeper)
	ctx := a.Ctx()
	for _, p := range providers {
		_, err := msgs.RegisterProvider(ctx, &types.MsgRegisterProvider{Owner: p.String(), Name: "p", Bond: uflash(1_000 * flash)})
		require.NoError(b, err)
	}
	_, err := msgs.RegisterConsumer(ctx, &types.MsgRegisterConsumer{Owner: consumer.String()})
	require.NoError(b, err)
	unitIDs := make([]uint64, units)
	apptest.InBatches(ctx, units, func(ctx sdk.Context, i int) {
		m := unitMsg(providers[i%len(providers)])
		m.Region = regions[i%len(regions)]
		m.CapacityGb = 1_000_000
		if i%7 == 0 {
			m.PriorityFee = uflashPtr(int64(10_000 + i))
		}
		res, err := msgs.CreateDataUnit(ctx, m)
		require.NoError(b, err)
		unitIDs[i] = res.UnitId
	})
	apptest.InBatches(ctx, deals, func(ctx sdk.Context, i int) {
		unit := unitIDs[i%len(unitIDs)]
		m := dealMsg(consumer, unit)
		m.CapacityGb, m.Term, m.Deposit = 1, 365*day, uflash(20_000)
		res, err := msgs.RequestDeal(ctx, m)
		require.NoError(b, err)
		_, err = msgs.AcceptDeal(ctx, &types.MsgAcceptDeal{Provider: providers[(i%len(unitIDs))%len(providers)].String(), DealId: res.DealId})
		require.NoError(b, err)
	})
	// One request is left open, and the request cursor waits at it, as on a
	// running chain: the cursor keeps pace with the requests, reading each
	// deal once, and had long passed the ones accepted here (which a
	// benchmark iteration on a cache context would otherwise re-read).
	open, err := msgs.RequestDeal(ctx, dealMsg(consumer, unitIDs[0]))
	require.NoError(b, err)
	require.NoError(b, a.OrchestratorKeeper.RequestCursor.Set(ctx, open.DealId))
	a.NextBlock(b)
	return a, unitIDs
}

// sizes are the scales of the per-block benchmarks: 1k, 10k and 100k.
var sizes = []int{1_000, 10_000, 100_000}

// lastFixture is the state the last sub-benchmark built, under its name.
var lastFixture struct {
	name  string
	value any
}

// fixture returns build(), built once per sub-benchmark: Go runs a
// benchmark's body with b.N = 1 before the -benchtime count, and at 100k the
// setup is most of a run. Only the last fixture is kept, to bound memory;
// the benchmark must leave it unchanged (iterate on a CacheContext).
func fixture[T any](b *testing.B, build func() T) T {
	b.Helper()
	if lastFixture.name == b.Name() {
		return lastFixture.value.(T)
	}
	lastFixture.name, lastFixture.value = "", nil // freed before the next build
	v := build()
	lastFixture.name, lastFixture.value = b.Name(), v
	return v
}

// marketSize is one scale of the end-block benchmarks.
type marketSize struct {
	name         string
	units, deals int
}

// marketSizes are n deals on 100 units ("deals=n"), and n deals on n units,
// one deal per unit ("deals=n/units=n"), so that both the deal and the unit
// count reach 100k.
func marketSizes() []marketSize {
	var out []marketSize
	for _, n := range sizes {
		out = append(out,
			marketSize{fmt.Sprintf("deals=%d", n), 100, n},
			marketSize{fmt.Sprintf("deals=%d/units=%d", n, n), n, n})
	}
	return out
}

// BenchmarkEndBlockNothingDue measures the module's whole end block (fee
// sweep, due queue, SLA round) in a block where none of them has work.
func BenchmarkEndBlockNothingDue(b *testing.B) {
	for _, size := range marketSizes() {
		b.Run(size.name, func(b *testing.B) {
			a := fixture(b, func() *apptest.TestApp {
				a, _ := benchMarket(b, size.units, size.deals)
				return a
			})
			ctx := a.Ctx().WithBlockTime(a.Time.Add(time.Hour))
			var gas uint64
			apptest.ResetTimer(b)
			for i := 0; i < b.N; i++ {
				gas += gasOf(b, ctx, a.OrchestratorKeeper.EndBlock)
			}
			reportGas(b, gas)
		})
	}
}

// BenchmarkEndBlockDue measures a block that closes `due` deals at their
// term's end (each iteration on a cache of the same state).
func BenchmarkEndBlockDue(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("deals=%d/due=1000", n), func(b *testing.B) {
			a := fixture(b, func() *apptest.TestApp {
				a, _ := benchMarket(b, 100, n)
				// 1,000 of the deals end one hour from now.
				msgs := keeper.NewMsgServerImpl(a.OrchestratorKeeper)
				ctx := a.Ctx()
				var dueIDs []uint64
				iter, err := a.OrchestratorKeeper.Deals.Iterate(ctx, nil)
				require.NoError(b, err)
				for ; iter.Valid() && len(dueIDs) < 1000; iter.Next() {
					id, _ := iter.Key()
					dueIDs = append(dueIDs, id)
				}
				iter.Close()
				for _, id := range dueIDs {
					d, err := a.OrchestratorKeeper.Deals.Get(ctx, id)
					require.NoError(b, err)
					_, err = msgs.CloseDeal(ctx, &types.MsgCloseDeal{Sender: d.Consumer, DealId: id})
					require.NoError(b, err)
				}
				a.NextBlock(b)
				return a
			})
			at := a.Ctx().WithBlockTime(a.Time.Add(25 * time.Hour))
			var gas uint64
			apptest.ResetTimer(b)
			for i := 0; i < b.N; i++ {
				cacheCtx, _ := at.CacheContext()
				gas += gasOf(b, cacheCtx, a.OrchestratorKeeper.EndBlock)
			}
			reportGas(b, gas)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/deal-closed")
		})
	}
}

func BenchmarkMarketplaceQuery(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("units=%d/region", n), func(b *testing.B) {
			a := fixture(b, func() *apptest.TestApp {
				a, _ := benchMarket(b, n, 0)
				return a
			})
			q := keeper.NewQueryServerImpl(a.OrchestratorKeeper)
			ctx := a.Ctx()
			req := &types.QueryDataUnitsRequest{Region: "eu-west", MaxPrice: sdkmath.NewInt(50_000).String()}
			var gas uint64
			apptest.ResetTimer(b)
			for i := 0; i < b.N; i++ {
				gas += gasOf(b, ctx, func(ctx context.Context) error {
					res, err := q.DataUnits(ctx, req)
					if err == nil && len(res.DataUnits) != 50 {
						err = fmt.Errorf("%d units, want 50", len(res.DataUnits))
					}
					return err
				})
			}
			reportGas(b, gas)
		})
	}
}

// slaOracle reports the same agreed QoS for every unit: a missed latency
// bound, so that every deal check refunds (the costliest path).
type slaOracle struct{}

func (slaOracle) UnitSummary(_ context.Context, _ uint64, from, to time.Time) (oracletypes.QoSSummary, error) {
	return oracletypes.QoSSummary{
		Records: 30, LatencyMs: 150, UploadKbps: 85_000, DownloadKbps: 170_000, UptimeBps: 9_992, ErrorRateBps: 9, From: from, To: to,
	}, nil
}

// startSlaRound queues the SLA round of the day epoch that just ended
// (benchMarket's app reads slaOracle's QoS).
func startSlaRound(b *testing.B, a *apptest.TestApp) sdk.Context {
	b.Helper()
	ctx := a.Ctx().WithBlockTime(a.Time.Add(24 * time.Hour))
	require.NoError(b, a.OrchestratorKeeper.EpochHooks().AfterEpochEnd(ctx, "day", 1))
	return ctx
}

// BenchmarkSlaEpochBlock measures one block of an SLA round: 200 deal checks
// (max_verdicts_per_block), each settling the deal, evaluating its SLA,
// refunding the consumer and writing the verdict. The blocks/epoch metric
// is measured: after the timed blocks, the whole round runs once more on a
// cached copy and its end blocks are counted (roundBlocks).
func BenchmarkSlaEpochBlock(b *testing.B) {
	type state struct {
		a   *apptest.TestApp
		ctx sdk.Context
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("deals=%d", n), func(b *testing.B) {
			st := fixture(b, func() state {
				a, _ := benchMarket(b, 100, n)
				return state{a, startSlaRound(b, a)}
			})
			a, ctx := st.a, st.ctx
			params, err := a.OrchestratorKeeper.Params.Get(ctx)
			require.NoError(b, err)
			var gas uint64
			apptest.ResetTimer(b)
			for i := 0; i < b.N; i++ {
				cacheCtx, _ := ctx.CacheContext()
				gas += gasOf(b, cacheCtx, a.OrchestratorKeeper.ProcessSla)
			}
			elapsed := b.Elapsed()
			reportGas(b, gas)
			b.StopTimer()
			roundCtx, _ := ctx.CacheContext()
			b.ReportMetric(float64(roundBlocks(b, a, roundCtx)), "blocks/epoch")
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N)/float64(params.MaxVerdictsPerBlock), "ns/check")
		})
	}
}

// BenchmarkSlaEpochWhole runs a whole SLA round block by block (run it with
// -benchtime 1x): total time, and the slowest block. The round checks every
// deal, then every unit, so "deals=n/units=n" includes the unit phase at
// scale.
func BenchmarkSlaEpochWhole(b *testing.B) {
	for _, size := range marketSizes() {
		b.Run(size.name, func(b *testing.B) {
			a, _ := benchMarket(b, size.units, size.deals)
			base := startSlaRound(b, a)
			apptest.ResetTimer(b)
			var blocks int
			var slowest time.Duration
			for i := 0; i < b.N; i++ {
				ctx, _ := base.CacheContext()
				blocks = 0
				for {
					pending, err := a.OrchestratorKeeper.SlaRoundPending(ctx)
					require.NoError(b, err)
					if !pending {
						break
					}
					start := time.Now()
					if err := a.OrchestratorKeeper.ProcessSla(ctx); err != nil {
						b.Fatal(err)
					}
					slowest = max(slowest, time.Since(start))
					blocks++
				}
			}
			b.ReportMetric(float64(blocks), "blocks/epoch")
			b.ReportMetric(float64(slowest.Microseconds())/1000, "ms/slowest-block")
		})
	}
}

// roundBlocks runs the SLA rounds pending on ctx to their end, one
// ProcessSla (one end block's SLA step) at a time, and returns how many it
// took.
func roundBlocks(b *testing.B, a *apptest.TestApp, ctx sdk.Context) int {
	blocks := 0
	for {
		pending, err := a.OrchestratorKeeper.SlaRoundPending(ctx)
		require.NoError(b, err)
		if !pending {
			return blocks
		}
		require.NoError(b, a.OrchestratorKeeper.ProcessSla(ctx))
		blocks++
	}
}

// gasOf runs f on ctx with a fresh gas meter and returns the gas its store
// accesses cost (the KV gas schedule of a transaction).
func gasOf(b *testing.B, ctx sdk.Context, f func(context.Context) error) uint64 {
	ctx = ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	if err := f(ctx); err != nil {
		b.Fatal(err)
	}
	return ctx.GasMeter().GasConsumed()
}

func reportGas(b *testing.B, total uint64) {
	b.ReportMetric(float64(total)/float64(b.N), "gas/op")
}
