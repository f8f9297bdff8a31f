package keeper

import "context"

// EndBlock is the module's per-block work, in order: pay out the platform
// fees the block's withdrawals booked, process the due queue (request
// expiries, deal ends and overdrafts, maintenance windows, bond returns),
// and advance the pending SLA round; then, when no SLA round is open, tell
// x/reputation (AfterSlaRoundsSettled: its reward round may run). Each part
// is capped per block; with nothing to do, the whole costs a few reads and
// iterator seeks, whatever the number of deals, units and providers.
func (k Keeper) EndBlock(ctx context.Context) error {
	if err := k.SweepPlatformFees(ctx); err != nil {
		return err
	}
	if err := k.ProcessDue(ctx); err != nil {
		return err
	}
	if err := k.ProcessSla(ctx); err != nil {
		return err
	}
	return k.afterSlaWork(ctx)
}
