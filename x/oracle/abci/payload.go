// Package abci holds the oracle's ABCI++ handlers: vote extensions
// (ExtendVote, VerifyVoteExtension), the proposal handlers that carry the
// signed extended commit in the block, the ante rule for the transaction
// that carries it, and the pre-block aggregation.
package abci

import (
	"bytes"
	"errors"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/cosmos/cosmos-sdk/client"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/x/authz"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// The payload is the block's first transaction from the enable height + 1
// on: a real transaction whose only message is MsgInjectVoteExtensions, with
// no signature, fee, memo or gas limit, so that explorers, indexers and
// `q txs` decode it like any other.

// Size bounds of the payload. Every extension in a commit passed
// VerifyVoteExtension (CometBFT drops the precommits whose extension it
// rejects) or is the proposer's own, checked by ExtendVote: so a vote takes
// at most MaxVoteExtensionBytes plus its fixed fields (validator address and
// power, flag, a signature of at most 64 bytes, protobuf framing), under
// maxVoteOverheadBytes (TestPayloadBoundHoldsTheLargestVote). The bound
// grows with the validator set, so no size of the set can make honest
// proposals too large to be accepted.
const (
	maxVoteOverheadBytes    = 128
	maxPayloadEnvelopeBytes = 1024 // transaction, message and commit framing
)

// MaxPayloadBytes is the largest payload a commit of `votes` votes can need.
func MaxPayloadBytes(votes int) int {
	return maxPayloadEnvelopeBytes + votes*(types.MaxVoteExtensionBytes+maxVoteOverheadBytes)
}

// errNotPayload: the transaction is not an oracle payload at all (as
// opposed to a payload that is malformed).
var errNotPayload = errors.New("not an oracle payload")

// PayloadCodec builds the payload transaction and reads it back, with the
// app's transaction encoding.
type PayloadCodec struct {
	txConfig client.TxConfig
}

// NewPayloadCodec returns a codec on the app's transaction config.
func NewPayloadCodec(txConfig client.TxConfig) PayloadCodec { return PayloadCodec{txConfig: txConfig} }

// Encode wraps an extended commit into the payload transaction.
func (c PayloadCodec) Encode(commit abci.ExtendedCommitInfo) ([]byte, error) {
	bz, err := commit.Marshal()
	if err != nil {
		return nil, err
	}
	return c.encodeMsg(&types.MsgInjectVoteExtensions{ExtendedCommit: bz})
}

func (c PayloadCodec) encodeMsg(msg *types.MsgInjectVoteExtensions) ([]byte, error) {
	b := c.txConfig.NewTxBuilder()
	if err := b.SetMsgs(msg); err != nil {
		return nil, err
	}
	return c.txConfig.TxEncoder()(b.GetTx())
}

// Decode reads the extended commit out of a payload for a block whose last
// commit has `votes` votes. It returns errNotPayload when tx is not a
// payload, and another error when it is one but is too large, not in its
// one canonical form (the exact bytes Encode produces: nothing added, such
// as a signature, memo or fee), or undecodable.
func (c PayloadCodec) Decode(tx []byte, votes int) (abci.ExtendedCommitInfo, error) {
	var commit abci.ExtendedCommitInfo
	decoded, err := c.txConfig.TxDecoder()(tx)
	if err != nil || !carriesPayload(decoded) {
		return commit, errNotPayload
	}
	if limit := MaxPayloadBytes(votes); len(tx) > limit {
		return commit, fmt.Errorf("oracle payload is %d bytes, the limit for %d votes is %d", len(tx), votes, limit)
	}
	msgs := decoded.GetMsgs()
	msg, ok := msgs[0].(*types.MsgInjectVoteExtensions)
	if len(msgs) != 1 || !ok {
		return commit, fmt.Errorf("the oracle payload transaction must carry exactly one %s", sdk.MsgTypeURL(&types.MsgInjectVoteExtensions{}))
	}
	canonical, err := c.encodeMsg(msg)
	if err != nil {
		return commit, err
	}
	if !bytes.Equal(canonical, tx) {
		return commit, fmt.Errorf("the oracle payload transaction is not in its canonical form (no signature, fee, memo or options)")
	}
	if err := commit.Unmarshal(msg.ExtendedCommit); err != nil {
		return commit, fmt.Errorf("undecodable extended commit in the oracle payload: %w", err)
	}
	if again, err := commit.Marshal(); err != nil || !bytes.Equal(again, msg.ExtendedCommit) {
		return commit, fmt.Errorf("the extended commit in the oracle payload is not canonically encoded")
	}
	return commit, nil
}

// injectedTypeURL appears in the bytes of any transaction that carries
// MsgInjectVoteExtensions, at any depth (an Any names its type).
var injectedTypeURL = []byte(sdk.MsgTypeURL(&types.MsgInjectVoteExtensions{}))

// IsPayload reports whether tx carries MsgInjectVoteExtensions, well-formed
// or not. Only a transaction that contains the message's type URL is
// decoded, so ordinary transactions cost a byte search.
func (c PayloadCodec) IsPayload(tx []byte) bool {
	if !bytes.Contains(tx, injectedTypeURL) {
		return false
	}
	decoded, err := c.txConfig.TxDecoder()(tx)
	return err == nil && carriesPayload(decoded)
}

// carriesPayload reports whether any message of tx is MsgInjectVoteExtensions,
// also inside authz's MsgExec, which runs its messages in the same
// transaction.
func carriesPayload(tx sdk.Tx) bool { return anyInjected(tx.GetMsgs()) }

func anyInjected(msgs []sdk.Msg) bool {
	for _, msg := range msgs {
		switch m := msg.(type) {
		case *types.MsgInjectVoteExtensions:
			return true
		case *authz.MsgExec:
			if inner, err := m.GetMessages(); err == nil && anyInjected(inner) {
				return true
			}
		}
	}
	return false
}

// extensionsEnabledFor reports whether the block at `height` carries the
// extensions of height-1: vote extensions were enabled at height-1.
func extensionsEnabledFor(ctx sdk.Context, height int64) bool {
	cp := ctx.ConsensusParams()
	return cp.Abci != nil && cp.Abci.VoteExtensionsEnableHeight > 0 && height > cp.Abci.VoteExtensionsEnableHeight
}
