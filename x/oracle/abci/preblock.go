package abci

import (
	"errors"

	abci "github.com/cometbft/cometbft/abci/types"

	"cosmossdk.io/log"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/blockwork"
	"github.com/flashbacknetwork/flashbackd/x/oracle/keeper"
)

// Aggregator is the oracle's part of the app-level PreBlocker.
type Aggregator struct {
	logger   log.Logger
	keeper   keeper.Keeper
	codec    PayloadCodec
	verified *VerifiedPayload
	gate     *InjectedTxGate
}

// NewAggregator returns the PreBlocker part: it reads the payloads of
// ProcessProposal through verified and tells the ante handler, through gate,
// which transaction is the block's payload.
func NewAggregator(logger log.Logger, k keeper.Keeper, codec PayloadCodec, verified *VerifiedPayload, gate *InjectedTxGate) *Aggregator {
	return &Aggregator{logger: logger, keeper: k, codec: codec, verified: verified, gate: gate}
}

// PreBlock reads the block's payload (decoded already when this node
// accepted the same bytes in ProcessProposal), admits it for execution, and
// records the QoS the validators agreed on. It never fails the block: any
// problem is logged and the block goes on without an update.
func (a *Aggregator) PreBlock(ctx sdk.Context, req *abci.RequestFinalizeBlock) {
	a.gate.expect(req.Height, nil)
	if !extensionsEnabledFor(ctx, req.Height) || len(req.Txs) == 0 {
		return
	}
	commit, readings, ok := a.verified.take(req.Height, req.Txs[0])
	if !ok {
		var err error
		if commit, err = a.codec.Decode(req.Txs[0], lastCommitVotes(ctx)); err != nil {
			if !errors.Is(err, errNotPayload) {
				a.logger.Error("cannot decode the oracle payload; no QoS update", "height", req.Height, "err", err)
			}
			return
		}
	}
	a.gate.expect(req.Height, req.Txs[0])
	err := blockwork.Run(ctx, func(ctx sdk.Context) error { return a.keeper.ApplyExtendedCommit(ctx, commit, readings) })
	if err != nil {
		a.logger.Error("oracle aggregation failed; no QoS update", "height", req.Height, "err", err)
	}
}
