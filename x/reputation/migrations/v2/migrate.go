// Package v2 migrates the x/reputation store from consensus version 1 to 2:
//   - every provider score gains star_counts, the number of its visible
//     ratings per star (1★ … 5★), filled from the stored ratings;
//   - every recent visible rating gains recent_until, the time it stops
//     being recent, read from its key in the ageing queue (v1 computed the
//     key from the window in force when the rating was filed and kept it
//     only there, so an export recomputed it from today's window);
//   - the queue entries of hidden ratings, which v1 left in the queue until
//     they were reached (and then skipped), are removed: v2 removes a
//     rating from the queue when it is hidden, so that the queue is exactly
//     the recent visible ratings and genesis can rebuild it.
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
	ratingAgingPrefix       = collections.NewPrefix(7)
)

// Result says what a migration did.
type Result struct {
	// Providers is the number of provider scores rewritten; Ratings the
	// number of ratings read, Visible those counted (not hidden).
	Providers, Ratings, Visible uint64
	// Queued is the number of recent visible ratings given their
	// recent_until from the queue; Dequeued the queue entries of hidden or
	// no longer recent ratings removed.
	Queued, Dequeued uint64
}

// store is the part of the v1 layout the migration reads and writes.
type store struct {
	providerScores    collections.Map[sdk.AccAddress, types.ProviderScore]
	ratings           collections.Map[uint64, types.Rating]
	ratingsByProvider collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
	ratingAging       collections.KeySet[collections.Pair[int64, uint64]]
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
		ratingAging: collections.NewKeySet(sb, ratingAgingPrefix, "rating_aging",
			collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
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
//
// Before that it carries the ageing queue's keys onto the ratings (see the
// package comment); it refuses a recent visible rating the queue does not
// hold, or holds twice, for the same reason.
func Migrate(ctx context.Context, storeService corestore.KVStoreService, cdc codec.BinaryCodec) (Result, error) {
	s := newStore(storeService, cdc)
	var res Result
	if err := s.migrateAgingQueue(ctx, &res); err != nil {
		return res, err
	}
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
		if r.Recent && r.RecentUntil == 0 {
			return nil, 0, fmt.Errorf("recent rating of deal %d is not in the ageing queue", r.DealId)
		}
		if r.Stars < 1 || r.Stars > types.MaxStars {
			return nil, 0, fmt.Errorf("rating of deal %d has %d stars", r.DealId, r.Stars)
		}
		counts[r.Stars-1]++
	}
	return counts, read, nil
}

// migrateAgingQueue walks the ageing queue once, in key order: a recent
// visible rating takes its entry's time as recent_until; the entry of any
// other rating (hidden, or already aged) is removed. Running it again
// changes nothing.
func (s store) migrateAgingQueue(ctx context.Context, res *Result) error {
	// Collect the keys first: entries are removed and ratings rewritten
	// below, and writing under a live iterator is not allowed.
	iter, err := s.ratingAging.Iterate(ctx, nil)
	if err != nil {
		return err
	}
	keys, err := iter.Keys()
	if err != nil {
		return err
	}
	for _, key := range keys {
		until, deal := key.K1(), key.K2()
		r, err := s.ratings.Get(ctx, deal)
		if err != nil {
			return fmt.Errorf("ageing queue entry of deal %d: %w", deal, err)
		}
		if !r.Recent || r.Hidden {
			if err := s.ratingAging.Remove(ctx, key); err != nil {
				return err
			}
			res.Dequeued++
			continue
		}
		switch r.RecentUntil {
		case until: // migrated already
		case 0:
			r.RecentUntil = until
			if err := s.ratings.Set(ctx, deal, r); err != nil {
				return err
			}
			res.Queued++
		default:
			return fmt.Errorf("rating of deal %d is queued to age at %d and at %d", deal, r.RecentUntil, until)
		}
	}
	return nil
}
