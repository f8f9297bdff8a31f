package keeper

import (
	"context"
	"fmt"
	"slices"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// CommunityInvariant: every provider's rating count and per-star counts are
// those of its visible ratings. It reads every rating: for tests, the
// simulation and the upgrade's checks, never a block.
func CommunityInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		msg, broken, err := k.checkCommunity(ctx)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "community", err.Error()), true
		}
		return sdk.FormatInvariant(types.ModuleName, "community", msg), broken
	}
}

func (k Keeper) checkCommunity(ctx context.Context) (string, bool, error) {
	iter, err := k.ProviderScores.Iterate(ctx, nil)
	if err != nil {
		return "", false, err
	}
	defer iter.Close()
	var providers, ratings uint64
	for ; iter.Valid(); iter.Next() {
		kv, err := iter.KeyValue()
		if err != nil {
			return "", false, err
		}
		ps := kv.Value
		if err := ps.Community.ValidateStarCounts(); err != nil {
			return fmt.Sprintf("provider %s: %s", ps.Provider, err), true, nil
		}
		want, err := k.visibleStarCounts(ctx, kv.Key)
		if err != nil {
			return "", false, err
		}
		if !slices.Equal(want, ps.Community.StarCounts) {
			return fmt.Sprintf("provider %s has star counts %v, its visible ratings %v", ps.Provider, ps.Community.StarCounts, want), true, nil
		}
		providers++
		ratings += ps.Community.Count
	}
	return fmt.Sprintf("%d providers, %d visible ratings counted", providers, ratings), false, nil
}

// visibleStarCounts counts a provider's visible ratings by stars.
func (k Keeper) visibleStarCounts(ctx context.Context, provider sdk.AccAddress) ([]uint64, error) {
	counts := make([]uint64, types.MaxStars)
	iter, err := k.RatingsByProvider.Iterate(ctx, collections.NewPrefixedPairRange[sdk.AccAddress, uint64](provider))
	if err != nil {
		return nil, err
	}
	defer iter.Close()
	for ; iter.Valid(); iter.Next() {
		key, err := iter.Key()
		if err != nil {
			return nil, err
		}
		r, err := k.Ratings.Get(ctx, key.K2())
		if err != nil {
			return nil, err
		}
		if !r.Hidden && r.Stars >= 1 && r.Stars <= types.MaxStars {
			counts[r.Stars-1]++
		}
	}
	return counts, nil
}
