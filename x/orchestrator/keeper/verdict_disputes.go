package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// The outcomes of a dispute over a unit's SLA verdict. x/reputation decides
// disputes; x/orchestrator, which owns the verdicts, bonds and escrow,
// carries out each outcome with one call that does all of its state
// changes and money movements.

// HoldVerdict keeps a unit verdict, and its deals' verdicts of the epoch,
// from pruning while a dispute on it is open: pruned earlier, an upheld
// dispute could not be carried out. x/reputation calls it when the dispute
// is filed, and at InitGenesis for the open ones.
func (k Keeper) HoldVerdict(ctx context.Context, unitID uint64, epoch int64) error {
	if _, err := k.UnitVerdict(ctx, unitID, epoch); err != nil {
		return err
	}
	return k.HeldVerdicts.Set(ctx, collections.Join(unitID, epoch))
}

// RejectVerdictDispute ends a rejected dispute: the verdict stands and may
// be pruned again once past retention.
func (k Keeper) RejectVerdictDispute(ctx context.Context, unitID uint64, epoch int64) error {
	return k.releaseVerdict(ctx, unitID, epoch)
}

// UpholdVerdictDispute carries out an upheld dispute of a unit's verdict:
// the unit takes its score back (r.UnitScore), the verdict and its deals'
// refunded verdicts of the epoch are marked reversed, and the provider is
// paid back from r.FromModule, at most r.Budget, what the verdict cost it —
// first the slash and the refunds' part taken from the bond (into the bond
// while the provider is registered, else to its account: the money is the
// provider's either way), then, deal by deal, the part clawed back from its
// earnings (back into the deal as withdrawable earnings, the platform fee
// applying as usual). Consumers keep their refunds. The verdict is then
// released for pruning.
func (k Keeper) UpholdVerdictDispute(ctx context.Context, r types.VerdictReversal) (types.VerdictRestitution, error) {
	if r.UnitScore != nil {
		if err := k.SetUnitReputation(ctx, r.UnitId, *r.UnitScore); err != nil {
			return types.VerdictRestitution{}, err
		}
	}
	v, deals, err := k.reverseUnitVerdict(ctx, r.UnitId, r.Epoch)
	if err != nil {
		return types.VerdictRestitution{}, err
	}
	params, err := k.params(ctx)
	if err != nil {
		return types.VerdictRestitution{}, err
	}
	denom := params.Denom()
	res := types.VerdictRestitution{Provider: v.Provider, Owed: v.Slashed, Paid: sdkmath.ZeroInt(), ToBond: sdkmath.ZeroInt()}
	toBond := v.Slashed
	for _, dv := range deals {
		res.Owed = res.Owed.Add(dv.Refund)
		toBond = toBond.Add(dv.RefundFromBond)
	}
	if amt := sdkmath.MinInt(toBond, r.Budget); amt.IsPositive() {
		if res.ToAccount, err = k.restoreBond(ctx, v.Provider, amt, r.FromModule, denom); err != nil {
			return res, err
		}
		res.ToBond, res.Paid = amt, amt
	}
	for _, dv := range deals {
		clawed := dv.Refund.Sub(dv.RefundFromBond)
		amt := sdkmath.MinInt(clawed, r.Budget.Sub(res.Paid))
		if !amt.IsPositive() {
			continue
		}
		restored, err := k.restoreClawback(ctx, dv.DealId, amt, r.FromModule, denom)
		if err != nil {
			return res, err
		}
		res.Paid = res.Paid.Add(restored)
	}
	return res, k.releaseVerdict(ctx, r.UnitId, r.Epoch)
}

func (k Keeper) releaseVerdict(ctx context.Context, unitID uint64, epoch int64) error {
	return k.HeldVerdicts.Remove(ctx, collections.Join(unitID, epoch))
}

// reverseUnitVerdict marks a unit's verdict reversed and returns, for
// restitution, the deals' verdicts of the epoch that paid an SLA refund
// (marked reversed too).
func (k Keeper) reverseUnitVerdict(ctx context.Context, unitID uint64, epoch int64) (types.UnitVerdict, []types.DealVerdict, error) {
	v, err := k.UnitVerdict(ctx, unitID, epoch)
	if err != nil {
		return v, nil, err
	}
	if v.Reversed {
		return v, nil, errorsmod.Wrapf(types.ErrInvalidState, "the verdict of unit %d in epoch %d was already reversed", unitID, epoch)
	}
	v.Reversed = true
	if err := k.UnitVerdicts.Set(ctx, collections.Join(unitID, epoch), v); err != nil {
		return v, nil, err
	}
	// The deals on the unit that were checked in the epoch.
	iter, err := k.DealVerdictsByUnit.Iterate(ctx, collections.NewSuperPrefixedTripleRange[uint64, int64, uint64](unitID, epoch))
	if err != nil {
		return v, nil, err
	}
	defer iter.Close()
	var deals []types.DealVerdict
	for ; iter.Valid(); iter.Next() {
		key, err := iter.Key()
		if err != nil {
			return v, nil, err
		}
		dv, err := k.DealVerdicts.Get(ctx, collections.Join(key.K3(), epoch))
		if err != nil {
			return v, nil, err
		}
		if dv.Refund.IsPositive() && !dv.Reversed {
			dv.Reversed = true
			if err := k.DealVerdicts.Set(ctx, collections.Join(dv.DealId, epoch), dv); err != nil {
				return v, nil, err
			}
			deals = append(deals, dv)
		}
	}
	return v, deals, nil
}

// restoreBond pays amt from fromModule into a provider's bond while the
// provider is registered (active or exiting: an exiting bond is returned
// with the rest), and reports false; a provider that has exited has no bond
// to credit, so it is paid to its account, and restoreBond reports true.
func (k Keeper) restoreBond(ctx context.Context, provider string, amt sdkmath.Int, fromModule, denom string) (toAccount bool, err error) {
	if _, _, err := k.getProvider(ctx, provider); errors.Is(err, types.ErrProviderNotFound) {
		addr, err := k.accAddress(provider)
		if err != nil {
			return true, err
		}
		return true, k.bank.SendCoinsFromModuleToAccount(ctx, fromModule, addr, sdk.NewCoins(coin(denom, amt)))
	} else if err != nil {
		return false, err
	}
	if err := k.bank.SendCoinsFromModuleToModule(ctx, fromModule, types.ModuleName, sdk.NewCoins(coin(denom, amt))); err != nil {
		return false, err
	}
	if err := k.adjustProvider(ctx, provider, func(p *types.Provider) { p.Bond = p.Bond.Add(amt) }); err != nil {
		return false, err
	}
	return false, typedevent.Emit(ctx, &types.EventBondChanged{Provider: provider, Change: coin(denom, amt), Increase: true, Reason: "dispute_restitution"})
}

// restoreClawback gives a deal back up to amount of the earnings SLA
// refunds clawed back: the coins come from fromModule, and the provider
// withdraws them as ordinary earnings. It returns what it restored.
func (k Keeper) restoreClawback(ctx context.Context, dealID uint64, amount sdkmath.Int, fromModule, denom string) (sdkmath.Int, error) {
	d, err := k.getDeal(ctx, dealID)
	if err != nil {
		return sdkmath.Int{}, err
	}
	if d.ClawedBack.IsNil() {
		return sdkmath.ZeroInt(), nil
	}
	restored := sdkmath.MinInt(amount, d.ClawedBack)
	if !restored.IsPositive() {
		return sdkmath.ZeroInt(), nil
	}
	if err := k.bank.SendCoinsFromModuleToModule(ctx, fromModule, types.ModuleName, sdk.NewCoins(coin(denom, restored))); err != nil {
		return sdkmath.Int{}, err
	}
	_, err = k.changeDeal(ctx, d, func(d *types.Deal) error {
		d.ClawedBack = d.ClawedBack.Sub(restored)
		return nil
	})
	return restored, err
}
