package keeper_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	storetypes "cosmossdk.io/store/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	"github.com/flashbacknetwork/flashbackd/x/reputation/keeper"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// Benchmarks of the leaderboard query and rank at scale; compare the 1k and
// 100k rows. Run with
//   go test ./x/reputation/keeper -run '^$' -bench . -benchtime 200x

// benchLeaderboard stores n provider scores spread over 0–100, with their
// leaderboard entries and per-score counts, and commits them.
func benchLeaderboard(b *testing.B, n int) *apptest.TestApp {
	b.Helper()
	a := apptest.Setup(b, apptest.Options{})
	ctx := a.Ctx()
	k := a.ReputationKeeper
	var counts [types.MaxScore + 1]uint64
	for i := 0; i < n; i++ {
		addr := sdk.AccAddress(fmt.Appendf(nil, "provider-%014d", i))
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
	a.NextBlock(b)
	return a
}

func BenchmarkLeaderboardQuery(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("providers=%d/page=50", n), func(b *testing.B) {
			a := benchLeaderboard(b, n)
			q := keeper.NewQueryServerImpl(a.ReputationKeeper)
			ctx := a.Ctx()
			req := &types.QueryLeaderboardRequest{Pagination: &query.PageRequest{Limit: 50, CountTotal: true}}
			var gas uint64
			b.ResetTimer()
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
			req := &types.QueryProviderScoreRequest{Provider: sdk.AccAddress(fmt.Appendf(nil, "provider-%014d", n/2)).String()}
			var gas uint64
			b.ResetTimer()
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
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				gas += gasOf(b, ctx, a.ReputationKeeper.EndBlock)
			}
			reportGas(b, gas)
		})
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
