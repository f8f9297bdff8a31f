package keeper_test

import (
	"errors"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// These tests make due items fail with the keeper's test hook, as a bug
// would: the item's run fails inside its cached context and changes
// nothing. They stay within the first day of block time, before the first
// daily SLA round (which writes every running deal).

var errInjected = errors.New("injected fault")

// faults makes the due items of the given kind and ids fail until fixed.
type faults struct {
	kind types.DueKind
	ids  map[uint64]bool
}

func (s *suite) injectFaults(kind types.DueKind, ids ...uint64) *faults {
	f := &faults{kind: kind, ids: map[uint64]bool{}}
	for _, id := range ids {
		f.ids[id] = true
	}
	s.app.OrchestratorKeeper.SetDueFaultForTest(func(kind types.DueKind, id uint64) error {
		if kind == f.kind && f.ids[id] {
			return errInjected
		}
		return nil
	})
	return f
}

func (f *faults) fix(id uint64) { delete(f.ids, id) }

// blockEvents commits one block d after the last, checks the invariants
// and returns the block's events.
func (s *suite) blockEvents(d time.Duration) []abci.Event {
	s.t.Helper()
	s.app.BlockTime = d
	res := s.app.NextBlock(s.t)
	s.app.BlockTime = time.Second
	s.checkInvariants()
	return res.Events
}

func (s *suite) dueFailures() []types.DueFailure {
	s.t.Helper()
	res, err := s.queries.DueFailures(s.ctx(), &types.QueryDueFailuresRequest{})
	require.NoError(s.t, err)
	return res.Failures
}

// shortDeal is a running deal of one hour, fully paid (100 GB at 20,000
// uflash per GB-month: 2,777 uflash an hour).
func (s *suite) shortDeal(unitID uint64) uint64 {
	s.t.Helper()
	msg := dealMsg(s.consumer, unitID)
	msg.Term, msg.Deposit = time.Hour, uflash(2_777)
	id := s.requestDeal(msg)
	s.accept(s.provider, id)
	return id
}

func requireFailed(t *testing.T, events []abci.Event, id uint64, attempt uint32, retryAt *time.Time) {
	t.Helper()
	failed := typedEvents[*types.EventDueItemFailed](events)
	require.Len(t, failed, 1)
	require.Equal(t, "deal", failed[0].Kind)
	require.Equal(t, id, failed[0].Id)
	require.Equal(t, attempt, failed[0].Attempt)
	require.Contains(t, failed[0].Error, errInjected.Error())
	if retryAt == nil {
		require.Nil(t, failed[0].RetryAt)
	} else {
		require.NotNil(t, failed[0].RetryAt)
		require.Equal(t, *retryAt, *failed[0].RetryAt)
	}
}

// A deal's close that fails is not dropped: it is retried after
// due_retry_delay, then twice as long each time; while it fails the deal
// runs on and its escrow stays where it is; once the cause is gone the next
// retry closes the deal and refunds the escrow.
func TestFailedDueItemRetriesWithBackoffAndClosesOnceFixed(t *testing.T) {
	s := newSuite(t, func(p *types.Params) {
		p.DueRetryDelay, p.MaxDueRetries = time.Minute, 3
		p.ConsumerCloseNotice = time.Hour
	})
	unitID := s.market()
	id := s.requestDeal(dealMsg(s.consumer, unitID)) // 30 days, fully paid
	s.accept(s.provider, id)
	_, err := s.msgs.CloseDeal(s.ctx(), &types.MsgCloseDeal{Sender: s.consumer.String(), DealId: id})
	require.NoError(t, err)
	effective := *s.deal(id).EndTime
	f := s.injectFaults(types.DueDeal, id)
	consumer := s.balance(s.consumer)

	// The close is due an hour later and fails.
	s.advance(effective.Sub(s.app.Time) - time.Second)
	events := s.blockEvents(time.Second)
	retry1 := effective.Add(time.Minute)
	requireFailed(t, events, id, 1, &retry1)
	require.Empty(t, typedEvents[*types.EventDealClosed](events))
	d := s.deal(id)
	require.Equal(t, types.DEAL_STATE_ACTIVE, d.State, "the failed close changed nothing")
	require.Equal(t, retry1, *d.DueAt, "the retry is the deal's due time")
	require.Equal(t, consumer, s.balance(s.consumer), "the escrow is still held")
	failures := s.dueFailures()
	require.Len(t, failures, 1)
	require.Equal(t, types.DueFailure{Kind: "deal", Id: id, Attempts: 1, LastError: errInjected.Error(),
		FirstFailedAt: effective, LastFailedAt: effective, RetryAt: &retry1}, failures[0])

	// Nothing runs before the retry; then each failure doubles the wait.
	require.Empty(t, typedEvents[*types.EventDueItemFailed](s.blockEvents(59*time.Second)))
	retry2 := retry1.Add(2 * time.Minute)
	requireFailed(t, s.blockEvents(time.Second), id, 2, &retry2)
	require.Empty(t, typedEvents[*types.EventDueItemFailed](s.blockEvents(2*time.Minute-time.Second)))
	retry3 := retry2.Add(4 * time.Minute)
	requireFailed(t, s.blockEvents(time.Second), id, 3, &retry3)
	require.Equal(t, uint32(3), s.dueFailures()[0].Attempts)

	// The cause is gone: the next retry closes the deal as it should have.
	f.fix(id)
	s.advance(retry3.Sub(s.app.Time) - time.Second)
	events = s.blockEvents(time.Second)
	require.Empty(t, typedEvents[*types.EventDueItemFailed](events))
	closed := typedEvents[*types.EventDealClosed](events)
	require.Len(t, closed, 1)
	require.Equal(t, types.CLOSE_REASON_CONSUMER_CLOSED, closed[0].Reason)
	d = s.deal(id)
	require.Equal(t, types.DEAL_STATE_CLOSED, d.State)
	require.Nil(t, d.DueAt)
	require.Equal(t, d.Deposited.Sub(d.Accrued), d.Refunded, "the rest of the escrow was refunded")
	require.Equal(t, consumer.Add(d.Refunded), s.balance(s.consumer))
	require.Empty(t, s.dueFailures(), "a success forgets the failures")
	require.True(t, d.Accrued.LTE(types.CostOver(d.MonthlyCost, d.EndTime.Unix()-d.StartTime.Unix())),
		"billed through the notice only, not the retries")
}

// After max_due_retries the item is parked: one EventDueItemStuck, a record
// the DueFailures query lists, and no more runs by itself. The deal stays
// usable: a party's message still works and runs it once more.
func TestParkedDueItemIsReportedAndRunsWhenTheDealIsTouched(t *testing.T) {
	s := newSuite(t, func(p *types.Params) { p.DueRetryDelay, p.MaxDueRetries = time.Minute, 2 })
	unitID := s.market()
	id := s.shortDeal(unitID)
	end := *s.deal(id).EndTime
	f := s.injectFaults(types.DueDeal, id)

	s.advance(end.Sub(s.app.Time) - time.Second)
	retry1, retry2 := end.Add(time.Minute), end.Add(3*time.Minute)
	requireFailed(t, s.blockEvents(time.Second), id, 1, &retry1)
	requireFailed(t, s.blockEvents(time.Minute), id, 2, &retry2)
	events := s.blockEvents(2 * time.Minute)
	requireFailed(t, events, id, 3, nil)
	stuck := typedEvents[*types.EventDueItemStuck](events)
	require.Len(t, stuck, 1)
	require.Equal(t, types.EventDueItemStuck{Kind: "deal", Id: id, Attempts: 3, Error: errInjected.Error()}, *stuck[0])

	failures := s.dueFailures()
	require.Len(t, failures, 1)
	require.Nil(t, failures[0].RetryAt, "parked: no retry planned")
	require.Equal(t, uint32(3), failures[0].Attempts)
	require.Equal(t, types.DEAL_STATE_ACTIVE, s.deal(id).State)

	// Bounded: a parked item does not run again by itself.
	for range 6 {
		require.Empty(t, typedEvents[*types.EventDueItemFailed](s.blockEvents(10*time.Minute)))
	}
	require.Equal(t, uint32(3), s.dueFailures()[0].Attempts)

	// A party's message on the deal still works, and runs it once more:
	// still failing, it is parked again at once (no new round of retries).
	provider := s.balance(s.provider)
	res, err := s.msgs.WithdrawEarnings(s.ctx(), &types.MsgWithdrawEarnings{Provider: s.provider.String(), DealIds: []uint64{id}})
	require.NoError(t, err)
	require.Equal(t, provider.Add(res.Net.Amount), s.balance(s.provider))
	events = s.blockEvents(time.Second)
	requireFailed(t, events, id, 4, nil)
	require.Len(t, typedEvents[*types.EventDueItemStuck](events), 1)

	require.Equal(t, uint32(4), s.dueFailures()[0].Attempts)

	// Fixed, the next write of the deal runs it and it completes. Here the
	// writer is the chain: the first daily SLA check settles every running
	// deal (with no agreed QoS: UNKNOWN, no refund).
	f.fix(id)
	epoch, err := s.app.EpochsKeeper.GetEpochInfo(s.ctx(), s.params().SlaEpochIdentifier)
	require.NoError(t, err)
	// x/epochs ends an epoch in the first block after its end time.
	s.advance(epoch.CurrentEpochStartTime.Add(epoch.Duration + time.Second).Sub(s.app.Time))
	require.Equal(t, types.DEAL_STATE_ACTIVE, s.deal(id).State, "the check re-queues it for the next block")
	events = s.blockEvents(time.Second)
	closed := typedEvents[*types.EventDealClosed](events)
	require.Len(t, closed, 1)
	require.Equal(t, types.CLOSE_REASON_COMPLETED, closed[0].Reason)
	require.Empty(t, s.dueFailures())
}

// Retries are ordinary queue entries: they count against
// max_due_per_block with everything else, so a failing item never takes
// more than its share of a block.
func TestDueRetriesCountAgainstTheBlockCap(t *testing.T) {
	s := newSuite(t, func(p *types.Params) {
		p.DueRetryDelay, p.MaxDueRetries = time.Second, 5
		p.MaxDuePerBlock = 1
	})
	unitID := s.market()
	a, b := s.shortDeal(unitID), s.shortDeal(unitID) // both end at the same second
	end := *s.deal(a).EndTime
	require.Equal(t, end, *s.deal(b).EndTime)
	f := s.injectFaults(types.DueDeal, a, b)

	s.advance(end.Sub(s.app.Time) - time.Second)
	runs := map[uint64]int{}
	for range 8 {
		failed := typedEvents[*types.EventDueItemFailed](s.blockEvents(time.Second))
		require.LessOrEqual(t, len(failed), 1, "one item per block, retries included")
		for _, e := range failed {
			runs[e.Id]++
		}
	}
	require.Greater(t, runs[a], 1, "a was retried")
	require.Greater(t, runs[b], 1, "b was retried")

	f.fix(a)
	f.fix(b)
	var closed []uint64
	for range 40 {
		events := s.blockEvents(time.Second)
		require.LessOrEqual(t, len(typedEvents[*types.EventDealClosed](events)), 1)
		for _, e := range typedEvents[*types.EventDealClosed](events) {
			closed = append(closed, e.DealId)
		}
		if len(closed) == 2 {
			break
		}
	}
	require.ElementsMatch(t, []uint64{a, b}, closed)
	require.Empty(t, s.dueFailures())
}

// A request whose expiry fails is retried through the due queue (the
// request cursor has moved on); one that stays parked can still be
// cancelled by its consumer, which refunds it and forgets the failure.
func TestFailedRequestExpiryIsRetriedAndCanBeCancelled(t *testing.T) {
	s := newSuite(t, func(p *types.Params) {
		p.DueRetryDelay, p.MaxDueRetries = time.Minute, 1
		p.DealRequestTtl = time.Hour
	})
	unitID := s.market()
	consumer := s.balance(s.consumer)
	fixed, stuck := s.requestDeal(dealMsg(s.consumer, unitID)), s.requestDeal(dealMsg(s.consumer, unitID))
	f := s.injectFaults(types.DueDeal, fixed, stuck)
	expiry := s.deal(fixed).RequestExpiresAt

	s.advance(expiry.Sub(s.app.Time))
	require.Len(t, s.dueFailures(), 2)
	cursor, err := s.app.OrchestratorKeeper.RequestCursor.Get(s.ctx())
	require.NoError(t, err)
	require.Greater(t, cursor, stuck, "the cursor passed both")
	require.Equal(t, types.DEAL_STATE_PENDING, s.deal(fixed).State)
	_, err = s.msgs.AcceptDeal(s.ctx(), &types.MsgAcceptDeal{Provider: s.provider.String(), DealId: fixed})
	require.ErrorIs(t, err, types.ErrInvalidState, "expired: it can no longer be accepted")

	f.fix(fixed)
	events := s.blockEvents(time.Minute)
	requireFailed(t, events, stuck, 2, nil)
	require.Len(t, typedEvents[*types.EventDueItemStuck](events), 1)
	require.Equal(t, types.CLOSE_REASON_REQUEST_EXPIRED, s.deal(fixed).CloseReason, "the retry expired it")
	failures := s.dueFailures()
	require.Len(t, failures, 1)
	require.Equal(t, stuck, failures[0].Id)
	require.Nil(t, failures[0].RetryAt)

	_, err = s.msgs.CancelDealRequest(s.ctx(), &types.MsgCancelDealRequest{Consumer: s.consumer.String(), DealId: stuck})
	require.NoError(t, err, "a party's message still works on a parked deal")
	require.Equal(t, types.CLOSE_REASON_CANCELLED, s.deal(stuck).CloseReason)
	require.Empty(t, s.dueFailures(), "a closed deal has nothing due")
	require.Equal(t, consumer, s.balance(s.consumer), "both deposits refunded in full")
	s.advance(time.Hour)
}

// A bond return that fails is retried at the provider's unbonding time,
// which moves with it; the provider stays registered and its bond stays
// held (and slashable) until it succeeds.
func TestFailedBondReturnIsRetried(t *testing.T) {
	s := newSuite(t, func(p *types.Params) {
		p.DueRetryDelay, p.MaxDueRetries = time.Minute, 3
		p.ProviderUnbondingPeriod = time.Hour
	})
	s.registerProvider(s.provider2)
	balance := s.balance(s.provider2)
	_, err := s.msgs.BeginProviderExit(s.ctx(), &types.MsgBeginProviderExit{Owner: s.provider2.String()})
	require.NoError(t, err)
	f := s.injectFaults(types.DueUnbonding, 0)
	completes := *s.providerOf(s.provider2).UnbondingCompletesAt

	s.advance(completes.Sub(s.app.Time) - time.Second)
	events := s.blockEvents(time.Second)
	failed := typedEvents[*types.EventDueItemFailed](events)
	require.Len(t, failed, 1)
	require.Equal(t, "provider_unbonded", failed[0].Kind)
	require.Equal(t, s.provider2.String(), failed[0].Provider)
	retry := completes.Add(time.Minute)
	require.Equal(t, retry, *failed[0].RetryAt)
	p := s.providerOf(s.provider2)
	require.Equal(t, types.PROVIDER_STATUS_EXITING, p.Status)
	require.Equal(t, retry, *p.UnbondingCompletesAt, "the retry is the unbonding time")
	require.Equal(t, balance, s.balance(s.provider2), "the bond is still held")

	f.fix(0)
	s.advance(time.Minute)
	has, err := s.app.OrchestratorKeeper.Providers.Has(s.ctx(), s.provider2)
	require.NoError(t, err)
	require.False(t, has, "the provider exited")
	require.Equal(t, balance.AddRaw(1_000*flash), s.balance(s.provider2), "with its bond")
	require.Empty(t, s.dueFailures())
}

// A retried item that succeeds without closing the deal — here the escrow
// running dry — forgets its failure too, and the deal carries on: overdrawn,
// then closed when the grace period ends.
func TestFailedOverdraftIsRetried(t *testing.T) {
	s := newSuite(t, func(p *types.Params) {
		p.DueRetryDelay, p.MaxDueRetries = time.Minute, 3
		p.MinPrepaidPeriod, p.OverdraftGracePeriod = time.Hour, time.Hour
	})
	unitID := s.market()
	msg := dealMsg(s.consumer, unitID)
	msg.Term, msg.Deposit = 2*time.Hour, uflash(2_777) // one hour paid of two
	id := s.requestDeal(msg)
	s.accept(s.provider, id)
	dry, ok := s.deal(id).PaidThrough()
	require.True(t, ok)
	f := s.injectFaults(types.DueDeal, id)

	s.advance(dry.Sub(s.app.Time) - time.Second)
	retry := dry.Add(time.Minute)
	requireFailed(t, s.blockEvents(time.Second), id, 1, &retry)
	require.Equal(t, types.DEAL_STATE_ACTIVE, s.deal(id).State)

	f.fix(id)
	events := s.blockEvents(time.Minute)
	require.Len(t, typedEvents[*types.EventDealOverdrawn](events), 1)
	require.Equal(t, types.DEAL_STATE_OVERDRAWN, s.deal(id).State)
	require.Empty(t, s.dueFailures(), "the successful retry forgot the failure")

	s.advance(time.Hour)
	require.Equal(t, types.CLOSE_REASON_INSUFFICIENT_FUNDS, s.deal(id).CloseReason)
}
