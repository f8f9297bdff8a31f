package abci

import (
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"cosmossdk.io/log"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/oracle/keeper"
)

// Aggregate is the oracle's part of the app-level PreBlocker: it reads the
// payload ProcessProposal verified (decoded already when verified holds it)
// and records the QoS the validators agreed on. It never fails the block:
// any problem is logged and the block goes on without an update.
func Aggregate(ctx sdk.Context, logger log.Logger, k keeper.Keeper, req *abci.RequestFinalizeBlock, verified *VerifiedPayload) {
	if !extensionsEnabledFor(ctx, req.Height) || len(req.Txs) == 0 || !IsPayload(req.Txs[0]) {
		return
	}
	commit, exts, ok := verified.take(req.Height, req.Txs[0])
	if !ok {
		var err error
		if commit, err = DecodePayload(req.Txs[0]); err != nil {
			logger.Error("cannot decode the oracle payload; no QoS update", "height", req.Height, "err", err)
			return
		}
	}
	cacheCtx, write := ctx.CacheContext()
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return k.ApplyExtendedCommit(cacheCtx, commit, exts)
	}()
	if err != nil {
		logger.Error("oracle aggregation failed; no QoS update", "height", req.Height, "err", err)
		return
	}
	write()
}
