package keeper_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"
	storetypes "cosmossdk.io/store/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	orchkeeper "github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/keeper"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// Benchmarks of the leaderboard query, rank and end-block hook at scale;
// compare the 1k and 100k rows. Run with
//   go test ./x/reputation/keeper -run '^$' -bench . -benchtime 200x

// benchAddr is the i-th provider of the benchmarks; the addresses sort in
// the order of i.
func benchAddr(i int) sdk.AccAddress { return sdk.AccAddress(fmt.Appendf(nil, "provider-%014d", i)) }

// benchLeaderboard stores n provider scores spread over 0–100, with their
// leaderboard entries and per-score counts, and commits them.
func benchLeaderboard(b *testing.B, n int) *apptest.TestApp {
	b.Helper()
	a := apptest.Setup(b, apptest.Options{})
	setScores(b, a.Ctx(), a.ReputationKeeper, n)
	a.NextBlock(b)
	return a
}

// setScores stores the scores of benchAddr(0…n-1), spread over 0–100 (so
// over every reward band), as if one unit of each had a verdict.
func setScores(b *testing.B, ctx sdk.Context, k keeper.Keeper, n int) {
	b.Helper()
	var counts [types.MaxScore + 1]uint64
	for i := 0; i < n; i++ {
		addr := benchAddr(i)
		overall := uint32(i*7919) % 101
		ps := types.ProviderScore{
			Provider: addr.String(), Objective: overall, Overall: overall, UnitsScored: 1, UnitScoreSum: uint64(overall),
			Community: types.NewCommunityAccumulator(),
		}
		require.NoError(b, k.ProviderScores.Set(ctx, addr, ps))
		require.NoError(b, k.Leaderboard.Set(ctx, collections.Join(uint64(types.MaxScore-overall), addr)))
		counts[overall]++
	}
	for score, c := range counts {
		if c > 0 {
			require.NoError(b, k.ScoreCounts.Set(ctx, uint32(score), c))
		}
	}
}

func BenchmarkLeaderboardQuery(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("providers=%d/page=50", n), func(b *testing.B) {
			a := benchLeaderboard(b, n)
			q := keeper.NewQueryServerImpl(a.ReputationKeeper)
			ctx := a.Ctx()
			req := &types.QueryLeaderboardRequest{Pagination: &query.PageRequest{Limit: 50, CountTotal: true}}
			var gas uint64
			apptest.ResetTimer(b)
			for i := 0; i < b.N; i++ {
				gas += gasOf(b, ctx, func(ctx context.Context) error {
					res, err := q.Leaderboard(ctx, req)
					if err == nil && (len(res.Entries) != 50 || res.Pagination.Total != uint64(n)) {
						err = fmt.Errorf("%d entries of %d", len(res.Entries), res.Pagination.Total)
					}
					return err
				})
			}
			reportGas(b, gas)
		})
	}
}

func BenchmarkProviderScoreQuery(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("providers=%d", n), func(b *testing.B) {
			a := benchLeaderboard(b, n)
			q := keeper.NewQueryServerImpl(a.ReputationKeeper)
			ctx := a.Ctx()
			req := &types.QueryProviderScoreRequest{Provider: benchAddr(n / 2).String()}
			var gas uint64
			apptest.ResetTimer(b)
			for i := 0; i < b.N; i++ {
				gas += gasOf(b, ctx, func(ctx context.Context) error {
					_, err := q.ProviderScore(ctx, req)
					return err
				})
			}
			reportGas(b, gas)
		})
	}
}

// BenchmarkEndBlockNothingDue is the per-block cost of x/reputation when no
// rating ages and no reward round is pending.
func BenchmarkEndBlockNothingDue(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("providers=%d", n), func(b *testing.B) {
			a := benchLeaderboard(b, n)
			ctx := a.Ctx()
			var gas uint64
			apptest.ResetTimer(b)
			for i := 0; i < b.N; i++ {
				gas += gasOf(b, ctx, a.ReputationKeeper.EndBlock)
			}
			reportGas(b, gas)
		})
	}
}

// benchAccount is a funded account that is no provider: the consumer of the
// rated deals, and the reward pool's depositor.
var benchAccount = sdk.AccAddress("bench-consumer-account")

// benchProviders builds an app with n providers (benchAddr(0…n-1)), each
// registered with x/orchestrator through its msg server with a bond of
// 1,000 FLASH, and scored by setScores (reaching those scores through
// verdicts would take dozens of SLA rounds). It returns a context on the
// committed state.
func benchProviders(b *testing.B, n int) (*apptest.TestApp, sdk.Context) {
	b.Helper()
	addrs := make([]sdk.AccAddress, n)
	for i := range addrs {
		addrs[i] = benchAddr(i)
	}
	a := apptest.Setup(b, apptest.Options{
		Accounts: append(addrs, benchAccount),
		Balance:  sdk.NewCoins(uflash(1_000_000 * flash)),
	})
	orch := orchkeeper.NewMsgServerImpl(a.OrchestratorKeeper)
	apptest.InBatches(a.Ctx(), n, func(ctx sdk.Context, i int) {
		_, err := orch.RegisterProvider(ctx, &orchtypes.MsgRegisterProvider{Owner: addrs[i].String(), Name: "p", Bond: uflash(bond)})
		require.NoError(b, err)
	})
	setScores(b, a.Ctx(), a.ReputationKeeper, n)
	a.NextBlock(b)
	return a, a.Ctx()
}

// BenchmarkEndBlockRatingsDue measures a block in which max_work_per_block
// (200) ratings stop being recent: each leaves the ageing queue and moves
// to its provider's old community sums, with the provider's score and
// leaderboard entry. The 200 rated providers are spread over the n.
func BenchmarkEndBlockRatingsDue(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		// The setup is here, not in the sub-benchmark that Go runs twice.
		b.Run(fmt.Sprintf("providers=%d", n), func(b *testing.B) {
			a, ctx := benchProviders(b, n)
			params, err := a.ReputationKeeper.Params.Get(ctx)
			require.NoError(b, err)
			due := int(params.MaxWorkPerBlock)
			rated := rateDeals(b, a, ctx, n, due)
			a.NextBlock(b)
			// The first second at which every rating is old.
			at := a.Ctx().WithBlockTime(rated.Add(params.RecentRatingWindow))
			require.Equal(b, due, count(a.ReputationKeeper.RatingAging.Iterate(at, nil)), "ratings queued")
			b.Run(fmt.Sprintf("due=%d", due), func(b *testing.B) {
				last := timeEndBlock(b, at, a.ReputationKeeper)
				require.Zero(b, count(a.ReputationKeeper.RatingAging.Iterate(last, nil)), "every due rating aged")
			})
		})
	}
}

// timeEndBlock times b.N end blocks of k, each on a fresh cache of ctx (so
// each does the same work), reports their gas, and returns the last cache
// for the caller to check that the work was done.
func timeEndBlock(b *testing.B, ctx sdk.Context, k keeper.Keeper) sdk.Context {
	var gas uint64
	var last sdk.Context
	apptest.ResetTimer(b)
	for i := 0; i < b.N; i++ {
		last, _ = ctx.CacheContext()
		gas += gasOf(b, last, k.EndBlock)
	}
	b.StopTimer()
	reportGas(b, gas)
	return last
}

// rateDeals has benchAccount open a deal on a unit of each of `ratings`
// providers spread over the n, and rate it a minute later, through the msg
// servers. It returns the time of the ratings. The deals pay 33 uflash in
// that minute, so the setup lowers min_rating_payment to 1 (the work of a
// rating does not depend on its weight).
func rateDeals(b *testing.B, a *apptest.TestApp, ctx sdk.Context, n, ratings int) time.Time {
	b.Helper()
	orch := orchkeeper.NewMsgServerImpl(a.OrchestratorKeeper)
	msgs := keeper.NewMsgServerImpl(a.ReputationKeeper)
	params, err := a.ReputationKeeper.Params.Get(ctx)
	require.NoError(b, err)
	params.MinRatingPayment = sdkmath.OneInt()
	require.NoError(b, a.ReputationKeeper.Params.Set(ctx, params))
	rated := ctx.BlockTime().Add(time.Minute)
	rateCtx := ctx.WithBlockTime(rated)
	deals := make([]uint64, ratings)
	_, err = orch.RegisterConsumer(ctx, &orchtypes.MsgRegisterConsumer{Owner: benchAccount.String()})
	require.NoError(b, err)
	for i := 0; i < ratings; i++ {
		provider := benchAddr(i * n / ratings)
		unit, err := orch.CreateDataUnit(ctx, &orchtypes.MsgCreateDataUnit{
			Provider: provider.String(), CapacityGb: 1000, PricePerGbMonth: sdkmath.NewInt(20_000),
			Region: "eu-west", Country: "FR", Api: orchtypes.API_COMPATIBILITY_S3, Endpoint: "https://s3.example/unit",
			Sla: defaultSla(),
		})
		require.NoError(b, err)
		deal, err := orch.RequestDeal(ctx, &orchtypes.MsgRequestDeal{
			Consumer: benchAccount.String(), UnitId: unit.UnitId, CapacityGb: dealGB, Term: 30 * 24 * time.Hour,
			Sla: defaultSla(), Deposit: uflash(1_440_000),
		})
		require.NoError(b, err)
		_, err = orch.AcceptDeal(ctx, &orchtypes.MsgAcceptDeal{Provider: provider.String(), DealId: deal.DealId})
		require.NoError(b, err)
		deals[i] = deal.DealId
	}
	for i, id := range deals {
		_, err = msgs.RateProvider(rateCtx, &types.MsgRateProvider{Consumer: benchAccount.String(), DealId: id, Stars: uint32(1 + i%5)})
		require.NoError(b, err)
	}
	return rated
}

// BenchmarkEndBlockRewardRound measures a block of a reward round queued by
// the epoch hook: "phase=assess" assesses max_work_per_block (200)
// providers (by band: a reward recorded, a penalty taken from the bond into
// the pool, or nothing), "phase=pay" pays 200 of the rewards owed from the
// pool. Both run on committed state, as on chain.
func BenchmarkEndBlockRewardRound(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		// The setup is here, shared by both phases, not in the sub-benchmarks
		// that Go runs twice.
		b.Run(fmt.Sprintf("providers=%d", n), func(b *testing.B) {
			a, ctx := benchProviders(b, n)
			k := a.ReputationKeeper
			params, err := k.Params.Get(ctx)
			require.NoError(b, err)
			budget := int(params.MaxWorkPerBlock)
			round := func(ctx sdk.Context) types.RewardRound {
				r, err := k.RewardRounds.Get(ctx, 1)
				require.NoError(b, err)
				return r
			}
			// A pool that pays every reward in full, and the round of epoch
			// 1, whose first block assesses the first 200 providers.
			_, err = keeper.NewMsgServerImpl(k).FundRewardPool(ctx, &types.MsgFundRewardPool{Depositor: benchAccount.String(), Amount: uflash(100_000 * flash)})
			require.NoError(b, err)
			require.NoError(b, k.EpochHooks().AfterEpochEnd(ctx, params.RewardEpochIdentifier, 1))
			a.NextBlock(b)
			ctx = a.Ctx()
			require.Equal(b, benchAddr(budget-1).String(), round(ctx).Cursor)

			b.Run("phase=assess", func(b *testing.B) {
				last := timeEndBlock(b, ctx, k)
				r := round(last)
				require.Equal(b, benchAddr(2*budget-1).String(), r.Cursor, "assessed the next %d providers", budget)
				require.True(b, r.TotalDue.IsPositive() && r.Penalties.IsPositive(), "rewards and penalties: %v", r)
			})

			// Phase 0 up to its last provider (on one cache, written once:
			// hundreds of blocks at 100k), then a committed block that starts
			// phase 1 and pays the first 200 rewards.
			cacheCtx, write := ctx.WithEventManager(sdk.NewEventManager()).CacheContext()
			for round(cacheCtx).Cursor != benchAddr(n-1).String() {
				require.NoError(b, k.EndBlock(cacheCtx))
			}
			write()
			a.NextBlock(b)
			ctx = a.Ctx()
			require.EqualValues(b, 1, round(ctx).Phase)
			owed := count(k.PendingRewards.Iterate(ctx, nil))
			require.Greater(b, owed, budget, "more rewards owed than one block pays")

			b.Run("phase=pay", func(b *testing.B) {
				last := timeEndBlock(b, ctx, k)
				require.Equal(b, owed-budget, count(k.PendingRewards.Iterate(last, nil)), "paid %d rewards", budget)
				require.True(b, round(last).Paid.GT(round(ctx).Paid), "paid more")
			})
		})
	}
}

// count counts the entries an iterator has left and closes it; call it
// outside the timer, as count(m.Iterate(ctx, nil)).
func count(iter interface {
	Valid() bool
	Next()
	Close() error
}, err error) int {
	if err != nil {
		panic(err)
	}
	defer iter.Close()
	n := 0
	for ; iter.Valid(); iter.Next() {
		n++
	}
	return n
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
