package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Invariants read the whole module state, so they never run in a block hook.
// They run, through AllInvariants, after every block of the keeper and app
// tests (apptest.CheckInvariants) and of the simulation (app/sim_app_test.go).
// The app wires no x/crisis, so nothing registers them with a node.

// AllInvariants runs every invariant of the module.
func AllInvariants(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		for _, inv := range []sdk.Invariant{ModuleBalanceInvariant(k), CountersInvariant(k), LiveUnitIndexInvariant(k), AccessKeyInvariant(k)} {
			if msg, broken := inv(ctx); broken {
				return msg, true
			}
		}
		return "", false
	}
}

// ModuleBalanceInvariant checks that the module account holds exactly the
// provider bonds, plus, for every deal, its escrow and the provider's
// unwithdrawn earnings, plus the platform fees waiting for the end-block
// sweep — and that the running stats agree.
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
		fees, err := k.pendingPlatformFees(ctx)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "module-account-balance", err.Error()), true
		}
		broken := !balance.Equal(bonds.Add(held).Add(fees)) || fees.IsNegative() ||
			!stats.BondsHeld.Equal(bonds) || !stats.EscrowHeld.Equal(held)
		return sdk.FormatInvariant(types.ModuleName, "module-account-balance", fmt.Sprintf(
			"balance %s; bonds %s (stats %s); deals %s (stats %s); pending platform fees %s",
			balance, bonds, stats.BondsHeld, held, stats.EscrowHeld, fees)), broken
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
	stats, err := k.Stats.Get(ctx)
	if err != nil {
		return "", err
	}
	dealsByState := make([]uint64, len(stats.DealsByState))
	requestCursor, err := k.requestCursor(ctx)
	if err != nil {
		return "", err
	}
	nextDeal, err := k.NextDealID.Peek(ctx)
	if err != nil {
		return "", err
	}
	if requestCursor > nextDeal {
		return fmt.Sprintf("the request cursor %d is past the next deal id %d", requestCursor, nextDeal), nil
	}
	var problem string
	var deals uint64
	err = k.Deals.Walk(ctx, nil, func(_ uint64, d types.Deal) (bool, error) {
		deals++
		dealsByState[d.State]++
		if p, err := dealIndexProblem(ctx, k, d); p != "" || err != nil {
			problem = p
			return true, err
		}
		if p, err := dealDueProblem(ctx, k, d, requestCursor); p != "" || err != nil {
			problem = p
			return true, err
		}
		if d.State == types.DEAL_STATE_CLOSED {
			return false, nil
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
		return false, nil
	})
	if err != nil || problem != "" {
		return problem, err
	}
	if p, err := dealIndexSizes(ctx, k, deals, dealsByState[types.DEAL_STATE_ACTIVE]+dealsByState[types.DEAL_STATE_OVERDRAWN]); p != "" || err != nil {
		return p, err
	}
	if p, err := dueFailuresProblem(ctx, k); p != "" || err != nil {
		return p, err
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
		if p.LiveUnits != liveUnits[p.Address] {
			problem = fmt.Sprintf("provider %s counts %d live units; the store has %d", p.Address, p.LiveUnits, liveUnits[p.Address])
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

// dealDueProblem reports a deal the end blocker would not get to in time:
// a running deal must be in the due queue at its due_at, unless it is parked
// (its due item failed max_due_retries + 1 times); a pending request must
// have no due time and an id at or above the request cursor (else it would
// never expire), unless its expiry failed and is retried or parked; a closed
// deal has no due time and no failure record.
func dealDueProblem(ctx context.Context, k Keeper, d types.Deal, requestCursor uint64) (string, error) {
	failure := func() (*types.DueFailure, error) {
		rec, err := k.DueFailures.Get(ctx, dealItem(d.Id).key())
		if errors.Is(err, collections.ErrNotFound) {
			return nil, nil
		}
		return &rec, err
	}
	if !d.Running() {
		if d.DueAt != nil {
			return fmt.Sprintf("%s deal %d has a due time %s; only running deals have one", d.State, d.Id, d.DueAt), nil
		}
		if d.State == types.DEAL_STATE_PENDING && d.Id < requestCursor {
			if rec, err := failure(); rec != nil || err != nil {
				return "", err // its expiry is retried (checked with the records) or parked
			}
			return fmt.Sprintf("pending deal %d is behind the request cursor %d and would never expire", d.Id, requestCursor), nil
		}
		return "", nil
	}
	if d.DueAt == nil {
		return fmt.Sprintf("running deal %d has no due time", d.Id), nil
	}
	has, err := k.DueQueue.Has(ctx, dueKey(*d.DueAt, types.DueDeal, d.Id))
	if err != nil || has {
		return "", err
	}
	if rec, err := failure(); err != nil || (rec != nil && rec.RetryAt == nil) {
		return "", err // parked: no entry until the deal is written again
	}
	return fmt.Sprintf("running deal %d is missing from the due queue at %s", d.Id, d.DueAt), nil
}

// dueFailuresProblem checks every failure record against what it names: a
// deal's record names an open deal (a closed deal has nothing due); a
// unit's, an existing unit; a bond return's, an exiting provider. A record
// being retried has its queue entry — a pending request's and a
// maintenance window's at retry_at, a bond return's at the provider's
// unbonding time (= retry_at). (A running deal's retry is its due_at, which
// dealDueProblem checks; a party's message may have moved it.) And every
// exiting provider is in the unbonding queue at its unbonding time, unless
// its bond return is parked.
func dueFailuresProblem(ctx context.Context, k Keeper) (string, error) {
	var problem string
	err := k.DueFailures.Walk(ctx, nil, func(key collections.Pair[int32, []byte], rec types.DueFailure) (bool, error) {
		kind, ok := types.DueKindFromName(rec.Kind)
		if !ok || kind != key.K1() || rec.Attempts == 0 {
			problem = fmt.Sprintf("failure record %v is malformed: %v", key, rec)
			return true, nil
		}
		retrying := rec.RetryAt != nil
		switch kind {
		case types.DueDeal:
			d, err := k.Deals.Get(ctx, rec.Id)
			if err != nil {
				problem = fmt.Sprintf("failure record of deal %d: %s", rec.Id, err)
				return true, nil
			}
			if d.State == types.DEAL_STATE_CLOSED {
				problem = fmt.Sprintf("closed deal %d keeps a failure record", rec.Id)
				return true, nil
			}
			if retrying && d.State == types.DEAL_STATE_PENDING {
				has, err := k.DueQueue.Has(ctx, dueKey(*rec.RetryAt, types.DueDeal, rec.Id))
				if err != nil || !has {
					problem = fmt.Sprintf("pending deal %d waits for a retry at %s that is not queued", rec.Id, rec.RetryAt)
					return true, err
				}
			}
		case types.DueMaintenanceStart, types.DueMaintenanceEnd:
			if has, err := k.DataUnits.Has(ctx, rec.Id); err != nil || !has {
				problem = fmt.Sprintf("failure record of unknown unit %d", rec.Id)
				return true, err
			}
			if retrying {
				has, err := k.DueQueue.Has(ctx, dueKey(*rec.RetryAt, kind, rec.Id))
				if err != nil || !has {
					problem = fmt.Sprintf("unit %d waits for a %s retry at %s that is not queued", rec.Id, rec.Kind, rec.RetryAt)
					return true, err
				}
			}
		case types.DueUnbonding:
			p, err := k.Providers.Get(ctx, sdk.AccAddress(key.K2()))
			if err != nil || p.Status != types.PROVIDER_STATUS_EXITING || p.Address != rec.Provider {
				problem = fmt.Sprintf("failure record of the bond return of %s, not an exiting provider", rec.Provider)
				return true, nil
			}
			if retrying && !p.UnbondingCompletesAt.Equal(*rec.RetryAt) {
				problem = fmt.Sprintf("the bond return of %s is retried at %s but due at %s", rec.Provider, rec.RetryAt, p.UnbondingCompletesAt)
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil || problem != "" {
		return problem, err
	}
	err = k.Providers.Walk(ctx, nil, func(acc sdk.AccAddress, p types.Provider) (bool, error) {
		if p.Status != types.PROVIDER_STATUS_EXITING {
			return false, nil
		}
		has, err := k.UnbondingQueue.Has(ctx, collections.Join(p.UnbondingCompletesAt.Unix(), acc))
		if err != nil || has {
			return err != nil, err
		}
		rec, err := k.DueFailures.Get(ctx, dueItem{kind: types.DueUnbonding, provider: acc}.key())
		if err == nil && rec.RetryAt == nil {
			return false, nil // parked
		}
		problem = fmt.Sprintf("exiting provider %s is missing from the unbonding queue at %s", p.Address, p.UnbondingCompletesAt)
		return true, nil
	})
	return problem, err
}

// dealIndexProblem reports a deal missing from one of its indexes: the
// consumer's and the provider's listings, and LiveDeals while it runs.
func dealIndexProblem(ctx context.Context, k Keeper, d types.Deal) (string, error) {
	consumer, err := k.accAddress(d.Consumer)
	if err != nil {
		return fmt.Sprintf("deal %d has an invalid consumer %q", d.Id, d.Consumer), nil
	}
	provider, err := k.accAddress(d.Provider)
	if err != nil {
		return fmt.Sprintf("deal %d has an invalid provider %q", d.Id, d.Provider), nil
	}
	type check struct {
		index string
		has   func() (bool, error)
	}
	checks := []check{
		{"consumer", func() (bool, error) { return k.DealsByConsumer.Has(ctx, collections.Join(consumer, d.Id)) }},
		{"provider", func() (bool, error) { return k.DealsByProvider.Has(ctx, collections.Join3(provider, d.UnitId, d.Id)) }},
	}
	if isLiveDeal(d.State) {
		checks = append(checks, check{"live", func() (bool, error) { return k.LiveDeals.Has(ctx, collections.Join(int32(d.State), d.Id)) }})
	}
	for _, c := range checks {
		ok, err := c.has()
		if err != nil {
			return "", err
		}
		if !ok {
			return fmt.Sprintf("deal %d is missing from the %s index", d.Id, c.index), nil
		}
	}
	return "", nil
}

// dealIndexSizes reports an index holding more entries than it should: the
// listings one per deal, LiveDeals one per running deal. With
// dealIndexProblem (every deal has its entries) this makes them exact.
func dealIndexSizes(ctx context.Context, k Keeper, deals, live uint64) (string, error) {
	var byConsumer, byProvider, byLive uint64
	if err := k.DealsByConsumer.Walk(ctx, nil, func(collections.Pair[sdk.AccAddress, uint64]) (bool, error) {
		byConsumer++
		return false, nil
	}); err != nil {
		return "", err
	}
	if err := k.DealsByProvider.Walk(ctx, nil, func(collections.Triple[sdk.AccAddress, uint64, uint64]) (bool, error) {
		byProvider++
		return false, nil
	}); err != nil {
		return "", err
	}
	if err := k.LiveDeals.Walk(ctx, nil, func(collections.Pair[int32, uint64]) (bool, error) {
		byLive++
		return false, nil
	}); err != nil {
		return "", err
	}
	if byConsumer != deals || byProvider != deals || byLive != live {
		return fmt.Sprintf("the deal indexes hold %d (consumer), %d (provider), %d (live) entries for %d deals, %d of them running",
			byConsumer, byProvider, byLive, deals, live), nil
	}
	return "", nil
}
