package simulation

import (
	"context"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/simutil"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// topUpRoom is how much more a deal may be funded: the keeper's bound of
// the cost of the (rest of the) term, less the funds it holds.
func topUpRoom(d types.Deal) sdkmath.Int {
	maxFunds := types.CostOver(d.MonthlyCost, types.TermSeconds(d.Term))
	if d.Running() {
		maxFunds = d.CostUntil(*d.EndTime)
	}
	return maxFunds.Sub(d.Deposited.Sub(d.Refunded))
}

// topUpDeal funds an open deal; overdrawn deals are favoured, so that
// revivals happen.
func (m market) topUpDeal() simsx.SimMsgFactoryFn[*types.MsgTopUpDeal] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgTopUpDeal) {
		r := testData.Rand().Rand
		params := m.params(ctx, reporter)
		denom := params.Denom()
		wantOverdrawn := r.Intn(2) == 0
		d, ok := m.deal(ctx, r, func(d types.Deal) bool {
			if d.State == types.DEAL_STATE_CLOSED || !topUpRoom(d).IsPositive() {
				return false
			}
			return !wantOverdrawn || d.State == types.DEAL_STATE_OVERDRAWN
		})
		if !ok {
			reporter.Skip("no deal to top up")
			return nil, nil
		}
		acc := account(testData, reporter, d.Consumer)
		budget := sdkmath.MinInt(topUpRoom(d), simutil.Balance(&acc, denom).QuoRaw(2))
		if !budget.IsPositive() {
			reporter.Skip("consumer is broke")
			return nil, nil
		}
		amount := sdk.NewCoin(denom, simutil.IntBetween(r, sdkmath.OneInt(), budget))
		if !simutil.Spend(&acc, amount) {
			reporter.Skip("cannot pay")
			return nil, nil
		}
		return []simsx.SimAccount{acc}, &types.MsgTopUpDeal{Consumer: d.Consumer, DealId: d.Id, Amount: amount}
	}
}

// withdrawEarnings names up to five of a provider's deals, at least one of
// which has earnings once settled to this block.
func (m market) withdrawEarnings() simsx.SimMsgFactoryFn[*types.MsgWithdrawEarnings] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgWithdrawEarnings) {
		r := testData.Rand().Rand
		t := now(ctx)
		earns := func(d types.Deal) bool {
			d.Settle(t) // on a copy: what the keeper's settlement will do
			return d.Earnings().IsPositive()
		}
		d, ok := m.deal(ctx, r, earns)
		if !ok {
			reporter.Skip("no deal with earnings")
			return nil, nil
		}
		ids := []uint64{d.Id}
		// Add some of the provider's other deals, with or without earnings.
		provider := sdk.MustAccAddressFromBech32(d.Provider)
		rng := collections.NewPrefixedTripleRange[sdk.AccAddress, uint64, uint64](provider)
		_ = m.k.DealsByProvider.Walk(ctx, rng, func(key collections.Triple[sdk.AccAddress, uint64, uint64]) (bool, error) {
			if id := key.K3(); id != d.Id && r.Intn(3) == 0 {
				ids = append(ids, id)
			}
			return len(ids) >= 5, nil
		})
		acc := account(testData, reporter, d.Provider)
		simutil.CapFees(&acc)
		return []simsx.SimAccount{acc}, &types.MsgWithdrawEarnings{Provider: d.Provider, DealIds: ids}
	}
}
