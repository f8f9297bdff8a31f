package simulation

import (
	"context"
	"math/rand"
	"time"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/simutil"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// walkBudget bounds the objects a factory reads to find a fitting one.
const walkBudget = 64

// market reads x/orchestrator's state for the factories. Every factory
// decides from this state whether its message must succeed, and the
// simulation fails on any delivery error: a message judged valid here and
// refused by the chain is either a factory bug or a chain bug.
type market struct {
	k keeper.Keeper
}

func (m market) params(ctx context.Context, reporter simsx.SimulationReporter) types.Params {
	p, err := m.k.Params.Get(ctx)
	if err != nil {
		reporter.Skipf("params: %s", err)
	}
	return p
}

// now is the block time in whole seconds, as the keeper reads it.
func now(ctx context.Context) time.Time {
	return sdk.UnwrapSDKContext(ctx).BlockTime().Truncate(time.Second).UTC()
}

// provider finds a random provider for which ok holds.
func (m market) provider(ctx context.Context, r *rand.Rand, ok func(types.Provider) bool) (types.Provider, bool) {
	var found types.Provider
	hit := false
	_ = simutil.Walk(ctx, m.k.Providers, simutil.RandomAddress(r), walkBudget, func(_ sdk.AccAddress, p types.Provider) bool {
		if ok(p) {
			found, hit = p, true
		}
		return hit
	})
	return found, hit
}

// consumer finds a random consumer for which ok holds.
func (m market) consumer(ctx context.Context, r *rand.Rand, ok func(types.Consumer) bool) (types.Consumer, bool) {
	var found types.Consumer
	hit := false
	_ = simutil.Walk(ctx, m.k.Consumers, simutil.RandomAddress(r), walkBudget, func(_ sdk.AccAddress, c types.Consumer) bool {
		if ok(c) {
			found, hit = c, true
		}
		return hit
	})
	return found, hit
}

// unit finds a random data unit for which ok holds.
func (m market) unit(ctx context.Context, r *rand.Rand, ok func(types.DataUnit) bool) (types.DataUnit, bool) {
	next, err := m.k.NextUnitID.Peek(ctx)
	if err != nil {
		return types.DataUnit{}, false
	}
	var found types.DataUnit
	hit := false
	_ = simutil.Walk(ctx, m.k.DataUnits, simutil.RandomID(r, next), walkBudget, func(_ uint64, u types.DataUnit) bool {
		if ok(u) {
			found, hit = u, true
		}
		return hit
	})
	return found, hit
}

// deal finds a random deal for which ok holds.
func (m market) deal(ctx context.Context, r *rand.Rand, ok func(types.Deal) bool) (types.Deal, bool) {
	next, err := m.k.NextDealID.Peek(ctx)
	if err != nil {
		return types.Deal{}, false
	}
	var found types.Deal
	hit := false
	_ = simutil.Walk(ctx, m.k.Deals, simutil.RandomID(r, next), walkBudget, func(_ uint64, d types.Deal) bool {
		if ok(d) {
			found, hit = d, true
		}
		return hit
	})
	return found, hit
}

func (m market) isProvider(ctx context.Context, addr sdk.AccAddress) bool {
	has, _ := m.k.Providers.Has(ctx, addr)
	return has
}

func (m market) isConsumer(ctx context.Context, addr sdk.AccAddress) bool {
	has, _ := m.k.Consumers.Has(ctx, addr)
	return has
}

// activeProvider: a provider that takes new business (ACTIVE, bond at the
// minimum), the keeper's requireActiveProvider.
func activeProvider(p types.Provider, params types.Params) bool {
	return p.Status == types.PROVIDER_STATUS_ACTIVE && p.Bond.GTE(params.MinProviderBond.Amount)
}

// unitState is the keeper's deriveUnitState: a unit's state at block time.
func unitState(u types.DataUnit, now time.Time) types.DataUnitState {
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

func takesNewDeals(s types.DataUnitState) bool {
	return s == types.DATA_UNIT_STATE_AVAILABLE || s == types.DATA_UNIT_STATE_RESERVED || s == types.DATA_UNIT_STATE_IN_USE
}

// account returns the simulation account of addr, with its fee capped.
func account(testData *simsx.ChainDataSource, reporter simsx.SimulationReporter, addr string) simsx.SimAccount {
	return testData.GetAccount(reporter, addr)
}
