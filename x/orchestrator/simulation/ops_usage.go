package simulation

import (
	"context"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/simutil"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// submitUsageReceipt bills a running deal's egress with a receipt its
// consumer signed for more bytes than billed so far: from a few MB to more
// than the escrow can pay, so that receipts both charge and run deals dry.
func (m market) submitUsageReceipt() simsx.SimMsgFactoryFn[*types.MsgSubmitUsageReceipt] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubmitUsageReceipt) {
		r := testData.Rand().Rand
		d, ok := m.deal(ctx, r, func(d types.Deal) bool {
			return d.Running() && testData.HasAccount(d.Consumer) && testData.HasAccount(d.Provider)
		})
		if !ok {
			reporter.Skip("no running deal")
			return nil, nil
		}
		consumer := account(testData, reporter, d.Consumer)
		provider := account(testData, reporter, d.Provider)
		simutil.CapFees(&provider)
		receipt := types.UsageReceipt{
			ChainId:     sdk.UnwrapSDKContext(ctx).ChainID(),
			DealId:      d.Id,
			BytesServed: d.EgressBilledBytes + 1 + uint64(r.Int63n(50*types.BytesPerGB)),
			Sequence:    d.ReceiptSequence + 1 + uint64(r.Intn(3)),
		}
		sig, err := consumer.PrivKey.Sign(types.UsageReceiptSignBytes(receipt))
		if err != nil {
			reporter.Skip("the consumer cannot sign: " + err.Error())
			return nil, nil
		}
		return []simsx.SimAccount{provider}, &types.MsgSubmitUsageReceipt{
			Provider: d.Provider, DealId: d.Id, BytesServed: receipt.BytesServed, Sequence: receipt.Sequence, ConsumerSignature: sig,
		}
	}
}
