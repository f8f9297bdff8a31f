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
	nextDeal          uint64
}

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
	}
	_, err := sb.Build()
	require.NoError(t, err)
	return s
}

func addr(i int) sdk.AccAddress { return sdk.AccAddress(fmt.Appendf(nil, "provider-%014d", i)) }

// provider writes a v1 provider score with the given ratings (stars; a
// negative number is a hidden rating of that many stars), counting the
// visible ones as v1 did.
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
			Stars: uint32(st), Hidden: hidden, Recent: !hidden, Time: time.Unix(1_767_225_600, 0).UTC(),
			Weight: sdkmath.LegacyOneDec(), Paid: sdkmath.NewInt(1_000),
		}
		require.NoError(t, s.ratings.Set(s.ctx, r.DealId, r))
		require.NoError(t, s.ratingsByProvider.Set(s.ctx, collections.Join(a, r.DealId)))
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

// raw returns every key and value of the store outside the provider scores.
func (s *v1) rawOutsideScores(t testing.TB) [][2][]byte {
	t.Helper()
	it := s.ctx.KVStore(s.key).Iterator(nil, nil)
	defer it.Close()
	var kvs [][2][]byte
	for ; it.Valid(); it.Next() {
		if bytes.HasPrefix(it.Key(), types.ProviderScoresKey) {
			continue
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
	others := s.rawOutsideScores(t)

	res, err := s.migrate(t)
	require.NoError(t, err)
	require.Equal(t, v2.Result{Providers: 4, Ratings: 13, Visible: 10}, res)

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
	// Nothing but the provider scores changed: ratings and indexes are
	// byte for byte what v1 wrote.
	require.Equal(t, others, s.rawOutsideScores(t))

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
