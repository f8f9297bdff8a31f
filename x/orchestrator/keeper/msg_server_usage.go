package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// SubmitUsageReceipt bills a running deal's egress from the latest receipt
// its consumer signed. Receipts are cumulative: the deal pays for the bytes
// above those billed before, at the egress price it was requested at, from
// its escrow as far as the escrow goes (the rest is recorded as unpaid, and
// the deal runs dry and overdraws as it would for storage).
func (m msgServer) SubmitUsageReceipt(ctx context.Context, msg *types.MsgSubmitUsageReceipt) (*types.MsgSubmitUsageReceiptResponse, error) {
	params, err := m.k.params(ctx)
	if err != nil {
		return nil, err
	}
	d, err := m.k.getDeal(ctx, msg.DealId)
	if err != nil {
		return nil, err
	}
	if d.Provider != msg.Provider {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "deal %d is %s's, not %s's", d.Id, d.Provider, msg.Provider)
	}
	switch {
	case d.State == types.DEAL_STATE_CLOSED:
		return nil, errorsmod.Wrapf(types.ErrDealClosed, "deal %d is closed (%s): its egress is no longer billed", d.Id, d.CloseReason)
	case !d.Running():
		return nil, errorsmod.Wrapf(types.ErrInvalidState, "deal %d is %s: nothing was served yet", d.Id, d.State)
	}
	if msg.Sequence <= d.ReceiptSequence {
		return nil, errorsmod.Wrapf(types.ErrStaleReceipt, "receipt sequence %d is not above the last billed, %d", msg.Sequence, d.ReceiptSequence)
	}
	if msg.BytesServed <= d.EgressBilledBytes {
		return nil, errorsmod.Wrapf(types.ErrStaleReceipt, "the receipt's %d bytes are not above the %d already billed", msg.BytesServed, d.EgressBilledBytes)
	}
	if err := m.k.verifyReceipt(ctx, d, msg); err != nil {
		return nil, err
	}

	denom := params.Denom()
	var charged, unpaid sdkmath.Int
	added := msg.BytesServed - d.EgressBilledBytes
	if _, err := m.k.changeDeal(ctx, d, func(d *types.Deal) error {
		if err := m.k.settle(ctx, d, denom); err != nil {
			return err
		}
		cost := types.EgressCost(d.PricePerGbEgress, msg.BytesServed).Sub(types.EgressCost(d.PricePerGbEgress, d.EgressBilledBytes))
		charged = sdkmath.MinInt(cost, sdkmath.MaxInt(d.Escrow(), sdkmath.ZeroInt()))
		unpaid = cost.Sub(charged)
		d.EgressCharged = orZeroInt(d.EgressCharged).Add(charged)
		d.EgressUnpaid = orZeroInt(d.EgressUnpaid).Add(unpaid)
		d.EgressBilledBytes, d.ReceiptSequence = msg.BytesServed, msg.Sequence
		d.DueAt = nextDue(*d, params.OverdraftGracePeriod)
		return nil
	}); err != nil {
		return nil, err
	}
	return &types.MsgSubmitUsageReceiptResponse{Charged: charged}, typedevent.Emit(ctx, &types.EventEgressCharged{
		DealId: d.Id, Sequence: msg.Sequence, Bytes: added, BytesServed: msg.BytesServed,
		Charged: coin(denom, charged), Unpaid: coin(denom, unpaid),
	})
}

// verifyReceipt checks the receipt's signature with the consumer's account
// key, over UsageReceiptSignBytes for this chain.
func (k Keeper) verifyReceipt(ctx context.Context, d types.Deal, msg *types.MsgSubmitUsageReceipt) error {
	consumer, err := k.accAddress(d.Consumer)
	if err != nil {
		return err
	}
	acc := k.accounts.GetAccount(ctx, consumer)
	if acc == nil || acc.GetPubKey() == nil {
		return errorsmod.Wrapf(types.ErrInvalidReceipt, "consumer %s has no public key on chain to check its receipt with", d.Consumer)
	}
	signBytes := types.UsageReceiptSignBytes(types.UsageReceipt{
		ChainId: sdk.UnwrapSDKContext(ctx).ChainID(), DealId: d.Id, BytesServed: msg.BytesServed, Sequence: msg.Sequence,
	})
	if !acc.GetPubKey().VerifySignature(signBytes, msg.ConsumerSignature) {
		return errorsmod.Wrapf(types.ErrInvalidReceipt, "the receipt for %d bytes (sequence %d) is not signed by deal %d's consumer %s",
			msg.BytesServed, msg.Sequence, d.Id, d.Consumer)
	}
	return nil
}

func orZeroInt(i sdkmath.Int) sdkmath.Int {
	if i.IsNil() {
		return sdkmath.ZeroInt()
	}
	return i
}
