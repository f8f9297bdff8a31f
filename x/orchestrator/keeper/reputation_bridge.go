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

// What x/reputation reads and does through x/orchestrator (its
// expected-keeper interface): bonds for rewards and penalties, deals and
// consumers for ratings, verdicts for disputes.

// ProviderBond returns a provider's bond, and false for an unknown provider.
func (k Keeper) ProviderBond(ctx context.Context, provider string) (sdkmath.Int, bool, error) {
	p, _, err := k.getProvider(ctx, provider)
	if errors.Is(err, types.ErrProviderNotFound) {
		return sdkmath.ZeroInt(), false, nil
	}
	if err != nil {
		return sdkmath.Int{}, false, err
	}
	return p.Bond, true, nil
}

// PenalizeBond moves up to amount from a provider's bond to toModule and
// returns what it moved.
func (k Keeper) PenalizeBond(ctx context.Context, provider string, amount sdkmath.Int, toModule, reason string) (sdkmath.Int, error) {
	params, err := k.params(ctx)
	if err != nil {
		return sdkmath.Int{}, err
	}
	var taken sdkmath.Int
	if err := k.adjustProvider(ctx, provider, func(p *types.Provider) {
		taken = sdkmath.MinInt(amount, p.Bond)
		p.Bond = p.Bond.Sub(taken)
	}); err != nil {
		return sdkmath.Int{}, err
	}
	if !taken.IsPositive() {
		return sdkmath.ZeroInt(), nil
	}
	if err := k.bank.SendCoinsFromModuleToModule(ctx, types.ModuleName, toModule, sdk.NewCoins(coin(params.Denom(), taken))); err != nil {
		return sdkmath.Int{}, err
	}
	return taken, typedevent.Emit(ctx, &types.EventBondChanged{Provider: provider, Change: coin(params.Denom(), taken), Reason: reason})
}

// CreditBond moves amount from fromModule into a provider's bond.
func (k Keeper) CreditBond(ctx context.Context, provider string, amount sdkmath.Int, fromModule, reason string) error {
	if !amount.IsPositive() {
		return nil
	}
	params, err := k.params(ctx)
	if err != nil {
		return err
	}
	if err := k.bank.SendCoinsFromModuleToModule(ctx, fromModule, types.ModuleName, sdk.NewCoins(coin(params.Denom(), amount))); err != nil {
		return err
	}
	if err := k.adjustProvider(ctx, provider, func(p *types.Provider) { p.Bond = p.Bond.Add(amount) }); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventBondChanged{Provider: provider, Change: coin(params.Denom(), amount), Increase: true, Reason: reason})
}

// Deal returns a deal.
func (k Keeper) Deal(ctx context.Context, id uint64) (types.Deal, error) { return k.getDeal(ctx, id) }

// ConsumerVerified reports whether a consumer is verified.
func (k Keeper) ConsumerVerified(ctx context.Context, consumer string) (bool, error) {
	c, _, err := k.getConsumer(ctx, consumer)
	if err != nil {
		return false, err
	}
	return c.Verified, nil
}

// UnitVerdict returns a unit's verdict for an epoch.
func (k Keeper) UnitVerdict(ctx context.Context, unitID uint64, epoch int64) (types.UnitVerdict, error) {
	v, err := k.UnitVerdicts.Get(ctx, collections.Join(unitID, epoch))
	if errors.Is(err, collections.ErrNotFound) {
		return v, errorsmod.Wrapf(types.ErrInvalidInput, "no verdict for unit %d in epoch %d", unitID, epoch)
	}
	return v, err
}

// ReverseUnitVerdict marks a unit's verdict reversed (a dispute was upheld)
// and returns, for restitution, the SLA refunds the deals on the unit paid
// in that epoch, per deal, and the bond slashed.
func (k Keeper) ReverseUnitVerdict(ctx context.Context, unitID uint64, epoch int64) (types.UnitVerdict, []types.DealVerdict, error) {
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

// MarketDenom is the denom of bonds, escrows and the reward pool.
func (k Keeper) MarketDenom(ctx context.Context) (string, error) {
	params, err := k.params(ctx)
	if err != nil {
		return "", err
	}
	return params.Denom(), nil
}

// SlaRoundPending reports whether an SLA round is still being checked:
// x/reputation waits for it before paying an epoch's rewards, so that
// rewards see the epoch's verdicts.
func (k Keeper) SlaRoundPending(ctx context.Context) (bool, error) {
	iter, err := k.SlaRounds.Iterate(ctx, nil)
	if err != nil {
		return false, err
	}
	defer iter.Close()
	return iter.Valid(), nil
}

// RestoreClawback gives a deal back up to amount of the earnings an SLA
// refund clawed back (a dispute over the verdict was upheld): the coins come
// from fromModule, and the provider withdraws them as ordinary earnings,
// platform fee included. It returns what it restored.
func (k Keeper) RestoreClawback(ctx context.Context, dealID uint64, amount sdkmath.Int, fromModule string) (sdkmath.Int, error) {
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
	params, err := k.params(ctx)
	if err != nil {
		return sdkmath.Int{}, err
	}
	if err := k.bank.SendCoinsFromModuleToModule(ctx, fromModule, types.ModuleName, sdk.NewCoins(coin(params.Denom(), restored))); err != nil {
		return sdkmath.Int{}, err
	}
	old := d
	d.ClawedBack = d.ClawedBack.Sub(restored)
	return restored, k.setDeal(ctx, &old, d)
}

// DealPaid is what a deal has paid its provider by this block, net of SLA
// refunds and early-close penalties (Deal.NetPaid): x/reputation weighs the
// deal's rating by it. It reads only.
func (k Keeper) DealPaid(ctx context.Context, id uint64) (sdkmath.Int, error) {
	d, err := k.getDeal(ctx, id)
	if err != nil {
		return sdkmath.Int{}, err
	}
	return d.NetPaid(blockSecond(ctx)), nil
}

// HoldUnitVerdict keeps a unit verdict, and its deals' verdicts of the
// epoch, from pruning while a dispute on it is open (x/reputation calls it
// when the dispute is filed, and at InitGenesis for the open ones).
func (k Keeper) HoldUnitVerdict(ctx context.Context, unitID uint64, epoch int64) error {
	if _, err := k.UnitVerdict(ctx, unitID, epoch); err != nil {
		return err
	}
	return k.HeldVerdicts.Set(ctx, collections.Join(unitID, epoch))
}

// ReleaseUnitVerdict lets pruning remove the verdict again once its
// dispute is resolved; the next blocks prune it if it is past retention.
func (k Keeper) ReleaseUnitVerdict(ctx context.Context, unitID uint64, epoch int64) error {
	return k.HeldVerdicts.Remove(ctx, collections.Join(unitID, epoch))
}
