package keeper

import (
	"context"
	"time"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// requireActiveProvider loads a provider that may take new business: active
// and bonded at least the minimum.
func (k Keeper) requireActiveProvider(ctx context.Context, params types.Params, addr string) (types.Provider, sdk.AccAddress, error) {
	p, acc, err := k.getProvider(ctx, addr)
	if err != nil {
		return p, acc, err
	}
	if p.Status != types.PROVIDER_STATUS_ACTIVE {
		return p, acc, errorsmod.Wrapf(types.ErrProviderNotActive, "provider %s is exiting", addr)
	}
	if p.Bond.LT(params.MinProviderBond.Amount) {
		return p, acc, errorsmod.Wrapf(types.ErrInsufficientBond,
			"provider %s's bond %s%s is below the minimum %s; add to it first", addr, p.Bond, params.Denom(), params.MinProviderBond)
	}
	return p, acc, nil
}

// checkPriorityFee validates an optional priority fee added to a unit whose
// priority fee so far is `total`.
func checkPriorityFee(params types.Params, fee sdk.Coin, total sdkmath.Int) (sdkmath.Int, error) {
	amt, err := types.CoinAmountIn("priority fee", fee, params.Denom())
	if err != nil || amt.IsZero() {
		return amt, err
	}
	if amt.LT(params.MinPriorityFee.Amount) {
		return amt, errorsmod.Wrapf(types.ErrInvalidAmount, "a priority fee must be at least %s, got %s", params.MinPriorityFee, fee)
	}
	if total.Add(amt).GT(sdkmath.NewIntFromUint64(types.MaxPriorityFee)) {
		return amt, errorsmod.Wrapf(types.ErrAmountTooLarge, "a unit's total priority fee must stay at most %d%s", types.MaxPriorityFee, params.Denom())
	}
	return amt, nil
}

// CreateDataUnit submits a data unit: the submission fee goes to the
// community pool and the optional priority fee is burned.
func (m msgServer) CreateDataUnit(ctx context.Context, msg *types.MsgCreateDataUnit) (*types.MsgCreateDataUnitResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	provider, acc, err := m.k.requireActiveProvider(ctx, params, msg.Provider)
	if err != nil {
		return nil, err
	}
	if provider.LiveUnits >= params.MaxUnitsPerProvider {
		return nil, errorsmod.Wrapf(types.ErrTooManyUnits, "provider %s already has %d data units, the maximum", msg.Provider, provider.LiveUnits)
	}
	priorityFee, err := checkPriorityFee(params, msg.PriorityFeeOrNone(), sdkmath.ZeroInt())
	if err != nil {
		return nil, err
	}

	reputation, err := m.k.newUnitReputation(ctx)
	if err != nil {
		return nil, err
	}
	id, err := m.k.NextUnitID.Next(ctx)
	if err != nil {
		return nil, err
	}
	denom := params.Denom()
	if err := m.k.fundCommunityPool(ctx, "unit_submission_fee", acc, denom, params.UnitSubmissionFee.Amount); err != nil {
		return nil, err
	}
	if err := m.k.burnFromAccount(ctx, acc, denom, priorityFee); err != nil {
		return nil, err
	}
	u := types.DataUnit{
		Id:               id,
		Provider:         msg.Provider,
		CapacityGb:       msg.CapacityGb,
		PricePerGbMonth:  msg.PricePerGbMonth,
		PricePerGbEgress: msg.PricePerGbEgress,
		Region:           msg.Region,
		Country:          msg.Country,
		Api:              msg.Api,
		Endpoint:         msg.Endpoint,
		Sla:              msg.Sla,
		Features:         msg.FeaturesOrNone(),
		PriorityFee:      priorityFee,
		Reputation:       reputation,
		CreatedAt:        blockSecond(ctx),
	}
	if err := m.k.setUnit(ctx, nil, u); err != nil {
		return nil, err
	}
	if priorityFee.IsPositive() {
		if err := typedevent.Emit(ctx, &types.EventPriorityFeeBurned{
			UnitId: id, Provider: msg.Provider, Amount: coin(denom, priorityFee), Total: coin(denom, priorityFee),
		}); err != nil {
			return nil, err
		}
	}
	return &types.MsgCreateDataUnitResponse{UnitId: id}, typedevent.Emit(ctx, &types.EventDataUnitCreated{
		UnitId: id, Provider: msg.Provider, CapacityGb: msg.CapacityGb, PricePerGbMonth: msg.PricePerGbMonth.String(),
		Region: msg.Region, SubmissionFee: params.UnitSubmissionFee,
	})
}

// UpdateDataUnit changes a live unit's commercial terms. Open deals keep
// the price and SLA they were made with. A new offered SLA is staged as
// pending and comes into force once the current epoch's SLA round has
// graded the unit (stageSla); the other terms change at once.
func (m msgServer) UpdateDataUnit(ctx context.Context, msg *types.MsgUpdateDataUnit) (*types.MsgUpdateDataUnitResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	old, err := m.k.ownedUnit(ctx, msg.UnitId, msg.Provider)
	if err != nil {
		return nil, err
	}
	if old.Decommissioned {
		return nil, errorsmod.Wrapf(types.ErrInvalidState, "data unit %d is %s", msg.UnitId, old.State)
	}
	if msg.CapacityGb < old.AllocatedGb {
		return nil, errorsmod.Wrapf(types.ErrInsufficientCap, "capacity %d GB is below the %d GB its open deals hold", msg.CapacityGb, old.AllocatedGb)
	}
	added, err := checkPriorityFee(params, msg.AddPriorityFeeOrNone(), old.PriorityFee)
	if err != nil {
		return nil, err
	}
	acc := m.k.mustAccAddress(msg.Provider)
	if err := m.k.burnFromAccount(ctx, acc, params.Denom(), added); err != nil {
		return nil, err
	}
	u := old
	u.CapacityGb = msg.CapacityGb
	u.PricePerGbMonth = msg.PricePerGbMonth
	u.PricePerGbEgress = msg.PricePerGbEgress
	u.Endpoint = msg.Endpoint
	staged := m.k.stageSla(ctx, &u, msg.Sla)
	u.Features = msg.FeaturesOrNone()
	u.PriorityFee = u.PriorityFee.Add(added)
	if err := m.k.setUnit(ctx, &old, u); err != nil {
		return nil, err
	}
	if added.IsPositive() {
		if err := typedevent.Emit(ctx, &types.EventPriorityFeeBurned{
			UnitId: u.Id, Provider: msg.Provider, Amount: coin(params.Denom(), added), Total: coin(params.Denom(), u.PriorityFee),
		}); err != nil {
			return nil, err
		}
	}
	if staged {
		if err := typedevent.Emit(ctx, &types.EventDataUnitSlaPending{UnitId: u.Id, Sla: msg.Sla}); err != nil {
			return nil, err
		}
	}
	return &types.MsgUpdateDataUnitResponse{}, typedevent.Emit(ctx, &types.EventDataUnitUpdated{UnitId: u.Id})
}

// ScheduleMaintenance schedules a maintenance window. The end-block hook
// moves the unit into MAINTENANCE at the start and back at the end.
func (m msgServer) ScheduleMaintenance(ctx context.Context, msg *types.MsgScheduleMaintenance) (*types.MsgScheduleMaintenanceResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	old, err := m.k.ownedUnit(ctx, msg.UnitId, msg.Provider)
	if err != nil {
		return nil, err
	}
	now := blockSecond(ctx)
	if old.Decommissioned {
		return nil, errorsmod.Wrapf(types.ErrInvalidState, "data unit %d is %s", msg.UnitId, old.State)
	}
	if w := old.Maintenance; w != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidSchedule, "data unit %d already has maintenance from %s to %s",
			msg.UnitId, w.Start.UTC().Format("2006-01-02T15:04:05Z"), w.End.UTC().Format("2006-01-02T15:04:05Z"))
	}
	start, end := msg.Start.Truncate(time.Second).UTC(), msg.End.Truncate(time.Second).UTC()
	if !end.After(start) {
		return nil, errorsmod.Wrapf(types.ErrInvalidSchedule, "end %s must be after start %s", end, start)
	}
	if start.Before(now) {
		return nil, errorsmod.Wrapf(types.ErrInvalidSchedule, "start %s is in the past (block time %s)", start, now)
	}
	if start.Sub(now) > params.MaxMaintenanceLead {
		return nil, errorsmod.Wrapf(types.ErrInvalidSchedule, "start may be at most %s ahead", params.MaxMaintenanceLead)
	}
	if end.Sub(start) > params.MaxMaintenanceDuration {
		return nil, errorsmod.Wrapf(types.ErrInvalidSchedule, "a window may last at most %s, got %s", params.MaxMaintenanceDuration, end.Sub(start))
	}
	u := old
	u.Maintenance = &types.MaintenanceWindow{Start: start, End: end}
	if err := m.k.DueQueue.Set(ctx, dueKey(start, types.DueMaintenanceStart, u.Id)); err != nil {
		return nil, err
	}
	if err := m.k.DueQueue.Set(ctx, dueKey(end, types.DueMaintenanceEnd, u.Id)); err != nil {
		return nil, err
	}
	if err := m.k.setUnit(ctx, &old, u); err != nil {
		return nil, err
	}
	return &types.MsgScheduleMaintenanceResponse{}, typedevent.Emit(ctx, &types.EventMaintenanceScheduled{UnitId: u.Id, Start: start, End: end})
}

// DecommissionDataUnit withdraws a unit from the market for good. With open
// deals it is DECOMMISSIONING until they close; then DECOMMISSIONED.
func (m msgServer) DecommissionDataUnit(ctx context.Context, msg *types.MsgDecommissionDataUnit) (*types.MsgDecommissionDataUnitResponse, error) {
	old, err := m.k.ownedUnit(ctx, msg.UnitId, msg.Provider)
	if err != nil {
		return nil, err
	}
	if old.Decommissioned {
		return nil, errorsmod.Wrapf(types.ErrInvalidState, "data unit %d is already %s", msg.UnitId, old.State)
	}
	u := old
	u.Decommissioned = true
	if w := u.Maintenance; w != nil {
		if err := m.k.DueQueue.Remove(ctx, dueKey(w.Start, types.DueMaintenanceStart, u.Id)); err != nil {
			return nil, err
		}
		if err := m.k.DueQueue.Remove(ctx, dueKey(w.End, types.DueMaintenanceEnd, u.Id)); err != nil {
			return nil, err
		}
		u.Maintenance = nil
	}
	if err := m.k.setUnit(ctx, &old, u); err != nil {
		return nil, err
	}
	stored, err := m.k.getUnit(ctx, u.Id)
	if err != nil {
		return nil, err
	}
	return &types.MsgDecommissionDataUnitResponse{State: stored.State}, nil
}
