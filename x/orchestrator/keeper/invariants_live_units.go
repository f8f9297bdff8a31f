package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// LiveUnitIndexInvariant checks that the live-unit index numbers exactly
// the live units: LiveUnits holds every unit that is not DECOMMISSIONED and
// no other, and the ordinals are 0 … n−1, one per live unit, each mapped
// both ways.
func LiveUnitIndexInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		msg, err := checkLiveUnitIndex(ctx, k)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "live-unit-index", err.Error()), true
		}
		return sdk.FormatInvariant(types.ModuleName, "live-unit-index", msg), msg != ""
	}
}

func checkLiveUnitIndex(ctx context.Context, k Keeper) (string, error) {
	var live uint64
	var problem string
	err := k.DataUnits.Walk(ctx, nil, func(id uint64, u types.DataUnit) (bool, error) {
		isLive := u.State != types.DATA_UNIT_STATE_DECOMMISSIONED
		listed, err := k.LiveUnits.Has(ctx, id)
		if err != nil {
			return true, err
		}
		if listed != isLive {
			problem = fmt.Sprintf("unit %d (%s) is listed in LiveUnits: %t", id, u.State, listed)
			return true, nil
		}
		if isLive {
			live++
		}
		return false, nil
	})
	if err != nil || problem != "" {
		return problem, err
	}
	var ordinals uint64
	err = k.LiveUnitByOrdinal.Walk(ctx, nil, func(ordinal, id uint64) (bool, error) {
		ordinals++
		if ordinal >= live {
			problem = fmt.Sprintf("ordinal %d (unit %d) is not below the %d live units", ordinal, id, live)
			return true, nil
		}
		back, err := k.LiveUnitOrdinal.Get(ctx, id)
		if errors.Is(err, collections.ErrNotFound) {
			problem = fmt.Sprintf("unit %d at ordinal %d has no ordinal entry", id, ordinal)
			return true, nil
		}
		if err != nil {
			return true, err
		}
		if back != ordinal {
			problem = fmt.Sprintf("unit %d is at ordinal %d but records ordinal %d", id, ordinal, back)
			return true, nil
		}
		listed, err := k.LiveUnits.Has(ctx, id)
		if err != nil {
			return true, err
		}
		if !listed {
			problem = fmt.Sprintf("unit %d at ordinal %d is not live", id, ordinal)
			return true, nil
		}
		return false, nil
	})
	if err != nil || problem != "" {
		return problem, err
	}
	var reverse uint64
	if err := k.LiveUnitOrdinal.Walk(ctx, nil, func(uint64, uint64) (bool, error) {
		reverse++
		return false, nil
	}); err != nil {
		return "", err
	}
	// Every ordinal is below `live` and maps to a distinct live unit (the
	// reverse entry is unique per unit): with `live` of them, they are
	// exactly 0 … live−1.
	if ordinals != live || reverse != live {
		return fmt.Sprintf("the live-unit index holds %d ordinals and %d reverse entries for %d live units", ordinals, reverse, live), nil
	}
	return "", nil
}
