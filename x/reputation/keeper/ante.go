package keeper

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// RatingAdmissionDecorator refuses in CheckTx (new and recheck) a rating
// that its block would refuse: the SDK runs no message handler in CheckTx,
// so without it a rating of a deal that has not paid min_rating_payment yet,
// or of a deal already rated, entered the mempool with code 0, cost its fee
// and failed in the block ("paid 0uflash", seen in the upgrade test).
//
// It judges on the check state, at the last block's time: what a running
// deal has paid only grows with time, so a rating it admits is one the next
// block accepts unless that block changes the deal first (an SLA round
// refunding the epoch, a close, another rating of the same deal in the
// block). It does nothing in FinalizeBlock and in simulation, where the
// handler decides, so a block's result never depends on it (DESIGN §7).
type RatingAdmissionDecorator struct {
	k Keeper
}

// NewRatingAdmissionDecorator returns the decorator over k.
func NewRatingAdmissionDecorator(k Keeper) RatingAdmissionDecorator {
	return RatingAdmissionDecorator{k: k}
}

// AnteHandle checks every MsgRateProvider of a transaction in CheckTx.
func (d RatingAdmissionDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	if ctx.IsCheckTx() && !simulate {
		for _, msg := range tx.GetMsgs() {
			if m, ok := msg.(*types.MsgRateProvider); ok {
				if err := d.k.CheckRating(ctx, m); err != nil {
					return ctx, err
				}
			}
		}
	}
	return next(ctx, tx, simulate)
}
