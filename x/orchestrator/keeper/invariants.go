package keeper

import (
	"context"
	"fmt"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Invariants read the whole module state: they are for tests (run after
// every block) and for operators (`flashbackd` debugging), never for a block
// hook.

// RegisterInvariants registers the module's invariants.
func RegisterInvariants(ir sdk.InvariantRegistry, k Keeper) {
	ir.RegisterRoute(types.ModuleName, "module-account-balance", ModuleBalanceInvariant(k))
	ir.RegisterRoute(types.ModuleName, "counters", CountersInvariant(k))
}

// AllInvariants runs every invariant of the module.
func AllInvariants(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		for _, inv := range []sdk.Invariant{ModuleBalanceInvariant(k), CountersInvariant(k)} {
			if msg, broken := inv(ctx); broken {
				return msg, true
			}
		}
		return "", false
	}
}

// ModuleBalanceInvariant checks that the module account holds exactly the
// provider bonds plus, for every deal, its escrow and the provider's
// unwithdrawn earnings — and that the running stats agree.
func ModuleBalanceInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		params, err := k.params(ctx)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "module-account-balance", err.Error()), true
		}
		bonds, held := sdkmath.ZeroInt(), sdkmath.ZeroInt()
		_ = k.Providers.Walk(ctx, nil, func(_ sdk.AccAddress, p types.Provider) (bool, error) {
			bonds = bonds.Add(p.Bond)
			return false, nil
		})
		_ = k.Deals.Walk(ctx, nil, func(_ uint64, d types.Deal) (bool, error) {
			held = held.Add(d.Held())
			return false, nil
		})
		balance := k.bank.GetBalance(ctx, k.moduleAddr, params.Denom()).Amount
		stats, err := k.Stats.Get(ctx)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "module-account-balance", err.Error()), true
		}
		broken := !balance.Equal(bonds.Add(held)) || !stats.BondsHeld.Equal(bonds) || !stats.EscrowHeld.Equal(held)
		return sdk.FormatInvariant(types.ModuleName, "module-account-balance", fmt.Sprintf(
			"balance %s; bonds %s (stats %s); deals %s (stats %s)", balance, bonds, stats.BondsHeld, held, stats.EscrowHeld)), broken
	}
}

// CountersInvariant checks every counter against the objects it counts:
// units' pending/active deals and allocated capacity, providers' live units
// and open deals, consumers' open deals, the stats by state; that no deal
// runs on a decommissioned unit; and that every open deal is in the due
// queue at its due time.
func CountersInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		msg, err := checkCounters(ctx, k)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "counters", err.Error()), true
		}
		return sdk.FormatInvariant(types.ModuleName, "counters", msg), msg != ""
	}
}

func checkCounters(ctx context.Context, k Keeper) (string, error) {
	type unitCount struct {
		pending, active uint32
		allocated       uint64
	}
	units := map[uint64]*unitCount{}
	providerDeals := map[string]uint32{}
	consumerDeals := map[string]uint32{}
	stats, err := k.Stats.Get(ctx)
	if err != nil {
		return "", err
	}
	dealsByState := make([]uint64, len(stats.DealsByState))
	var problem string
	err = k.Deals.Walk(ctx, nil, func(_ uint64, d types.Deal) (bool, error) {
		dealsByState[d.State]++
		if d.State == types.DEAL_STATE_CLOSED {
			return false, nil
		}
		if d.DueAt == nil {
			problem = fmt.Sprintf("open deal %d has no due time", d.Id)
			return true, nil
		}
		if has, err := k.DueQueue.Has(ctx, dueKey(*d.DueAt, types.DueDeal, d.Id)); err != nil || !has {
			problem = fmt.Sprintf("open deal %d is missing from the due queue at %s", d.Id, d.DueAt)
			return true, err
		}
		uc := units[d.UnitId]
		if uc == nil {
			uc = &unitCount{}
			units[d.UnitId] = uc
		}
		if d.State == types.DEAL_STATE_PENDING {
			uc.pending++
		} else {
			uc.active++
		}
		uc.allocated += d.CapacityGb
		providerDeals[d.Provider]++
		consumerDeals[d.Consumer]++
		return false, nil
	})
	if err != nil || problem != "" {
		return problem, err
	}
	unitsByState := make([]uint64, len(stats.UnitsByState))
	liveUnits := map[string]uint32{}
	err = k.DataUnits.Walk(ctx, nil, func(id uint64, u types.DataUnit) (bool, error) {
		unitsByState[u.State]++
		uc := units[id]
		if uc == nil {
			uc = &unitCount{}
		}
		if u.PendingDeals != uc.pending || u.ActiveDeals != uc.active || u.AllocatedGb != uc.allocated {
			problem = fmt.Sprintf("unit %d counts %d pending, %d active, %d GB; its deals say %d, %d, %d GB",
				id, u.PendingDeals, u.ActiveDeals, u.AllocatedGb, uc.pending, uc.active, uc.allocated)
			return true, nil
		}
		if u.State == types.DATA_UNIT_STATE_DECOMMISSIONED && uc.active+uc.pending > 0 {
			problem = fmt.Sprintf("decommissioned unit %d has open deals", id)
			return true, nil
		}
		if u.State != types.DATA_UNIT_STATE_DECOMMISSIONED {
			liveUnits[u.Provider]++
		}
		return false, nil
	})
	if err != nil || problem != "" {
		return problem, err
	}
	err = k.Providers.Walk(ctx, nil, func(_ sdk.AccAddress, p types.Provider) (bool, error) {
		if p.LiveUnits != liveUnits[p.Address] || p.OpenDeals != providerDeals[p.Address] {
			problem = fmt.Sprintf("provider %s counts %d live units and %d open deals; the store has %d and %d",
				p.Address, p.LiveUnits, p.OpenDeals, liveUnits[p.Address], providerDeals[p.Address])
			return true, nil
		}
		return false, nil
	})
	if err != nil || problem != "" {
		return problem, err
	}
	err = k.Consumers.Walk(ctx, nil, func(_ sdk.AccAddress, c types.Consumer) (bool, error) {
		if c.OpenDeals != consumerDeals[c.Address] {
			problem = fmt.Sprintf("consumer %s counts %d open deals; the store has %d", c.Address, c.OpenDeals, consumerDeals[c.Address])
			return true, nil
		}
		return false, nil
	})
	if err != nil || problem != "" {
		return problem, err
	}
	for i := range unitsByState {
		if unitsByState[i] != stats.UnitsByState[i] {
			return fmt.Sprintf("stats count %v units by state; the store has %v", stats.UnitsByState, unitsByState), nil
		}
	}
	for i := range dealsByState {
		if dealsByState[i] != stats.DealsByState[i] {
			return fmt.Sprintf("stats count %v deals by state; the store has %v", stats.DealsByState, dealsByState), nil
		}
	}
	return "", nil
}
