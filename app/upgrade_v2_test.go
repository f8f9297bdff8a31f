package app_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"
	upgradetypes "cosmossdk.io/x/upgrade/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/app/upgrades"
	v2 "github.com/flashbacknetwork/flashbackd/app/upgrades/v2"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	"github.com/flashbacknetwork/flashbackd/x/reputation"
	reputationkeeper "github.com/flashbacknetwork/flashbackd/x/reputation/keeper"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// upgradeStars is the ratings pattern of the v1 providers: the i-th
// provider's ratings are upgradeStars[(i+j) % len] for j < ratings per
// provider; a negative entry is a hidden rating.
var upgradeStars = []int{5, 4, 3, -2, 5, 1, 4, 4, 5, 3}

// TestUpgradeV2MigratesReputation runs the v2 upgrade in process: a chain
// whose x/reputation store is at version 1 (provider scores without
// star_counts, as v1 wrote them) runs blocks; governance's plan halts the
// binary without the v2 handler at the plan height; the binary with it
// starts on the same database, migrates x/reputation 1 → 2, and the chain
// goes on with every invariant holding and every provider's star counts
// those of its visible ratings.
//
// The state has FLASHBACK_UPGRADE_PROVIDERS providers (default 2,000) with
// FLASHBACK_UPGRADE_RATINGS ratings each (default 5): 10k ratings. The test
// logs the migration's time; docs/upgrades.md has the figures.
func TestUpgradeV2MigratesReputation(t *testing.T) {
	providers, perProvider := envInt(t, "FLASHBACK_UPGRADE_PROVIDERS", 2_000), envInt(t, "FLASHBACK_UPGRADE_RATINGS", 5)
	saved := app.Upgrades
	t.Cleanup(func() { app.Upgrades = saved })

	// v1: the binary without the v2 upgrade.
	app.Upgrades = nil
	a := apptest.Setup(t, apptest.Options{})
	start := time.Now()
	writeV1Reputation(t, a, providers, perProvider)
	a.NextBlock(t)
	t.Logf("v1 state: %d providers, %d ratings written in %s", providers, providers*perProvider, time.Since(start).Round(time.Millisecond))

	// The store is v1's: no star counts, so the community invariant (a v2
	// invariant) does not hold yet.
	_, broken := reputationkeeper.CommunityInvariant(a.ReputationKeeper)(a.Ctx())
	require.True(t, broken, "the v1 store already has star counts")

	// Blocks run on the v1 state; governance schedules the upgrade.
	for i := 0; i < 3; i++ {
		a.NextBlock(t)
	}
	planHeight := a.Height + 3
	require.NoError(t, a.UpgradeKeeper.ScheduleUpgrade(a.Ctx(), upgradetypes.Plan{Name: v2.Name, Height: planHeight}))
	for a.Height < planHeight-1 {
		a.NextBlock(t)
	}
	_, err := a.TryNextBlock()
	require.ErrorContains(t, err, fmt.Sprintf(`UPGRADE "v2" NEEDED at height: %d`, planHeight))

	// v2: the binary with the upgrade, timed around the handler.
	var handlerTime time.Duration
	var fromVM, toVM module.VersionMap
	app.Upgrades = []upgrades.Upgrade{timed(v2.Upgrade, &handlerTime, &fromVM, &toVM)}
	a.Restart(t)
	blockStart := time.Now()
	a.NextBlock(t)
	blockTime := time.Since(blockStart)
	require.Equal(t, planHeight, a.Height)
	t.Logf("migration of %d providers and %d ratings: handler %s, upgrade block (FinalizeBlock + Commit) %s",
		providers, providers*perProvider, handlerTime.Round(time.Millisecond), blockTime.Round(time.Millisecond))

	require.Equal(t, uint64(1), fromVM[reputationtypes.ModuleName])
	require.Equal(t, uint64(reputation.ConsensusVersion), toVM[reputationtypes.ModuleName])
	vm, err := a.UpgradeKeeper.GetModuleVersionMap(a.Ctx())
	require.NoError(t, err)
	require.Equal(t, uint64(2), vm[reputationtypes.ModuleName])
	done, err := a.UpgradeKeeper.GetDoneHeight(a.Ctx(), v2.Name)
	require.NoError(t, err)
	require.Equal(t, planHeight, done)

	// Every provider's star counts are those of its visible ratings.
	ctx := a.Ctx()
	for i := 0; i < providers; i++ {
		ps, err := a.ReputationKeeper.ProviderScores.Get(ctx, upgradeProvider(i))
		require.NoError(t, err)
		want, _ := expectedStars(i, perProvider)
		require.Equal(t, want, ps.Community.StarCounts, "provider %d", i)
	}
	// Every recent visible rating carries the time v1 queued it to age at,
	// and the queue holds exactly those: an export imports as it was.
	var queued []collections.Pair[int64, uint64]
	for i := 0; i < providers; i++ {
		deal := uint64(i*perProvider + 1)
		r, err := a.ReputationKeeper.Ratings.Get(ctx, deal)
		require.NoError(t, err)
		if r.Hidden {
			require.Zero(t, r.RecentUntil, "deal %d", deal)
			continue
		}
		require.Equal(t, upgradeRecentUntil(deal), r.RecentUntil, "deal %d", deal)
		queued = append(queued, collections.Join(r.RecentUntil, deal))
	}
	iter, err := a.ReputationKeeper.RatingAging.Iterate(ctx, nil)
	require.NoError(t, err)
	queue, err := iter.Keys()
	require.NoError(t, err)
	require.ElementsMatch(t, queued, queue)
	exported, err := a.ReputationKeeper.ExportGenesis(ctx)
	require.NoError(t, err)
	require.NoError(t, exported.Validate())
	a.CheckInvariants(t)

	// The chain goes on (the keeper tests show v2's code keeping the counts
	// as ratings come and are hidden).
	for i := 0; i < 3; i++ {
		a.NextBlock(t)
	}
	a.CheckInvariants(t)
}

// timed wraps an upgrade's handler to measure it and keep its version maps.
func timed(u upgrades.Upgrade, took *time.Duration, from, to *module.VersionMap) upgrades.Upgrade {
	create := u.CreateHandler
	u.CreateHandler = func(deps upgrades.Deps) upgradetypes.UpgradeHandler {
		h := create(deps)
		return func(ctx context.Context, plan upgradetypes.Plan, fromVM module.VersionMap) (module.VersionMap, error) {
			*from = module.VersionMap{}
			for k, v := range fromVM {
				(*from)[k] = v
			}
			start := time.Now()
			vm, err := h(ctx, plan, fromVM)
			*took = time.Since(start)
			*to = vm
			return vm, err
		}
	}
	return u
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, name)
	return n
}

func upgradeProvider(i int) sdk.AccAddress {
	return sdk.AccAddress(fmt.Appendf(nil, "upgrade-prov-%07d", i))
}

// expectedStars is provider i's visible ratings by stars, and their number.
func expectedStars(i, perProvider int) ([]uint64, uint64) {
	counts := make([]uint64, reputationtypes.MaxStars)
	var visible uint64
	for j := 0; j < perProvider; j++ {
		if st := upgradeStars[(i+j)%len(upgradeStars)]; st > 0 {
			counts[st-1]++
			visible++
		}
	}
	return counts, visible
}

// upgradeRecentAt is when the v1 providers' recent ratings were filed; v1
// queued each to age at its time plus the window then in force, which
// governance changed between them (40 or 41 days: past the end of the test).
var upgradeRecentAt = apptest.GenesisTime.Add(-time.Hour)

func upgradeRecentUntil(deal uint64) int64 {
	return upgradeRecentAt.Add(time.Duration(40+deal%2) * 24 * time.Hour).Unix()
}

// writeV1Reputation writes provider scores and ratings as x/reputation v1
// kept them (scores without star_counts; sums, counts, leaderboard and
// indexes consistent), and sets the module's stored version to 1, as a chain
// started on v1 has it.
func writeV1Reputation(t *testing.T, a *apptest.TestApp, providers, perProvider int) {
	t.Helper()
	k := a.ReputationKeeper
	params, err := k.Params.Get(a.Ctx())
	require.NoError(t, err)
	ratedAt := apptest.GenesisTime.Add(-90 * 24 * time.Hour) // old ratings: no longer recent
	scoreCounts := map[uint32]uint64{}
	overalls := make([]uint32, providers)
	apptest.InBatches(a.Ctx(), providers, func(ctx sdk.Context, i int) {
		addr := upgradeProvider(i)
		z := sdkmath.LegacyZeroDec()
		acc := reputationtypes.CommunityAccumulator{RecentWeightedStars: z, RecentWeight: z, OldWeightedStars: z, OldWeight: z}
		for j := 0; j < perProvider; j++ {
			st := upgradeStars[(i+j)%len(upgradeStars)]
			deal := uint64(i*perProvider + j + 1)
			r := reputationtypes.Rating{
				DealId: deal, Provider: addr.String(), Consumer: sdk.AccAddress(fmt.Appendf(nil, "upgrade-cons-%07d", deal)).String(),
				Stars: uint32(max(st, -st)), Hidden: st < 0, Time: ratedAt,
				Weight: sdkmath.LegacyOneDec(), Paid: params.MinRatingPayment,
			}
			if j == 0 {
				// Each provider's first rating is recent, queued to age
				// at upgradeRecentUntil(deal) as v1 did (a hidden one
				// stays queued in v1).
				r.Time, r.Recent = upgradeRecentAt, !r.Hidden
				require.NoError(t, k.RatingAging.Set(ctx, collections.Join(upgradeRecentUntil(deal), deal)))
			}
			require.NoError(t, k.Ratings.Set(ctx, deal, r))
			require.NoError(t, k.RatingsByProvider.Set(ctx, collections.Join(addr, deal)))
			switch {
			case r.Hidden:
			case r.Recent:
				acc.RecentWeightedStars = acc.RecentWeightedStars.Add(r.Weight.MulInt64(int64(r.Stars)))
				acc.RecentWeight = acc.RecentWeight.Add(r.Weight)
				acc.Count++
			default:
				acc.OldWeightedStars = acc.OldWeightedStars.Add(r.Weight.MulInt64(int64(r.Stars)))
				acc.OldWeight = acc.OldWeight.Add(r.Weight)
				acc.Count++
			}
		}
		ps := reputationtypes.ProviderScore{Provider: addr.String(), Community: acc}
		ps.Objective = params.BaselineScore
		ps.CommunityScore = acc.Score(params.RecentRatingWeight)
		ps.CommunityPublic = acc.Count >= uint64(params.MinPublicRatings)
		ps.Overall = params.Overall(ps.Objective, ps.CommunityScore, ps.CommunityPublic)
		require.NoError(t, k.ProviderScores.Set(ctx, addr, ps))
		require.NoError(t, k.Leaderboard.Set(ctx, collections.Join(uint64(reputationtypes.MaxScore-ps.Overall), addr)))
		overalls[i] = ps.Overall
	})
	for _, o := range overalls {
		scoreCounts[o]++
	}
	ctx := a.Ctx()
	for score := uint32(0); score <= reputationtypes.MaxScore; score++ {
		if n := scoreCounts[score]; n > 0 {
			prev, err := k.ScoreCounts.Get(ctx, score)
			if err != nil {
				prev = 0
			}
			require.NoError(t, k.ScoreCounts.Set(ctx, score, prev+n))
		}
	}
	vm, err := a.UpgradeKeeper.GetModuleVersionMap(ctx)
	require.NoError(t, err)
	vm[reputationtypes.ModuleName] = 1
	require.NoError(t, a.UpgradeKeeper.SetModuleVersionMap(ctx, vm))
}
