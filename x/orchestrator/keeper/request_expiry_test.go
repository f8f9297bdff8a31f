package keeper_test

import (
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// requestCursor reads the keeper's request cursor.
func (s *suite) requestCursor() uint64 {
	s.t.Helper()
	cursor, err := s.app.OrchestratorKeeper.RequestCursor.Get(s.ctx())
	require.NoError(s.t, err)
	return cursor
}

// dueEntries counts the due queue's entries.
func (s *suite) dueEntries() int {
	s.t.Helper()
	iter, err := s.app.OrchestratorKeeper.DueQueue.Iterate(s.ctx(), nil)
	require.NoError(s.t, err)
	defer iter.Close()
	n := 0
	for ; iter.Valid(); iter.Next() {
		n++
	}
	return n
}

// Requests have no due-queue entry; the cursor passes the deals that were
// answered (accepted, declined, cancelled), stops at the oldest open
// request, and expires it when its time comes.
func TestRequestCursorPassesAnsweredDeals(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	accepted := s.requestDeal(dealMsg(s.consumer, unitID))
	declined := s.requestDeal(dealMsg(s.consumer, unitID))
	open := s.requestDeal(dealMsg(s.consumer, unitID))
	require.Nil(t, s.deal(open).DueAt, "a request has no due time")
	require.Zero(t, s.dueEntries(), "requests add nothing to the due queue")

	s.accept(s.provider, accepted)
	require.NotNil(t, s.deal(accepted).DueAt)
	require.Equal(t, 1, s.dueEntries(), "only the running deal is queued")
	_, err := s.msgs.DeclineDeal(s.ctx(), &types.MsgDeclineDeal{Provider: s.provider.String(), DealId: declined})
	require.NoError(t, err)

	s.advance(time.Second)
	require.Equal(t, open, s.requestCursor(), "the cursor waits at the oldest open request")
	s.advance(3*day - 2*time.Second)
	require.Equal(t, types.DEAL_STATE_PENDING, s.deal(open).State)
	s.advance(time.Second)
	require.Equal(t, types.CLOSE_REASON_REQUEST_EXPIRED, s.deal(open).CloseReason)
	require.Equal(t, open+1, s.requestCursor(), "the cursor reached the next id")
	require.Equal(t, types.DEAL_STATE_ACTIVE, s.deal(accepted).State, "the accepted deal runs on")

	// A request made later is found: the cursor waits at the next id.
	later := s.requestDeal(dealMsg(s.consumer, unitID))
	s.advance(3 * day)
	require.Equal(t, types.CLOSE_REASON_REQUEST_EXPIRED, s.deal(later).CloseReason)
}

// Each deal the cursor reads counts against max_due_per_block: with a cap
// of 2 and four cancelled requests ahead of an open one, the cursor takes
// two blocks to reach it.
func TestRequestCursorSharesTheCap(t *testing.T) {
	s := newSuite(t, func(p *types.Params) { p.MaxDuePerBlock = 2 })
	unitID := s.market()
	start := s.requestCursor()
	for i := 0; i < 4; i++ {
		id := s.requestDeal(dealMsg(s.consumer, unitID))
		_, err := s.msgs.CancelDealRequest(s.ctx(), &types.MsgCancelDealRequest{Consumer: s.consumer.String(), DealId: id})
		require.NoError(t, err)
	}
	open := s.requestDeal(dealMsg(s.consumer, unitID))
	require.Equal(t, start+4, open)
	s.advance(time.Second)
	require.Equal(t, start+2, s.requestCursor(), "two deals read in the first block")
	s.advance(time.Second)
	require.Equal(t, open, s.requestCursor(), "two more in the second")
	s.advance(time.Second)
	require.Equal(t, open, s.requestCursor(), "it waits at the open request")
	s.advance(3 * day)
	require.Equal(t, types.CLOSE_REASON_REQUEST_EXPIRED, s.deal(open).CloseReason)
}

// When governance shortens deal_request_ttl, a newer request expires no
// earlier than the older ones before it (the cursor waits in id order), but
// it can no longer be accepted once its own expiry has passed, and it
// expires, refunded in full, when the older request does.
func TestRequestExpiryAfterTtlCut(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	older := s.requestDeal(dealMsg(s.consumer, unitID))

	p := s.params()
	p.DealRequestTtl = day
	_, err := s.msgs.UpdateParams(s.ctx(), &types.MsgUpdateParams{Authority: s.gov, Params: p})
	require.NoError(t, err)
	consumer0 := s.balance(s.consumer2)
	s.registerConsumer(s.consumer2)
	newer := s.requestDeal(dealMsg(s.consumer2, unitID))
	require.True(t, s.deal(newer).RequestExpiresAt.Before(s.deal(older).RequestExpiresAt))

	s.advance(day + time.Second)
	require.Equal(t, types.DEAL_STATE_PENDING, s.deal(newer).State, "it waits behind the older request")
	s.requireErrUnchanged(types.ErrInvalidState, func() error {
		return s.deliver(&types.MsgAcceptDeal{Provider: s.provider.String(), DealId: newer})
	})
	// A consumer who does not want to wait cancels such a request.
	third := s.requestDeal(dealMsg(s.consumer2, unitID))
	s.advance(day)
	require.Equal(t, types.DEAL_STATE_PENDING, s.deal(third).State)
	_, err = s.msgs.CancelDealRequest(s.ctx(), &types.MsgCancelDealRequest{Consumer: s.consumer2.String(), DealId: third})
	require.NoError(t, err)
	require.Equal(t, types.CLOSE_REASON_CANCELLED, s.deal(third).CloseReason)

	s.advance(day)
	require.Equal(t, types.CLOSE_REASON_REQUEST_EXPIRED, s.deal(older).CloseReason)
	require.Equal(t, types.CLOSE_REASON_REQUEST_EXPIRED, s.deal(newer).CloseReason)
	require.Equal(t, consumer0, s.balance(s.consumer2), "refunded in full")
}

// An expiry that fails (here: the request's unit is gone, which only a bug
// could do) is reported and retried through the due queue: the cursor moves
// on, and the next request still expires in the same block.
func TestRequestExpiryFailureDoesNotBlockTheCursor(t *testing.T) {
	s := newSuite(t)
	broken := s.requestDeal(dealMsg(s.consumer, s.market()))
	fine := s.requestDeal(dealMsg(s.consumer, s.createUnit(s.provider)))
	k := s.app.OrchestratorKeeper

	ctx, _ := s.ctx().CacheContext()
	ctx = ctx.WithEventManager(sdk.NewEventManager())
	require.NoError(t, k.DataUnits.Remove(ctx, s.deal(broken).UnitId))
	expiry := s.deal(fine).RequestExpiresAt
	read, err := k.ExpireRequests(ctx, s.params(), expiry, 10)
	require.NoError(t, err)
	require.Equal(t, 2, read)

	cursor, err := k.RequestCursor.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, fine+1, cursor, "the cursor passed both")
	d, err := k.Deals.Get(ctx, broken)
	require.NoError(t, err)
	require.Equal(t, types.DEAL_STATE_PENDING, d.State, "the failed expiry changed nothing")
	d, err = k.Deals.Get(ctx, fine)
	require.NoError(t, err)
	require.Equal(t, types.CLOSE_REASON_REQUEST_EXPIRED, d.CloseReason)

	var failed []types.EventDueItemFailed
	for _, e := range ctx.EventManager().Events() {
		if e.Type != proto.MessageName(&types.EventDueItemFailed{}) {
			continue
		}
		msg, err := sdk.ParseTypedEvent(abci.Event(e))
		require.NoError(t, err)
		failed = append(failed, *msg.(*types.EventDueItemFailed))
	}
	require.Len(t, failed, 1)
	require.Equal(t, "deal", failed[0].Kind)
	require.Equal(t, broken, failed[0].Id)
	require.Contains(t, failed[0].Error, "does not exist")
	require.Equal(t, uint32(1), failed[0].Attempt)
	retryAt := ctx.BlockTime().Truncate(time.Second).UTC().Add(s.params().DueRetryDelay) // the block's time, not the expiry passed in
	require.Equal(t, retryAt, *failed[0].RetryAt)
	queued, err := k.DueQueue.Has(ctx, collections.Join3(retryAt.Unix(), types.DueDeal, broken))
	require.NoError(t, err)
	require.True(t, queued, "the retry waits in the due queue")
}

// ExpireRequests with no budget left reads nothing.
func TestRequestExpiryWithoutBudget(t *testing.T) {
	s := newSuite(t)
	id := s.requestDeal(dealMsg(s.consumer, s.market()))
	read, err := s.app.OrchestratorKeeper.ExpireRequests(s.ctx(), s.params(), s.deal(id).RequestExpiresAt, 0)
	require.NoError(t, err)
	require.Zero(t, read)
	require.Equal(t, types.DEAL_STATE_PENDING, s.deal(id).State)
}
