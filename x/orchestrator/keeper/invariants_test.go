package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// The counters invariant finds LiveDeals out of step with the deals in
// both directions: a running deal missing from it, and an entry for a deal
// that is not running.
func TestCountersInvariantChecksLiveDeals(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	running := s.requestDeal(dealMsg(s.consumer, unitID))
	s.accept(s.provider, running)
	pending := s.requestDeal(dealMsg(s.consumer, unitID))
	k := s.app.OrchestratorKeeper
	invariant := keeper.CountersInvariant(k)
	_, broken := invariant(s.ctx())
	require.False(t, broken)

	ctx, _ := s.ctx().CacheContext()
	require.NoError(t, k.LiveDeals.Remove(ctx, collections.Join(int32(types.DEAL_STATE_ACTIVE), running)))
	msg, broken := invariant(ctx)
	require.True(t, broken)
	require.Contains(t, msg, "is missing from the live index")

	ctx, _ = s.ctx().CacheContext()
	require.NoError(t, k.LiveDeals.Set(ctx, collections.Join(int32(types.DEAL_STATE_PENDING), pending)))
	msg, broken = invariant(ctx)
	require.True(t, broken)
	require.Contains(t, msg, "2 (live) entries for 2 deals, 1 of them running")
}

// The counters invariant finds a pending request that would never expire
// (behind the request cursor), a request with a due time, and a cursor
// past the next deal id.
func TestCountersInvariantChecksRequestCursor(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	pending := s.requestDeal(dealMsg(s.consumer, unitID))
	k := s.app.OrchestratorKeeper
	invariant := keeper.CountersInvariant(k)
	_, broken := invariant(s.ctx())
	require.False(t, broken)

	ctx, _ := s.ctx().CacheContext()
	require.NoError(t, k.RequestCursor.Set(ctx, pending+1))
	msg, broken := invariant(ctx)
	require.True(t, broken)
	require.Contains(t, msg, "behind the request cursor")

	ctx, _ = s.ctx().CacheContext()
	require.NoError(t, k.RequestCursor.Set(ctx, pending+2))
	msg, broken = invariant(ctx)
	require.True(t, broken)
	require.Contains(t, msg, "is past the next deal id")

	ctx, _ = s.ctx().CacheContext()
	d := s.deal(pending)
	d.DueAt = &d.RequestExpiresAt
	require.NoError(t, k.Deals.Set(ctx, pending, d))
	msg, broken = invariant(ctx)
	require.True(t, broken)
	require.Contains(t, msg, "only running deals have one")
}
