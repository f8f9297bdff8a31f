package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// RegisterConsumer registers the signer as a consumer.
func (m msgServer) RegisterConsumer(ctx context.Context, msg *types.MsgRegisterConsumer) (*types.MsgRegisterConsumerResponse, error) {
	owner := m.k.mustAccAddress(msg.Owner)
	if has, err := m.k.Consumers.Has(ctx, owner); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrConsumerExists, "%s is already a consumer", msg.Owner)
	}
	c := types.Consumer{
		Address:      msg.Owner,
		Name:         msg.Name,
		Description:  msg.Description,
		Website:      msg.Website,
		Country:      msg.Country,
		RegisteredAt: blockSecond(ctx),
	}
	if err := m.k.setConsumer(ctx, nil, c); err != nil {
		return nil, err
	}
	return &types.MsgRegisterConsumerResponse{}, typedevent.Emit(ctx, &types.EventConsumerRegistered{Consumer: msg.Owner})
}

// UpdateConsumer replaces the consumer's metadata.
func (m msgServer) UpdateConsumer(ctx context.Context, msg *types.MsgUpdateConsumer) (*types.MsgUpdateConsumerResponse, error) {
	old, _, err := m.k.getConsumer(ctx, msg.Owner)
	if err != nil {
		return nil, err
	}
	c := old
	c.Name, c.Description, c.Website, c.Country = msg.Name, msg.Description, msg.Website, msg.Country
	if err := m.k.setConsumer(ctx, &old, c); err != nil {
		return nil, err
	}
	return &types.MsgUpdateConsumerResponse{}, typedevent.Emit(ctx, &types.EventConsumerUpdated{Consumer: msg.Owner})
}

// VerifyConsumer sets or clears a consumer's verification.
func (m msgServer) VerifyConsumer(ctx context.Context, msg *types.MsgVerifyConsumer) (*types.MsgVerifyConsumerResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	if !m.k.isCertifier(params, msg.Authority) {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "%s is neither the certifier nor the governance authority", msg.Authority)
	}
	old, _, err := m.k.getConsumer(ctx, msg.Consumer)
	if err != nil {
		return nil, err
	}
	c := old
	c.Verified = msg.Verified
	if err := m.k.setConsumer(ctx, &old, c); err != nil {
		return nil, err
	}
	return &types.MsgVerifyConsumerResponse{}, typedevent.Emit(ctx, &types.EventConsumerVerified{
		Consumer: msg.Consumer, Verified: msg.Verified, By: msg.Authority,
	})
}
