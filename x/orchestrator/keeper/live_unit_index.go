package keeper

import (
	"context"

	"cosmossdk.io/collections"
)

// The live-unit index numbers the live units (not DECOMMISSIONED) densely,
// 0 … n−1, so that x/oracle can draw random units by ordinal: n is the last
// ordinal + 1 and the unit at an ordinal is one read, where picking the i-th
// key of LiveUnits would walk i keys. Order carries no meaning. A unit joins
// at ordinal n; a unit leaving is replaced by the last one, so every change
// costs O(1) writes and the ordinals stay dense.

// liveUnitCount is the number of live units: one past the last ordinal.
func (k Keeper) liveUnitCount(ctx context.Context) (uint64, error) {
	iter, err := k.LiveUnitByOrdinal.Iterate(ctx, new(collections.Range[uint64]).Descending())
	if err != nil {
		return 0, err
	}
	defer iter.Close()
	if !iter.Valid() {
		return 0, nil
	}
	last, err := iter.Key()
	if err != nil {
		return 0, err
	}
	return last + 1, nil
}

// indexLiveUnit gives a unit that became live the next ordinal.
func (k Keeper) indexLiveUnit(ctx context.Context, id uint64) error {
	n, err := k.liveUnitCount(ctx)
	if err != nil {
		return err
	}
	if err := k.LiveUnitByOrdinal.Set(ctx, n, id); err != nil {
		return err
	}
	return k.LiveUnitOrdinal.Set(ctx, id, n)
}

// unindexLiveUnit removes a unit that is no longer live, moving the unit
// with the last ordinal into its place.
func (k Keeper) unindexLiveUnit(ctx context.Context, id uint64) error {
	ordinal, err := k.LiveUnitOrdinal.Get(ctx, id)
	if err != nil {
		return err
	}
	n, err := k.liveUnitCount(ctx)
	if err != nil {
		return err
	}
	last := n - 1
	if ordinal != last {
		moved, err := k.LiveUnitByOrdinal.Get(ctx, last)
		if err != nil {
			return err
		}
		if err := k.LiveUnitByOrdinal.Set(ctx, ordinal, moved); err != nil {
			return err
		}
		if err := k.LiveUnitOrdinal.Set(ctx, moved, ordinal); err != nil {
			return err
		}
	}
	if err := k.LiveUnitByOrdinal.Remove(ctx, last); err != nil {
		return err
	}
	return k.LiveUnitOrdinal.Remove(ctx, id)
}
