package keeper

import (
	"context"
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// Invariants read whole collections, so they never run in a block hook.
// They run, through AllInvariants, after every block of the keeper and app
// tests (apptest.CheckInvariants) and of the simulation (app/sim_app_test.go).
// The app wires no x/crisis, so nothing registers them with a node.

// AllInvariants runs every invariant of the module.
func AllInvariants(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		for _, inv := range []sdk.Invariant{PoolInvariant(k), LeaderboardInvariant(k), CommunityInvariant(k)} {
			if msg, broken := inv(ctx); broken {
				return msg, true
			}
		}
		return "", false
	}
}

// PoolInvariant: the module account holds exactly the reward pool in the
// market denom (money is neither created nor lost by the module).
func PoolInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		msg, broken, err := k.checkPool(ctx)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "reward-pool", err.Error()), true
		}
		return sdk.FormatInvariant(types.ModuleName, "reward-pool", msg), broken
	}
}

func (k Keeper) checkPool(ctx context.Context) (string, bool, error) {
	pool, err := k.Pool.Get(ctx)
	if err != nil {
		return "", false, err
	}
	denom, err := k.orchestrator.MarketDenom(ctx)
	if err != nil {
		return "", false, err
	}
	held := k.bank.GetBalance(ctx, k.moduleAddr, denom).Amount
	if !held.Equal(pool) {
		return fmt.Sprintf("module account holds %s%s, the reward pool is %s%s", held, denom, pool, denom), true, nil
	}
	return fmt.Sprintf("reward pool %s%s held", pool, denom), false, nil
}

// LeaderboardInvariant: every provider score has exactly one leaderboard
// entry at its overall score, and the per-score counts add up.
func LeaderboardInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		msg, broken, err := k.checkLeaderboard(ctx)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "leaderboard", err.Error()), true
		}
		return sdk.FormatInvariant(types.ModuleName, "leaderboard", msg), broken
	}
}

func (k Keeper) checkLeaderboard(ctx context.Context) (string, bool, error) {
	counts := make([]uint64, types.MaxScore+1)
	var providers uint64
	iter, err := k.ProviderScores.Iterate(ctx, nil)
	if err != nil {
		return "", false, err
	}
	defer iter.Close()
	for ; iter.Valid(); iter.Next() {
		kv, err := iter.KeyValue()
		if err != nil {
			return "", false, err
		}
		ps := kv.Value
		if ps.Overall > types.MaxScore {
			return fmt.Sprintf("provider %s has overall %d", ps.Provider, ps.Overall), true, nil
		}
		has, err := k.Leaderboard.Has(ctx, joinLeaderboard(ps.Overall, kv.Key))
		if err != nil {
			return "", false, err
		}
		if !has {
			return fmt.Sprintf("provider %s (overall %d) is missing from the leaderboard", ps.Provider, ps.Overall), true, nil
		}
		counts[ps.Overall]++
		providers++
	}
	for score, n := range counts {
		got, err := k.ScoreCounts.Get(ctx, uint32(score))
		if err != nil && n > 0 {
			return fmt.Sprintf("no count for score %d, want %d", score, n), true, nil
		}
		if n > 0 && got != n {
			return fmt.Sprintf("count for score %d is %d, want %d", score, got, n), true, nil
		}
	}
	size, err := k.leaderboardSize(ctx)
	if err != nil {
		return "", false, err
	}
	if size != providers {
		return fmt.Sprintf("leaderboard counts %d providers, %d have scores", size, providers), true, nil
	}
	return fmt.Sprintf("%d providers ranked", providers), false, nil
}
