package keeper

import (
	"context"
	"time"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// Ratings enter the provider's community sums as recent, wait in the ageing
// queue (keyed by the time they stop being recent, fixed when filed and kept
// on the rating as recent_until), and move to the old sums when the end
// blocker reaches them; a rating hidden by a dispute leaves the sums and the
// queue. The queue holds exactly the recent visible ratings, so genesis
// rebuilds it from the ratings alone. Each step is O(1) in the number of
// ratings.

// blockSecond is the block time truncated to the second: the time every
// record of the module carries.
func blockSecond(ctx context.Context) time.Time {
	return sdk.UnwrapSDKContext(ctx).BlockTime().UTC().Truncate(time.Second)
}

// addRating stores a new rating, queues its ageing and counts it.
func (k Keeper) addRating(ctx context.Context, params types.Params, r types.Rating) error {
	provider, err := k.accAddress(r.Provider)
	if err != nil {
		return err
	}
	r.RecentUntil = r.Time.Add(params.RecentRatingWindow).Unix()
	if err := k.Ratings.Set(ctx, r.DealId, r); err != nil {
		return err
	}
	if err := k.RatingsByProvider.Set(ctx, collections.Join(provider, r.DealId)); err != nil {
		return err
	}
	if err := k.RatingAging.Set(ctx, collections.Join(r.RecentUntil, r.DealId)); err != nil {
		return err
	}
	return k.updateProvider(ctx, params, r.Provider, func(ps *types.ProviderScore) {
		ps.Community.Add(r.Stars, r.Weight, true)
	})
}

// hideRating takes a rating out of its provider's score (an upheld dispute)
// and, if it was still recent, out of the ageing queue.
func (k Keeper) hideRating(ctx context.Context, params types.Params, r types.Rating) error {
	if r.Hidden {
		return nil
	}
	wasRecent := r.Recent
	r.Hidden, r.Recent = true, false
	if err := k.Ratings.Set(ctx, r.DealId, r); err != nil {
		return err
	}
	if wasRecent {
		if err := k.RatingAging.Remove(ctx, collections.Join(r.RecentUntil, r.DealId)); err != nil {
			return err
		}
	}
	if err := k.updateProvider(ctx, params, r.Provider, func(ps *types.ProviderScore) {
		ps.Community.Remove(r.Stars, r.Weight, wasRecent)
	}); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventRatingHidden{DealId: r.DealId, Provider: r.Provider})
}

// AgeRatings moves ratings that stopped being recent to the old sums, at
// most `budget` of them; the rest wait for the next block. It returns the
// budget used.
func (k Keeper) AgeRatings(ctx context.Context, params types.Params, budget int) (int, error) {
	now := blockSecond(ctx).Unix()
	iter, err := k.RatingAging.Iterate(ctx, new(collections.Range[collections.Pair[int64, uint64]]).
		EndInclusive(collections.Join(now, ^uint64(0))))
	if err != nil {
		return 0, err
	}
	var due []collections.Pair[int64, uint64]
	for ; iter.Valid() && len(due) < budget; iter.Next() {
		key, err := iter.Key()
		if err != nil {
			iter.Close()
			return 0, err
		}
		due = append(due, key)
	}
	iter.Close()
	for _, key := range due {
		if err := k.RatingAging.Remove(ctx, key); err != nil {
			return 0, err
		}
		r, err := k.Ratings.Get(ctx, key.K2())
		if err != nil {
			return 0, err
		}
		if !r.Recent || r.Hidden {
			continue
		}
		r.Recent = false
		if err := k.Ratings.Set(ctx, r.DealId, r); err != nil {
			return 0, err
		}
		if err := k.updateProvider(ctx, params, r.Provider, func(ps *types.ProviderScore) {
			ps.Community.Age(r.Stars, r.Weight)
		}); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}
