package keeper

import (
	"context"
	"errors"
	"time"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// ExpireRequests closes, in id order, the pending requests whose
// request_expires_at has come, walking RequestCursor over at most limit
// deals; it returns how many it read. It stops at the first request that is
// still open.
//
// Why a cursor and not a due-queue entry per request: every request gets
// the same deal_request_ttl, so requests expire in the order of their ids.
// A request then writes one key fewer (its due entry), and an acceptance
// does not have to delete it — the request is the chain's hottest message,
// and each new key costs a tree path at commit. The cursor passes each deal
// once, whatever became of it (accepted, declined, cancelled).
//
// The price: if governance shortens the TTL, requests made after the change
// can expire before older ones, and then wait until the older ones expire
// (at most the old TTL). AcceptDeal checks the expiry itself, so such a
// request can no longer be accepted; only its refund is late, and the
// consumer can cancel it meanwhile.
func (k Keeper) ExpireRequests(ctx context.Context, params types.Params, now time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	start, err := k.requestCursor(ctx)
	if err != nil {
		return 0, err
	}
	next, err := k.NextDealID.Peek(ctx)
	if err != nil {
		return 0, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	cursor, read := start, 0
	for ; cursor < next && read < limit; cursor++ {
		d, err := k.Deals.Get(ctx, cursor)
		read++
		if errors.Is(err, collections.ErrNotFound) {
			continue // no such deal (ids imported from a genesis may have gaps)
		}
		if err != nil {
			return read, err
		}
		if d.State != types.DEAL_STATE_PENDING {
			continue
		}
		if now.Before(d.RequestExpiresAt) {
			break
		}
		// A failure (a bug) is reported and the cursor moves on, so that one
		// bad request cannot hold back every later expiry; the request is
		// retried through the due queue (runDueItem, processDealDue).
		if err := k.runDueItem(sdkCtx, params, dealItem(d.Id), func(ctx sdk.Context) error {
			return k.closeDeal(ctx, params, d, types.CLOSE_REASON_REQUEST_EXPIRED)
		}); err != nil {
			return read, err
		}
	}
	if cursor != start {
		if err := k.RequestCursor.Set(ctx, cursor); err != nil {
			return read, err
		}
	}
	return read, nil
}

// requestCursor returns RequestCursor; unset (a store that never had one)
// means "from the first id".
func (k Keeper) requestCursor(ctx context.Context) (uint64, error) {
	cursor, err := k.RequestCursor.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return 0, nil
	}
	return cursor, err
}
