package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// getProvider loads a provider by bech32 address.
func (k Keeper) getProvider(ctx context.Context, addr string) (types.Provider, sdk.AccAddress, error) {
	acc, err := k.accAddress(addr)
	if err != nil {
		return types.Provider{}, nil, errorsmod.Wrapf(types.ErrInvalidInput, "invalid provider address %q", addr)
	}
	p, err := k.Providers.Get(ctx, acc)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Provider{}, acc, errorsmod.Wrapf(types.ErrProviderNotFound, "%s is not a registered provider", addr)
	}
	return p, acc, err
}

// setProvider stores a provider and keeps the stats current. old is nil for
// a new provider.
func (k Keeper) setProvider(ctx context.Context, old *types.Provider, p types.Provider) error {
	acc, err := k.accAddress(p.Address)
	if err != nil {
		return err
	}
	if err := k.Providers.Set(ctx, acc, p); err != nil {
		return err
	}
	if old != nil && old.Certified == p.Certified && sameInt(old.Bond, p.Bond) {
		return nil // nothing the stats count changed
	}
	return k.updateStats(ctx, func(s *types.Stats) {
		if old == nil {
			s.Providers++
			s.BondsHeld = s.BondsHeld.Add(p.Bond)
			boolDelta(&s.CertifiedProviders, false, p.Certified)
			return
		}
		s.BondsHeld = s.BondsHeld.Add(p.Bond).Sub(old.Bond)
		boolDelta(&s.CertifiedProviders, old.Certified, p.Certified)
	})
}

// removeProvider deletes a provider whose bond went back.
func (k Keeper) removeProvider(ctx context.Context, p types.Provider) error {
	acc, err := k.accAddress(p.Address)
	if err != nil {
		return err
	}
	if err := k.Providers.Remove(ctx, acc); err != nil {
		return err
	}
	return k.updateStats(ctx, func(s *types.Stats) {
		if s.Providers > 0 {
			s.Providers--
		}
		s.BondsHeld = s.BondsHeld.Sub(p.Bond)
		boolDelta(&s.CertifiedProviders, p.Certified, false)
	})
}

// adjustProvider applies f to the stored provider. Counters are always
// changed through it so that no caller writes back a stale copy.
func (k Keeper) adjustProvider(ctx context.Context, addr string, f func(p *types.Provider)) error {
	old, _, err := k.getProvider(ctx, addr)
	if err != nil {
		return err
	}
	p := old
	f(&p)
	return k.setProvider(ctx, &old, p)
}

// getConsumer loads a consumer by bech32 address.
func (k Keeper) getConsumer(ctx context.Context, addr string) (types.Consumer, sdk.AccAddress, error) {
	acc, err := k.accAddress(addr)
	if err != nil {
		return types.Consumer{}, nil, errorsmod.Wrapf(types.ErrInvalidInput, "invalid consumer address %q", addr)
	}
	c, err := k.Consumers.Get(ctx, acc)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Consumer{}, acc, errConsumerNotFound(addr)
	}
	return c, acc, err
}

// requireConsumer checks that addr is a registered consumer. It does not
// decode the record: a deal request needs only to know that it exists.
func (k Keeper) requireConsumer(ctx context.Context, addr string) error {
	acc, err := k.accAddress(addr)
	if err != nil {
		return errorsmod.Wrapf(types.ErrInvalidInput, "invalid consumer address %q", addr)
	}
	found, err := k.Consumers.Has(ctx, acc)
	if err != nil {
		return err
	}
	if !found {
		return errConsumerNotFound(addr)
	}
	return nil
}

func errConsumerNotFound(addr string) error {
	return errorsmod.Wrapf(types.ErrConsumerNotFound,
		"%s is not a registered consumer; register with `flashbackd tx orchestrator register-consumer`", addr)
}

// setConsumer stores a consumer and keeps the stats current.
func (k Keeper) setConsumer(ctx context.Context, old *types.Consumer, c types.Consumer) error {
	acc, err := k.accAddress(c.Address)
	if err != nil {
		return err
	}
	if err := k.Consumers.Set(ctx, acc, c); err != nil {
		return err
	}
	if old != nil && old.Verified == c.Verified {
		return nil // nothing the stats count changed
	}
	return k.updateStats(ctx, func(s *types.Stats) {
		if old == nil {
			s.Consumers++
			boolDelta(&s.VerifiedConsumers, false, c.Verified)
			return
		}
		boolDelta(&s.VerifiedConsumers, old.Verified, c.Verified)
	})
}

// isCertifier reports whether addr may certify providers and verify
// consumers: the certifier in params or the governance authority.
func (k Keeper) isCertifier(params types.Params, addr string) bool {
	return addr == k.authority || (params.Certifier != "" && addr == params.Certifier)
}
