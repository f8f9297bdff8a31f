package keeper

import (
	"context"
	"time"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// MaxDealCost bounds what one deal may cost over its term (10^24 uflash, far
// beyond any supply): a larger price × capacity × term is refused.
var MaxDealCost = sdkmath.NewIntWithDecimal(1, 24)

// RequestDeal reserves capacity on a unit under an SLA and puts the deposit
// in escrow until the provider answers.
func (m msgServer) RequestDeal(ctx context.Context, msg *types.MsgRequestDeal) (*types.MsgRequestDealResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	if err := m.k.requireConsumer(ctx, msg.Consumer); err != nil {
		return nil, err
	}
	unit, err := m.k.getUnit(ctx, msg.UnitId)
	if err != nil {
		return nil, err
	}
	if unit.Provider == msg.Consumer {
		return nil, errorsmod.Wrap(types.ErrInvalidInput, "a provider cannot make a deal with itself")
	}
	now := blockSecond(ctx)
	if state := deriveUnitState(unit, now); !takesNewDeals(state) {
		return nil, errorsmod.Wrapf(types.ErrUnitUnavailable, "data unit %d is %s", unit.Id, state)
	}
	provider, _, err := m.k.requireActiveProvider(ctx, params, unit.Provider)
	if err != nil {
		return nil, err
	}
	if msg.Term%time.Second != 0 {
		return nil, errorsmod.Wrapf(types.ErrInvalidDuration, "term must be a whole number of seconds, got %s", msg.Term)
	}
	if msg.Term < params.MinDealDuration || msg.Term > params.MaxDealDuration {
		return nil, errorsmod.Wrapf(types.ErrInvalidDuration, "term must be between %s and %s, got %s",
			params.MinDealDuration, params.MaxDealDuration, msg.Term)
	}
	if free := unit.CapacityGb - unit.AllocatedGb; msg.CapacityGb > free {
		return nil, errorsmod.Wrapf(types.ErrInsufficientCap, "data unit %d has %d GB free, %d GB requested", unit.Id, free, msg.CapacityGb)
	}

	monthly := types.MonthlyCost(unit.PricePerGbMonth, msg.CapacityGb)
	termCost := types.CostOver(monthly, types.TermSeconds(msg.Term))
	if termCost.GT(MaxDealCost) {
		return nil, errorsmod.Wrapf(types.ErrAmountTooLarge, "the deal would cost %s%s over its term, more than the maximum %s",
			termCost, params.Denom(), MaxDealCost)
	}
	if !termCost.IsPositive() {
		return nil, errorsmod.Wrap(types.ErrInvalidAmount, "the deal's cost rounds to zero; reserve more capacity or a longer term")
	}
	prepaid := msg.Term
	if params.MinPrepaidPeriod < prepaid {
		prepaid = params.MinPrepaidPeriod
	}
	minDeposit := types.CostOver(monthly, types.TermSeconds(prepaid))
	if minDeposit.IsZero() {
		minDeposit = sdkmath.OneInt()
	}
	deposit, err := types.CoinAmountIn("deposit", msg.Deposit, params.Denom())
	if err != nil {
		return nil, err
	}
	if deposit.LT(minDeposit) {
		return nil, errorsmod.Wrapf(types.ErrInsufficientDeposit, "the deposit must cover at least %s of the deal: %s%s, got %s",
			prepaid, minDeposit, params.Denom(), msg.Deposit)
	}
	if deposit.GT(termCost) {
		return nil, errorsmod.Wrapf(types.ErrInvalidAmount, "the deposit %s exceeds the cost of the whole term, %s%s", msg.Deposit, termCost, params.Denom())
	}

	id, err := m.k.NextDealID.Next(ctx)
	if err != nil {
		return nil, err
	}
	d := types.Deal{
		Id:               id,
		Consumer:         msg.Consumer,
		Provider:         unit.Provider,
		UnitId:           unit.Id,
		CapacityGb:       msg.CapacityGb,
		Term:             msg.Term,
		Sla:              msg.Sla,
		PricePerGbMonth:  unit.PricePerGbMonth,
		PricePerGbEgress: unit.PricePerGbEgress,
		MonthlyCost:      monthly,
		State:            types.DEAL_STATE_PENDING,
		RequestedAt:      now,
		RequestExpiresAt: now.Add(params.DealRequestTtl).Truncate(time.Second),
		Deposited:        sdkmath.ZeroInt(),
		Accrued:          sdkmath.ZeroInt(),
		Refunded:         sdkmath.ZeroInt(),
		Withdrawn:        sdkmath.ZeroInt(),
		FeesPaid:         sdkmath.ZeroInt(),
		PenaltyPaid:      sdkmath.ZeroInt(),
		ClawedBack:       sdkmath.ZeroInt(),
		SlaRefunded:      sdkmath.ZeroInt(),
	}
	if err := m.k.pullDeposit(ctx, &d, params.Denom(), deposit); err != nil {
		return nil, err
	}
	// A request has no due-queue entry (due_at stays unset): it expires
	// through the request cursor, in id order (ExpireRequests).
	if err := m.k.setDeal(ctx, nil, d); err != nil {
		return nil, err
	}
	oldUnit := unit
	unit.PendingDeals++
	unit.AllocatedGb += msg.CapacityGb
	if err := m.k.setUnitCertified(ctx, &oldUnit, unit, provider.Certified); err != nil {
		return nil, err
	}
	return &types.MsgRequestDealResponse{DealId: id}, typedevent.Emit(ctx, &types.EventDealRequested{
		DealId: id, Consumer: d.Consumer, Provider: d.Provider, UnitId: d.UnitId,
		CapacityGb: d.CapacityGb, Term: d.Term, ExpiresAt: d.RequestExpiresAt, Deposit: coin(params.Denom(), deposit),
	})
}

// dealOf loads a deal and checks that signer is the party `role` says.
func (k Keeper) dealOf(ctx context.Context, id uint64, signer string, role string) (types.Deal, error) {
	d, err := k.getDeal(ctx, id)
	if err != nil {
		return d, err
	}
	party := d.Consumer
	if role == "provider" {
		party = d.Provider
	}
	if party != signer {
		return d, errorsmod.Wrapf(types.ErrUnauthorized, "only the %s of deal %d, %s, may do this", role, id, party)
	}
	return d, nil
}

// pendingDeal loads a deal that must still be waiting for the provider.
func (k Keeper) pendingDeal(ctx context.Context, id uint64, signer, role string) (types.Deal, error) {
	d, err := k.dealOf(ctx, id, signer, role)
	if err != nil {
		return d, err
	}
	switch d.State {
	case types.DEAL_STATE_PENDING:
		return d, nil
	case types.DEAL_STATE_CLOSED:
		return d, errorsmod.Wrapf(types.ErrDealClosed, "deal %d is closed (%s)", id, d.CloseReason)
	default:
		return d, errorsmod.Wrapf(types.ErrInvalidState, "deal %d was already accepted", id)
	}
}

// AcceptDeal accepts a pending request: the deal starts at block time and
// payment starts to accrue.
func (m msgServer) AcceptDeal(ctx context.Context, msg *types.MsgAcceptDeal) (*types.MsgAcceptDealResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	d, err := m.k.pendingDeal(ctx, msg.DealId, msg.Provider, "provider")
	if err != nil {
		return nil, err
	}
	now := blockSecond(ctx)
	if !now.Before(d.RequestExpiresAt) {
		return nil, errorsmod.Wrapf(types.ErrInvalidState, "the request of deal %d expired at %s", d.Id, d.RequestExpiresAt)
	}
	provider, _, err := m.k.requireActiveProvider(ctx, params, d.Provider)
	if err != nil {
		return nil, err
	}
	unit, err := m.k.getUnit(ctx, d.UnitId)
	if err != nil {
		return nil, err
	}
	if state := deriveUnitState(unit, now); !takesNewDeals(state) {
		return nil, errorsmod.Wrapf(types.ErrUnitUnavailable, "data unit %d is %s", unit.Id, state)
	}

	start := now
	end := start.Add(d.Term)
	if _, err := m.k.changeDeal(ctx, d, func(d *types.Deal) error {
		d.State = types.DEAL_STATE_ACTIVE
		d.StartTime, d.EndTime, d.SettledAt = &start, &end, &start
		d.DueAt = nextDue(*d, params.OverdraftGracePeriod)
		return nil
	}); err != nil {
		return nil, err
	}
	oldUnit := unit
	unit.PendingDeals--
	unit.ActiveDeals++
	if err := m.k.setUnitCertified(ctx, &oldUnit, unit, provider.Certified); err != nil {
		return nil, err
	}
	return &types.MsgAcceptDealResponse{}, typedevent.Emit(ctx, &types.EventDealAccepted{DealId: d.Id, StartTime: start, EndTime: end})
}

// DeclineDeal declines a pending request and refunds the deposit in full.
func (m msgServer) DeclineDeal(ctx context.Context, msg *types.MsgDeclineDeal) (*types.MsgDeclineDealResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	d, err := m.k.pendingDeal(ctx, msg.DealId, msg.Provider, "provider")
	if err != nil {
		return nil, err
	}
	return &types.MsgDeclineDealResponse{}, m.k.closeDeal(ctx, params, d, types.CLOSE_REASON_DECLINED)
}

// CancelDealRequest withdraws a pending request and refunds the deposit.
func (m msgServer) CancelDealRequest(ctx context.Context, msg *types.MsgCancelDealRequest) (*types.MsgCancelDealRequestResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	d, err := m.k.pendingDeal(ctx, msg.DealId, msg.Consumer, "consumer")
	if err != nil {
		return nil, err
	}
	return &types.MsgCancelDealRequestResponse{}, m.k.closeDeal(ctx, params, d, types.CLOSE_REASON_CANCELLED)
}

// TopUpDeal adds to a deal's escrow. The deal is settled first; an OVERDRAWN
// deal that the top-up covers again is revived, and the service it got
// during the grace period is paid from the top-up.
func (m msgServer) TopUpDeal(ctx context.Context, msg *types.MsgTopUpDeal) (*types.MsgTopUpDealResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	d, err := m.k.dealOf(ctx, msg.DealId, msg.Consumer, "consumer")
	if err != nil {
		return nil, err
	}
	if d.State == types.DEAL_STATE_CLOSED {
		return nil, errorsmod.Wrapf(types.ErrDealClosed, "deal %d is closed (%s)", d.Id, d.CloseReason)
	}
	amount, err := types.CoinAmountIn("amount", msg.Amount, params.Denom())
	if err != nil {
		return nil, err
	}
	maxFunds := types.CostOver(d.MonthlyCost, types.TermSeconds(d.Term))
	if d.Running() {
		maxFunds = d.CostUntil(*d.EndTime)
	}
	if room := maxFunds.Sub(d.StorageFunds()); amount.GT(room) {
		return nil, errorsmod.Wrapf(types.ErrInvalidAmount, "the deal can cost at most %s%s more; a top-up of %s is too much",
			sdkmath.MaxInt(room, sdkmath.ZeroInt()), params.Denom(), msg.Amount)
	}

	denom := params.Denom()
	_, err = m.k.changeDeal(ctx, d, func(d *types.Deal) error {
		if err := m.k.settle(ctx, d, denom); err != nil {
			return err
		}
		if err := m.k.deposit(ctx, d, denom, amount); err != nil {
			return err
		}
		if err := m.k.settle(ctx, d, denom); err != nil {
			return err
		}
		if d.State == types.DEAL_STATE_OVERDRAWN {
			now := blockSecond(ctx)
			if dry, runsDry := d.PaidThrough(); !runsDry || now.Before(dry) {
				d.State = types.DEAL_STATE_ACTIVE
				d.OverdrawnAt = nil
				if err := typedevent.Emit(ctx, &types.EventDealRevived{DealId: d.Id}); err != nil {
					return err
				}
			}
		}
		d.DueAt = nextDue(*d, params.OverdraftGracePeriod)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &types.MsgTopUpDealResponse{}, nil
}

// WithdrawEarnings pays a provider what the named deals have accrued, minus
// the platform fee, which the end-block sweep pays to the reward and
// community pools.
func (m msgServer) WithdrawEarnings(ctx context.Context, msg *types.MsgWithdrawEarnings) (*types.MsgWithdrawEarningsResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	denom := params.Denom()
	// Check every deal before touching any.
	deals := make([]types.Deal, 0, len(msg.DealIds))
	for _, id := range msg.DealIds {
		d, err := m.k.dealOf(ctx, id, msg.Provider, "provider")
		if err != nil {
			return nil, err
		}
		deals = append(deals, d)
	}
	totalNet, totalFee := sdkmath.ZeroInt(), sdkmath.ZeroInt()
	for _, loaded := range deals {
		// The change is worked out first: a deal with nothing to withdraw
		// is not written.
		d := loaded
		if err := m.k.settle(ctx, &d, denom); err != nil {
			return nil, err
		}
		gross, fee := takeEarnings(&d, params.PlatformFeeRate)
		if !gross.IsPositive() {
			continue
		}
		if _, err := m.k.changeDeal(ctx, loaded, func(stored *types.Deal) error { *stored = d; return nil }); err != nil {
			return nil, err
		}
		net := gross.Sub(fee)
		totalNet, totalFee = totalNet.Add(net), totalFee.Add(fee)
		if err := typedevent.Emit(ctx, &types.EventWithdrawal{
			DealId: d.Id, Provider: msg.Provider, Gross: coin(denom, gross), Fee: coin(denom, fee), Net: coin(denom, net),
		}); err != nil {
			return nil, err
		}
	}
	if totalNet.IsZero() && totalFee.IsZero() {
		return nil, errorsmod.Wrapf(types.ErrNothingToWithdraw, "deals %v have no earnings to withdraw yet", msg.DealIds)
	}
	if err := m.k.payFromModule(ctx, msg.Provider, denom, totalNet); err != nil {
		return nil, err
	}
	if err := m.k.accruePlatformFee(ctx, totalFee); err != nil {
		return nil, err
	}
	return &types.MsgWithdrawEarningsResponse{Net: coin(denom, totalNet), Fee: coin(denom, totalFee)}, nil
}

// CloseDeal ends a running deal early. The consumer's close takes effect
// after consumer_close_notice; the provider's after provider_close_notice,
// and the provider pays the consumer, from its bond, provider_close_penalty_rate
// of what the rest of the term would have cost. Until then the deal is billed
// as usual; at that time it closes and the rest of the escrow is refunded.
func (m msgServer) CloseDeal(ctx context.Context, msg *types.MsgCloseDeal) (*types.MsgCloseDealResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	var (
		reason    types.CloseReason
		effective time.Time
	)
	denom := params.Denom()
	if _, err := m.k.updateDeal(ctx, msg.DealId, func(d *types.Deal) error {
		var notice time.Duration
		switch msg.Sender {
		case d.Consumer:
			reason, notice = types.CLOSE_REASON_CONSUMER_CLOSED, params.ConsumerCloseNotice
		case d.Provider:
			reason, notice = types.CLOSE_REASON_PROVIDER_CLOSED, params.ProviderCloseNotice
		default:
			return errorsmod.Wrapf(types.ErrUnauthorized, "only the consumer or the provider of deal %d may close it", d.Id)
		}
		switch {
		case d.State == types.DEAL_STATE_CLOSED:
			return errorsmod.Wrapf(types.ErrDealClosed, "deal %d is closed (%s)", d.Id, d.CloseReason)
		case d.State == types.DEAL_STATE_PENDING:
			return errorsmod.Wrapf(types.ErrInvalidState, "deal %d is not accepted yet; the consumer cancels it with cancel-deal-request, the provider declines it", d.Id)
		case d.PendingClose != types.CLOSE_REASON_UNSPECIFIED:
			return errorsmod.Wrapf(types.ErrInvalidState, "deal %d already closes at %s (%s)", d.Id, d.EndTime, d.PendingClose)
		}

		if err := m.k.settle(ctx, d, denom); err != nil {
			return err
		}
		effective = blockSecond(ctx).Add(notice).Truncate(time.Second)
		originalEnd := *d.EndTime
		if !effective.Before(originalEnd) {
			return errorsmod.Wrapf(types.ErrInvalidState, "deal %d ends at %s, before a %s notice would; it completes by itself",
				d.Id, originalEnd, notice)
		}
		d.EndTime = &effective
		d.PendingClose = reason

		if reason == types.CLOSE_REASON_PROVIDER_CLOSED {
			unbilled := types.CostOver(d.MonthlyCost, originalEnd.Unix()-effective.Unix())
			penalty := params.ProviderClosePenaltyRate.MulInt(unbilled).TruncateInt()
			if err := m.k.payPenalty(ctx, d, denom, penalty); err != nil {
				return err
			}
		}
		d.DueAt = nextDue(*d, params.OverdraftGracePeriod)
		return nil
	}); err != nil {
		return nil, err
	}
	return &types.MsgCloseDealResponse{EffectiveAt: effective}, typedevent.Emit(ctx, &types.EventDealCloseScheduled{
		DealId: msg.DealId, By: msg.Sender, Reason: reason, EffectiveAt: effective,
	})
}

// payPenalty moves up to `penalty` from the provider's bond to the consumer.
func (k Keeper) payPenalty(ctx context.Context, d *types.Deal, denom string, penalty sdkmath.Int) error {
	if !penalty.IsPositive() {
		return nil
	}
	var paid sdkmath.Int
	if err := k.adjustProvider(ctx, d.Provider, func(p *types.Provider) {
		paid = sdkmath.MinInt(penalty, p.Bond)
		p.Bond = p.Bond.Sub(paid)
	}); err != nil {
		return err
	}
	if err := k.payFromModule(ctx, d.Consumer, denom, paid); err != nil {
		return err
	}
	d.PenaltyPaid = d.PenaltyPaid.Add(paid)
	return typedevent.Emit(ctx, &types.EventPenaltyPaid{DealId: d.Id, Provider: d.Provider, Consumer: d.Consumer, Amount: coin(denom, paid)})
}
