package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// The keeper serves x/oracle the data units to probe and the parties of
// deals (oracletypes.UnitRegistry and DealRegistry).
var (
	_ oracletypes.UnitRegistry = Keeper{}
	_ oracletypes.DealRegistry = Keeper{}
)

// LiveUnitCount returns the number of units that are not decommissioned.
func (k Keeper) LiveUnitCount(ctx context.Context) (uint64, error) {
	return k.liveUnitCount(ctx)
}

// LiveUnitAt returns the live unit at an ordinal in [0, LiveUnitCount).
// Ordinals are dense but carry no order, and a unit's ordinal may change
// when another unit leaves.
func (k Keeper) LiveUnitAt(ctx context.Context, ordinal uint64) (oracletypes.ProbeTarget, error) {
	id, err := k.LiveUnitByOrdinal.Get(ctx, ordinal)
	if errors.Is(err, collections.ErrNotFound) {
		return oracletypes.ProbeTarget{}, errorsmod.Wrapf(types.ErrUnitNotFound, "no live unit at ordinal %d", ordinal)
	}
	if err != nil {
		return oracletypes.ProbeTarget{}, err
	}
	u, err := k.getUnit(ctx, id)
	if err != nil {
		return oracletypes.ProbeTarget{}, err
	}
	return oracletypes.ProbeTarget{UnitID: u.Id, Provider: u.Provider, Endpoint: u.Endpoint}, nil
}

// DealParties returns who may self-report on a deal.
func (k Keeper) DealParties(ctx context.Context, dealID uint64) (oracletypes.DealParties, error) {
	d, err := k.getDeal(ctx, dealID)
	if err != nil {
		return oracletypes.DealParties{}, err
	}
	return oracletypes.DealParties{
		Consumer: d.Consumer, Provider: d.Provider, UnitID: d.UnitId, Open: d.State != types.DEAL_STATE_CLOSED,
	}, nil
}
