package keeper

import (
	"context"

	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// The keeper is x/orchestrator's ReputationHooks: what SLA enforcement
// tells x/reputation (AfterUnitVerdict in scores.go, AfterSlaRoundsSettled
// below, FundRewardPool in pool.go) and the little it reads of it
// (BaselineScore, ModuleAddress). The app hands it over once, with
// OrchestratorKeeper.SetSlaModules.
var _ orchtypes.ReputationHooks = Keeper{}

// AfterSlaRoundsSettled records, for this block only, that x/orchestrator
// ended its per-block work with no SLA round open: the reward round, which
// runs later in the block (x/reputation's end blocker comes after
// x/orchestrator's), may advance. The record is in a transient store,
// cleared at commit, so it changes no committed state.
func (k Keeper) AfterSlaRoundsSettled(ctx context.Context) error {
	return k.slaSettled.Set(ctx, true)
}

// slaRoundsSettled reports whether x/orchestrator reported its SLA rounds
// settled in this block.
func (k Keeper) slaRoundsSettled(ctx context.Context) (bool, error) {
	return k.slaSettled.Has(ctx)
}
