package keeper_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

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

// rawStore is every key and value of the module's store, in key order.
func rawStore(t *testing.T, a *apptest.TestApp) [][2][]byte {
	t.Helper()
	it := a.Ctx().KVStore(a.GetKey(types.StoreKey)).Iterator(nil, nil)
	defer it.Close()
	var kvs [][2][]byte
	for ; it.Valid(); it.Next() {
		kvs = append(kvs, [2][]byte{bytes.Clone(it.Key()), bytes.Clone(it.Value())})
	}
	return kvs
}

// A governance change of recent_rating_window between ratings: each rating
// keeps the time it stops being recent from the window it was filed under,
// and an export imported into a fresh chain has the same store, ageing
// queue included, key by key (before recent_until, the import recomputed
// the queue from the window in force at export, and kept no entry for a
// hidden rating the running chain still held: make sim-import-export, seed
// 4). The imported chain then ages each rating when the original would.
func TestExportImportKeepsTheAgeingQueueAcrossAWindowChange(t *testing.T) {
	s := newSuite(t, flatRatingWeights, options{reputation: func(p *types.Params) { p.RecentRatingWindow = 10 * time.Hour }})
	unitID, first := s.market()
	deals := []uint64{first, s.openDeal(s.consumer, unitID), s.openDeal(s.consumer, unitID), s.openDeal(s.consumer, unitID)}
	s.block(time.Minute) // every deal has paid its provider something

	s.rate(s.consumer, deals[0], 5) // under the 10 h window
	p := s.params()
	p.RecentRatingWindow = 2 * time.Hour
	_, err := s.msgs.UpdateParams(s.ctx(), &types.MsgUpdateParams{Authority: s.gov, Params: p})
	require.NoError(t, err)
	s.block(time.Minute)
	s.rate(s.consumer, deals[1], 4) // under the 2 h window
	s.rate(s.consumer, deals[2], 1)
	s.rate(s.consumer, deals[3], 3)
	res, err := s.msgs.FileDispute(s.ctx(), &types.MsgFileDispute{
		Provider: s.provider.String(), Kind: types.DISPUTE_KIND_RATING, DealId: deals[2], Reason: "the consumer never used the unit",
	})
	require.NoError(t, err)
	s.resolve(s.arbiter, res.DisputeId, true) // hidden while recent: out of the queue
	s.block(time.Minute)

	k := s.app.ReputationKeeper
	ratedAt := func(deal uint64) types.Rating {
		r, err := k.Ratings.Get(s.ctx(), deal)
		require.NoError(t, err)
		return r
	}
	require.Equal(t, ratedAt(deals[0]).Time.Add(10*time.Hour).Unix(), ratedAt(deals[0]).RecentUntil, "filed under the 10 h window")
	require.Equal(t, ratedAt(deals[1]).Time.Add(2*time.Hour).Unix(), ratedAt(deals[1]).RecentUntil, "filed under the 2 h window")
	iter, err := k.RatingAging.Iterate(s.ctx(), nil)
	require.NoError(t, err)
	queue, err := iter.Keys()
	require.NoError(t, err)
	require.Equal(t, []collections.Pair[int64, uint64]{
		collections.Join(ratedAt(deals[1]).RecentUntil, deals[1]),
		collections.Join(ratedAt(deals[3]).RecentUntil, deals[3]),
		collections.Join(ratedAt(deals[0]).RecentUntil, deals[0]),
	}, queue, "the recent visible ratings, each at its own time; not the hidden one")

	exported, err := k.ExportGenesis(s.ctx())
	require.NoError(t, err)
	require.NoError(t, exported.Validate())
	cdc := app.MakeEncodingConfig().Codec
	fresh := apptest.Setup(t, apptest.Options{Mutate: func(g app.GenesisState) {
		g[types.ModuleName] = cdc.MustMarshalJSON(exported)
	}})
	require.Equal(t, rawStore(t, s.app), rawStore(t, fresh), "the imported store differs from the exported one")

	// Three hours on, both chains have aged the two 2 h ratings and not the
	// 10 h one.
	s.block(3 * time.Hour)
	fresh.BlockTime = s.app.Time.Sub(fresh.Time)
	fresh.NextBlock(t)
	for _, a := range []*apptest.TestApp{s.app, fresh} {
		for deal, recent := range map[uint64]bool{deals[0]: true, deals[1]: false, deals[3]: false} {
			r, err := a.ReputationKeeper.Ratings.Get(a.Ctx(), deal)
			require.NoError(t, err)
			require.Equal(t, recent, r.Recent, "deal %d", deal)
		}
	}
}
