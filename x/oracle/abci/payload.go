// Package abci holds the oracle's ABCI++ handlers: vote extensions
// (ExtendVote, VerifyVoteExtension), the proposal handlers that carry the
// signed extended commit in the block, and the pre-block aggregation.
package abci

import (
	"bytes"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// PayloadPrefix starts the pseudo-transaction at index 0 of a block that
// carries the previous height's extended commit. Its first byte, 0xFF, is a
// protobuf tag with wire type 7, which does not exist: no transaction
// decoder can ever read it as a transaction.
var PayloadPrefix = []byte("\xffFLASHBACK/VE/1\x00")

// MaxPayloadBytes bounds the payload: 200 validators with full extensions.
const MaxPayloadBytes = 2 << 20

// IsPayload reports whether tx is an oracle payload.
func IsPayload(tx []byte) bool { return bytes.HasPrefix(tx, PayloadPrefix) }

// EncodePayload wraps an extended commit into a payload.
func EncodePayload(commit abci.ExtendedCommitInfo) ([]byte, error) {
	bz, err := commit.Marshal()
	if err != nil {
		return nil, err
	}
	return append(append([]byte{}, PayloadPrefix...), bz...), nil
}

// DecodePayload reads the extended commit out of a payload.
func DecodePayload(tx []byte) (abci.ExtendedCommitInfo, error) {
	var commit abci.ExtendedCommitInfo
	if !IsPayload(tx) {
		return commit, fmt.Errorf("not an oracle payload")
	}
	if len(tx) > MaxPayloadBytes {
		return commit, fmt.Errorf("oracle payload is %d bytes, the limit is %d", len(tx), MaxPayloadBytes)
	}
	if err := commit.Unmarshal(tx[len(PayloadPrefix):]); err != nil {
		return commit, fmt.Errorf("undecodable oracle payload: %w", err)
	}
	return commit, nil
}

// extensionsEnabledFor reports whether the block at `height` carries the
// extensions of height-1: vote extensions were enabled at height-1.
func extensionsEnabledFor(ctx sdk.Context, height int64) bool {
	cp := ctx.ConsensusParams()
	return cp.Abci != nil && cp.Abci.VoteExtensionsEnableHeight > 0 && height > cp.Abci.VoteExtensionsEnableHeight
}
