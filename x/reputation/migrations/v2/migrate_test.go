package v2_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"
	storetypes "cosmossdk.io/store/types"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"

	v2 "github.com/flashbacknetwork/flashbackd/x/reputation/migrations/v2"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// v1 is a store as x/reputation v1 wrote it: provider scores without
// star_counts. A v1 record is the v2 message with star_counts empty, byte for
// byte: proto3 writes no bytes for an empty repeated field, and v1 did not
// know field 6.
type v1 struct {
	ctx               sdk.Context
	key               *storetypes.KVStoreKey
	cdc               codec.BinaryCodec
	scores            collections.Map[sdk.AccAddress, types.ProviderScore]
	ratings           collections.Map[uint64, types.Rating]
	ratingsByProvider collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
	ratingAging       collections.KeySet[collections.Pair[int64, uint64]]
	nextDeal          uint64
}

// v1RatedAt is when the v1 fixtures' ratings were filed; v1Window the
// recent_rating_window then (v1 queued each rating at time + window, and
// kept that time only in the queue's key).
var (
	v1RatedAt = time.Unix(1_767_225_600, 0).UTC()
	v1Window  = 30 * 24 * time.Hour
)

func newV1(t testing.TB) *v1 {
	t.Helper()
	key := storetypes.NewKVStoreKey(types.StoreKey)
	ctx := testutil.DefaultContextWithDB(t, key, storetypes.NewTransientStoreKey("transient_test")).Ctx
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	sb := collections.NewSchemaBuilder(runtime.NewKVStoreService(key))
	s := &v1{
		ctx: ctx, key: key, cdc: cdc, nextDeal: 1,
		scores: collections.NewMap(sb, types.ProviderScoresKey, "provider_scores", sdk.AccAddressKey, codec.CollValue[types.ProviderScore](cdc)),
		ratings: collections.NewMap(sb, types.RatingsKey, "ratings", collections.Uint64Key,
			codec.CollValue[types.Rating](cdc)),
		ratingsByProvider: collections.NewKeySet(sb, types.RatingsByProviderKey, "ratings_by_provider",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),
		ratingAging: collections.NewKeySet(sb, types.RatingAgingKey, "rating_aging",
			collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
	}
	_, err := sb.Build()
	require.NoError(t, err)
	return s
}

func addr(i int) sdk.AccAddress { return sdk.AccAddress(fmt.Appendf(nil, "provider-%014d", i)) }

// provider writes a v1 provider score with the given ratings (stars; a
// negative number is a hidden rating of that many stars), counting the
// visible ones as v1 did. Every rating is recent and queued, as v1 queued
// it when filed; a hidden one stays queued, as v1 left it.
func (s *v1) provider(t testing.TB, i int, stars ...int) {
	t.Helper()
	a := addr(i)
	z := sdkmath.LegacyZeroDec()
	acc := types.CommunityAccumulator{RecentWeightedStars: z, RecentWeight: z, OldWeightedStars: z, OldWeight: z}
	for _, st := range stars {
		hidden := st < 0
		if hidden {
			st = -st
		}
		r := types.Rating{
			DealId: s.nextDeal, Provider: a.String(), Consumer: addr(1_000_000 + int(s.nextDeal)).String(),
			Stars: uint32(st), Hidden: hidden, Recent: !hidden, Time: v1RatedAt,
			Weight: sdkmath.LegacyOneDec(), Paid: sdkmath.NewInt(1_000),
		}
		require.Zero(t, r.RecentUntil, "a v1 rating has no recent_until")
		require.NoError(t, s.ratings.Set(s.ctx, r.DealId, r))
		require.NoError(t, s.ratingsByProvider.Set(s.ctx, collections.Join(a, r.DealId)))
		require.NoError(t, s.ratingAging.Set(s.ctx, collections.Join(v1RatedAt.Add(v1Window).Unix(), r.DealId)))
		s.nextDeal++
		if !hidden {
			acc.RecentWeightedStars = acc.RecentWeightedStars.Add(sdkmath.LegacyNewDec(int64(st)))
			acc.RecentWeight = acc.RecentWeight.Add(sdkmath.LegacyOneDec())
			acc.Count++
		}
	}
	require.Nil(t, acc.StarCounts, "a v1 record has no star counts")
	require.NoError(t, s.scores.Set(s.ctx, a, types.ProviderScore{Provider: a.String(), Objective: 50, Overall: 50, Community: acc}))
}

// rawOutside returns every key and value of the store outside the given
// collections.
func (s *v1) rawOutside(t testing.TB, prefixes ...collections.Prefix) [][2][]byte {
	t.Helper()
	it := s.ctx.KVStore(s.key).Iterator(nil, nil)
	defer it.Close()
	var kvs [][2][]byte
next:
	for ; it.Valid(); it.Next() {
		for _, p := range prefixes {
			if bytes.HasPrefix(it.Key(), p) {
				continue next
			}
		}
		kvs = append(kvs, [2][]byte{bytes.Clone(it.Key()), bytes.Clone(it.Value())})
	}
	return kvs
}

func (s *v1) migrate(t testing.TB) (v2.Result, error) {
	t.Helper()
	return v2.Migrate(s.ctx, runtime.NewKVStoreService(s.key), s.cdc)
}

func TestMigrateFillsStarCountsFromVisibleRatings(t *testing.T) {
	s := newV1(t)
	s.provider(t, 1, 5, 4, 4, -1, 2) // one hidden 1★ rating
	s.provider(t, 2)                 // never rated
	s.provider(t, 3, -5, -5)         // every rating hidden
	s.provider(t, 4, 1, 2, 3, 4, 5, 5)
	others := s.rawOutside(t, types.ProviderScoresKey, types.RatingsKey, types.RatingAgingKey)

	res, err := s.migrate(t)
	require.NoError(t, err)
	require.Equal(t, v2.Result{Providers: 4, Ratings: 13, Visible: 10, Queued: 10, Dequeued: 3}, res)

	want := map[int][]uint64{
		1: {0, 1, 0, 2, 1},
		2: {0, 0, 0, 0, 0},
		3: {0, 0, 0, 0, 0},
		4: {1, 1, 1, 1, 2},
	}
	for i, counts := range want {
		ps, err := s.scores.Get(s.ctx, addr(i))
		require.NoError(t, err)
		require.Equal(t, counts, ps.Community.StarCounts, "provider %d", i)
		require.NoError(t, ps.Community.ValidateStarCounts(), "provider %d", i)
	}
	// Nothing but the provider scores, the ratings' recent_until and the
	// ageing queue changed: the other records and indexes are byte for
	// byte what v1 wrote.
	require.Equal(t, others, s.rawOutside(t, types.ProviderScoresKey, types.RatingsKey, types.RatingAgingKey))

	// Running it again changes nothing.
	before := s.rawAll(t)
	_, err = s.migrate(t)
	require.NoError(t, err)
	require.Equal(t, before, s.rawAll(t))
}

func (s *v1) rawAll(t testing.TB) [][2][]byte {
	t.Helper()
	it := s.ctx.KVStore(s.key).Iterator(nil, nil)
	defer it.Close()
	var kvs [][2][]byte
	for ; it.Valid(); it.Next() {
		kvs = append(kvs, [2][]byte{bytes.Clone(it.Key()), bytes.Clone(it.Value())})
	}
	return kvs
}

func TestMigrateEmptyStore(t *testing.T) {
	s := newV1(t)
	res, err := s.migrate(t)
	require.NoError(t, err)
	require.Zero(t, res)
}

// A provider whose count disagrees with its visible ratings stops the
// migration (and so the upgrade) with the provider named, instead of
// carrying sums the ratings do not explain into v2.
func TestMigrateRefusesCountsTheRatingsDoNotExplain(t *testing.T) {
	s := newV1(t)
	s.provider(t, 1, 5, 4)
	ps, err := s.scores.Get(s.ctx, addr(1))
	require.NoError(t, err)
	ps.Community.Count = 3
	require.NoError(t, s.scores.Set(s.ctx, addr(1), ps))

	_, err = s.migrate(t)
	require.ErrorContains(t, err, addr(1).String()+": 2 visible ratings, but its score counts 3")
}

func TestMigrateRefusesARatingOutOfRange(t *testing.T) {
	s := newV1(t)
	s.provider(t, 1, 5)
	r, err := s.ratings.Get(s.ctx, 1)
	require.NoError(t, err)
	r.Stars = 6
	require.NoError(t, s.ratings.Set(s.ctx, 1, r))
	_, err = s.migrate(t)
	require.ErrorContains(t, err, "rating of deal 1 has 6 stars")
}

func TestMigrateRefusesAnIndexWithoutItsRating(t *testing.T) {
	s := newV1(t)
	s.provider(t, 1, 5)
	require.NoError(t, s.ratingsByProvider.Set(s.ctx, collections.Join(addr(1), uint64(99))))
	_, err := s.migrate(t)
	require.ErrorContains(t, err, "rating of deal 99")
}

// The ageing queue's key, the only place v1 kept the time a rating stops
// being recent, moves onto the rating: ratings filed under two windows
// (governance changed recent_rating_window between them) keep their own
// times; the entries v1 left for hidden ratings are removed; a rating that
// had already aged keeps recent_until 0. Afterwards the queue is exactly
// the recent visible ratings at their recent_until, which is what genesis
// rebuilds.
func TestMigrateCarriesTheAgeingTimeOntoRatings(t *testing.T) {
	s := newV1(t)
	s.provider(t, 1, 5, -3, 4)
	// Deal 4: filed after the window was cut to a day.
	s.provider(t, 2, 2)
	r4, err := s.ratings.Get(s.ctx, 4)
	require.NoError(t, err)
	require.NoError(t, s.ratingAging.Remove(s.ctx, collections.Join(v1RatedAt.Add(v1Window).Unix(), uint64(4))))
	r4.Time = v1RatedAt.Add(time.Hour)
	require.NoError(t, s.ratings.Set(s.ctx, 4, r4))
	require.NoError(t, s.ratingAging.Set(s.ctx, collections.Join(r4.Time.Add(24*time.Hour).Unix(), uint64(4))))
	// Deal 3 has aged: no longer recent, out of the queue, in the old sums.
	r3, err := s.ratings.Get(s.ctx, 3)
	require.NoError(t, err)
	r3.Recent = false
	require.NoError(t, s.ratings.Set(s.ctx, 3, r3))
	require.NoError(t, s.ratingAging.Remove(s.ctx, collections.Join(v1RatedAt.Add(v1Window).Unix(), uint64(3))))

	res, err := s.migrate(t)
	require.NoError(t, err)
	require.Equal(t, uint64(2), res.Queued)
	require.Equal(t, uint64(1), res.Dequeued)

	want := map[uint64]int64{
		1: v1RatedAt.Add(v1Window).Unix(),
		2: 0, // hidden
		3: 0, // aged before the upgrade
		4: v1RatedAt.Add(time.Hour + 24*time.Hour).Unix(),
	}
	for deal, until := range want {
		r, err := s.ratings.Get(s.ctx, deal)
		require.NoError(t, err)
		require.Equal(t, until, r.RecentUntil, "deal %d", deal)
		require.NoError(t, types.ValidateRating(r), "deal %d", deal)
	}
	iter, err := s.ratingAging.Iterate(s.ctx, nil)
	require.NoError(t, err)
	queue, err := iter.Keys()
	require.NoError(t, err)
	require.Equal(t, []collections.Pair[int64, uint64]{
		collections.Join(want[4], uint64(4)),
		collections.Join(want[1], uint64(1)),
	}, queue)

	// Running it again changes nothing.
	before := s.rawAll(t)
	again, err := s.migrate(t)
	require.NoError(t, err)
	require.Zero(t, again.Queued+again.Dequeued)
	require.Equal(t, before, s.rawAll(t))
}

// A recent visible rating v1 did not queue would never age: the migration
// stops with the deal named instead of carrying it into v2.
func TestMigrateRefusesARecentRatingOutOfTheQueue(t *testing.T) {
	s := newV1(t)
	s.provider(t, 1, 5, 4)
	require.NoError(t, s.ratingAging.Remove(s.ctx, collections.Join(v1RatedAt.Add(v1Window).Unix(), uint64(2))))
	_, err := s.migrate(t)
	require.ErrorContains(t, err, "recent rating of deal 2 is not in the ageing queue")
}

// A rating queued twice (at two times) has no one time to carry.
func TestMigrateRefusesARatingQueuedTwice(t *testing.T) {
	s := newV1(t)
	s.provider(t, 1, 5)
	require.NoError(t, s.ratingAging.Set(s.ctx, collections.Join(v1RatedAt.Add(2*v1Window).Unix(), uint64(1))))
	_, err := s.migrate(t)
	require.ErrorContains(t, err, "rating of deal 1 is queued to age at")
}

// A queue entry without its rating stops the migration.
func TestMigrateRefusesAQueueEntryWithoutItsRating(t *testing.T) {
	s := newV1(t)
	s.provider(t, 1, 5)
	require.NoError(t, s.ratingAging.Set(s.ctx, collections.Join(int64(1), uint64(42))))
	_, err := s.migrate(t)
	require.ErrorContains(t, err, "ageing queue entry of deal 42")
}
