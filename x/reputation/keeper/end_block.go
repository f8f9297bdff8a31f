package keeper

import "context"

// EndBlock ages ratings and advances the reward round, within
// max_work_per_block together.
func (k Keeper) EndBlock(ctx context.Context) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	budget := int(params.MaxWorkPerBlock)
	used, err := k.AgeRatings(ctx, params, budget)
	if err != nil {
		return err
	}
	_, err = k.ProcessRewards(ctx, params, budget-used)
	return err
}
