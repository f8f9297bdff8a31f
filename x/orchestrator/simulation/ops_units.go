package simulation

import (
	"context"
	"time"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/simutil"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// randomPrice spans cheap to dear units, so that deposits range from a
// few uflash to a large share of an account.
func randomPrice(r interface{ Int63n(int64) int64 }) sdkmath.Int {
	switch r.Int63n(3) {
	case 0:
		return sdkmath.NewInt(1 + r.Int63n(100))
	case 1:
		return sdkmath.NewInt(1 + r.Int63n(100_000))
	default:
		return sdkmath.NewInt(1 + r.Int63n(100_000_000))
	}
}

func (m market) createDataUnit() simsx.SimMsgFactoryFn[*types.MsgCreateDataUnit] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCreateDataUnit) {
		r := testData.Rand().Rand
		params := m.params(ctx, reporter)
		denom := params.Denom()
		p, ok := m.provider(ctx, r, func(p types.Provider) bool {
			return activeProvider(p, params) && p.LiveUnits < params.MaxUnitsPerProvider
		})
		if !ok {
			reporter.Skip("no provider may add a unit")
			return nil, nil
		}
		acc := account(testData, reporter, p.Address)
		cost := params.UnitSubmissionFee.Amount
		// A zero coin, not sdk.Coin{}: a Coin's nil amount panics in IsPositive.
		priority := sdk.NewCoin(denom, sdkmath.ZeroInt())
		if r.Intn(3) == 0 {
			priority = sdk.NewCoin(denom, params.MinPriorityFee.Amount.Add(sdkmath.NewInt(r.Int63n(1_000_000))))
			cost = cost.Add(priority.Amount)
		}
		if !simutil.Spend(&acc, sdk.NewCoin(denom, cost)) {
			reporter.Skip("provider cannot pay the unit's fees")
			return nil, nil
		}
		msg := &types.MsgCreateDataUnit{
			Provider: p.Address, CapacityGb: uint64(1 + r.Intn(100_000)), PricePerGbMonth: randomPrice(r),
			Region: simutil.Region(r), Country: simutil.Country(r), Api: types.ApiCompatibility(1 + r.Intn(5)),
			Endpoint: simutil.URL(r), Sla: RandomSla(r), PricePerGbEgress: uint64(r.Int63n(100_000)),
			Features: &types.Features{Versioning: r.Intn(2) == 0, Encryption: r.Intn(2) == 0, ObjectLock: r.Intn(2) == 0},
		}
		if !priority.Amount.IsNil() && priority.IsPositive() {
			msg.PriorityFee = &priority
		}
		return []simsx.SimAccount{acc}, msg
	}
}

func (m market) updateDataUnit() simsx.SimMsgFactoryFn[*types.MsgUpdateDataUnit] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateDataUnit) {
		r := testData.Rand().Rand
		params := m.params(ctx, reporter)
		u, ok := m.unit(ctx, r, func(u types.DataUnit) bool { return !u.Decommissioned })
		if !ok {
			reporter.Skip("no live unit")
			return nil, nil
		}
		acc := account(testData, reporter, u.Provider)
		msg := &types.MsgUpdateDataUnit{
			Provider: u.Provider, UnitId: u.Id, CapacityGb: simutil.Uint64Between(r, max(u.AllocatedGb, 1), min(u.CapacityGb*2+1, types.MaxCapacityGB)),
			PricePerGbMonth: u.PricePerGbMonth, PricePerGbEgress: u.PricePerGbEgress, Endpoint: u.Endpoint, Sla: u.Sla, Features: &u.Features,
		}
		if r.Intn(2) == 0 {
			msg.PricePerGbMonth = randomPrice(r)
		}
		if r.Intn(2) == 0 {
			msg.Sla = RandomSla(r) // staged as pending until the unit is graded
		}
		fee := sdk.NewCoin(params.Denom(), sdkmath.ZeroInt())
		if r.Intn(4) == 0 && u.PriorityFee.Uint64() < types.MaxPriorityFee/2 {
			fee = sdk.NewCoin(params.Denom(), params.MinPriorityFee.Amount.Add(sdkmath.NewInt(r.Int63n(1_000_000))))
		}
		if !simutil.Spend(&acc, fee) {
			reporter.Skip("provider cannot pay the priority fee")
			return nil, nil
		}
		if !fee.Amount.IsNil() && fee.IsPositive() {
			msg.AddPriorityFee = &fee
		}
		return []simsx.SimAccount{acc}, msg
	}
}

func (m market) scheduleMaintenance() simsx.SimMsgFactoryFn[*types.MsgScheduleMaintenance] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgScheduleMaintenance) {
		r := testData.Rand().Rand
		params := m.params(ctx, reporter)
		u, ok := m.unit(ctx, r, func(u types.DataUnit) bool { return !u.Decommissioned && u.Maintenance == nil })
		if !ok {
			reporter.Skip("no unit free for maintenance")
			return nil, nil
		}
		acc := account(testData, reporter, u.Provider)
		simutil.CapFees(&acc)
		start := now(ctx).Add(simutil.DurationBetween(r, 0, params.MaxMaintenanceLead))
		end := start.Add(simutil.DurationBetween(r, time.Second, params.MaxMaintenanceDuration))
		return []simsx.SimAccount{acc}, &types.MsgScheduleMaintenance{Provider: u.Provider, UnitId: u.Id, Start: start, End: end}
	}
}

func (m market) decommissionDataUnit() simsx.SimMsgFactoryFn[*types.MsgDecommissionDataUnit] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgDecommissionDataUnit) {
		u, ok := m.unit(ctx, testData.Rand().Rand, func(u types.DataUnit) bool { return !u.Decommissioned })
		if !ok {
			reporter.Skip("no live unit")
			return nil, nil
		}
		acc := account(testData, reporter, u.Provider)
		simutil.CapFees(&acc)
		return []simsx.SimAccount{acc}, &types.MsgDecommissionDataUnit{Provider: u.Provider, UnitId: u.Id}
	}
}
