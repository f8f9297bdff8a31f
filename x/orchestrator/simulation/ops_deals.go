package simulation

import (
	"context"
	"time"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/simutil"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// requestDeal reserves capacity on a unit that takes deals. Deposits range
// from the minimum (the deal runs dry and is overdrawn unless topped up) to
// the whole term (it completes by itself).
func (m market) requestDeal() simsx.SimMsgFactoryFn[*types.MsgRequestDeal] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRequestDeal) {
		r := testData.Rand().Rand
		params := m.params(ctx, reporter)
		denom, t := params.Denom(), now(ctx)
		u, ok := m.unit(ctx, r, func(u types.DataUnit) bool {
			if !takesNewDeals(unitState(u, t)) || u.AllocatedGb >= u.CapacityGb {
				return false
			}
			p, err := m.k.Providers.Get(ctx, sdk.MustAccAddressFromBech32(u.Provider))
			return err == nil && activeProvider(p, params)
		})
		if !ok {
			reporter.Skip("no unit takes deals")
			return nil, nil
		}
		c, ok := m.consumer(ctx, r, func(c types.Consumer) bool {
			if c.Address == u.Provider || !testData.HasAccount(c.Address) {
				return false
			}
			a := testData.GetAccount(reporter, c.Address)
			return a.LiquidBalance().AmountOf(denom).IsPositive()
		})
		if !ok {
			reporter.Skip("no consumer with funds")
			return nil, nil
		}
		acc := account(testData, reporter, c.Address)

		// Terms are mostly short, so that deals complete within a run.
		longest := params.MaxDealDuration
		if r.Intn(4) > 0 {
			longest = min(longest, max(params.MinDealDuration, 10*day))
		}
		term := simutil.DurationBetween(r, params.MinDealDuration, longest)
		if term < params.MinDealDuration || term > params.MaxDealDuration {
			reporter.Skip("no whole-second term within the params")
			return nil, nil
		}
		prepaid := min(term, params.MinPrepaidPeriod)
		budget := simutil.Balance(&acc, denom).QuoRaw(2)
		// The most capacity whose minimum deposit fits the budget.
		capMax := budget.MulRaw(types.SecondsPerMonth).Quo(u.PricePerGbMonth.MulRaw(max(types.TermSeconds(prepaid), 1)))
		free := u.CapacityGb - u.AllocatedGb
		if capMax.IsUint64() && capMax.Uint64() < free {
			free = capMax.Uint64()
		}
		if free == 0 {
			reporter.Skip("consumer cannot afford a GB")
			return nil, nil
		}
		capacity := simutil.Uint64Between(r, 1, free)
		monthly := types.MonthlyCost(u.PricePerGbMonth, capacity)
		termCost := types.CostOver(monthly, types.TermSeconds(term))
		minDeposit := types.CostOver(monthly, types.TermSeconds(prepaid))
		if minDeposit.IsZero() {
			minDeposit = sdkmath.OneInt()
		}
		if !termCost.IsPositive() || termCost.GT(keeper.MaxDealCost) || minDeposit.GT(budget) || minDeposit.GT(termCost) {
			reporter.Skip("no affordable deposit")
			return nil, nil
		}
		deposit := minDeposit
		switch r.Intn(3) {
		case 0:
			deposit = sdkmath.MinInt(termCost, budget)
		case 1:
			deposit = simutil.IntBetween(r, minDeposit, sdkmath.MinInt(termCost, budget))
		}
		if !simutil.Spend(&acc, sdk.NewCoin(denom, deposit)) {
			reporter.Skip("cannot pay the deposit")
			return nil, nil
		}
		return []simsx.SimAccount{acc}, &types.MsgRequestDeal{
			Consumer: acc.AddressBech32, UnitId: u.Id, CapacityGb: capacity, Term: term,
			Sla: RandomSla(r), Deposit: sdk.NewCoin(denom, deposit),
		}
	}
}

// pending finds a pending request; accept needs one that has not expired
// on a unit that takes deals, of a provider that takes business.
func (m market) pending(ctx context.Context, testData *simsx.ChainDataSource, forAccept bool) (types.Deal, bool) {
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return types.Deal{}, false
	}
	t := now(ctx)
	return m.deal(ctx, testData.Rand().Rand, func(d types.Deal) bool {
		if d.State != types.DEAL_STATE_PENDING {
			return false
		}
		if !forAccept {
			return true
		}
		if !t.Before(d.RequestExpiresAt) {
			return false
		}
		p, err := m.k.Providers.Get(ctx, sdk.MustAccAddressFromBech32(d.Provider))
		if err != nil || !activeProvider(p, params) {
			return false
		}
		u, err := m.k.DataUnits.Get(ctx, d.UnitId)
		return err == nil && takesNewDeals(unitState(u, t))
	})
}

func (m market) acceptDeal() simsx.SimMsgFactoryFn[*types.MsgAcceptDeal] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgAcceptDeal) {
		d, ok := m.pending(ctx, testData, true)
		if !ok {
			reporter.Skip("no acceptable request")
			return nil, nil
		}
		acc := account(testData, reporter, d.Provider)
		simutil.CapFees(&acc)
		return []simsx.SimAccount{acc}, &types.MsgAcceptDeal{Provider: d.Provider, DealId: d.Id}
	}
}

func (m market) declineDeal() simsx.SimMsgFactoryFn[*types.MsgDeclineDeal] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgDeclineDeal) {
		d, ok := m.pending(ctx, testData, false)
		if !ok {
			reporter.Skip("no request")
			return nil, nil
		}
		acc := account(testData, reporter, d.Provider)
		simutil.CapFees(&acc)
		return []simsx.SimAccount{acc}, &types.MsgDeclineDeal{Provider: d.Provider, DealId: d.Id, Reason: simutil.Text(testData.Rand().Rand, 40)}
	}
}

func (m market) cancelDealRequest() simsx.SimMsgFactoryFn[*types.MsgCancelDealRequest] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCancelDealRequest) {
		d, ok := m.pending(ctx, testData, false)
		if !ok {
			reporter.Skip("no request")
			return nil, nil
		}
		acc := account(testData, reporter, d.Consumer)
		simutil.CapFees(&acc)
		return []simsx.SimAccount{acc}, &types.MsgCancelDealRequest{Consumer: d.Consumer, DealId: d.Id}
	}
}

// closeDeal schedules an early close by either party of a running deal
// whose notice ends before its term.
func (m market) closeDeal() simsx.SimMsgFactoryFn[*types.MsgCloseDeal] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCloseDeal) {
		r := testData.Rand().Rand
		params := m.params(ctx, reporter)
		t := now(ctx)
		byProvider := r.Intn(2) == 0
		notice := params.ConsumerCloseNotice
		if byProvider {
			notice = params.ProviderCloseNotice
		}
		d, ok := m.deal(ctx, r, func(d types.Deal) bool {
			return d.Running() && d.PendingClose == types.CLOSE_REASON_UNSPECIFIED &&
				t.Add(notice).Truncate(time.Second).Before(*d.EndTime)
		})
		if !ok {
			reporter.Skip("no deal to close")
			return nil, nil
		}
		sender := d.Consumer
		if byProvider {
			sender = d.Provider
		}
		acc := account(testData, reporter, sender)
		simutil.CapFees(&acc)
		return []simsx.SimAccount{acc}, &types.MsgCloseDeal{Sender: sender, DealId: d.Id}
	}
}
