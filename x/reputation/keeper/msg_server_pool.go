package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// FundRewardPool moves coins of the market denom from the depositor into the
// reward pool.
func (m msgServer) FundRewardPool(ctx context.Context, msg *types.MsgFundRewardPool) (*types.MsgFundRewardPoolResponse, error) {
	depositor, err := m.k.accAddress(msg.Depositor)
	if err != nil {
		return nil, err
	}
	denom, err := m.k.orchestrator.MarketDenom(ctx)
	if err != nil {
		return nil, err
	}
	if msg.Amount.Denom != denom {
		return nil, errorsmod.Wrapf(types.ErrInvalidInput, "the reward pool holds %s only, got %s", denom, msg.Amount.Denom)
	}
	if err := m.k.bank.SendCoinsFromAccountToModule(ctx, depositor, types.ModuleName, sdk.NewCoins(msg.Amount)); err != nil {
		return nil, err
	}
	if err := m.k.addPool(ctx, msg.Amount.Amount); err != nil {
		return nil, err
	}
	return &types.MsgFundRewardPoolResponse{}, typedevent.Emit(ctx, &types.EventRewardPoolFunded{From: msg.Depositor, Amount: msg.Amount})
}
