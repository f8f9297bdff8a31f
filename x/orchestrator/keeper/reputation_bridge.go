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

// What x/reputation reads through x/orchestrator (its expected-keeper
// interface): bonds for rewards, deals and consumers for ratings, verdicts
// for disputes; and the one money movement its reward round asks for, the
// penalty of a provider with a poor score. Disputes' outcomes are in
// verdict_disputes.go.

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

// TakeScorePenalty moves up to amount from a provider's bond to toModule
// (x/reputation's reward pool: the penalty of a provider in a penalty band)
// and returns what it moved.
func (k Keeper) TakeScorePenalty(ctx context.Context, provider string, amount sdkmath.Int, toModule string) (sdkmath.Int, error) {
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
	return taken, typedevent.Emit(ctx, &types.EventBondChanged{Provider: provider, Change: coin(params.Denom(), taken), Reason: "reputation_penalty"})
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

// MarketDenom is the denom of bonds, escrows and the reward pool.
func (k Keeper) MarketDenom(ctx context.Context) (string, error) {
	params, err := k.params(ctx)
	if err != nil {
		return "", err
	}
	return params.Denom(), nil
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
