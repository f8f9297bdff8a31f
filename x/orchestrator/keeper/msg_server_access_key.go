package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// SetAccessKey publishes, replaces or removes the signer's access key. Only
// registered parties may publish one: the key exists to derive credentials of
// deals, which only providers and consumers have.
func (m msgServer) SetAccessKey(ctx context.Context, msg *types.MsgSetAccessKey) (*types.MsgSetAccessKeyResponse, error) {
	owner := m.k.mustAccAddress(msg.Owner)
	isProvider, err := m.k.Providers.Has(ctx, owner)
	if err != nil {
		return nil, err
	}
	isConsumer, err := m.k.Consumers.Has(ctx, owner)
	if err != nil {
		return nil, err
	}
	if !isProvider && !isConsumer {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "%s is neither a registered provider nor a registered consumer", msg.Owner)
	}
	if len(msg.PublicKey) == 0 {
		has, err := m.k.AccessKeys.Has(ctx, owner)
		if err != nil {
			return nil, err
		}
		if !has {
			return nil, errorsmod.Wrapf(types.ErrAccessKeyNotFound, "%s has no access key to remove", msg.Owner)
		}
		if err := m.k.AccessKeys.Remove(ctx, owner); err != nil {
			return nil, err
		}
		return &types.MsgSetAccessKeyResponse{}, typedevent.Emit(ctx, &types.EventAccessKeySet{Owner: owner.String(), Removed: true})
	}
	key := types.AccessKey{Address: owner.String(), PublicKey: msg.PublicKey, UpdatedAt: blockSecond(ctx)}
	if err := m.k.AccessKeys.Set(ctx, owner, key); err != nil {
		return nil, err
	}
	return &types.MsgSetAccessKeyResponse{}, typedevent.Emit(ctx, &types.EventAccessKeySet{Owner: owner.String(), PublicKey: msg.PublicKey})
}

// dropOrphanAccessKey removes the access key of an address that is no
// longer a provider nor a consumer (a provider whose exit completed). An
// access key belongs to a registered party: one left behind made the
// exported genesis fail its own validation, so a chain exported after any
// provider with a key had exited could not be imported (found by the
// import/export simulation; TestExitedProviderLosesItsAccessKey).
func (k Keeper) dropOrphanAccessKey(ctx context.Context, owner sdk.AccAddress) error {
	if isConsumer, err := k.Consumers.Has(ctx, owner); err != nil || isConsumer {
		return err
	}
	has, err := k.AccessKeys.Has(ctx, owner)
	if err != nil || !has {
		return err
	}
	if err := k.AccessKeys.Remove(ctx, owner); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventAccessKeySet{Owner: owner.String(), Removed: true})
}
