package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// InitGenesis writes a validated genesis state into the store and rebuilds
// the indexes: leaderboard and per-score counts, ratings by provider and the
// ageing queue, disputes by provider, status and target.
func (k Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, us := range gs.UnitScores {
		if err := k.UnitScores.Set(ctx, us.UnitId, us); err != nil {
			return err
		}
	}
	for _, ps := range gs.ProviderScores {
		addr, err := k.accAddress(ps.Provider)
		if err != nil {
			return err
		}
		if err := k.ProviderScores.Set(ctx, addr, ps); err != nil {
			return err
		}
		if err := k.leaderboardAdd(ctx, addr, ps.Overall); err != nil {
			return err
		}
	}
	for _, h := range gs.History {
		addr, err := k.accAddress(h.Provider)
		if err != nil {
			return err
		}
		if err := k.History.Set(ctx, collections.Join(addr, h.Point.Epoch), h.Point); err != nil {
			return err
		}
	}
	for _, r := range gs.Ratings {
		addr, err := k.accAddress(r.Provider)
		if err != nil {
			return err
		}
		if err := k.Ratings.Set(ctx, r.DealId, r); err != nil {
			return err
		}
		if err := k.RatingsByProvider.Set(ctx, collections.Join(addr, r.DealId)); err != nil {
			return err
		}
		// The queue holds the recent visible ratings at the time each was
		// filed with (not one recomputed from today's window).
		if r.Recent && !r.Hidden {
			if err := k.RatingAging.Set(ctx, collections.Join(r.RecentUntil, r.DealId)); err != nil {
				return err
			}
		}
	}
	for _, d := range gs.Disputes {
		if err := k.setDispute(ctx, nil, d); err != nil {
			return err
		}
		if err := k.DisputeByTarget.Set(ctx, disputeTarget(d), d.Id); err != nil {
			return err
		}
		// x/orchestrator's genesis, imported first, holds the verdict: keep
		// it from pruning until the dispute is resolved.
		if d.Kind == types.DISPUTE_KIND_VERDICT && d.Status == types.DISPUTE_STATUS_OPEN {
			if err := k.orchestrator.HoldVerdict(ctx, d.UnitId, d.Epoch); err != nil {
				return err
			}
		}
	}
	if err := k.NextDisputeID.Set(ctx, gs.NextDisputeId); err != nil {
		return err
	}
	for _, r := range gs.RewardRounds {
		if err := k.RewardRounds.Set(ctx, r.Epoch, r); err != nil {
			return err
		}
	}
	for _, p := range gs.PendingRewards {
		addr, err := k.accAddress(p.Provider)
		if err != nil {
			return err
		}
		if err := k.PendingRewards.Set(ctx, addr, p.Amount); err != nil {
			return err
		}
	}
	last := gs.LastRound
	if last.Balance.IsNil() {
		last = types.RewardPoolInfo{Balance: sdkmath.ZeroInt(), LastPaid: sdkmath.ZeroInt(), LastDue: sdkmath.ZeroInt(), LastPenalties: sdkmath.ZeroInt()}
	}
	if err := k.LastRound.Set(ctx, last); err != nil {
		return err
	}
	pool := gs.Pool
	if pool.IsNil() {
		pool = sdkmath.ZeroInt()
	}
	return k.Pool.Set(ctx, pool)
}

// disputeTarget names what a dispute is about; one dispute per target.
func disputeTarget(d types.Dispute) string {
	if d.Kind == types.DISPUTE_KIND_RATING {
		return fmt.Sprintf("rating/%d", d.DealId)
	}
	return fmt.Sprintf("verdict/%d/%d", d.UnitId, d.Epoch)
}

// ExportGenesis reads the whole module state back into a genesis state.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	gs := &types.GenesisState{}
	var err error
	if gs.Params, err = k.Params.Get(ctx); err != nil {
		return nil, err
	}
	if gs.UnitScores, err = values(ctx, k.UnitScores); err != nil {
		return nil, err
	}
	if gs.ProviderScores, err = values(ctx, k.ProviderScores); err != nil {
		return nil, err
	}
	if err := k.History.Walk(ctx, nil, func(key collections.Pair[sdk.AccAddress, int64], p types.ScorePoint) (bool, error) {
		gs.History = append(gs.History, types.ProviderHistory{Provider: key.K1().String(), Point: p})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if gs.Ratings, err = values(ctx, k.Ratings); err != nil {
		return nil, err
	}
	if gs.Disputes, err = values(ctx, k.Disputes); err != nil {
		return nil, err
	}
	if gs.NextDisputeId, err = k.NextDisputeID.Peek(ctx); err != nil {
		return nil, err
	}
	if gs.RewardRounds, err = values(ctx, k.RewardRounds); err != nil {
		return nil, err
	}
	if err := k.PendingRewards.Walk(ctx, nil, func(addr sdk.AccAddress, amt sdkmath.Int) (bool, error) {
		gs.PendingRewards = append(gs.PendingRewards, types.PendingReward{Provider: addr.String(), Amount: amt})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if gs.LastRound, err = k.LastRound.Get(ctx); err != nil {
		return nil, err
	}
	if gs.Pool, err = k.Pool.Get(ctx); err != nil {
		return nil, err
	}
	return gs, nil
}

// values lists a map's values in key order.
func values[K, V any](ctx context.Context, m collections.Map[K, V]) ([]V, error) {
	iter, err := m.Iterate(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer iter.Close()
	return iter.Values()
}
