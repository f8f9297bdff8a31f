package keeper

import (
	"context"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// closeDeal ends an open deal for good: it settles the deal to block time
// (running deals), refunds the rest of the escrow to the consumer, releases
// the unit's capacity, and records the reason. The provider keeps its
// unwithdrawn earnings.
func (k Keeper) closeDeal(ctx context.Context, params types.Params, d types.Deal, reason types.CloseReason) error {
	denom := params.Denom()
	wasRunning := d.Running()
	now := blockSecond(ctx)
	if _, err := k.changeDeal(ctx, d, func(d *types.Deal) error {
		if wasRunning {
			if err := k.settle(ctx, d, denom); err != nil {
				return err
			}
		}
		if err := k.refundEscrow(ctx, d, denom, reason); err != nil {
			return err
		}

		unit, err := k.getUnit(ctx, d.UnitId)
		if err != nil {
			return err
		}
		oldUnit := unit
		if wasRunning {
			unit.ActiveDeals--
		} else {
			unit.PendingDeals--
		}
		unit.AllocatedGb -= d.CapacityGb
		if err := k.setUnit(ctx, &oldUnit, unit); err != nil {
			return err
		}

		d.State = types.DEAL_STATE_CLOSED
		d.CloseReason = reason
		d.ClosedAt = &now
		d.DueAt = nil
		d.PendingClose = types.CLOSE_REASON_UNSPECIFIED
		d.OverdrawnAt = nil
		return nil
	}); err != nil {
		return err
	}
	// A closed deal has nothing due: forget a failure of its due item (an
	// SLA termination of a retried or parked deal, or a party closing a
	// request whose expiry failed). Only a running deal or an expired
	// request can have one, so a request closed in time pays no extra read.
	if wasRunning || !now.Before(d.RequestExpiresAt) {
		rec, err := k.forgetDueFailure(ctx, dealItem(d.Id))
		if err != nil {
			return err
		}
		if rec != nil && rec.RetryAt != nil && !wasRunning {
			// A request's retry is its own queue entry (a running deal's is
			// its due_at, which setDeal just removed).
			if err := k.DueQueue.Remove(ctx, dueKey(*rec.RetryAt, types.DueDeal, d.Id)); err != nil {
				return err
			}
		}
	}
	return typedevent.Emit(ctx, &types.EventDealClosed{DealId: d.Id, Reason: reason})
}

// processDealDue is the end-block work of a running deal whose due time
// came: a deal at its end completes; a deal whose escrow ran dry becomes
// OVERDRAWN, and closes when the grace period ends without a top-up.
// (Requests expire through the request cursor, ExpireRequests; only the
// retry of a failed expiry comes here.)
func (k Keeper) processDealDue(ctx context.Context, params types.Params, id uint64) error {
	d, err := k.getDeal(ctx, id)
	if err != nil {
		return err
	}
	// ProcessDue already removed the deal's queue entry: the stored deal
	// has none now, and whatever setDeal is given next is queued afresh.
	d.DueAt = nil
	now := blockSecond(ctx)
	switch d.State {
	case types.DEAL_STATE_ACTIVE, types.DEAL_STATE_OVERDRAWN:
		if !now.Before(*d.EndTime) {
			return k.closeDeal(ctx, params, d, endReason(d))
		}
		// Settling changes neither the state, the due time nor what the
		// deal holds, all that setDeal compares.
		if err := k.settle(ctx, &d, params.Denom()); err != nil {
			return err
		}
		dry, runsDry := d.PaidThrough()
		overdrawn := runsDry && !now.Before(dry)
		if overdrawn && d.State == types.DEAL_STATE_OVERDRAWN && !now.Before(d.OverdrawnAt.Add(params.OverdraftGracePeriod)) {
			return k.closeDeal(ctx, params, d, types.CLOSE_REASON_INSUFFICIENT_FUNDS)
		}
		if _, err := k.changeDeal(ctx, d, func(d *types.Deal) error {
			if overdrawn && d.State == types.DEAL_STATE_ACTIVE {
				d.State = types.DEAL_STATE_OVERDRAWN
				d.OverdrawnAt = &dry
				graceEnd := dry.Add(params.OverdraftGracePeriod)
				if err := typedevent.Emit(ctx, &types.EventDealOverdrawn{DealId: d.Id, GraceEndsAt: graceEnd}); err != nil {
					return err
				}
			}
			d.DueAt = nextDue(*d, params.OverdraftGracePeriod)
			return nil
		}); err != nil {
			return err
		}
		// The run succeeded: forget an earlier failure (closeDeal does it
		// for the runs that close the deal).
		_, err := k.forgetDueFailure(ctx, dealItem(d.Id))
		return err

	case types.DEAL_STATE_PENDING:
		// Only a request whose expiry failed in ExpireRequests has an entry
		// (its retry): the request cursor has passed it.
		if now.Before(d.RequestExpiresAt) {
			return nil
		}
		return k.closeDeal(ctx, params, d, types.CLOSE_REASON_REQUEST_EXPIRED)

	default:
		// Closed deals have no due entry; nothing to do.
		return nil
	}
}

// endReason is why a deal that reached its end_time closes: the notice given,
// else COMPLETED — or INSUFFICIENT_FUNDS when its escrow did not cover the
// term.
func endReason(d types.Deal) types.CloseReason {
	switch {
	case d.PendingClose != types.CLOSE_REASON_UNSPECIFIED:
		return d.PendingClose
	case d.CostUntil(*d.EndTime).GT(d.StorageFunds()):
		return types.CLOSE_REASON_INSUFFICIENT_FUNDS
	default:
		return types.CLOSE_REASON_COMPLETED
	}
}
