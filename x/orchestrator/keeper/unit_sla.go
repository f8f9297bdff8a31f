package keeper

import (
	"context"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// stageSla records a new offered SLA on u. It is not put in force at once:
// it waits as pending_sla until the SLA round of the current epoch has
// graded the unit (applyPendingSla), so that no edit changes the verdict
// of an epoch already under way. It reports whether a change was staged.
//
// The change's time is rounded up to the second: a round applies it only
// if its epoch ended at or after that time, so rounding up can only make a
// change wait one more epoch, never apply it to the epoch it was made in.
func (k Keeper) stageSla(ctx context.Context, u *types.DataUnit, sla types.Sla) bool {
	switch {
	case sla == u.Sla: // back to the SLA in force: nothing pending
		u.PendingSla, u.PendingSlaSince = nil, nil
		return false
	case u.PendingSla != nil && *u.PendingSla == sla: // the same change again keeps its time
		return false
	}
	since := ceilSecond(sdk.UnwrapSDKContext(ctx).BlockTime().UTC())
	u.PendingSla, u.PendingSlaSince = &sla, &since
	return true
}

func ceilSecond(t time.Time) time.Time {
	if s := t.Truncate(time.Second); !s.Equal(t) {
		return s.Add(time.Second)
	}
	return t
}
