package simulation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cosmossdk.io/collections"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/simutil"
	"github.com/flashbacknetwork/flashbackd/x/oracle/keeper"
	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

const scanBudget = 64

type oracle struct {
	k keeper.Keeper
}

// openDeal reads deals from a random id on, through the marketplace's
// registry (ids are dense and deals never deleted), until one is open and
// one of its parties may report now.
func (o oracle) openDeal(ctx context.Context, testData *simsx.ChainDataSource, params types.Params) (uint64, string, bool) {
	deals := o.k.Deals()
	r := testData.Rand().Rand
	t := sdk.UnwrapSDKContext(ctx).BlockTime().Truncate(time.Second)
	id := uint64(1 + r.Intn(1<<16))
	for i := 0; i < scanBudget; i++ {
		p, err := deals.DealParties(ctx, id)
		if err != nil {
			if id == 1 {
				return 0, "", false
			}
			id = 1 + r.Uint64()%id
			continue
		}
		if p.Open {
			reporter := p.Consumer
			if r.Intn(2) == 0 {
				reporter = p.Provider
			}
			last, err := o.k.LastSelfReport.Get(ctx, collections.Join(id, sdk.MustAccAddressFromBech32(reporter)))
			if errors.Is(err, collections.ErrNotFound) || (err == nil && !t.Before(time.Unix(last, 0).Add(params.SelfReportMinInterval))) {
				return id, reporter, true
			}
		}
		id++
	}
	return 0, "", false
}

// submitQoSReport files a deal party's self-report.
func (o oracle) submitQoSReport() simsx.SimMsgFactoryFn[*types.MsgSubmitQoSReport] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubmitQoSReport) {
		params, err := o.k.Params.Get(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil
		}
		id, party, ok := o.openDeal(ctx, testData, params)
		if !ok {
			reporter.Skip("no open deal to report on")
			return nil, nil
		}
		r := testData.Rand().Rand
		acc := testData.GetAccount(reporter, party)
		simutil.CapFees(&acc)
		msg := &types.MsgSubmitQoSReport{
			Reporter: party, DealId: id, Operation: types.OperationType(1 + r.Intn(5)),
			LatencyMs: uint32(r.Intn(5000)), ThroughputKbps: uint64(r.Intn(1_000_000)), Success: r.Intn(3) > 0,
		}
		if !msg.Success && r.Intn(2) == 0 {
			msg.ErrorDetails = simutil.Text(r, types.MaxErrorDetails)
		}
		return []simsx.SimAccount{acc}, msg
	}
}

// injectVoteExtensions sends the proposer-only payload message as a user
// transaction: the ante handler must refuse it with ErrInjectedOnly, never
// run it (a user who could would feed the oracle).
func (o oracle) injectVoteExtensions() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgInjectVoteExtensions, simsx.SimDeliveryResultHandler) {
		acc := testData.AnyAccount(reporter, simsx.WithSpendableBalance())
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		simutil.CapFees(&acc)
		garbage := make([]byte, testData.Rand().Intn(64))
		_, _ = testData.Rand().Read(garbage)
		return []simsx.SimAccount{acc}, &types.MsgInjectVoteExtensions{ExtendedCommit: garbage}, func(err error) error {
			if errors.Is(err, types.ErrInjectedOnly) {
				return nil
			}
			return fmt.Errorf("a user-sent MsgInjectVoteExtensions must fail with ErrInjectedOnly, got %v", err)
		}
	})
}

// updateParamsProposal draws new params through governance.
func (o oracle) updateParamsProposal() simsx.SimMsgFactoryFn[*types.MsgUpdateParams] {
	return func(_ context.Context, testData *simsx.ChainDataSource, _ simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams) {
		return nil, &types.MsgUpdateParams{Authority: o.k.Authority(), Params: RandomParams(testData.Rand().Rand)}
	}
}

// WeightedOperations registers an operation for every message.
func WeightedOperations(weights simsx.WeightSource, reg simsx.Registry, k keeper.Keeper) {
	o := oracle{k: k}
	reg.Add(weights.Get("msg_submit_qos_report", 60), o.submitQoSReport())
	reg.Add(weights.Get("msg_inject_vote_extensions", 12), o.injectVoteExtensions())
}

// ProposalMsgs registers the messages governance proposals carry.
func ProposalMsgs(weights simsx.WeightSource, reg simsx.Registry, k keeper.Keeper) {
	reg.Add(weights.Get("msg_update_params", 20), oracle{k: k}.updateParamsProposal())
}
