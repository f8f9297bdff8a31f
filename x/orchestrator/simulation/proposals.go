package simulation

import (
	"context"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Governance proposals: the SDK's x/gov simulation submits them, votes on
// them and runs them when they pass. The factories return no signer: the
// governance module account signs.

// updateParamsProposal draws new params, keeping the marketplace denom
// (a denom change is refused while money is held in it) and the SLA epoch
// (the simulated genesis defines that one only).
func (m market) updateParamsProposal() simsx.SimMsgFactoryFn[*types.MsgUpdateParams] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams) {
		current := m.params(ctx, reporter)
		if reporter.IsSkipped() {
			return nil, nil
		}
		r := testData.Rand().Rand
		certifier := current.Certifier
		if r.Intn(4) == 0 {
			certifier = testData.AnyAccount(reporter).AddressBech32
		}
		p := RandomParams(r, current.Denom(), certifier, current.SlaEpochIdentifier)
		return nil, &types.MsgUpdateParams{Authority: m.k.Authority(), Params: p}
	}
}

func (m market) certifyProviderProposal() simsx.SimMsgFactoryFn[*types.MsgCertifyProvider] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCertifyProvider) {
		p, ok := m.provider(ctx, testData.Rand().Rand, func(types.Provider) bool { return true })
		if !ok {
			reporter.Skip("no provider")
			return nil, nil
		}
		return nil, &types.MsgCertifyProvider{Authority: m.k.Authority(), Provider: p.Address, Certified: !p.Certified}
	}
}

func (m market) verifyConsumerProposal() simsx.SimMsgFactoryFn[*types.MsgVerifyConsumer] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgVerifyConsumer) {
		c, ok := m.consumer(ctx, testData.Rand().Rand, func(types.Consumer) bool { return true })
		if !ok {
			reporter.Skip("no consumer")
			return nil, nil
		}
		return nil, &types.MsgVerifyConsumer{Authority: m.k.Authority(), Consumer: c.Address, Verified: !c.Verified}
	}
}
