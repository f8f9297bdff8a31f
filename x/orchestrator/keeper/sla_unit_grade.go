package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// A unit's verdict must be earned against what its consumers were promised:
// nothing the provider edits by itself (its offered SLA) may raise the
// unit's score or lower a refund.
//
//   - In an epoch in which deals on the unit got verdicts, the unit's
//     verdict is the worst of them. Each deal is judged against its own SLA,
//     fixed when the consumer requested it, so the offered SLA plays no part.
//   - In an epoch without a deal verdict, the unit is judged against its
//     offered SLA tightened, metric by metric, to params.reference_sla: a
//     trivial offer is judged against the reference.
//   - A change of the offered SLA waits (pending_sla) until the round of the
//     epoch in which it was made has graded the unit, so it never changes
//     the verdict of an epoch already under way.

// recordWorstDealVerdict folds a deal's verdict into the worst deal verdict
// of its unit in the epoch: one read and at most one write per deal.
func (k Keeper) recordWorstDealVerdict(ctx context.Context, epoch int64, unitID uint64, v types.SlaVerdict) error {
	key := collections.Join(epoch, unitID)
	old, err := k.WorstDealVerdicts.Get(ctx, key)
	switch {
	case errors.Is(err, collections.ErrNotFound):
		return k.WorstDealVerdicts.Set(ctx, key, int32(v))
	case err != nil:
		return err
	}
	if worse := types.WorseVerdict(types.SlaVerdict(old), v); worse != types.SlaVerdict(old) {
		return k.WorstDealVerdicts.Set(ctx, key, int32(worse))
	}
	return nil
}

// gradeUnit sets a unit verdict's outcome for the round's epoch: the worst
// deal verdict on the unit if any deal got one (the round checks deals
// before units), else the QoS against the SLA in force tightened to the
// reference.
func (k Keeper) gradeUnit(ctx context.Context, params types.Params, unit types.DataUnit, v *types.UnitVerdict) error {
	worst, err := k.WorstDealVerdicts.Get(ctx, collections.Join(v.Epoch, unit.Id))
	switch {
	case err == nil:
		v.Verdict, v.FromDeals = types.SlaVerdict(worst), true
		return nil
	case !errors.Is(err, collections.ErrNotFound):
		return err
	}
	graded := types.TightenSla(unit.Sla, params.ReferenceSla)
	v.GradedSla = &graded
	v.Verdict = types.EvaluateSla(graded, v.Qos, params.CriticalDowntimePerDay, params.ExceedMarginBps)
	return nil
}

// applyPendingSla puts a unit's pending SLA in force once the unit has been
// graded for an epoch that ended at or after the change was made (the epoch
// in which it was made, or a later one).
func (k Keeper) applyPendingSla(ctx context.Context, unitID uint64, r types.SlaRound) error {
	u, err := k.getUnit(ctx, unitID)
	if err != nil || u.PendingSla == nil || u.PendingSlaSince == nil || r.EpochEnd.Before(*u.PendingSlaSince) {
		return err
	}
	old := u
	u.Sla, u.PendingSla, u.PendingSlaSince = *old.PendingSla, nil, nil
	if err := k.setUnit(ctx, &old, u); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventDataUnitSlaApplied{UnitId: u.Id, Epoch: r.Epoch, Sla: u.Sla, Previous: old.Sla})
}
