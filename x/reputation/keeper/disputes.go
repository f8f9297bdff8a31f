package keeper

import (
	"context"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// setDispute writes a dispute and keeps its indexes by provider and status.
func (k Keeper) setDispute(ctx context.Context, old *types.Dispute, d types.Dispute) error {
	provider, err := sdk.AccAddressFromBech32(d.Provider)
	if err != nil {
		return err
	}
	if old != nil && old.Status != d.Status {
		if err := k.DisputesByStatus.Remove(ctx, collections.Join(int32(old.Status), old.Id)); err != nil {
			return err
		}
	}
	if err := k.DisputesByStatus.Set(ctx, collections.Join(int32(d.Status), d.Id)); err != nil {
		return err
	}
	if err := k.DisputesByProvider.Set(ctx, collections.Join(provider, d.Id)); err != nil {
		return err
	}
	return k.Disputes.Set(ctx, d.Id, d)
}

// uphold applies an upheld dispute.
//
// A rating is hidden: it leaves the provider's community score.
//
// A verdict is reversed: x/orchestrator marks it (and the deals' refunds in
// that epoch) reversed, the unit's score moves back by the verdict's change,
// and the reward pool makes the provider whole: the slash and the refunds'
// part taken from the bond go back into the bond, the part clawed back from
// its earnings goes back into the deals as withdrawable earnings (platform
// fee applying as usual). Consumers keep their refunds: the pool, funded by
// slashes and fees, bears the oracle's errors. What the pool cannot pay is
// recorded as the dispute's shortfall; the bond is restored first.
func (k Keeper) uphold(ctx context.Context, params types.Params, d *types.Dispute) error {
	if d.Kind == types.DISPUTE_KIND_RATING {
		r, err := k.Ratings.Get(ctx, d.DealId)
		if err != nil {
			return err
		}
		return k.hideRating(ctx, params, r)
	}
	v, deals, err := k.orchestrator.ReverseUnitVerdict(ctx, d.UnitId, d.Epoch)
	if err != nil {
		return err
	}
	if d.ScoreChange != 0 {
		if err := k.changeUnitScore(ctx, params, d.UnitId, -d.ScoreChange, d.Epoch); err != nil {
			return err
		}
	}
	owed := v.Slashed
	toBond := v.Slashed
	for _, dv := range deals {
		owed = owed.Add(dv.Refund)
		toBond = toBond.Add(dv.RefundFromBond)
	}
	pool, err := k.Pool.Get(ctx)
	if err != nil {
		return err
	}
	paid := sdkmath.ZeroInt()
	if amt := sdkmath.MinInt(toBond, pool); amt.IsPositive() {
		if err := k.restoreBond(ctx, d, amt); err != nil {
			return err
		}
		paid = paid.Add(amt)
	}
	for _, dv := range deals {
		clawed := dv.Refund.Sub(dv.RefundFromBond)
		amt := sdkmath.MinInt(clawed, pool.Sub(paid))
		if !amt.IsPositive() {
			continue
		}
		restored, err := k.orchestrator.RestoreClawback(ctx, dv.DealId, amt, types.ModuleName)
		if err != nil {
			return err
		}
		if err := k.spendPool(ctx, restored); err != nil {
			return err
		}
		paid = paid.Add(restored)
	}
	d.Restitution = paid
	d.Shortfall = owed.Sub(paid)
	return nil
}

// restoreBond pays a provider back, from the pool, what an upheld verdict
// took from its bond: into the bond while the provider is registered
// (active or exiting: an exiting bond is returned with the rest), else to
// its account. A provider that has exited has no bond to credit — crediting
// it failed with "provider not found" and the dispute could never be upheld
// — and the money is the provider's either way; the pool pays it out
// exactly once in both cases, so the pool and module-balance invariants hold.
func (k Keeper) restoreBond(ctx context.Context, d *types.Dispute, amt sdkmath.Int) error {
	_, registered, err := k.orchestrator.ProviderBond(ctx, d.Provider)
	if err != nil {
		return err
	}
	denom, err := k.orchestrator.MarketDenom(ctx)
	if err != nil {
		return err
	}
	to := "bond"
	if registered {
		if err := k.spendPool(ctx, amt); err != nil {
			return err
		}
		if err := k.orchestrator.CreditBond(ctx, d.Provider, amt, types.ModuleName, "dispute_restitution"); err != nil {
			return err
		}
	} else {
		to = "account"
		if err := k.payFromPool(ctx, d.Provider, amt); err != nil {
			return err
		}
	}
	return typedevent.Emit(ctx, &types.EventRestitutionPaid{DisputeId: d.Id, Provider: d.Provider, Amount: sdk.NewCoin(denom, amt), To: to})
}
