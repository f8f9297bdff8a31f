package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/blockwork"
	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// ProcessDue runs in EndBlock. It handles, oldest first, the due-queue
// items whose time has come — deal ends, dry escrows and grace ends,
// maintenance starts and ends — then expired requests (ExpireRequests), then
// bonds due back, at most max_due_per_block items in all (each deal the
// request cursor reads counts as one); the rest waits for the next block. It
// never iterates deals or units: when nothing is due it costs one iterator
// seek per queue and two reads for the request cursor.
//
// Each item runs in its own cached context: an item that fails changes
// nothing, is reported in an EventDueItemFailed and is retried later with
// backoff, then parked (due_retry.go), so that one bad item can never halt
// the chain or block the queue, and is not lost either.
func (k Keeper) ProcessDue(ctx context.Context) error {
	params, err := k.params(ctx)
	if err != nil {
		return err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	now := sdkCtx.BlockTime().Unix()
	budget := int(params.MaxDuePerBlock)

	due, err := k.collectDue(ctx, now, budget)
	if err != nil {
		return err
	}
	for _, key := range due {
		if err := k.DueQueue.Remove(ctx, key); err != nil {
			return err
		}
		kind, id := key.K2(), key.K3()
		if err := k.runDueItem(sdkCtx, params, dueItem{kind: kind, id: id}, func(ctx sdk.Context) error {
			switch kind {
			case types.DueDeal:
				return k.processDealDue(ctx, params, id)
			case types.DueMaintenanceStart, types.DueMaintenanceEnd:
				return k.processMaintenance(ctx, kind, id)
			default:
				return fmt.Errorf("unknown due kind %d", kind)
			}
		}); err != nil {
			return err
		}
	}

	budget -= len(due)

	expired, err := k.ExpireRequests(ctx, params, blockSecond(ctx), budget)
	if err != nil {
		return err
	}
	budget -= expired

	unbonded, err := k.collectUnbonded(ctx, now, budget)
	if err != nil {
		return err
	}
	for _, key := range unbonded {
		if err := k.UnbondingQueue.Remove(ctx, key); err != nil {
			return err
		}
		provider := key.K2()
		if err := k.runDueItem(sdkCtx, params, dueItem{kind: types.DueUnbonding, provider: provider}, func(ctx sdk.Context) error {
			return k.completeProviderExit(ctx, params, provider)
		}); err != nil {
			return err
		}
	}
	return nil
}

func (k Keeper) collectDue(ctx context.Context, now int64, limit int) ([]collections.Triple[int64, int32, uint64], error) {
	if limit <= 0 {
		return nil, nil
	}
	return blockwork.FirstKeys(ctx, k.DueQueue.Iterate, collections.NewPrefixUntilTripleRange[int64, int32, uint64](now), limit)
}

func (k Keeper) collectUnbonded(ctx context.Context, now int64, limit int) ([]collections.Pair[int64, sdk.AccAddress], error) {
	if limit <= 0 {
		return nil, nil
	}
	return blockwork.FirstKeys(ctx, k.UnbondingQueue.Iterate, collections.NewPrefixUntilPairRange[int64, sdk.AccAddress](now), limit)
}

// runIsolated runs f in a cached context and commits its writes (and
// events) only if it succeeds; panics are turned into failures. A failure is
// logged and reported, and the item skipped: SLA checks use it (a check
// missed is an epoch without a verdict, not money locked); due items use
// runDueItem, which retries them.
func (k Keeper) runIsolated(ctx sdk.Context, kind string, id uint64, f func(sdk.Context) error) {
	err := blockwork.Run(ctx, f)
	if err == nil {
		return
	}
	k.Logger(ctx).Error("end-block item failed; skipped", "kind", kind, "id", id, "err", err)
	_ = typedevent.Emit(ctx, &types.EventDueItemFailed{Kind: kind, Id: id, Error: boundedError(err)})
}

// processMaintenance re-derives a unit's state when its maintenance window
// starts or ends, and forgets the window once it ended.
func (k Keeper) processMaintenance(ctx context.Context, kind types.DueKind, id uint64) error {
	u, err := k.getUnit(ctx, id)
	if err != nil {
		return err
	}
	old := u
	now := blockSecond(ctx)
	if kind == types.DueMaintenanceEnd && u.Maintenance != nil && !now.Before(u.Maintenance.End) {
		u.Maintenance = nil
	}
	return k.setUnit(ctx, &old, u)
}
