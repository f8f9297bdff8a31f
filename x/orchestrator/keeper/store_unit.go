package keeper

import (
	"context"
	"errors"
	"slices"
	"time"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// newUnitReputation is a new unit's reputation until x/reputation reports
// one: x/reputation's baseline_score, so that first-epoch refunds and the
// marketplace rank use the same score x/reputation starts the unit at.
func (k Keeper) newUnitReputation(ctx context.Context) (uint32, error) {
	return k.deps.reputation.BaselineScore(ctx)
}

// getUnit loads a data unit.
func (k Keeper) getUnit(ctx context.Context, id uint64) (types.DataUnit, error) {
	u, err := k.DataUnits.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return types.DataUnit{}, errorsmod.Wrapf(types.ErrUnitNotFound, "data unit %d does not exist", id)
	}
	return u, err
}

// ownedUnit loads a unit and checks that provider owns it.
func (k Keeper) ownedUnit(ctx context.Context, id uint64, provider string) (types.DataUnit, error) {
	u, err := k.getUnit(ctx, id)
	if err != nil {
		return u, err
	}
	if u.Provider != provider {
		return u, errorsmod.Wrapf(types.ErrUnauthorized, "data unit %d belongs to %s, not %s", id, u.Provider, provider)
	}
	return u, nil
}

// deriveUnitState computes a unit's state from its flags and counters at
// block time `now`. Every transition in the README follows from it.
func deriveUnitState(u types.DataUnit, now time.Time) types.DataUnitState {
	open := u.PendingDeals + u.ActiveDeals
	switch {
	case u.Decommissioned && open == 0:
		return types.DATA_UNIT_STATE_DECOMMISSIONED
	case u.Decommissioned:
		return types.DATA_UNIT_STATE_DECOMMISSIONING
	case u.Maintenance != nil && !now.Before(u.Maintenance.Start) && now.Before(u.Maintenance.End):
		return types.DATA_UNIT_STATE_MAINTENANCE
	case u.ActiveDeals > 0:
		return types.DATA_UNIT_STATE_IN_USE
	case u.PendingDeals > 0:
		return types.DATA_UNIT_STATE_RESERVED
	default:
		return types.DATA_UNIT_STATE_AVAILABLE
	}
}

// takesNewDeals reports whether a unit in this state accepts new deals.
func takesNewDeals(s types.DataUnitState) bool {
	return s == types.DATA_UNIT_STATE_AVAILABLE || s == types.DATA_UNIT_STATE_RESERVED || s == types.DATA_UNIT_STATE_IN_USE
}

// listed reports whether a unit belongs in the marketplace index.
func listed(u types.DataUnit) bool {
	return takesNewDeals(u.State) && u.AllocatedGb < u.CapacityGb
}

func marketKeys(u types.DataUnit, certified bool) []collections.Triple[string, uint64, uint64] {
	if !listed(u) {
		return nil
	}
	rank := types.MarketRank(u.PriorityFee.Uint64(), u.Reputation)
	namespaces := types.MarketNamespaces(u, certified)
	keys := make([]collections.Triple[string, uint64, uint64], len(namespaces))
	for i, ns := range namespaces {
		keys[i] = collections.Join3(ns, rank, u.Id)
	}
	return keys
}

// reindexMarket moves a unit's marketplace entries from the old unit's keys
// to the new one's. Keys present in both are left alone: most changes (a
// deal taking capacity, a counter moving) leave the rank and the listing as
// they were, and rewriting an unchanged key still costs a write to the tree.
func (k Keeper) reindexMarket(ctx context.Context, ch unitChange, u types.DataUnit) error {
	var before []collections.Triple[string, uint64, uint64]
	if ch.old != nil {
		before = marketKeys(*ch.old, ch.certifiedBefore)
	}
	after := marketKeys(u, ch.certifiedAfter)
	for _, key := range before {
		if !containsMarketKey(after, key) {
			if err := k.MarketIndex.Remove(ctx, key); err != nil {
				return err
			}
		}
	}
	for _, key := range after {
		if !containsMarketKey(before, key) {
			if err := k.MarketIndex.Set(ctx, key); err != nil {
				return err
			}
		}
	}
	return nil
}

// containsMarketKey compares keys by value (collections' key types hold
// pointers, so == would compare addresses).
func containsMarketKey(keys []collections.Triple[string, uint64, uint64], key collections.Triple[string, uint64, uint64]) bool {
	return slices.ContainsFunc(keys, func(k collections.Triple[string, uint64, uint64]) bool {
		return k.K1() == key.K1() && k.K2() == key.K2() && k.K3() == key.K3()
	})
}

// unitChange is a unit before and after a change, and the provider's
// certification before and after (they decide the marketplace namespaces).
type unitChange struct {
	old                             *types.DataUnit
	certifiedBefore, certifiedAfter bool
}

// setUnit derives the unit's state at block time, stores it and keeps every
// index, the provider's live-unit set and the stats current. old is nil
// for a new unit.
func (k Keeper) setUnit(ctx context.Context, old *types.DataUnit, u types.DataUnit) error {
	certified, err := k.providerCertified(ctx, u.Provider)
	if err != nil {
		return err
	}
	return k.setUnitCertified(ctx, old, u, certified)
}

// setUnitCertified is setUnit for a caller that has already loaded the
// unit's provider (certified is the provider's flag), saving a second read.
func (k Keeper) setUnitCertified(ctx context.Context, old *types.DataUnit, u types.DataUnit, certified bool) error {
	return k.writeUnit(ctx, unitChange{old: old, certifiedBefore: certified, certifiedAfter: certified}, u)
}

func (k Keeper) writeUnit(ctx context.Context, ch unitChange, u types.DataUnit) error {
	now := blockSecond(ctx)
	u.State = deriveUnitState(u, now)
	if err := k.DataUnits.Set(ctx, u.Id, u); err != nil {
		return err
	}
	provider, err := k.accAddress(u.Provider)
	if err != nil {
		return err
	}

	oldState := types.DATA_UNIT_STATE_UNSPECIFIED
	var oldCapacity, oldAllocated uint64
	if ch.old != nil {
		oldState = ch.old.State
		if oldState != types.DATA_UNIT_STATE_DECOMMISSIONED {
			oldCapacity = ch.old.CapacityGb
		}
		oldAllocated = ch.old.AllocatedGb
	}
	if err := k.reindexMarket(ctx, ch, u); err != nil {
		return err
	}

	if oldState != u.State {
		if ch.old != nil {
			if err := k.UnitsByState.Remove(ctx, collections.Join(int32(oldState), u.Id)); err != nil {
				return err
			}
		}
		if err := k.UnitsByState.Set(ctx, collections.Join(int32(u.State), u.Id)); err != nil {
			return err
		}
		live := u.State != types.DATA_UNIT_STATE_DECOMMISSIONED
		wasLive := ch.old != nil && oldState != types.DATA_UNIT_STATE_DECOMMISSIONED
		switch {
		case live && !wasLive:
			if err := k.LiveUnits.Set(ctx, u.Id); err != nil {
				return err
			}
			if err := k.indexLiveUnit(ctx, u.Id); err != nil {
				return err
			}
			if err := k.LiveUnitsByProvider.Set(ctx, collections.Join(provider, u.Id)); err != nil {
				return err
			}
			if err := k.adjustProvider(ctx, u.Provider, func(p *types.Provider) { p.LiveUnits++ }); err != nil {
				return err
			}
		case !live && wasLive:
			if err := k.LiveUnits.Remove(ctx, u.Id); err != nil {
				return err
			}
			if err := k.unindexLiveUnit(ctx, u.Id); err != nil {
				return err
			}
			if err := k.LiveUnitsByProvider.Remove(ctx, collections.Join(provider, u.Id)); err != nil {
				return err
			}
			if err := k.adjustProvider(ctx, u.Provider, func(p *types.Provider) {
				if p.LiveUnits > 0 {
					p.LiveUnits--
				}
			}); err != nil {
				return err
			}
		}
		if ch.old != nil {
			if err := typedevent.Emit(ctx, &types.EventDataUnitStateChanged{
				UnitId: u.Id, From: oldState, To: u.State,
			}); err != nil {
				return err
			}
		}
	}

	newCapacity := u.CapacityGb
	if u.State == types.DATA_UNIT_STATE_DECOMMISSIONED {
		newCapacity = 0
	}
	if oldState == u.State && oldCapacity == newCapacity && oldAllocated == u.AllocatedGb {
		return nil // nothing the stats count changed
	}
	return k.updateStats(ctx, func(s *types.Stats) {
		moveCount(s.UnitsByState, int32(oldState), int32(u.State))
		s.CapacityOfferedGb = s.CapacityOfferedGb + newCapacity - oldCapacity
		s.CapacityAllocatedGb = s.CapacityAllocatedGb + u.AllocatedGb - oldAllocated
	})
}

// providerCertified reports a provider's certification (false if unknown).
func (k Keeper) providerCertified(ctx context.Context, addr string) (bool, error) {
	acc, err := k.accAddress(addr)
	if err != nil {
		return false, err
	}
	p, err := k.Providers.Get(ctx, acc)
	if errors.Is(err, collections.ErrNotFound) {
		return false, nil
	}
	return p.Certified, err
}

// reindexProviderUnits re-indexes a provider's live units after its
// certification changed. Bounded by max_units_per_provider.
func (k Keeper) reindexProviderUnits(ctx context.Context, provider sdk.AccAddress, certifiedBefore, certifiedAfter bool) error {
	iter, err := k.LiveUnitsByProvider.Iterate(ctx, collections.NewPrefixedPairRange[sdk.AccAddress, uint64](provider))
	if err != nil {
		return err
	}
	ids, err := iter.Keys()
	if err != nil {
		return err
	}
	for _, key := range ids {
		u, err := k.getUnit(ctx, key.K2())
		if err != nil {
			return err
		}
		old := u
		if err := k.writeUnit(ctx, unitChange{old: &old, certifiedBefore: certifiedBefore, certifiedAfter: certifiedAfter}, u); err != nil {
			return err
		}
	}
	return nil
}

// SetUnitReputation records a unit's reputation score and re-ranks it in the
// marketplace: the score x/reputation's AfterUnitVerdict hook returns, or
// the one an upheld dispute restores.
func (k Keeper) SetUnitReputation(ctx context.Context, unitID uint64, score uint32) error {
	u, err := k.getUnit(ctx, unitID)
	if err != nil {
		return err
	}
	if u.Reputation == score {
		return nil
	}
	old := u
	u.Reputation = score
	return k.setUnit(ctx, &old, u)
}
