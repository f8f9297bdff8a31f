package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// setDispute writes a dispute and keeps its indexes by provider and status.
func (k Keeper) setDispute(ctx context.Context, old *types.Dispute, d types.Dispute) error {
	provider, err := k.accAddress(d.Provider)
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
// A verdict is reversed: the unit's score moves back by the verdict's
// change, and x/orchestrator, with one call (UpholdVerdictDispute), marks
// the verdict (and the deals' refunds in that epoch) reversed, gives the
// unit its score back and makes the provider whole from the reward pool:
// the slash and the refunds' part taken from the bond go back into the bond
// (to the provider's account once it has exited), the part clawed back from
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
	reversal := orchtypes.VerdictReversal{UnitId: d.UnitId, Epoch: d.Epoch, FromModule: types.ModuleName}
	if d.ScoreChange != 0 {
		score, err := k.changeUnitScore(ctx, params, d.UnitId, -d.ScoreChange, d.Epoch)
		if err != nil {
			return err
		}
		reversal.UnitScore = &score
	}
	pool, err := k.Pool.Get(ctx)
	if err != nil {
		return err
	}
	reversal.Budget = pool
	res, err := k.orchestrator.UpholdVerdictDispute(ctx, reversal)
	if err != nil {
		return err
	}
	if res.Paid.IsPositive() {
		if err := k.spendPool(ctx, res.Paid); err != nil {
			return err
		}
	}
	if res.ToBond.IsPositive() {
		denom, err := k.orchestrator.MarketDenom(ctx)
		if err != nil {
			return err
		}
		to := "bond"
		if res.ToAccount {
			to = "account"
		}
		if err := typedevent.Emit(ctx, &types.EventRestitutionPaid{DisputeId: d.Id, Provider: d.Provider, Amount: sdk.NewCoin(denom, res.ToBond), To: to}); err != nil {
			return err
		}
	}
	d.Restitution = res.Paid
	d.Shortfall = res.Owed.Sub(res.Paid)
	return nil
}
