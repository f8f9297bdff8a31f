package keeper_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

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
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := q.Leaderboard(ctx, req)
				if err != nil || len(res.Entries) != 50 || res.Pagination.Total != uint64(n) {
					b.Fatalf("%v %d", err, len(res.Entries))
				}
			}
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
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := q.ProviderScore(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
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
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := a.ReputationKeeper.EndBlock(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
