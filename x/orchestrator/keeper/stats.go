package keeper

import (
	"context"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// emptyStats returns zeroed stats with one counter per enum value.
func emptyStats() types.Stats {
	return types.Stats{
		UnitsByState: make([]uint64, len(types.DataUnitState_name)),
		DealsByState: make([]uint64, len(types.DealState_name)),
		BondsHeld:    sdkmath.ZeroInt(),
		EscrowHeld:   sdkmath.ZeroInt(),
	}
}

// updateStats loads the running stats, applies f and stores them.
func (k Keeper) updateStats(ctx context.Context, f func(s *types.Stats)) error {
	s, err := k.Stats.Get(ctx)
	if err != nil {
		return err
	}
	f(&s)
	return k.Stats.Set(ctx, s)
}

// moveCount decrements counts[from] and increments counts[to]; index 0
// (UNSPECIFIED) means "none".
func moveCount(counts []uint64, from, to int32) {
	if from > 0 && int(from) < len(counts) && counts[from] > 0 {
		counts[from]--
	}
	if to > 0 && int(to) < len(counts) {
		counts[to]++
	}
}

func boolDelta(counter *uint64, before, after bool) {
	switch {
	case !before && after:
		*counter++
	case before && !after && *counter > 0:
		*counter--
	}
}

// sameInt compares two amounts, a nil (unset) one being equal only to nil.
func sameInt(a, b sdkmath.Int) bool {
	if a.IsNil() || b.IsNil() {
		return a.IsNil() && b.IsNil()
	}
	return a.Equal(b)
}
