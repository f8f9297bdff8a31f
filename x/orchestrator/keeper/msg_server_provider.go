package keeper

import (
	"context"
	"time"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// RegisterProvider registers the signer as a provider and locks its bond.
func (m msgServer) RegisterProvider(ctx context.Context, msg *types.MsgRegisterProvider) (*types.MsgRegisterProviderResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	owner := m.k.mustAccAddress(msg.Owner)
	if has, err := m.k.Providers.Has(ctx, owner); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrProviderExists, "%s is already a provider", msg.Owner)
	}
	bond, err := types.CoinAmountIn("bond", msg.Bond, params.Denom())
	if err != nil {
		return nil, err
	}
	if bond.LT(params.MinProviderBond.Amount) {
		return nil, errorsmod.Wrapf(types.ErrInsufficientBond, "bond %s is below the minimum %s", msg.Bond, params.MinProviderBond)
	}
	if err := m.k.pullFromAccount(ctx, owner, params.Denom(), bond); err != nil {
		return nil, err
	}
	p := types.Provider{
		Address:      msg.Owner,
		Name:         msg.Name,
		Description:  msg.Description,
		Website:      msg.Website,
		Country:      msg.Country,
		Bond:         bond,
		Status:       types.PROVIDER_STATUS_ACTIVE,
		RegisteredAt: blockSecond(ctx),
	}
	if err := m.k.setProvider(ctx, nil, p); err != nil {
		return nil, err
	}
	return &types.MsgRegisterProviderResponse{}, typedevent.Emit(ctx, &types.EventProviderRegistered{Provider: msg.Owner, Bond: msg.Bond})
}

// UpdateProvider replaces the provider's metadata.
func (m msgServer) UpdateProvider(ctx context.Context, msg *types.MsgUpdateProvider) (*types.MsgUpdateProviderResponse, error) {
	old, _, err := m.k.getProvider(ctx, msg.Owner)
	if err != nil {
		return nil, err
	}
	p := old
	p.Name, p.Description, p.Website, p.Country = msg.Name, msg.Description, msg.Website, msg.Country
	if err := m.k.setProvider(ctx, &old, p); err != nil {
		return nil, err
	}
	return &types.MsgUpdateProviderResponse{}, typedevent.Emit(ctx, &types.EventProviderUpdated{Provider: msg.Owner})
}

// AddProviderBond adds collateral to an active provider's bond.
func (m msgServer) AddProviderBond(ctx context.Context, msg *types.MsgAddProviderBond) (*types.MsgAddProviderBondResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	old, owner, err := m.k.getProvider(ctx, msg.Owner)
	if err != nil {
		return nil, err
	}
	if old.Status != types.PROVIDER_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrProviderNotActive, "provider %s is exiting; its bond is unbonding", msg.Owner)
	}
	amount, err := types.CoinAmountIn("amount", msg.Amount, params.Denom())
	if err != nil {
		return nil, err
	}
	if err := m.k.pullFromAccount(ctx, owner, params.Denom(), amount); err != nil {
		return nil, err
	}
	p := old
	p.Bond = p.Bond.Add(amount)
	if err := m.k.setProvider(ctx, &old, p); err != nil {
		return nil, err
	}
	return &types.MsgAddProviderBondResponse{}, typedevent.Emit(ctx, &types.EventProviderBondAdded{
		Provider: msg.Owner, Amount: msg.Amount, Bond: coin(params.Denom(), p.Bond),
	})
}

// BeginProviderExit starts the unbonding of a provider with no open deal and
// no live data unit. The bond stays locked, and slashable, until the
// unbonding period ends; the end-block hook then returns it.
func (m msgServer) BeginProviderExit(ctx context.Context, msg *types.MsgBeginProviderExit) (*types.MsgBeginProviderExitResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	old, owner, err := m.k.getProvider(ctx, msg.Owner)
	if err != nil {
		return nil, err
	}
	if old.Status != types.PROVIDER_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrProviderNotActive, "provider %s is already exiting", msg.Owner)
	}
	// A unit with an open deal is never DECOMMISSIONED: no live units means
	// no open deals.
	if old.LiveUnits > 0 {
		return nil, errorsmod.Wrapf(types.ErrProviderBusy,
			"provider %s has %d data units not decommissioned; close their deals and decommission them first",
			msg.Owner, old.LiveUnits)
	}
	completes := blockSecond(ctx).Add(params.ProviderUnbondingPeriod).Truncate(time.Second)
	p := old
	p.Status = types.PROVIDER_STATUS_EXITING
	p.UnbondingCompletesAt = &completes
	if err := m.k.setProvider(ctx, &old, p); err != nil {
		return nil, err
	}
	if err := m.k.UnbondingQueue.Set(ctx, collections.Join(completes.Unix(), owner)); err != nil {
		return nil, err
	}
	return &types.MsgBeginProviderExitResponse{CompletionTime: completes},
		typedevent.Emit(ctx, &types.EventProviderExitStarted{Provider: msg.Owner, CompletesAt: completes})
}

// completeProviderExit returns an exited provider's bond and forgets it.
func (k Keeper) completeProviderExit(ctx context.Context, params types.Params, owner sdk.AccAddress) error {
	p, err := k.Providers.Get(ctx, owner)
	if err != nil {
		return err
	}
	if p.Status != types.PROVIDER_STATUS_EXITING {
		return nil
	}
	if err := k.payFromModule(ctx, p.Address, params.Denom(), p.Bond); err != nil {
		return err
	}
	if err := k.removeProvider(ctx, p); err != nil {
		return err
	}
	if err := k.dropOrphanAccessKey(ctx, owner); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventProviderExited{Provider: p.Address, BondReturned: coin(params.Denom(), p.Bond)})
}

// CertifyProvider sets or clears a provider's certification.
func (m msgServer) CertifyProvider(ctx context.Context, msg *types.MsgCertifyProvider) (*types.MsgCertifyProviderResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	if !m.k.isCertifier(params, msg.Authority) {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "%s is neither the certifier nor the governance authority", msg.Authority)
	}
	old, acc, err := m.k.getProvider(ctx, msg.Provider)
	if err != nil {
		return nil, err
	}
	p := old
	p.Certified = msg.Certified
	if err := m.k.setProvider(ctx, &old, p); err != nil {
		return nil, err
	}
	if old.Certified != p.Certified {
		if err := m.k.reindexProviderUnits(ctx, acc, old.Certified, p.Certified); err != nil {
			return nil, err
		}
	}
	return &types.MsgCertifyProviderResponse{}, typedevent.Emit(ctx, &types.EventProviderCertified{
		Provider: msg.Provider, Certified: msg.Certified, By: msg.Authority,
	})
}
