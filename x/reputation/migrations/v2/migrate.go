// Package v2 migrates the x/reputation store from consensus version 1 to 2:
// every provider score gains star_counts, the number of its visible ratings
// per star (1★ … 5★), filled from the stored ratings.
//
// The migration reads and writes the store through collections of its own,
// declared on the v1 prefixes, so that it keeps migrating v1 state however
// the keeper's layout changes later.
package v2

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"
	corestore "cosmossdk.io/core/store"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// The v1 prefixes of the collections the migration touches
// (x/reputation/types/keys.go at version 1).
var (
	providerScoresPrefix    = collections.NewPrefix(2)
	ratingsPrefix           = collections.NewPrefix(5)
	ratingsByProviderPrefix = collections.NewPrefix(6)
)

// Result says what a migration did.
type Result struct {
	// Providers is the number of provider scores rewritten; Ratings the
	// number of ratings read, Visible those counted (not hidden).
	Providers, Ratings, Visible uint64
}

// store is the part of the v1 layout the migration reads and writes.
type store struct {
	providerScores    collections.Map[sdk.AccAddress, types.ProviderScore]
	ratings           collections.Map[uint64, types.Rating]
	ratingsByProvider collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
}

func newStore(storeService corestore.KVStoreService, cdc codec.BinaryCodec) store {
	sb := collections.NewSchemaBuilder(storeService)
	return store{
		providerScores: collections.NewMap(sb, providerScoresPrefix, "provider_scores", sdk.AccAddressKey,
			codec.CollValue[types.ProviderScore](cdc)),
		ratings: collections.NewMap(sb, ratingsPrefix, "ratings", collections.Uint64Key,
			codec.CollValue[types.Rating](cdc)),
		ratingsByProvider: collections.NewKeySet(sb, ratingsByProviderPrefix, "ratings_by_provider",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),
	}
}

// Migrate fills every provider score's star_counts from its visible ratings,
// in the order of the providers' addresses (deterministic: one pass over the
// scores, and for each one a prefix scan of its ratings index).
//
// It refuses, and so fails the upgrade, when a provider's visible ratings do
// not add up to the count v1 kept: the community score would then rest on
// sums the ratings do not explain, and carrying that into v2 silently would
// hide a v1 bug.
func Migrate(ctx context.Context, storeService corestore.KVStoreService, cdc codec.BinaryCodec) (Result, error) {
	s := newStore(storeService, cdc)
	var res Result
	// Collect the addresses first: the scores are rewritten below, and
	// writing under a live iterator is not allowed.
	var providers []sdk.AccAddress
	iter, err := s.providerScores.IterateRaw(ctx, nil, nil, collections.OrderAscending)
	if err != nil {
		return res, err
	}
	for ; iter.Valid(); iter.Next() {
		key, err := iter.Key()
		if err != nil {
			iter.Close()
			return res, err
		}
		providers = append(providers, key)
	}
	iter.Close()

	for _, addr := range providers {
		ps, err := s.providerScores.Get(ctx, addr)
		if err != nil {
			return res, err
		}
		counts, read, err := s.visibleStarCounts(ctx, addr)
		if err != nil {
			return res, fmt.Errorf("provider %s: %w", addr, err)
		}
		var visible uint64
		for _, n := range counts {
			visible += n
		}
		if visible != ps.Community.Count {
			return res, fmt.Errorf("provider %s: %d visible ratings, but its score counts %d", ps.Provider, visible, ps.Community.Count)
		}
		ps.Community.StarCounts = counts
		if err := s.providerScores.Set(ctx, addr, ps); err != nil {
			return res, err
		}
		res.Providers++
		res.Ratings += read
		res.Visible += visible
	}
	return res, nil
}

// visibleStarCounts counts a provider's visible ratings by stars; read is the
// number of ratings read, hidden ones included.
func (s store) visibleStarCounts(ctx context.Context, provider sdk.AccAddress) (counts []uint64, read uint64, err error) {
	counts = make([]uint64, types.MaxStars)
	iter, err := s.ratingsByProvider.Iterate(ctx, collections.NewPrefixedPairRange[sdk.AccAddress, uint64](provider))
	if err != nil {
		return nil, 0, err
	}
	defer iter.Close()
	for ; iter.Valid(); iter.Next() {
		key, err := iter.Key()
		if err != nil {
			return nil, 0, err
		}
		r, err := s.ratings.Get(ctx, key.K2())
		if err != nil {
			return nil, 0, fmt.Errorf("rating of deal %d: %w", key.K2(), err)
		}
		read++
		if r.Hidden {
			continue
		}
		if r.Stars < 1 || r.Stars > types.MaxStars {
			return nil, 0, fmt.Errorf("rating of deal %d has %d stars", r.DealId, r.Stars)
		}
		counts[r.Stars-1]++
	}
	return counts, read, nil
}
