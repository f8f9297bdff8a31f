package keeper

import (
	"context"
	"fmt"

	errorsmod "cosmossdk.io/errors"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// UpdateParams replaces all params; only the authority may call it.
func (m msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if msg.Authority != m.k.authority {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized,
			"only the governance authority %s may update params, got %s", m.k.authority, msg.Authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, errorsmod.Wrap(types.ErrInvalidParams, err.Error())
	}
	old, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	if from, to := old.Denom(), msg.Params.Denom(); from != to {
		if err := m.k.denomUnused(ctx, from, to); err != nil {
			return nil, err
		}
	}
	if err := m.k.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventParamsUpdated{
		Authority: msg.Authority,
		Params:    msg.Params,
	}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}

// denomUnused refuses a change of the marketplace denom while anything is
// held or owed in the old one: bonds, escrows and unwithdrawn earnings
// would be read in the new denom (and could never be paid out), and so would
// the reward pool. The check reads what holds the money, not the books: the
// module account of x/orchestrator (bonds, escrows, earnings, pending
// platform fees — its invariant says they are exactly its balance), the
// reward pool's account, and the stats' count of open deals, whose prices
// and escrow are in the old denom even when nothing is left in escrow. Three
// reads, whatever the size of the market.
func (k Keeper) denomUnused(ctx context.Context, from, to string) error {
	refuse := func(what string) error {
		return errorsmod.Wrapf(types.ErrDenomInUse,
			"the marketplace denom cannot change from %s to %s while %s; wait until they are paid out, or change the denom by a software upgrade that converts them",
			from, to, what)
	}
	if bal := k.bank.GetBalance(ctx, k.moduleAddr, from); bal.IsPositive() {
		return refuse(fmt.Sprintf("x/%s holds %s in bonds, escrows, earnings or pending fees", types.ModuleName, bal))
	}
	if bal := k.bank.GetBalance(ctx, k.deps.reputation.ModuleAddress(), from); bal.IsPositive() {
		return refuse(fmt.Sprintf("the reward pool holds %s", bal))
	}
	stats, err := k.Stats.Get(ctx)
	if err != nil {
		return err
	}
	if open := stats.DealsByState[types.DEAL_STATE_PENDING] + stats.DealsByState[types.DEAL_STATE_ACTIVE] +
		stats.DealsByState[types.DEAL_STATE_OVERDRAWN]; open > 0 {
		return refuse(fmt.Sprintf("%d deals are open at prices in %s", open, from))
	}
	return nil
}
