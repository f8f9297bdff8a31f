package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// requireCountersBreak checks that the counters invariant holds on the
// suite's state, and reports a message containing want once breakIt has
// changed a cached copy of it.
func requireCountersBreak(s *suite, breakIt func(ctx sdk.Context, k keeper.Keeper), want string) {
	s.t.Helper()
	k := s.app.OrchestratorKeeper
	invariant := keeper.CountersInvariant(k)
	_, broken := invariant(s.ctx())
	require.False(s.t, broken)

	ctx, _ := s.ctx().CacheContext()
	breakIt(ctx, k)
	msg, broken := invariant(ctx)
	require.True(s.t, broken)
	require.Contains(s.t, msg, want)
}

// The counters invariant finds LiveDeals out of step with the deals in
// both directions: a running deal missing from it, and an entry for a deal
// that is not running.
func TestCountersInvariantChecksLiveDeals(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	running := s.requestDeal(dealMsg(s.consumer, unitID))
	s.accept(s.provider, running)
	pending := s.requestDeal(dealMsg(s.consumer, unitID))

	requireCountersBreak(s, func(ctx sdk.Context, k keeper.Keeper) {
		require.NoError(t, k.LiveDeals.Remove(ctx, collections.Join(int32(types.DEAL_STATE_ACTIVE), running)))
	}, "is missing from the live index")
	requireCountersBreak(s, func(ctx sdk.Context, k keeper.Keeper) {
		require.NoError(t, k.LiveDeals.Set(ctx, collections.Join(int32(types.DEAL_STATE_PENDING), pending)))
	}, "2 (live) entries for 2 deals, 1 of them running")
}

// The counters invariant finds a pending request that would never expire
// (behind the request cursor), a cursor past the next deal id, and a
// request with a due time.
func TestCountersInvariantChecksRequestCursor(t *testing.T) {
	s := newSuite(t)
	pending := s.requestDeal(dealMsg(s.consumer, s.market()))

	requireCountersBreak(s, func(ctx sdk.Context, k keeper.Keeper) {
		require.NoError(t, k.RequestCursor.Set(ctx, pending+1))
	}, "behind the request cursor")
	requireCountersBreak(s, func(ctx sdk.Context, k keeper.Keeper) {
		require.NoError(t, k.RequestCursor.Set(ctx, pending+2))
	}, "is past the next deal id")
	requireCountersBreak(s, func(ctx sdk.Context, k keeper.Keeper) {
		d := s.deal(pending)
		d.DueAt = &d.RequestExpiresAt
		require.NoError(t, k.Deals.Set(ctx, pending, d))
	}, "only running deals have one")
}
