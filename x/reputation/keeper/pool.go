package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// The reward pool is the module account's balance in the market denom; Pool
// tracks it so that the invariant can check the two agree. It is funded by
// slashes, the platform-fee share and reputation penalties, and pays
// reputation rewards and dispute restitution. It never mints.

// FundRewardPool moves coins of the market denom from a module account into
// the pool (x/orchestrator calls it for slashes and platform fees).
func (k Keeper) FundRewardPool(ctx context.Context, fromModule string, amount sdk.Coins) error {
	if amount.IsZero() {
		return nil
	}
	denom, err := k.orchestrator.MarketDenom(ctx)
	if err != nil {
		return err
	}
	if len(amount) != 1 || amount[0].Denom != denom {
		return errorsmod.Wrapf(types.ErrInvalidInput, "the reward pool holds %s only, got %s", denom, amount)
	}
	if err := k.bank.SendCoinsFromModuleToModule(ctx, fromModule, types.ModuleName, amount); err != nil {
		return err
	}
	if err := k.addPool(ctx, amount[0].Amount); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventRewardPoolFunded{From: fromModule, Amount: amount[0]})
}

func (k Keeper) addPool(ctx context.Context, amt sdkmath.Int) error {
	pool, err := k.Pool.Get(ctx)
	if err != nil {
		return err
	}
	return k.Pool.Set(ctx, pool.Add(amt))
}

// spendPool takes amt out of the pool's books; the caller moves the coins.
func (k Keeper) spendPool(ctx context.Context, amt sdkmath.Int) error {
	pool, err := k.Pool.Get(ctx)
	if err != nil {
		return err
	}
	if pool.LT(amt) {
		return errorsmod.Wrapf(types.ErrInvalidInput, "the reward pool holds %s, cannot pay %s", pool, amt)
	}
	return k.Pool.Set(ctx, pool.Sub(amt))
}

// payFromPool pays amt from the pool to an account.
func (k Keeper) payFromPool(ctx context.Context, to string, amt sdkmath.Int) error {
	addr, err := k.accAddress(to)
	if err != nil {
		return err
	}
	denom, err := k.orchestrator.MarketDenom(ctx)
	if err != nil {
		return err
	}
	if err := k.spendPool(ctx, amt); err != nil {
		return err
	}
	return k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, addr, sdk.NewCoins(sdk.NewCoin(denom, amt)))
}
