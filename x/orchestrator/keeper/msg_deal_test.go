package keeper_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

const day = 24 * time.Hour

// The reference deal: 100 GB at 20,000 uflash per GB-month for 30 days,
// i.e. 2,000,000 uflash for the term, accrued per second.

func TestDealCompletesAndPaysExactly(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	consumer0, provider0 := s.balance(s.consumer), s.balance(s.provider)

	dealID := s.requestDeal(dealMsg(s.consumer, unitID))
	d := s.deal(dealID)
	require.Equal(t, types.DEAL_STATE_PENDING, d.State)
	require.Equal(t, types.DATA_UNIT_STATE_RESERVED, s.unit(unitID).State)
	require.Equal(t, uint64(100), s.unit(unitID).AllocatedGb)
	require.Equal(t, consumer0.SubRaw(2_000_000), s.balance(s.consumer))

	s.accept(s.provider, dealID)
	require.Equal(t, types.DATA_UNIT_STATE_IN_USE, s.unit(unitID).State)
	s.advance(10 * day)

	// 10 days: 2,000,000 × 864,000 / 2,592,000 = 666,666 (floored); fee 0.5 % = 3,333.
	q, err := s.queries.Deal(s.ctx(), &types.QueryDealRequest{Id: dealID})
	require.NoError(t, err)
	require.Equal(t, int64(666_666), q.Escrow.Accrued.Int64())
	require.Equal(t, int64(1_333_334), q.Escrow.Balance.Int64())
	require.Equal(t, int64(3_333), q.Escrow.WithdrawableFee.Int64())
	require.Equal(t, int64(663_333), q.Escrow.Withdrawable.Int64())
	require.Nil(t, q.Escrow.RunsDryAt, "the full term is paid for")

	pool := s.communityPool()
	rewardPool := s.rewardPool()
	res, err := s.msgs.WithdrawEarnings(s.ctx(), &types.MsgWithdrawEarnings{Provider: s.provider.String(), DealIds: []uint64{dealID}})
	require.NoError(t, err)
	require.Equal(t, int64(663_333), res.Net.Amount.Int64())
	require.Equal(t, int64(3_333), res.Fee.Amount.Int64())
	// The fee waits in the module account for the end of the block ...
	require.Equal(t, int64(3_333), s.pendingPlatformFees().Int64())
	require.Equal(t, rewardPool, s.rewardPool())
	require.Equal(t, pool, s.communityPool())
	// ... where it is split: platform_fee_pool_share (50 %) of 3,333 = 1,666
	// (floored) to the reputation reward pool, the other 1,667 to the
	// community pool (which also takes the block's community tax).
	toRewardPool, toCommunityPool := s.sweepBlock()
	require.True(t, s.pendingPlatformFees().IsZero(), "the sweep pays every pending fee")
	require.Equal(t, uflash(1_666), toRewardPool)
	require.Equal(t, uflash(1_667), toCommunityPool)
	require.Equal(t, rewardPool.AddRaw(1_666), s.rewardPool(), "half the fee funds the reward pool")
	require.True(t, s.communityPool().GTE(pool.Add(sdkmath.LegacyNewDec(1_667))), "the rest goes to the community pool")

	// The term ends; the deal completes without anyone sending a transaction.
	s.advance(20*day + time.Second)
	d = s.deal(dealID)
	require.Equal(t, types.DEAL_STATE_CLOSED, d.State)
	require.Equal(t, types.CLOSE_REASON_COMPLETED, d.CloseReason)
	require.True(t, d.Escrow().IsZero())
	require.Equal(t, types.DATA_UNIT_STATE_AVAILABLE, s.unit(unitID).State)
	require.Zero(t, s.unit(unitID).AllocatedGb)

	// Earnings stay withdrawable after the close. The fee is computed on the
	// cumulative amount: 0.5 % of 2,000,000 = 10,000 in all.
	pool, rewardPool = s.communityPool(), s.rewardPool()
	res, err = s.msgs.WithdrawEarnings(s.ctx(), &types.MsgWithdrawEarnings{Provider: s.provider.String(), DealIds: []uint64{dealID}})
	require.NoError(t, err)
	require.Equal(t, int64(1_326_667), res.Net.Amount.Int64())
	require.Equal(t, int64(6_667), res.Fee.Amount.Int64())
	toRewardPool, toCommunityPool = s.sweepBlock()
	require.Equal(t, uflash(3_333), toRewardPool)
	require.Equal(t, uflash(3_334), toCommunityPool)
	require.Equal(t, rewardPool.AddRaw(3_333), s.rewardPool())
	require.True(t, s.communityPool().GTE(pool.Add(sdkmath.LegacyNewDec(3_334))))

	require.Equal(t, consumer0.SubRaw(2_000_000), s.balance(s.consumer))
	require.Equal(t, provider0.AddRaw(1_990_000), s.balance(s.provider))
	s.requireErrUnchanged(types.ErrNothingToWithdraw, func() error {
		return s.deliver(&types.MsgWithdrawEarnings{Provider: s.provider.String(), DealIds: []uint64{dealID}})
	})
}

func TestConsumerClosesWithNotice(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	consumer0 := s.balance(s.consumer)
	dealID := s.requestDeal(dealMsg(s.consumer, unitID))
	s.accept(s.provider, dealID)
	s.advance(5 * day)

	res, err := s.msgs.CloseDeal(s.ctx(), &types.MsgCloseDeal{Sender: s.consumer.String(), DealId: dealID})
	require.NoError(t, err)
	require.Equal(t, s.app.Time.Add(day), res.EffectiveAt, "one day of notice")
	s.requireErrUnchanged(types.ErrInvalidState, func() error {
		return s.deliver(&types.MsgCloseDeal{Sender: s.consumer.String(), DealId: dealID})
	})

	s.advance(day)
	d := s.deal(dealID)
	require.Equal(t, types.CLOSE_REASON_CONSUMER_CLOSED, d.CloseReason)
	// Billed for 6 days: 2,000,000 × 6/30 = 400,000; the rest comes back.
	require.Equal(t, int64(400_000), d.Accrued.Int64())
	require.Equal(t, int64(1_600_000), d.Refunded.Int64())
	require.Equal(t, consumer0.SubRaw(400_000), s.balance(s.consumer))
	s.requireErrUnchanged(types.ErrDealClosed, func() error {
		return s.deliver(&types.MsgCloseDeal{Sender: s.consumer.String(), DealId: dealID})
	})
}

func TestProviderClosesWithNoticeAndPenalty(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	consumer0 := s.balance(s.consumer)
	dealID := s.requestDeal(dealMsg(s.consumer, unitID))
	s.accept(s.provider, dealID)
	s.advance(5 * day)

	res, err := s.msgs.CloseDeal(s.ctx(), &types.MsgCloseDeal{Sender: s.provider.String(), DealId: dealID})
	require.NoError(t, err)
	require.Equal(t, s.app.Time.Add(7*day), res.EffectiveAt, "seven days of notice")
	// The 18 days after day 12 would have cost 1,200,000: 10 % of it goes to
	// the consumer from the provider's bond at once.
	require.Equal(t, int64(120_000), s.deal(dealID).PenaltyPaid.Int64())
	require.Equal(t, int64(1_000*flash-120_000), s.providerOf(s.provider).Bond.Int64())
	require.Equal(t, consumer0.SubRaw(2_000_000-120_000), s.balance(s.consumer))

	s.advance(7 * day)
	d := s.deal(dealID)
	require.Equal(t, types.CLOSE_REASON_PROVIDER_CLOSED, d.CloseReason)
	require.Equal(t, int64(800_000), d.Accrued.Int64(), "12 days billed")
	require.Equal(t, consumer0.SubRaw(800_000-120_000), s.balance(s.consumer))

	// Below the minimum bond, the provider takes no new business until it tops up.
	s.registerConsumer(s.consumer2)
	s.requireErrUnchanged(types.ErrInsufficientBond, func() error {
		return s.deliver(dealMsg(s.consumer2, unitID))
	})
	_, err = s.msgs.AddProviderBond(s.ctx(), &types.MsgAddProviderBond{Owner: s.provider.String(), Amount: uflash(120_000)})
	require.NoError(t, err)
	s.requestDeal(dealMsg(s.consumer2, unitID))
}

func TestOverdraftGraceAndRevival(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	msg := dealMsg(s.consumer, unitID)
	msg.Term = 60 * day // 4,000,000 for the term; the minimum deposit covers 30 days
	dealID := s.requestDeal(msg)
	s.accept(s.provider, dealID)

	q, err := s.queries.Deal(s.ctx(), &types.QueryDealRequest{Id: dealID})
	require.NoError(t, err)
	require.NotNil(t, q.Escrow.RunsDryAt)
	require.Equal(t, s.app.Time.Add(30*day), *q.Escrow.RunsDryAt)

	s.advance(30 * day)
	d := s.deal(dealID)
	require.Equal(t, types.DEAL_STATE_OVERDRAWN, d.State)
	require.True(t, d.Escrow().IsZero())

	// A day into the grace period, a top-up revives the deal and pays the day.
	s.advance(day)
	_, err = s.msgs.TopUpDeal(s.ctx(), &types.MsgTopUpDeal{Consumer: s.consumer.String(), DealId: dealID, Amount: uflash(2_000_000)})
	require.NoError(t, err)
	d = s.deal(dealID)
	require.Equal(t, types.DEAL_STATE_ACTIVE, d.State)
	require.Equal(t, int64(2_066_666), d.Accrued.Int64(), "31 days paid")

	s.advance(29*day + time.Second)
	d = s.deal(dealID)
	require.Equal(t, types.DEAL_STATE_CLOSED, d.State)
	require.Equal(t, types.CLOSE_REASON_COMPLETED, d.CloseReason)
	require.Equal(t, int64(4_000_000), d.Accrued.Int64())
}

func TestOverdraftClosesAfterGrace(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	msg := dealMsg(s.consumer, unitID)
	msg.Term = 60 * day
	dealID := s.requestDeal(msg)
	s.accept(s.provider, dealID)

	s.advance(30 * day)
	require.Equal(t, types.DEAL_STATE_OVERDRAWN, s.deal(dealID).State)
	s.advance(3 * day)
	d := s.deal(dealID)
	require.Equal(t, types.DEAL_STATE_CLOSED, d.State)
	require.Equal(t, types.CLOSE_REASON_INSUFFICIENT_FUNDS, d.CloseReason)
	require.Equal(t, int64(2_000_000), d.Accrued.Int64(), "the provider keeps what was paid")
	require.Zero(t, s.unit(unitID).AllocatedGb)
}

func TestRequestExpiresWithFullRefund(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	consumer0 := s.balance(s.consumer)
	dealID := s.requestDeal(dealMsg(s.consumer, unitID))
	s.advance(3*day - time.Second)
	require.Equal(t, types.DEAL_STATE_PENDING, s.deal(dealID).State)
	s.advance(time.Second)
	d := s.deal(dealID)
	require.Equal(t, types.CLOSE_REASON_REQUEST_EXPIRED, d.CloseReason)
	require.Equal(t, consumer0, s.balance(s.consumer))
	require.Equal(t, types.DATA_UNIT_STATE_AVAILABLE, s.unit(unitID).State)
	s.requireErrUnchanged(types.ErrDealClosed, func() error {
		return s.deliver(&types.MsgAcceptDeal{Provider: s.provider.String(), DealId: dealID})
	})
}

func TestDeclineAndCancelRefundInFull(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	consumer0 := s.balance(s.consumer)

	first := s.requestDeal(dealMsg(s.consumer, unitID))
	s.requireErrUnchanged(types.ErrUnauthorized, func() error {
		return s.deliver(&types.MsgDeclineDeal{Provider: s.consumer.String(), DealId: first})
	})
	_, err := s.msgs.DeclineDeal(s.ctx(), &types.MsgDeclineDeal{Provider: s.provider.String(), DealId: first, Reason: "region full"})
	require.NoError(t, err)
	require.Equal(t, types.CLOSE_REASON_DECLINED, s.deal(first).CloseReason)
	require.Equal(t, consumer0, s.balance(s.consumer))

	second := s.requestDeal(dealMsg(s.consumer, unitID))
	s.requireErrUnchanged(types.ErrUnauthorized, func() error {
		return s.deliver(&types.MsgCancelDealRequest{Consumer: s.provider.String(), DealId: second})
	})
	_, err = s.msgs.CancelDealRequest(s.ctx(), &types.MsgCancelDealRequest{Consumer: s.consumer.String(), DealId: second})
	require.NoError(t, err)
	require.Equal(t, types.CLOSE_REASON_CANCELLED, s.deal(second).CloseReason)
	require.Equal(t, consumer0, s.balance(s.consumer))
	require.Zero(t, s.unit(unitID).AllocatedGb)

	third := s.requestDeal(dealMsg(s.consumer, unitID))
	s.accept(s.provider, third)
	s.requireErrUnchanged(types.ErrInvalidState, func() error {
		return s.deliver(&types.MsgCancelDealRequest{Consumer: s.consumer.String(), DealId: third})
	})
}

func TestRequestDealRejects(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	s.registerConsumer(s.provider) // a provider may also consume, but not from itself
	cases := map[string]struct {
		edit func(*types.MsgRequestDeal)
		want error
	}{
		"unregistered consumer":    {func(m *types.MsgRequestDeal) { m.Consumer = s.stranger.String() }, types.ErrConsumerNotFound},
		"unknown unit":             {func(m *types.MsgRequestDeal) { m.UnitId = 999 }, types.ErrUnitNotFound},
		"self dealing":             {func(m *types.MsgRequestDeal) { m.Consumer = s.provider.String() }, types.ErrInvalidInput},
		"capacity over free":       {func(m *types.MsgRequestDeal) { m.CapacityGb = 1001 }, types.ErrInsufficientCap},
		"zero capacity":            {func(m *types.MsgRequestDeal) { m.CapacityGb = 0 }, types.ErrInvalidInput},
		"term below minimum":       {func(m *types.MsgRequestDeal) { m.Term = time.Minute }, types.ErrInvalidDuration},
		"term above maximum":       {func(m *types.MsgRequestDeal) { m.Term = 6 * 365 * day }, types.ErrInvalidDuration},
		"negative term":            {func(m *types.MsgRequestDeal) { m.Term = -time.Hour }, types.ErrInvalidDuration},
		"deposit below prepaid":    {func(m *types.MsgRequestDeal) { m.Deposit = uflash(1_999_999) }, types.ErrInsufficientDeposit},
		"deposit above term cost":  {func(m *types.MsgRequestDeal) { m.Deposit = uflash(2_000_001) }, types.ErrInvalidAmount},
		"zero deposit":             {func(m *types.MsgRequestDeal) { m.Deposit = uflash(0) }, types.ErrInvalidAmount},
		"negative deposit":         {func(m *types.MsgRequestDeal) { m.Deposit.Amount = sdkmath.NewInt(-1) }, types.ErrInvalidAmount},
		"deposit in another denom": {func(m *types.MsgRequestDeal) { m.Deposit.Denom = "uatom" }, types.ErrInvalidAmount},
		"invalid sla":              {func(m *types.MsgRequestDeal) { m.Sla.MaxErrorRateBps = 20_000 }, types.ErrInvalidInput},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			msg := dealMsg(s.consumer, unitID)
			tc.edit(msg)
			s.requireErrUnchanged(tc.want, func() error { return s.deliver(msg) })
		})
	}
}

func TestDealCostBounds(t *testing.T) {
	s := newSuite(t)
	s.registerProvider(s.provider)
	s.registerConsumer(s.consumer)
	// The most expensive unit there can be: price × capacity × term overflows
	// any sensible amount and is refused.
	huge := s.createUnit(s.provider, func(m *types.MsgCreateDataUnit) {
		m.CapacityGb = types.MaxCapacityGB
		m.PricePerGbMonth = sdkmath.NewIntFromUint64(types.MaxPricePerGBMonth)
	})
	s.requireErrUnchanged(types.ErrAmountTooLarge, func() error {
		m := dealMsg(s.consumer, huge)
		m.CapacityGb = types.MaxCapacityGB
		m.Term = 5 * 365 * day
		_, err := s.msgs.RequestDeal(s.ctx(), m)
		return err
	})
	// The cheapest: a cost that rounds to zero is refused too.
	tiny := s.createUnit(s.provider, func(m *types.MsgCreateDataUnit) { m.PricePerGbMonth = sdkmath.OneInt() })
	s.requireErrUnchanged(types.ErrInvalidAmount, func() error {
		m := dealMsg(s.consumer, tiny)
		m.CapacityGb, m.Term, m.Deposit = 1, time.Hour, uflash(1)
		_, err := s.msgs.RequestDeal(s.ctx(), m)
		return err
	})
}

func TestAcceptDealRejects(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	s.registerProvider(s.provider2)
	dealID := s.requestDeal(dealMsg(s.consumer, unitID))

	s.requireErrUnchanged(types.ErrUnauthorized, func() error {
		return s.deliver(&types.MsgAcceptDeal{Provider: s.provider2.String(), DealId: dealID})
	})
	s.requireErrUnchanged(types.ErrDealNotFound, func() error {
		return s.deliver(&types.MsgAcceptDeal{Provider: s.provider.String(), DealId: 77})
	})
	s.requireErrUnchanged(types.ErrInvalidInput, func() error {
		return s.deliver(&types.MsgAcceptDeal{Provider: s.provider.String(), DealId: 0})
	})
	s.accept(s.provider, dealID)
	s.requireErrUnchanged(types.ErrInvalidState, func() error {
		return s.deliver(&types.MsgAcceptDeal{Provider: s.provider.String(), DealId: dealID})
	})

	// A request whose unit went into maintenance cannot be accepted.
	other := s.requestDeal(dealMsg(s.consumer, unitID))
	_, err := s.msgs.ScheduleMaintenance(s.ctx(), &types.MsgScheduleMaintenance{
		Provider: s.provider.String(), UnitId: unitID, Start: s.app.Time, End: s.app.Time.Add(time.Hour),
	})
	require.NoError(t, err)
	s.requireErrUnchanged(types.ErrUnitUnavailable, func() error {
		return s.deliver(&types.MsgAcceptDeal{Provider: s.provider.String(), DealId: other})
	})
}

func TestTopUpAndWithdrawRejects(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	s.registerProvider(s.provider2)
	msg := dealMsg(s.consumer, unitID)
	msg.Term = 60 * day
	dealID := s.requestDeal(msg)

	s.requireErrUnchanged(types.ErrUnauthorized, func() error {
		return s.deliver(&types.MsgTopUpDeal{Consumer: s.provider.String(), DealId: dealID, Amount: uflash(10)})
	})
	s.requireErrUnchanged(types.ErrInvalidAmount, func() error {
		return s.deliver(&types.MsgTopUpDeal{Consumer: s.consumer.String(), DealId: dealID, Amount: uflash(2_000_001)})
	})
	s.requireErrUnchanged(types.ErrInvalidAmount, func() error {
		return s.deliver(&types.MsgTopUpDeal{Consumer: s.consumer.String(), DealId: dealID, Amount: uflash(0)})
	})
	_, err := s.msgs.TopUpDeal(s.ctx(), &types.MsgTopUpDeal{Consumer: s.consumer.String(), DealId: dealID, Amount: uflash(2_000_000)})
	require.NoError(t, err, "a pending deal may be topped up to its term cost")

	s.accept(s.provider, dealID)
	s.requireErrUnchanged(types.ErrNothingToWithdraw, func() error {
		return s.deliver(&types.MsgWithdrawEarnings{Provider: s.provider.String(), DealIds: []uint64{dealID}})
	})
	s.advance(day)
	s.requireErrUnchanged(types.ErrUnauthorized, func() error {
		return s.deliver(&types.MsgWithdrawEarnings{Provider: s.provider2.String(), DealIds: []uint64{dealID}})
	})
	s.requireErrUnchanged(types.ErrInvalidInput, func() error {
		return s.deliver(&types.MsgWithdrawEarnings{Provider: s.provider.String(), DealIds: []uint64{dealID, dealID}})
	})
	s.requireErrUnchanged(types.ErrInvalidInput, func() error {
		ids := make([]uint64, types.MaxWithdrawDeals+1)
		for i := range ids {
			ids[i] = uint64(i + 1)
		}
		return s.deliver(&types.MsgWithdrawEarnings{Provider: s.provider.String(), DealIds: ids})
	})
	s.requireErrUnchanged(types.ErrDealNotFound, func() error {
		return s.deliver(&types.MsgWithdrawEarnings{Provider: s.provider.String(), DealIds: []uint64{dealID, 99}})
	})

	_, err = s.msgs.CloseDeal(s.ctx(), &types.MsgCloseDeal{Sender: s.stranger.String(), DealId: dealID})
	require.ErrorIs(t, err, types.ErrUnauthorized)
	_, err = s.msgs.CloseDeal(s.ctx(), &types.MsgCloseDeal{Sender: s.consumer.String(), DealId: dealID})
	require.NoError(t, err)
	s.advance(day)
	s.requireErrUnchanged(types.ErrDealClosed, func() error {
		return s.deliver(&types.MsgTopUpDeal{Consumer: s.consumer.String(), DealId: dealID, Amount: uflash(10)})
	})
}

func TestWithdrawManyDeals(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	s.registerConsumer(s.consumer2)
	a := s.requestDeal(dealMsg(s.consumer, unitID))
	b := s.requestDeal(dealMsg(s.consumer2, unitID))
	s.accept(s.provider, a)
	s.accept(s.provider, b)
	s.advance(3 * day)
	// Each accrued 200,000; one withdrawal pays both, fee 1,000 each.
	res, err := s.msgs.WithdrawEarnings(s.ctx(), &types.MsgWithdrawEarnings{Provider: s.provider.String(), DealIds: []uint64{a, b}})
	require.NoError(t, err)
	require.Equal(t, int64(398_000), res.Net.Amount.Int64())
	require.Equal(t, int64(2_000), res.Fee.Amount.Int64())
}

// TestDealsEndWithUnevenBlockTimes: block times that fall between whole
// seconds must not lose a deal from the due queue.
func TestDealsEndWithUnevenBlockTimes(t *testing.T) {
	s := newSuite(t, func(p *types.Params) { p.MinDealDuration = time.Second; p.MinPrepaidPeriod = time.Second })
	unitID := s.market()
	s.app.BlockTime = 700 * time.Millisecond
	s.app.NextBlock(s.t)
	msg := dealMsg(s.consumer, unitID)
	msg.Term, msg.Deposit = 10*time.Second, uflash(5)
	dealID := s.requestDeal(msg)
	s.accept(s.provider, dealID)
	for i := 0; i < 30 && s.deal(dealID).State != types.DEAL_STATE_CLOSED; i++ {
		s.app.BlockTime = 700 * time.Millisecond
		s.app.NextBlock(s.t)
		s.checkInvariants()
	}
	d := s.deal(dealID)
	require.Equal(t, types.DEAL_STATE_CLOSED, d.State)
	require.Equal(t, types.CLOSE_REASON_INSUFFICIENT_FUNDS, d.CloseReason, "5 uflash pay for 7 of the 10 seconds")
}

// TestRequestAndTopUpEvents: a request is reported by one
// EventDealRequested that carries its deposit; a top-up by EventDeposit.
func TestRequestAndTopUpEvents(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	ctx := s.ctx().WithEventManager(sdk.NewEventManager())
	msg := dealMsg(s.consumer, unitID)
	msg.Term = 60 * day // the deposit covers the first 30 days: room for a top-up
	res, err := s.msgs.RequestDeal(ctx, msg)
	require.NoError(t, err)
	events := ctx.EventManager().ABCIEvents()
	require.Empty(t, typedEvents[*types.EventDeposit](events), "a request's deposit is in EventDealRequested")
	requested := typedEvents[*types.EventDealRequested](events)
	require.Len(t, requested, 1)
	require.Equal(t, res.DealId, requested[0].DealId)
	require.Equal(t, uflash(2_000_000), requested[0].Deposit)

	s.accept(s.provider, res.DealId)
	ctx = s.ctx().WithEventManager(sdk.NewEventManager())
	_, err = s.msgs.TopUpDeal(ctx, &types.MsgTopUpDeal{Consumer: s.consumer.String(), DealId: res.DealId, Amount: uflash(1_000)})
	require.NoError(t, err)
	deposits := typedEvents[*types.EventDeposit](ctx.EventManager().ABCIEvents())
	require.Len(t, deposits, 1)
	require.Equal(t, uflash(1_000), deposits[0].Amount)
}

// TestPlatformFeeSweepFailureChangesNothing: should the end-block payout of
// platform fees ever fail, it moves no coin, emits nothing, and keeps the
// fees pending for the next block (and in an exported genesis) instead of
// halting the chain.
func TestPlatformFeeSweepFailureChangesNothing(t *testing.T) {
	s := newSuite(t)
	s.market()
	k := s.app.OrchestratorKeeper
	ctx := s.ctx().WithEventManager(sdk.NewEventManager())
	moduleAddr := s.app.AccountKeeper.GetModuleAddress(types.ModuleName)
	held := s.balance(moduleAddr)
	// More than the module account holds: the payout must fail.
	tooMuch := held.AddRaw(1)
	require.NoError(t, k.PendingPlatformFees.Set(ctx, tooMuch))
	rewardPool, communityPool := s.rewardPool(), s.communityPool()

	require.NoError(t, k.SweepPlatformFees(ctx))
	require.Empty(t, ctx.EventManager().Events())
	require.Equal(t, tooMuch, s.pendingPlatformFees())
	require.Equal(t, held, s.balance(moduleAddr))
	require.Equal(t, rewardPool, s.rewardPool())
	require.Equal(t, communityPool, s.communityPool())

	gs, err := k.ExportGenesis(ctx)
	require.NoError(t, err)
	require.Equal(t, tooMuch, gs.PendingPlatformFees, "pending fees survive an export")
}

// TestProviderCannotDealWithItselfInUpperCase: the upper-case form of an
// address decodes to the same account; comparing parties as strings let a
// provider request a deal on its own unit that way.
func TestProviderCannotDealWithItselfInUpperCase(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()
	s.registerConsumer(s.provider)
	msg := dealMsg(s.provider, unitID)
	msg.Consumer = strings.ToUpper(msg.Consumer)
	s.requireErrUnchanged(sdkerrors.ErrInvalidAddress, func() error {
		return s.deliver(msg)
	})
	msg.Consumer = s.provider.String()
	s.requireErrUnchanged(types.ErrInvalidInput, func() error {
		return s.deliver(msg)
	})
}
