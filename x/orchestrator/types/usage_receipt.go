package types

import (
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
)

// usageReceiptPrefix starts the bytes a consumer signs for a usage receipt,
// so that they can never be mistaken for a transaction's sign bytes or any
// other message signed with the same key.
const usageReceiptPrefix = "flashback/usage-receipt/v1\n"

// MaxReceiptSignature bounds a usage receipt's signature (secp256k1 and
// ed25519 signatures are 64 bytes).
const MaxReceiptSignature = 128

// BytesPerGB is the "GB" of egress prices: 10^9 bytes.
const BytesPerGB = 1_000_000_000

// UsageReceiptSignBytes are the bytes a deal's consumer signs with its
// account key for receipt r.
func UsageReceiptSignBytes(r UsageReceipt) []byte {
	bz, err := r.Marshal()
	if err != nil {
		panic(err) // a message of scalars always marshals
	}
	return append([]byte(usageReceiptPrefix), bz...)
}

// EgressCost is the cumulative cost of the first `bytes` served at
// pricePerGB: floored on the cumulative amount, so that billing in many
// receipts costs exactly what one receipt would.
func EgressCost(pricePerGB, bytes uint64) sdkmath.Int {
	return sdkmath.NewIntFromUint64(pricePerGB).Mul(sdkmath.NewIntFromUint64(bytes)).QuoRaw(BytesPerGB)
}

// ValidateBasic checks MsgSubmitUsageReceipt.
func (m *MsgSubmitUsageReceipt) ValidateBasic() error {
	if err := validateDealAction("provider", m.Provider, m.DealId); err != nil {
		return err
	}
	if m.Sequence == 0 {
		return errorsmod.Wrap(ErrInvalidReceipt, "sequence starts at 1")
	}
	if m.BytesServed == 0 {
		return errorsmod.Wrap(ErrInvalidReceipt, "a receipt bills at least one byte")
	}
	if len(m.ConsumerSignature) == 0 || len(m.ConsumerSignature) > MaxReceiptSignature {
		return errorsmod.Wrapf(ErrInvalidReceipt, "the consumer's signature must be 1 to %d bytes, got %d", MaxReceiptSignature, len(m.ConsumerSignature))
	}
	return nil
}
