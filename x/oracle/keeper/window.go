package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// Windows are consecutive runs of window_blocks heights. At the end of each
// window the end-block hook assigns the next window's units, so that during
// the whole window every validator's prober knows what to probe, and the
// votes at the window's last height carry the measurements.

// CurrentAssignment returns the assignment of the window covering the next
// height (the one ExtendVote and the prober work on).
func (k Keeper) CurrentAssignment(ctx context.Context) (types.Assignment, bool, error) {
	w, err := k.CurrentWindow.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Assignment{}, false, nil
	}
	if err != nil {
		return types.Assignment{}, false, err
	}
	a, err := k.Assignments.Get(ctx, w)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Assignment{}, false, nil
	}
	return a, err == nil, err
}

// AdvanceWindow runs in EndBlock: when this block ends the current window
// (or there is none yet), it assigns the next window's units and forgets
// assignments older than the previous window. Its cost is bounded by
// max_units_per_window.
func (k Keeper) AdvanceWindow(ctx context.Context) error {
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	current, ok, err := k.CurrentAssignment(ctx)
	if err != nil {
		return err
	}
	if ok && height < current.EndHeight {
		return nil
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	next := uint64(0)
	if ok {
		next = current.Window + 1
	}
	units, err := k.nextAssignedUnits(ctx, int(params.MaxUnitsPerWindow))
	if err != nil {
		return err
	}
	a := types.Assignment{
		Window:      next,
		StartHeight: height + 1,
		EndHeight:   height + int64(params.WindowBlocks),
		Units:       units,
	}
	if err := k.Assignments.Set(ctx, next, a); err != nil {
		return err
	}
	if err := k.CurrentWindow.Set(ctx, next); err != nil {
		return err
	}
	if next >= 2 {
		if err := k.Assignments.Remove(ctx, next-2); err != nil {
			return err
		}
	}
	ids := make([]uint64, len(units))
	for i, u := range units {
		ids[i] = u.UnitId
	}
	return typedevent.Emit(ctx, &types.EventAssignment{
		Window: next, StartHeight: a.StartHeight, EndHeight: a.EndHeight, UnitIds: ids,
	})
}

// nextAssignedUnits takes the next `limit` live units after the cursor, in
// id order, wrapping around to the lowest ids: every live unit is probed
// once every ceil(live units / limit) windows.
func (k Keeper) nextAssignedUnits(ctx context.Context, limit int) ([]types.AssignedUnit, error) {
	if k.deps.units == nil {
		return nil, nil
	}
	cursor, err := k.AssignmentCursor.Get(ctx)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	targets, err := k.deps.units.LiveUnitsFrom(ctx, cursor+1, limit)
	if err != nil {
		return nil, err
	}
	if len(targets) < limit && cursor > 0 {
		more, err := k.deps.units.LiveUnitsFrom(ctx, 1, limit-len(targets))
		if err != nil {
			return nil, err
		}
		for _, t := range more {
			if t.UnitID > cursor {
				break // wrapped all the way round
			}
			targets = append(targets, t)
		}
	}
	units := make([]types.AssignedUnit, len(targets))
	for i, t := range targets {
		units[i] = types.AssignedUnit{UnitId: t.UnitID, Provider: t.Provider, Endpoint: t.Endpoint}
	}
	if len(targets) > 0 {
		if err := k.AssignmentCursor.Set(ctx, targets[len(targets)-1].UnitID); err != nil {
			return nil, err
		}
	}
	// Sort by unit id: the order measurements are reported in.
	sortAssigned(units)
	return units, nil
}
