package keeper

import (
	"context"

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
