package keeper

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/blockwork"
	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// A due item that fails — a running deal's end, dry escrow or grace end, a
// request's expiry, a maintenance start or end, a bond return — changes
// nothing (it runs in a cached context) and used to be dropped: the deal
// kept running with no due entry and its escrow stayed locked. Now it is
// retried: after due_retry_delay, then twice as long each time, up to
// max_due_retries times. Each retry is an ordinary queue entry, so retries
// count against max_due_per_block like any item. After the last one the item
// is parked: EventDueItemStuck, and the DueFailures record stays, listed by
// the DueFailures query, until a run succeeds.
//
// Where the retry lives: a running deal's retry is its due_at (and its queue
// entry), so every rule that keeps a deal's queue entry in step with due_at
// holds for retries too, and a party's message that reschedules the deal
// (a top-up, a close) simply moves the retry. A bond return's retry is the
// provider's unbonding_completes_at, for the same reason. A request's expiry
// and a maintenance window have no such field: their retry is a queue entry
// at the record's retry_at.
//
// A parked running deal keeps a due_at in the past with no queue entry;
// setDeal re-queues a deal whose due_at is not in the future whenever the
// deal is written (see setDeal), so any later write — a party's message, the
// epoch's SLA check — runs it once more. Its failure count is kept: if it
// fails again it is parked again at once, without a new round of retries.

// dueItem names a due item: a deal or a unit by id, or a provider's bond
// return.
type dueItem struct {
	kind     types.DueKind
	id       uint64
	provider sdk.AccAddress // DueUnbonding only
}

func dealItem(id uint64) dueItem { return dueItem{kind: types.DueDeal, id: id} }

// key is the item's DueFailures key.
func (it dueItem) key() collections.Pair[int32, []byte] {
	if it.kind == types.DueUnbonding {
		return collections.Join(it.kind, []byte(it.provider))
	}
	return collections.Join(it.kind, sdk.Uint64ToBigEndian(it.id))
}

func (it dueItem) providerString() string {
	if it.kind != types.DueUnbonding {
		return ""
	}
	return it.provider.String()
}

// maxStoredError bounds the error text a failure record and its events
// carry: errors may quote large values, and the record is state.
const maxStoredError = 512

func boundedError(err error) string {
	s := err.Error()
	if len(s) <= maxStoredError {
		return s
	}
	cut := maxStoredError
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// runDueItem runs one due item in isolation. On success the item's earlier
// failure is forgotten; on failure it schedules a retry or parks the item.
// It returns an error only when the store fails.
func (k Keeper) runDueItem(ctx sdk.Context, params types.Params, item dueItem, f func(sdk.Context) error) error {
	err := blockwork.Run(ctx, func(ctx sdk.Context) error {
		if fault := k.deps.dueFault; fault != nil {
			if err := fault(item.kind, item.id); err != nil {
				return err
			}
		}
		return f(ctx)
	})
	if err == nil {
		if item.kind == types.DueDeal {
			return nil // a deal's run forgets its failure itself (processDealDue, closeDeal): one read, not two
		}
		_, ferr := k.forgetDueFailure(ctx, item)
		return ferr
	}
	return k.dueFailed(ctx, params, item, err)
}

// forgetDueFailure removes an item's failure record, if any, and returns it.
func (k Keeper) forgetDueFailure(ctx context.Context, item dueItem) (*types.DueFailure, error) {
	rec, err := k.DueFailures.Get(ctx, item.key())
	if errors.Is(err, collections.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &rec, k.DueFailures.Remove(ctx, item.key())
}

// dueFailed records a failed run of item, and schedules its next run or, once
// its retries are used up, parks it.
func (k Keeper) dueFailed(ctx sdk.Context, params types.Params, item dueItem, cause error) error {
	key := item.key()
	now := blockSecond(ctx)
	rec, err := k.DueFailures.Get(ctx, key)
	switch {
	case errors.Is(err, collections.ErrNotFound):
		rec = types.DueFailure{Kind: types.DueKindName(item.kind), Id: item.id, Provider: item.providerString(), FirstFailedAt: now}
	case err != nil:
		return err
	}
	if rec.RetryAt != nil && item.kind != types.DueUnbonding {
		// The item ran before its planned retry (a party's message moved a
		// deal's due time, the request cursor or the window's own entry ran
		// it): that retry entry, if still queued, is replaced below.
		if err := k.DueQueue.Remove(ctx, dueKey(*rec.RetryAt, item.kind, item.id)); err != nil {
			return err
		}
	}
	rec.Attempts++
	rec.LastError = boundedError(cause)
	rec.LastFailedAt = now
	rec.RetryAt = nil
	if rec.Attempts <= params.MaxDueRetries {
		retryAt := now.Add(params.DueRetryWait(rec.Attempts))
		// Scheduling writes the deal or provider; should that fail too (a
		// bug), the item is parked rather than the chain halted.
		if serr := blockwork.Run(ctx, func(ctx sdk.Context) error { return k.scheduleRetry(ctx, item, retryAt) }); serr != nil {
			rec.LastError = boundedError(fmt.Errorf("%s; scheduling its retry failed: %w", rec.LastError, serr))
		} else {
			rec.RetryAt = &retryAt
		}
	}
	if err := k.DueFailures.Set(ctx, key, rec); err != nil {
		return err
	}
	if rec.RetryAt != nil {
		k.Logger(ctx).Error("due item failed; retrying", "kind", rec.Kind, "id", rec.Id, "provider", rec.Provider,
			"attempt", rec.Attempts, "retry_at", rec.RetryAt, "err", rec.LastError)
	} else {
		k.Logger(ctx).Error("due item failed; parked after its retries", "kind", rec.Kind, "id", rec.Id, "provider", rec.Provider,
			"attempts", rec.Attempts, "err", rec.LastError)
	}
	_ = typedevent.Emit(ctx, &types.EventDueItemFailed{
		Kind: rec.Kind, Id: rec.Id, Provider: rec.Provider, Error: rec.LastError, Attempt: rec.Attempts, RetryAt: rec.RetryAt,
	})
	if rec.RetryAt == nil {
		_ = typedevent.Emit(ctx, &types.EventDueItemStuck{
			Kind: rec.Kind, Id: rec.Id, Provider: rec.Provider, Attempts: rec.Attempts, Error: rec.LastError,
		})
	}
	return nil
}

// scheduleRetry queues item's next run at `at`: a running deal's due_at, a
// pending deal's or a maintenance window's own queue entry, an exiting
// provider's unbonding time.
func (k Keeper) scheduleRetry(ctx context.Context, item dueItem, at time.Time) error {
	switch item.kind {
	case types.DueDeal:
		d, err := k.getDeal(ctx, item.id)
		if err != nil {
			return err
		}
		switch {
		case d.Running():
			_, err := k.changeDeal(ctx, d, func(d *types.Deal) error { d.DueAt = &at; return nil })
			return err
		case d.State == types.DEAL_STATE_PENDING:
			return k.DueQueue.Set(ctx, dueKey(at, types.DueDeal, d.Id))
		default:
			return fmt.Errorf("deal %d is %s: it has nothing due", d.Id, d.State)
		}
	case types.DueMaintenanceStart, types.DueMaintenanceEnd:
		return k.DueQueue.Set(ctx, dueKey(at, item.kind, item.id))
	case types.DueUnbonding:
		p, err := k.Providers.Get(ctx, item.provider)
		if err != nil {
			return err
		}
		old := p
		p.UnbondingCompletesAt = &at
		if err := k.setProvider(ctx, &old, p); err != nil {
			return err
		}
		return k.UnbondingQueue.Set(ctx, collections.Join(at.Unix(), item.provider))
	default:
		return fmt.Errorf("unknown due kind %d", item.kind)
	}
}
