package keeper

import (
	"context"
	"errors"
	"time"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Every coin movement of the module goes through this file, and each one is
// reported by a typed event (a deal request's deposit by EventDealRequested,
// which carries it; every other movement by its own event here).

func coin(denom string, amt sdkmath.Int) sdk.Coin { return sdk.NewCoin(denom, amt) }

// blockSecond is the block time in whole seconds (UTC). Every time the
// module stores — deal starts and ends, expiries, windows, unbondings — is in
// whole seconds, the resolution of billing and of the due queue, so that a
// due entry and the time it stands for always agree.
func blockSecond(ctx context.Context) time.Time {
	return sdk.UnwrapSDKContext(ctx).BlockTime().Truncate(time.Second).UTC()
}

// pullFromAccount moves amt from an account into the module account.
func (k Keeper) pullFromAccount(ctx context.Context, from sdk.AccAddress, denom string, amt sdkmath.Int) error {
	if !amt.IsPositive() {
		return nil
	}
	return k.bank.SendCoinsFromAccountToModule(ctx, from, types.ModuleName, sdk.NewCoins(coin(denom, amt)))
}

// payFromModule moves amt from the module account to an account.
func (k Keeper) payFromModule(ctx context.Context, to string, denom string, amt sdkmath.Int) error {
	if !amt.IsPositive() {
		return nil
	}
	acc, err := k.accAddress(to)
	if err != nil {
		return err
	}
	return k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, acc, sdk.NewCoins(coin(denom, amt)))
}

// fundCommunityPool sends amt from `from` (an account or the module
// account) to the community pool.
func (k Keeper) fundCommunityPool(ctx context.Context, source string, from sdk.AccAddress, denom string, amt sdkmath.Int) error {
	if !amt.IsPositive() {
		return nil
	}
	if err := k.distr.FundCommunityPool(ctx, sdk.NewCoins(coin(denom, amt)), from); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventCommunityPoolFunded{Source: source, From: from.String(), Amount: coin(denom, amt)})
}

// burnFromAccount burns amt taken from an account (priority fees).
func (k Keeper) burnFromAccount(ctx context.Context, from sdk.AccAddress, denom string, amt sdkmath.Int) error {
	if !amt.IsPositive() {
		return nil
	}
	if err := k.pullFromAccount(ctx, from, denom, amt); err != nil {
		return err
	}
	return k.bank.BurnCoins(ctx, types.ModuleName, sdk.NewCoins(coin(denom, amt)))
}

// deposit moves a consumer's payment into a deal's escrow (a top-up).
func (k Keeper) deposit(ctx context.Context, d *types.Deal, denom string, amt sdkmath.Int) error {
	if err := k.pullDeposit(ctx, d, denom, amt); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventDeposit{DealId: d.Id, Consumer: d.Consumer, Amount: coin(denom, amt), Escrow: coin(denom, d.Escrow())})
}

// pullDeposit moves a consumer's payment into a deal's escrow; the caller
// reports it.
func (k Keeper) pullDeposit(ctx context.Context, d *types.Deal, denom string, amt sdkmath.Int) error {
	consumer, err := k.accAddress(d.Consumer)
	if err != nil {
		return err
	}
	if err := k.pullFromAccount(ctx, consumer, denom, amt); err != nil {
		return err
	}
	d.Deposited = d.Deposited.Add(amt)
	return nil
}

// settle accrues a running deal to block time. It moves no coins: accrued
// earnings stay in the module account until the provider withdraws them.
func (k Keeper) settle(ctx context.Context, d *types.Deal, denom string) error {
	paid := d.Settle(blockSecond(ctx))
	if !paid.IsPositive() {
		return nil
	}
	return typedevent.Emit(ctx, &types.EventSettlement{
		DealId: d.Id, Amount: coin(denom, paid), Accrued: coin(denom, d.Accrued),
		Escrow: coin(denom, d.Escrow()), SettledAt: *d.SettledAt,
	})
}

// refundEscrow returns what is left in a deal's escrow to its consumer.
func (k Keeper) refundEscrow(ctx context.Context, d *types.Deal, denom string, reason types.CloseReason) error {
	amt := d.Escrow()
	if !amt.IsPositive() {
		return nil
	}
	if err := k.payFromModule(ctx, d.Consumer, denom, amt); err != nil {
		return err
	}
	d.Refunded = d.Refunded.Add(amt)
	return typedevent.Emit(ctx, &types.EventRefund{DealId: d.Id, Consumer: d.Consumer, Amount: coin(denom, amt), Reason: reason})
}

// takeEarnings moves a deal's unwithdrawn earnings out of it, splitting the
// platform fee from the provider's share. The caller pays both out.
func takeEarnings(d *types.Deal, feeRate sdkmath.LegacyDec) (gross, fee sdkmath.Int) {
	gross = d.Earnings()
	if !gross.IsPositive() {
		return sdkmath.ZeroInt(), sdkmath.ZeroInt()
	}
	fee = types.PlatformFee(feeRate, d.Withdrawn, d.FeesPaid, gross)
	d.Withdrawn = d.Withdrawn.Add(gross)
	d.FeesPaid = d.FeesPaid.Add(fee)
	return gross, fee
}

// accruePlatformFee books a withdrawal's platform fee, which stays in the
// module account until the end-block sweep. Paying it out per withdrawal
// cost two module transfers, two pool updates and two events per
// transaction; the sweep pays a block's fees at once.
func (k Keeper) accruePlatformFee(ctx context.Context, fee sdkmath.Int) error {
	if !fee.IsPositive() {
		return nil
	}
	pending, err := k.pendingPlatformFees(ctx)
	if err != nil {
		return err
	}
	return k.PendingPlatformFees.Set(ctx, pending.Add(fee))
}

// pendingPlatformFees is what withdrawals booked and the sweep has not paid.
func (k Keeper) pendingPlatformFees(ctx context.Context) (sdkmath.Int, error) {
	pending, err := k.PendingPlatformFees.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return sdkmath.ZeroInt(), nil
	}
	return pending, err
}

// SweepPlatformFees runs in EndBlock: it pays out the platform fees booked
// in the block. The payout runs on a cache of the state, so a failure (a
// bug: the coins are in the module account) changes nothing, is logged, and
// the fees wait for the next block instead of halting the chain.
func (k Keeper) SweepPlatformFees(ctx context.Context) error {
	pending, err := k.pendingPlatformFees(ctx)
	if err != nil || !pending.IsPositive() {
		return err
	}
	params, err := k.params(ctx)
	if err != nil {
		return err
	}
	cacheCtx, write := sdk.UnwrapSDKContext(ctx).CacheContext()
	if err := k.payPlatformFee(cacheCtx, params, pending); err != nil {
		k.Logger(ctx).Error("platform fee sweep failed; the fees wait for the next block", "fees", pending, "err", err)
		return nil
	}
	write()
	return k.PendingPlatformFees.Remove(ctx)
}

// payPlatformFee splits a platform fee held in the module account:
// platform_fee_pool_share to the reputation reward pool, the rest to the
// community pool.
func (k Keeper) payPlatformFee(ctx context.Context, params types.Params, fee sdkmath.Int) error {
	denom := params.Denom()
	toPool := params.PlatformFeePoolShare.MulInt(fee).TruncateInt()
	if toPool.IsPositive() {
		if err := k.deps.reputation.FundRewardPool(ctx, types.ModuleName, sdk.NewCoins(coin(denom, toPool))); err != nil {
			return err
		}
	}
	return k.fundCommunityPool(ctx, "platform_fee", k.moduleAddr, denom, fee.Sub(toPool))
}
