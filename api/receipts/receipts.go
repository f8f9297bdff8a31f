// Package receipts is the off-chain side of egress billing: a deal's
// consumer signs cumulative usage receipts (x/orchestrator's UsageReceipt)
// for the bytes its provider served, its bridge uploads the latest one to
// the deal's bucket under layout.ReceiptKey, and the provider node checks
// it and submits it on chain (MsgSubmitUsageReceipt).
//
// On the wire a receipt is a small JSON document, so that it can be read
// and written with any S3 client and any language:
//
//	{"chain_id":"flashback-1","deal_id":"7","bytes_served":"5000000000","sequence":"12","signature":"<base64>"}
//
// Integers are decimal strings (JSON numbers lose precision above 2^53).
package receipts

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	signingtypes "github.com/cosmos/cosmos-sdk/types/tx/signing"

	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// MaxSize bounds an encoded receipt; anything longer is refused unread.
const MaxSize = 1024

// Signed is a usage receipt with its consumer's signature.
type Signed struct {
	Receipt   orchestratortypes.UsageReceipt
	Signature []byte
}

type wire struct {
	ChainID     string `json:"chain_id"`
	DealID      string `json:"deal_id"`
	BytesServed string `json:"bytes_served"`
	Sequence    string `json:"sequence"`
	Signature   string `json:"signature"`
}

// Encode writes s in its wire form.
func Encode(s Signed) []byte {
	bz, err := json.Marshal(wire{
		ChainID:     s.Receipt.ChainId,
		DealID:      strconv.FormatUint(s.Receipt.DealId, 10),
		BytesServed: strconv.FormatUint(s.Receipt.BytesServed, 10),
		Sequence:    strconv.FormatUint(s.Receipt.Sequence, 10),
		Signature:   base64.StdEncoding.EncodeToString(s.Signature),
	})
	if err != nil {
		panic(err) // strings only
	}
	return bz
}

// Decode reads a receipt in its wire form. Every field is required; unknown
// fields are refused, so a typo is an error rather than a zero.
func Decode(bz []byte) (Signed, error) {
	if len(bz) > MaxSize {
		return Signed{}, fmt.Errorf("a usage receipt is at most %d bytes, got %d", MaxSize, len(bz))
	}
	dec := json.NewDecoder(bytes.NewReader(bz))
	dec.DisallowUnknownFields()
	var w wire
	if err := dec.Decode(&w); err != nil {
		return Signed{}, fmt.Errorf("usage receipt: %w", err)
	}
	if dec.More() {
		return Signed{}, errors.New("usage receipt: trailing data after the JSON object")
	}
	if w.ChainID == "" {
		return Signed{}, errors.New("usage receipt: chain_id is required")
	}
	var s Signed
	s.Receipt.ChainId = w.ChainID
	for _, f := range []struct {
		name string
		in   string
		out  *uint64
	}{{"deal_id", w.DealID, &s.Receipt.DealId}, {"bytes_served", w.BytesServed, &s.Receipt.BytesServed}, {"sequence", w.Sequence, &s.Receipt.Sequence}} {
		v, err := strconv.ParseUint(f.in, 10, 64)
		if err != nil || v == 0 {
			return Signed{}, fmt.Errorf("usage receipt: %s must be a positive decimal integer, got %q", f.name, f.in)
		}
		*f.out = v
	}
	sig, err := base64.StdEncoding.DecodeString(w.Signature)
	if err != nil || len(sig) == 0 || len(sig) > orchestratortypes.MaxReceiptSignature {
		return Signed{}, fmt.Errorf("usage receipt: signature must be 1 to %d bytes in base64", orchestratortypes.MaxReceiptSignature)
	}
	s.Signature = sig
	return s, nil
}

// Sign signs r with the keyring key uid: the consumer's account key, whose
// public key the chain checks the receipt against.
func Sign(kr keyring.Keyring, uid string, r orchestratortypes.UsageReceipt) (Signed, error) {
	sig, _, err := kr.Sign(uid, orchestratortypes.UsageReceiptSignBytes(r), signingtypes.SignMode_SIGN_MODE_DIRECT)
	if err != nil {
		return Signed{}, fmt.Errorf("signing usage receipt: %w", err)
	}
	return Signed{Receipt: r, Signature: sig}, nil
}

// Verify checks s's signature with the consumer's public key, exactly as
// x/orchestrator will.
func Verify(pub cryptotypes.PubKey, s Signed) error {
	if pub == nil {
		return errors.New("the consumer has no public key on chain yet (it has never sent a transaction)")
	}
	if !pub.VerifySignature(orchestratortypes.UsageReceiptSignBytes(s.Receipt), s.Signature) {
		return errors.New("the usage receipt is not signed by the deal's consumer")
	}
	return nil
}
