package keeper_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// Export → import → export gives the same state, indexes rebuilt: scores,
// history, ratings (recent and aged), disputes of each status, the pool.
func TestGenesisRoundTrip(t *testing.T) {
	s := newSuite(t, flatRatingWeights)
	unitID, dealID := s.market()
	s.fundPool(10 * flash)
	critical := s.criticalEpoch(unitID)
	s.rate(s.consumer, dealID, 4)
	id := s.fileVerdictDispute(s.provider, unitID, critical)
	s.resolve(s.arbiter, id, false)
	s.epochs(2, unitID, qosExceeded)

	exported, err := s.app.ReputationKeeper.ExportGenesis(s.ctx())
	require.NoError(t, err)
	require.NoError(t, exported.Validate())
	require.NotEmpty(t, exported.UnitScores)
	require.NotEmpty(t, exported.ProviderScores)
	require.NotEmpty(t, exported.History)
	require.Len(t, exported.Ratings, 1)
	require.Len(t, exported.Disputes, 1)
	require.Equal(t, uint64(2), exported.NextDisputeId)
	require.True(t, exported.Pool.IsPositive())

	cdc := app.MakeEncodingConfig().Codec
	fresh := apptest.Setup(t, apptest.Options{Mutate: func(g app.GenesisState) {
		g[types.ModuleName] = cdc.MustMarshalJSON(exported)
	}})
	again, err := fresh.ReputationKeeper.ExportGenesis(fresh.Ctx())
	require.NoError(t, err)
	require.Equal(t, exported.String(), again.String())

	// The indexes were rebuilt: rank, leaderboard, ratings by provider,
	// disputes by target (a second dispute of the same verdict is refused).
	q := fresh.ReputationKeeper
	rank, err := q.Rank(fresh.Ctx(), exported.ProviderScores[0].Overall)
	require.NoError(t, err)
	require.Equal(t, uint64(1), rank)
	has, err := q.RatingsByProvider.Has(fresh.Ctx(), collections.Join(s.provider, dealID))
	require.NoError(t, err)
	require.True(t, has)
	target, err := q.DisputeByTarget.Get(fresh.Ctx(), fmt.Sprintf("verdict/%d/%d", unitID, critical))
	require.NoError(t, err)
	require.Equal(t, id, target)
}

func TestGenesisValidate(t *testing.T) {
	good := types.DefaultGenesis()
	require.NoError(t, good.Validate())
	for name, mutate := range map[string]func(*types.GenesisState){
		"next dispute id 0":  func(g *types.GenesisState) { g.NextDisputeId = 0 },
		"dispute id too big": func(g *types.GenesisState) { g.Disputes = []types.Dispute{{Id: 1}} },
		"duplicate unit": func(g *types.GenesisState) {
			g.UnitScores = []types.UnitScore{{UnitId: 1, Score: 50}, {UnitId: 1, Score: 50}}
		},
		"score over 100": func(g *types.GenesisState) { g.UnitScores = []types.UnitScore{{UnitId: 1, Score: 101}} },
		"rating 6 stars": func(g *types.GenesisState) {
			g.Ratings = []types.Rating{{DealId: 1, Stars: 6, Weight: sdkmath.LegacyOneDec()}}
		},
		"rating without weight": func(g *types.GenesisState) {
			g.Ratings = []types.Rating{{DealId: 1, Stars: 5, Paid: sdkmath.OneInt()}}
		},
		"rating of zero weight": func(g *types.GenesisState) {
			g.Ratings = []types.Rating{{DealId: 1, Stars: 5, Weight: sdkmath.LegacyZeroDec(), Paid: sdkmath.OneInt()}}
		},
		"rating with a negative payment": func(g *types.GenesisState) {
			g.Ratings = []types.Rating{{DealId: 1, Stars: 5, Weight: sdkmath.LegacyOneDec(), Paid: sdkmath.NewInt(-1)}}
		},
		"duplicate rating": func(g *types.GenesisState) {
			r := types.Rating{DealId: 1, Stars: 5, Weight: sdkmath.LegacyOneDec(), Paid: sdkmath.OneInt()}
			g.Ratings = []types.Rating{r, r}
		},
		"min rating payment 0": func(g *types.GenesisState) { g.Params.MinRatingPayment = sdkmath.ZeroInt() },
		"negative pool":        func(g *types.GenesisState) { g.Pool = sdkmath.NewInt(-1) },
		"bad params":           func(g *types.GenesisState) { g.Params.MinPublicRatings = 0 },
		// A genesis exported before the v2 upgrade has no star counts.
		"provider score without star counts": func(g *types.GenesisState) {
			acc := types.NewCommunityAccumulator()
			acc.StarCounts, acc.Count = nil, 0
			g.ProviderScores = []types.ProviderScore{{Provider: "flash1provider", Community: acc}}
		},
		"star counts not adding up to the count": func(g *types.GenesisState) {
			acc := types.NewCommunityAccumulator()
			acc.StarCounts[4], acc.Count = 2, 3
			g.ProviderScores = []types.ProviderScore{{Provider: "flash1provider", Community: acc}}
		},
	} {
		gs := types.DefaultGenesis()
		mutate(gs)
		require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis, name)
	}

	v1 := types.DefaultGenesis()
	acc := types.NewCommunityAccumulator()
	acc.StarCounts = nil
	v1.ProviderScores = []types.ProviderScore{{Provider: "flash1provider", Community: acc}}
	require.ErrorContains(t, v1.Validate(), "provider score flash1provider: star_counts has 0 entries, want 5")
}
