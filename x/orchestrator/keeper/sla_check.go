package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// checkDeal records a deal's verdict for the round's epoch and applies it:
// the deal is settled first; a MISSED or CRITICAL verdict refunds the
// consumer (100 − unit score) % of what the deal paid for the epoch — taken
// back from the provider's unwithdrawn earnings on the deal, the rest from
// its bond; critical_termination_count CRITICAL verdicts in a row end the
// deal with SLA_TERMINATION.
func (k Keeper) checkDeal(ctx context.Context, params types.Params, r types.SlaRound, dealID uint64) error {
	key := collections.Join(dealID, r.Epoch)
	if has, err := k.DealVerdicts.Has(ctx, key); err != nil || has {
		return err
	}
	d, err := k.getDeal(ctx, dealID)
	if err != nil {
		return err
	}
	if !d.Running() || d.StartTime == nil || !d.StartTime.Before(r.EpochEnd) {
		return nil // not running during the epoch
	}
	unit, err := k.getUnit(ctx, d.UnitId)
	if err != nil {
		return err
	}
	denom := params.Denom()
	var v types.DealVerdict
	d, err = k.changeDeal(ctx, d, func(d *types.Deal) error {
		if err := k.settle(ctx, d, denom); err != nil {
			return err
		}
		qos, err := k.agreedQoS(ctx, r, d.UnitId)
		if err != nil {
			return err
		}
		verdict := types.EvaluateSla(d.Sla, qos, params.CriticalDowntimePerDay, params.ExceedMarginBps)
		payment := d.PaidUntil(r.EpochEnd).Sub(d.PaidUntil(r.EpochStart))
		v = types.DealVerdict{
			DealId: d.Id, UnitId: d.UnitId, Provider: d.Provider, Consumer: d.Consumer, Epoch: r.Epoch,
			Verdict: verdict, Qos: qos, EpochPayment: payment, UnitScore: unit.Reputation,
			Refund: sdkmath.ZeroInt(), RefundFromBond: sdkmath.ZeroInt(), Time: blockSecond(ctx),
			EpochStart: r.EpochStart, EpochEnd: r.EpochEnd, Height: sdk.UnwrapSDKContext(ctx).BlockHeight(),
		}

		switch verdict {
		case types.SLA_VERDICT_MISSED, types.SLA_VERDICT_CRITICAL:
			score := min(unit.Reputation, 100)
			refund := payment.MulRaw(int64(100 - score)).QuoRaw(100)
			if err := k.slaRefund(ctx, d, &v, denom, refund); err != nil {
				return err
			}
		}
		switch verdict {
		case types.SLA_VERDICT_CRITICAL:
			d.ConsecutiveCritical++
		case types.SLA_VERDICT_MET, types.SLA_VERDICT_EXCEEDED, types.SLA_VERDICT_MISSED:
			d.ConsecutiveCritical = 0
		}
		d.DueAt = nextDue(*d, params.OverdraftGracePeriod)
		return nil
	})
	if err != nil {
		return err
	}
	if err := k.DealVerdicts.Set(ctx, key, v); err != nil {
		return err
	}
	if err := k.DealVerdictsByEpoch.Set(ctx, collections.Join(r.Epoch, dealID)); err != nil {
		return err
	}
	if err := k.DealVerdictsByUnit.Set(ctx, collections.Join3(d.UnitId, r.Epoch, dealID)); err != nil {
		return err
	}
	if err := k.recordWorstDealVerdict(ctx, r.Epoch, d.UnitId, v.Verdict); err != nil {
		return err
	}
	if err := typedevent.Emit(ctx, &types.EventDealVerdict{
		DealId: v.DealId, UnitId: v.UnitId, Epoch: v.Epoch, Verdict: v.Verdict, Refund: v.Refund,
		EpochStart: v.EpochStart, EpochEnd: v.EpochEnd, Height: v.Height,
	}); err != nil {
		return err
	}
	if params.CriticalTerminationCount > 0 && d.ConsecutiveCritical >= params.CriticalTerminationCount {
		return k.closeDeal(ctx, params, d, types.CLOSE_REASON_SLA_TERMINATION)
	}
	return nil
}

// slaRefund pays the consumer `refund`: first from the provider's
// unwithdrawn earnings on the deal, the rest from its bond (as far as the
// bond goes).
func (k Keeper) slaRefund(ctx context.Context, d *types.Deal, v *types.DealVerdict, denom string, refund sdkmath.Int) error {
	if !refund.IsPositive() {
		return nil
	}
	claw := sdkmath.MinInt(refund, sdkmath.MaxInt(d.Earnings(), sdkmath.ZeroInt()))
	d.ClawedBack = d.ClawedBack.Add(claw)
	fromBond := sdkmath.ZeroInt()
	if rest := refund.Sub(claw); rest.IsPositive() {
		if err := k.adjustProvider(ctx, d.Provider, func(p *types.Provider) {
			fromBond = sdkmath.MinInt(rest, p.Bond)
			p.Bond = p.Bond.Sub(fromBond)
		}); err != nil {
			return err
		}
	}
	paid := claw.Add(fromBond)
	if err := k.payFromModule(ctx, d.Consumer, denom, paid); err != nil {
		return err
	}
	d.SlaRefunded = d.SlaRefunded.Add(paid)
	v.Refund, v.RefundFromBond = paid, fromBond
	return typedevent.Emit(ctx, &types.EventSlaRefund{DealId: d.Id, Consumer: d.Consumer, Amount: coin(denom, paid), FromBond: coin(denom, fromBond)})
}

// checkUnit records a unit's verdict for the epoch (gradeUnit: the worst of
// its deals' verdicts, else its offered SLA tightened to the reference),
// slashes the provider's bond on a CRITICAL verdict (once per unit and
// epoch; slash_pool_share to the reward pool, the rest burned), hands the
// verdict to x/reputation's hook, which scores it, records the unit's new
// score on the unit, and then puts a pending offered SLA in force.
func (k Keeper) checkUnit(ctx context.Context, params types.Params, r types.SlaRound, unitID uint64) error {
	key := collections.Join(unitID, r.Epoch)
	if has, err := k.UnitVerdicts.Has(ctx, key); err != nil || has {
		return err
	}
	unit, err := k.getUnit(ctx, unitID)
	if err != nil {
		return err
	}
	qos, err := k.agreedQoS(ctx, r, unitID)
	if err != nil {
		return err
	}
	v := types.UnitVerdict{
		UnitId: unitID, Provider: unit.Provider, Epoch: r.Epoch, Qos: qos,
		Slashed: sdkmath.ZeroInt(), SlashedToPool: sdkmath.ZeroInt(), Time: blockSecond(ctx),
		EpochStart: r.EpochStart, EpochEnd: r.EpochEnd, Height: sdk.UnwrapSDKContext(ctx).BlockHeight(),
	}
	if err := k.gradeUnit(ctx, params, unit, &v); err != nil {
		return err
	}
	if v.Verdict == types.SLA_VERDICT_CRITICAL {
		if err := k.slashForCritical(ctx, params, &v); err != nil {
			return err
		}
	}
	before, after, err := k.deps.reputation.AfterUnitVerdict(ctx, v)
	if err != nil {
		return err
	}
	if err := k.SetUnitReputation(ctx, unitID, after); err != nil {
		return err
	}
	v.ScoreBefore, v.ScoreAfter = before, after
	if err := k.UnitVerdicts.Set(ctx, key, v); err != nil {
		return err
	}
	if err := k.UnitVerdictsByEpoch.Set(ctx, collections.Join(r.Epoch, unitID)); err != nil {
		return err
	}
	if err := typedevent.Emit(ctx, &types.EventUnitVerdict{
		UnitId: v.UnitId, Provider: v.Provider, Epoch: v.Epoch, Verdict: v.Verdict,
		ScoreBefore: v.ScoreBefore, ScoreAfter: v.ScoreAfter, Slashed: v.Slashed,
		EpochStart: v.EpochStart, EpochEnd: v.EpochEnd, Height: v.Height, FromDeals: v.FromDeals,
	}); err != nil {
		return err
	}
	return k.applyPendingSla(ctx, unitID, r)
}

func (k Keeper) slashForCritical(ctx context.Context, params types.Params, v *types.UnitVerdict) error {
	denom := params.Denom()
	var slashed sdkmath.Int
	if err := k.adjustProvider(ctx, v.Provider, func(p *types.Provider) {
		slashed = params.CriticalSlashRate.MulInt(p.Bond).TruncateInt()
		p.Bond = p.Bond.Sub(slashed)
	}); err != nil {
		if errors.Is(err, types.ErrProviderNotFound) {
			return nil
		}
		return err
	}
	if !slashed.IsPositive() {
		return nil
	}
	toPool := params.SlashPoolShare.MulInt(slashed).TruncateInt()
	burned := slashed.Sub(toPool)
	if toPool.IsPositive() {
		if err := k.deps.reputation.FundRewardPool(ctx, types.ModuleName, sdk.NewCoins(coin(denom, toPool))); err != nil {
			return err
		}
	}
	if burned.IsPositive() {
		if err := k.bank.BurnCoins(ctx, types.ModuleName, sdk.NewCoins(coin(denom, burned))); err != nil {
			return err
		}
	}
	v.Slashed, v.SlashedToPool = slashed, toPool
	return typedevent.Emit(ctx, &types.EventProviderSlashed{
		Provider: v.Provider, UnitId: v.UnitId, Epoch: v.Epoch, ToPool: coin(denom, toPool), Burned: coin(denom, burned),
	})
}
