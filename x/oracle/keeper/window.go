package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	abci "github.com/cometbft/cometbft/abci/types"

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
// max_units_per_window: O(k log n) store reads for k units among n.
func (k Keeper) AdvanceWindow(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	height := sdkCtx.BlockHeight()
	current, ok, err := k.CurrentAssignment(ctx)
	if err != nil {
		return err
	}
	if !assignsNextWindow(height, current, ok) {
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
	entropy, err := k.takeAssignmentEntropy(sdkCtx)
	if err != nil {
		return err
	}
	seed := types.AssignmentSeed(entropy, next)
	units, err := k.sampleUnits(ctx, seed, int(params.MaxUnitsPerWindow))
	if err != nil {
		return err
	}
	a := types.Assignment{
		Window:      next,
		StartHeight: height + 1,
		EndHeight:   height + int64(params.WindowBlocks),
		Units:       units,
		Seed:        seed[:],
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

// assignsNextWindow reports whether the block at height assigns the next
// window: it ends the current one, or there is none yet. The PreBlocker and
// EndBlock of one block see the same current assignment, so both use this
// to agree on whether the block's entropy is needed.
func assignsNextWindow(height int64, current types.Assignment, ok bool) bool {
	return !ok || height >= current.EndHeight
}

// RecordAssignmentEntropy keeps the entropy of this block's extended commit
// when this block assigns the next window (see AdvanceWindow). The
// PreBlocker calls it, through ApplyExtendedCommit, before EndBlock runs.
func (k Keeper) RecordAssignmentEntropy(ctx context.Context, commit abci.ExtendedCommitInfo) error {
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	current, ok, err := k.CurrentAssignment(ctx)
	if err != nil || !assignsNextWindow(height, current, ok) {
		return err
	}
	entropy := types.CommitEntropy(commit)
	if entropy == nil {
		return nil
	}
	return k.AssignmentEntropy.Set(ctx, height, entropy)
}

// takeAssignmentEntropy returns this block's entropy and removes it, so that
// it never reaches committed state. A block whose PreBlocker recorded none
// (before vote extensions are enabled, or when the oracle's payload could not
// be used) falls back to the block's hash: unknown before the block too, but
// chosen by its proposer.
func (k Keeper) takeAssignmentEntropy(ctx sdk.Context) ([]byte, error) {
	height := ctx.BlockHeight()
	entropy, err := k.AssignmentEntropy.Get(ctx, height)
	if errors.Is(err, collections.ErrNotFound) {
		return ctx.HeaderHash(), nil
	}
	if err != nil {
		return nil, err
	}
	return entropy, k.AssignmentEntropy.Remove(ctx, height)
}

// sampleUnits draws min(limit, live units) distinct live units uniformly at
// random from seed, sorted by unit id (the order measurements are reported
// in). Every unit is equally likely in every window, whatever was drawn
// before: a provider cannot tell from the past when its units are next.
func (k Keeper) sampleUnits(ctx context.Context, seed [32]byte, limit int) ([]types.AssignedUnit, error) {
	n, err := k.units.LiveUnitCount(ctx)
	if err != nil {
		return nil, err
	}
	ordinals := types.SampleOrdinals(seed, n, limit)
	units := make([]types.AssignedUnit, len(ordinals))
	for i, o := range ordinals {
		t, err := k.units.LiveUnitAt(ctx, o)
		if err != nil {
			return nil, err
		}
		units[i] = types.AssignedUnit{UnitId: t.UnitID, Provider: t.Provider, Endpoint: t.Endpoint}
	}
	sortAssigned(units)
	return units, nil
}
