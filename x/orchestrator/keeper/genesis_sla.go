package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// initWorstDealVerdicts writes the genesis' worst deal verdicts: a round in
// progress at export needs them for the unit verdicts it has yet to record.
func (k Keeper) initWorstDealVerdicts(ctx context.Context, gs types.GenesisState) error {
	for _, w := range gs.WorstDealVerdicts {
		if err := k.WorstDealVerdicts.Set(ctx, collections.Join(w.Epoch, w.UnitId), int32(w.Verdict)); err != nil {
			return err
		}
	}
	return nil
}

// exportWorstDealVerdicts reads them back, by epoch then unit.
func (k Keeper) exportWorstDealVerdicts(ctx context.Context, gs *types.GenesisState) error {
	return k.WorstDealVerdicts.Walk(ctx, nil, func(key collections.Pair[int64, uint64], v int32) (bool, error) {
		gs.WorstDealVerdicts = append(gs.WorstDealVerdicts, types.WorstDealVerdict{
			UnitId: key.K2(), Epoch: key.K1(), Verdict: types.SlaVerdict(v),
		})
		return false, nil
	})
}
