package keeper

import (
	"context"

	"cosmossdk.io/collections"

	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// The keeper serves x/oracle the data units to probe and the parties of
// deals (oracletypes.UnitRegistry and DealRegistry).
var (
	_ oracletypes.UnitRegistry = Keeper{}
	_ oracletypes.DealRegistry = Keeper{}
)

// LiveUnitsFrom returns up to limit units that are not decommissioned, with
// id ≥ startID, in id order.
func (k Keeper) LiveUnitsFrom(ctx context.Context, startID uint64, limit int) ([]oracletypes.ProbeTarget, error) {
	if limit <= 0 {
		return nil, nil
	}
	iter, err := k.LiveUnits.Iterate(ctx, new(collections.Range[uint64]).StartInclusive(startID))
	if err != nil {
		return nil, err
	}
	defer iter.Close()
	var out []oracletypes.ProbeTarget
	for ; iter.Valid() && len(out) < limit; iter.Next() {
		id, err := iter.Key()
		if err != nil {
			return nil, err
		}
		u, err := k.getUnit(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, oracletypes.ProbeTarget{UnitID: u.Id, Provider: u.Provider, Endpoint: u.Endpoint})
	}
	return out, nil
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
