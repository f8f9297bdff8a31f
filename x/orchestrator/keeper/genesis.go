package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// InitGenesis writes a validated genesis state and rebuilds everything
// derived from it: indexes (the live units' ordinals in the order the
// genesis lists the units), the due and unbonding queues, the request
// cursor, and the stats.
func (k Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	if err := k.NextUnitID.Set(ctx, gs.NextUnitId); err != nil {
		return err
	}
	if err := k.NextDealID.Set(ctx, gs.NextDealId); err != nil {
		return err
	}
	if !gs.PendingPlatformFees.IsNil() && gs.PendingPlatformFees.IsPositive() {
		if err := k.PendingPlatformFees.Set(ctx, gs.PendingPlatformFees); err != nil {
			return err
		}
	}
	stats := emptyStats()

	certified := make(map[string]bool, len(gs.Providers))
	for _, p := range gs.Providers {
		acc := k.mustAccAddress(p.Address)
		if err := k.Providers.Set(ctx, acc, p); err != nil {
			return err
		}
		certified[p.Address] = p.Certified
		stats.Providers++
		boolDelta(&stats.CertifiedProviders, false, p.Certified)
		stats.BondsHeld = stats.BondsHeld.Add(p.Bond)
		if p.Status == types.PROVIDER_STATUS_EXITING {
			if err := k.UnbondingQueue.Set(ctx, collections.Join(p.UnbondingCompletesAt.Unix(), acc)); err != nil {
				return err
			}
		}
	}
	for _, c := range gs.Consumers {
		if err := k.Consumers.Set(ctx, k.mustAccAddress(c.Address), c); err != nil {
			return err
		}
		stats.Consumers++
		boolDelta(&stats.VerifiedConsumers, false, c.Verified)
	}
	type unitItem struct {
		kind types.DueKind
		id   uint64
	}
	failed := map[unitItem]bool{}
	for _, f := range gs.DueFailures {
		if kind, _ := types.DueKindFromName(f.Kind); kind == types.DueMaintenanceStart || kind == types.DueMaintenanceEnd {
			failed[unitItem{kind, f.Id}] = true
		}
	}
	for _, u := range gs.DataUnits {
		if err := k.DataUnits.Set(ctx, u.Id, u); err != nil {
			return err
		}
		if err := k.UnitsByState.Set(ctx, collections.Join(int32(u.State), u.Id)); err != nil {
			return err
		}
		stats.UnitsByState[u.State]++
		stats.CapacityAllocatedGb += u.AllocatedGb
		if u.State != types.DATA_UNIT_STATE_DECOMMISSIONED {
			stats.CapacityOfferedGb += u.CapacityGb
			if err := k.LiveUnits.Set(ctx, u.Id); err != nil {
				return err
			}
			if err := k.indexLiveUnit(ctx, u.Id); err != nil {
				return err
			}
			if err := k.LiveUnitsByProvider.Set(ctx, collections.Join(k.mustAccAddress(u.Provider), u.Id)); err != nil {
				return err
			}
		}
		for _, key := range marketKeys(u, certified[u.Provider]) {
			if err := k.MarketIndex.Set(ctx, key); err != nil {
				return err
			}
		}
		if w := u.Maintenance; w != nil {
			// Queue what the exporting chain still had queued: the end
			// block removes an entry when it runs it, so a window whose
			// start has run (the unit is in MAINTENANCE) has only its end
			// left, and an item that failed waits for its retry entry
			// (queued with the due failures below) instead of its own.
			if u.State != types.DATA_UNIT_STATE_MAINTENANCE && !failed[unitItem{types.DueMaintenanceStart, u.Id}] {
				if err := k.DueQueue.Set(ctx, dueKey(w.Start, types.DueMaintenanceStart, u.Id)); err != nil {
					return err
				}
			}
			if !failed[unitItem{types.DueMaintenanceEnd, u.Id}] {
				if err := k.DueQueue.Set(ctx, dueKey(w.End, types.DueMaintenanceEnd, u.Id)); err != nil {
					return err
				}
			}
		}
	}
	// The request cursor starts at the oldest pending request (or the next
	// id): it is derived, like the indexes, so genesis does not carry it.
	requestCursor := gs.NextDealId
	for _, d := range gs.Deals {
		if err := k.Deals.Set(ctx, d.Id, d); err != nil {
			return err
		}
		if d.State == types.DEAL_STATE_PENDING && d.Id < requestCursor {
			requestCursor = d.Id
		}
		for _, err := range []error{
			k.DealsByConsumer.Set(ctx, collections.Join(k.mustAccAddress(d.Consumer), d.Id)),
			k.DealsByProvider.Set(ctx, collections.Join3(k.mustAccAddress(d.Provider), d.UnitId, d.Id)),
		} {
			if err != nil {
				return err
			}
		}
		if isLiveDeal(d.State) {
			if err := k.LiveDeals.Set(ctx, collections.Join(int32(d.State), d.Id)); err != nil {
				return err
			}
		}
		if d.DueAt != nil {
			if err := k.DueQueue.Set(ctx, dueKey(*d.DueAt, types.DueDeal, d.Id)); err != nil {
				return err
			}
		}
		stats.DealsByState[d.State]++
		stats.EscrowHeld = stats.EscrowHeld.Add(d.Held())
	}
	if err := k.RequestCursor.Set(ctx, requestCursor); err != nil {
		return err
	}
	for _, v := range gs.DealVerdicts {
		if err := k.DealVerdicts.Set(ctx, collections.Join(v.DealId, v.Epoch), v); err != nil {
			return err
		}
		if err := k.DealVerdictsByEpoch.Set(ctx, collections.Join(v.Epoch, v.DealId)); err != nil {
			return err
		}
		if err := k.DealVerdictsByUnit.Set(ctx, collections.Join3(v.UnitId, v.Epoch, v.DealId)); err != nil {
			return err
		}
	}
	for _, v := range gs.UnitVerdicts {
		if err := k.UnitVerdicts.Set(ctx, collections.Join(v.UnitId, v.Epoch), v); err != nil {
			return err
		}
		if err := k.UnitVerdictsByEpoch.Set(ctx, collections.Join(v.Epoch, v.UnitId)); err != nil {
			return err
		}
	}
	for _, r := range gs.SlaRounds {
		if err := k.SlaRounds.Set(ctx, r.Epoch, r); err != nil {
			return err
		}
	}
	if err := k.initAccessKeys(ctx, gs.AccessKeys); err != nil {
		return err
	}
	if err := k.initWorstDealVerdicts(ctx, gs); err != nil {
		return err
	}
	if err := k.initDueFailures(ctx, gs); err != nil {
		return err
	}
	return k.Stats.Set(ctx, stats)
}

// initDueFailures writes the failure records of due items and queues the
// retries that live in the queue only: a pending request's and a
// maintenance window's, at retry_at. (A running deal's retry is its due_at,
// a bond return's the provider's unbonding time: queued above.) A parked
// item tied to such a time — a deal's due_at, a window's start or end, a
// bond's unbonding time — is queued again above, and a parked request sits
// at or after the request cursor, which restarts at the oldest pending
// request: an import runs every parked item once more, keeping its count.
func (k Keeper) initDueFailures(ctx context.Context, gs types.GenesisState) error {
	pending := make(map[uint64]bool)
	for _, d := range gs.Deals {
		if d.State == types.DEAL_STATE_PENDING {
			pending[d.Id] = true
		}
	}
	for _, f := range gs.DueFailures {
		kind, _ := types.DueKindFromName(f.Kind) // validated
		item := dueItem{kind: kind, id: f.Id}
		if kind == types.DueUnbonding {
			item.provider = k.mustAccAddress(f.Provider)
		}
		if err := k.DueFailures.Set(ctx, item.key(), f); err != nil {
			return err
		}
		ownEntry := (kind == types.DueDeal && pending[f.Id]) || kind == types.DueMaintenanceStart || kind == types.DueMaintenanceEnd
		if f.RetryAt != nil && ownEntry {
			if err := k.DueQueue.Set(ctx, dueKey(*f.RetryAt, kind, f.Id)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ExportGenesis reads the whole module state back into a genesis state.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params}
	if gs.NextUnitId, err = k.NextUnitID.Peek(ctx); err != nil {
		return nil, err
	}
	if gs.NextDealId, err = k.NextDealID.Peek(ctx); err != nil {
		return nil, err
	}
	if gs.PendingPlatformFees, err = k.pendingPlatformFees(ctx); err != nil {
		return nil, err
	}
	if err := k.Providers.Walk(ctx, nil, func(_ sdk.AccAddress, p types.Provider) (bool, error) {
		gs.Providers = append(gs.Providers, p)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Consumers.Walk(ctx, nil, func(_ sdk.AccAddress, c types.Consumer) (bool, error) {
		gs.Consumers = append(gs.Consumers, c)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if gs.DataUnits, err = k.exportUnits(ctx); err != nil {
		return nil, err
	}
	if err := k.Deals.Walk(ctx, nil, func(_ uint64, d types.Deal) (bool, error) {
		gs.Deals = append(gs.Deals, d)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.DealVerdicts.Walk(ctx, nil, func(_ collections.Pair[uint64, int64], v types.DealVerdict) (bool, error) {
		gs.DealVerdicts = append(gs.DealVerdicts, v)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.UnitVerdicts.Walk(ctx, nil, func(_ collections.Pair[uint64, int64], v types.UnitVerdict) (bool, error) {
		gs.UnitVerdicts = append(gs.UnitVerdicts, v)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.SlaRounds.Walk(ctx, nil, func(_ int64, r types.SlaRound) (bool, error) {
		gs.SlaRounds = append(gs.SlaRounds, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.exportWorstDealVerdicts(ctx, gs); err != nil {
		return nil, err
	}
	if gs.AccessKeys, err = k.exportAccessKeys(ctx); err != nil {
		return nil, err
	}
	if err := k.DueFailures.Walk(ctx, nil, func(_ collections.Pair[int32, []byte], f types.DueFailure) (bool, error) {
		gs.DueFailures = append(gs.DueFailures, f)
		return false, nil
	}); err != nil {
		return nil, err
	}
	return gs, nil
}

// exportUnits lists the live units in the order of their ordinals, then the
// decommissioned ones by id. InitGenesis numbers the live units in the
// genesis file's order, so an import rebuilds LiveUnitByOrdinal exactly as
// it was, and x/oracle's random draws pick the same units as on the
// exporting chain. Listed by id, the ordinals of a chain where units had
// left (each leaving unit is replaced by the last) came back permuted
// (found by the import/export simulation;
// TestExportImportKeepsLiveUnitOrdinals).
func (k Keeper) exportUnits(ctx context.Context) ([]types.DataUnit, error) {
	var units []types.DataUnit
	if err := k.LiveUnitByOrdinal.Walk(ctx, nil, func(_ uint64, id uint64) (bool, error) {
		u, err := k.DataUnits.Get(ctx, id)
		units = append(units, u)
		return err != nil, err
	}); err != nil {
		return nil, err
	}
	err := k.DataUnits.Walk(ctx, nil, func(_ uint64, u types.DataUnit) (bool, error) {
		if u.State == types.DATA_UNIT_STATE_DECOMMISSIONED {
			units = append(units, u)
		}
		return false, nil
	})
	return units, err
}
