package keeper

import (
	"context"
	"errors"
	"time"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// getDeal loads a deal.
func (k Keeper) getDeal(ctx context.Context, id uint64) (types.Deal, error) {
	d, err := k.Deals.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Deal{}, errorsmod.Wrapf(types.ErrDealNotFound, "deal %d does not exist", id)
	}
	return d, err
}

// updateDeal loads deal id, lets f change it and stores the result with
// setDeal, which keeps the deal's indexes, due-queue entry and the stats in
// step with the change; it returns the deal as stored. An error from f
// stores nothing. Every write of an existing deal goes through it or
// changeDeal, so none can forget the copy setDeal compares against.
func (k Keeper) updateDeal(ctx context.Context, id uint64, f func(*types.Deal) error) (types.Deal, error) {
	d, err := k.getDeal(ctx, id)
	if err != nil {
		return types.Deal{}, err
	}
	return k.changeDeal(ctx, d, f)
}

// changeDeal is updateDeal for a deal the caller has loaded already (to
// check it before anything else, or all of a message's deals before
// touching any): the store is not read again, which would cost gas. d is
// the deal as stored, except that the end-block hook clears its due_at, the
// entry it has just removed from the queue.
func (k Keeper) changeDeal(ctx context.Context, d types.Deal, f func(*types.Deal) error) (types.Deal, error) {
	old := d
	if err := f(&d); err != nil {
		return types.Deal{}, err
	}
	return d, k.setDeal(ctx, &old, d)
}

// setDeal stores a deal and keeps its indexes, its due-queue entry and the
// stats current. old is nil for a new deal; an existing deal is written
// through updateDeal or changeDeal.
func (k Keeper) setDeal(ctx context.Context, old *types.Deal, d types.Deal) error {
	if err := k.Deals.Set(ctx, d.Id, d); err != nil {
		return err
	}
	oldState := types.DEAL_STATE_UNSPECIFIED
	oldHeld := sdkmath.ZeroInt()
	if old == nil {
		consumer, err := k.accAddress(d.Consumer)
		if err != nil {
			return err
		}
		provider, err := k.accAddress(d.Provider)
		if err != nil {
			return err
		}
		if err := k.DealsByConsumer.Set(ctx, collections.Join(consumer, d.Id)); err != nil {
			return err
		}
		if err := k.DealsByProvider.Set(ctx, collections.Join3(provider, d.UnitId, d.Id)); err != nil {
			return err
		}
	} else {
		oldState = old.State
		oldHeld = old.Held()
		if old.DueAt != nil && (d.DueAt == nil || !old.DueAt.Equal(*d.DueAt)) {
			if err := k.DueQueue.Remove(ctx, dueKey(*old.DueAt, types.DueDeal, d.Id)); err != nil {
				return err
			}
		}
	}
	// An unchanged due time keeps its entry: rewriting it would cost a tree
	// write for nothing. (The end-block hook, which removes an entry before
	// it handles it, clears old.DueAt so that the entry is set again.) A due
	// time that is not in the future is set again all the same: its entry
	// may be gone — a parked deal whose retries ran out has none — and
	// writing it (a no-op if present) makes any write of such a deal run it
	// once more (see due_retry.go). Only overdue deals pay for it.
	if d.DueAt != nil && (old == nil || old.DueAt == nil || !old.DueAt.Equal(*d.DueAt) || !d.DueAt.After(blockSecond(ctx))) {
		if err := k.DueQueue.Set(ctx, dueKey(*d.DueAt, types.DueDeal, d.Id)); err != nil {
			return err
		}
	}
	if oldState != d.State {
		if isLiveDeal(oldState) {
			if err := k.LiveDeals.Remove(ctx, collections.Join(int32(oldState), d.Id)); err != nil {
				return err
			}
		}
		if isLiveDeal(d.State) {
			if err := k.LiveDeals.Set(ctx, collections.Join(int32(d.State), d.Id)); err != nil {
				return err
			}
		}
	}
	return k.updateStats(ctx, func(s *types.Stats) {
		moveCount(s.DealsByState, int32(oldState), int32(d.State))
		s.EscrowHeld = s.EscrowHeld.Add(d.Held()).Sub(oldHeld)
	})
}

// isLiveDeal reports whether a deal in state s belongs in LiveDeals: it is
// running (ACTIVE, or OVERDRAWN in its grace period), so SLA rounds check it.
func isLiveDeal(s types.DealState) bool {
	return s == types.DEAL_STATE_ACTIVE || s == types.DEAL_STATE_OVERDRAWN
}

// dueKey is the due-queue key of an item at time t.
func dueKey(t time.Time, kind types.DueKind, id uint64) collections.Triple[int64, int32, uint64] {
	return collections.Join3(t.Unix(), kind, id)
}

// nextDue returns when a running deal next needs the end-block hook: its
// end, or earlier when its escrow runs dry (or, once overdrawn, when the
// grace period ends). Pending deals have none: they expire through the
// request cursor (ExpireRequests); closed deals have none either.
func nextDue(d types.Deal, grace time.Duration) *time.Time {
	switch d.State {
	case types.DEAL_STATE_ACTIVE, types.DEAL_STATE_OVERDRAWN:
		due := *d.EndTime
		if d.State == types.DEAL_STATE_OVERDRAWN && d.OverdrawnAt != nil {
			if graceEnd := d.OverdrawnAt.Add(grace); graceEnd.Before(due) {
				due = graceEnd
			}
		} else if dry, ok := d.PaidThrough(); ok && dry.Before(due) {
			due = dry
		}
		due = due.UTC()
		return &due
	default:
		return nil
	}
}
