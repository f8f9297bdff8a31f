package keeper

import "context"

// EndBlock is the module's per-block work: assign the next window's units
// when a window ends, then prune old records, summaries and self-reports
// (capped per block).
func (k Keeper) EndBlock(ctx context.Context) error {
	if err := k.AdvanceWindow(ctx); err != nil {
		return err
	}
	return k.Prune(ctx)
}
