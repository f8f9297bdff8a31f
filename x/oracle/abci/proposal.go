package abci

import (
	"errors"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// ProposalHandler carries the previous height's signed extended commit in
// the block, as the payload transaction at index 0, and leaves every other
// transaction to the default handlers.
type ProposalHandler struct {
	logger         log.Logger
	valStore       baseapp.ValidatorStore
	codec          PayloadCodec
	defaultPrepare sdk.PrepareProposalHandler
	defaultProcess sdk.ProcessProposalHandler
	verified       *VerifiedPayload
}

// NewProposalHandler wraps the default proposal handlers. The payloads
// ProcessProposal accepts are handed, decoded, to the PreBlocker through
// verified (nil: no hand-over).
func NewProposalHandler(logger log.Logger, valStore baseapp.ValidatorStore, codec PayloadCodec,
	prepare sdk.PrepareProposalHandler, process sdk.ProcessProposalHandler, verified *VerifiedPayload,
) *ProposalHandler {
	return &ProposalHandler{
		logger: logger, valStore: newPubKeyCache(valStore), codec: codec,
		defaultPrepare: prepare, defaultProcess: process, verified: verified,
	}
}

// PrepareProposal puts the local extended commit, whole, into the payload,
// checks that its signed extensions carry more than 2/3 of the power,
// reserves the payload's framed size out of MaxTxBytes (CometBFT counts each
// transaction's protobuf framing against the block's limit), and lets the
// default handler fill the rest of the block.
func (h *ProposalHandler) PrepareProposal() sdk.PrepareProposalHandler {
	return func(ctx sdk.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
		inner := *req
		inner.Txs = h.withoutPayloads(req.Txs)
		if !extensionsEnabledFor(ctx, req.Height) {
			return h.defaultPrepare(ctx, &inner)
		}
		commit := req.LocalLastCommit
		if err := verifyExtensionSignatures(ctx, h.valStore, commit); err != nil {
			return nil, fmt.Errorf("local extended commit is not usable: %w", err)
		}
		payload, err := h.codec.Encode(commit)
		if err != nil {
			return nil, err
		}
		reserved := cmttypes.ComputeProtoSizeForTxs([]cmttypes.Tx{payload})
		if reserved > req.MaxTxBytes {
			return nil, fmt.Errorf("oracle payload needs %d bytes, the block allows %d: raise the max_bytes consensus param", reserved, req.MaxTxBytes)
		}
		inner.MaxTxBytes -= reserved
		resp, err := h.defaultPrepare(ctx, &inner)
		if err != nil {
			return nil, err
		}
		txs := make([][]byte, 0, len(resp.Txs)+1)
		txs = append(txs, payload)
		txs = append(txs, resp.Txs...)
		return &abci.ResponsePrepareProposal{Txs: txs}, nil
	}
}

// ProcessProposal requires the payload at index 0 when extensions are due,
// checks it (structure, signatures, power, flags — nothing that depends on
// application state), forbids the payload's message anywhere else, and hands
// the other transactions to the default handler.
func (h *ProposalHandler) ProcessProposal() sdk.ProcessProposalHandler {
	return func(ctx sdk.Context, req *abci.RequestProcessProposal) (resp *abci.ResponseProcessProposal, err error) {
		reject := &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}
		defer func() {
			if r := recover(); r != nil {
				h.logger.Error("recovered a panic in ProcessProposal; rejecting", "height", req.Height, "panic", r)
				resp, err = reject, nil
			}
		}()
		txs := req.Txs
		var handOver func() // hands the decoded payload to the PreBlocker once the block is accepted
		if extensionsEnabledFor(ctx, req.Height) {
			if len(txs) == 0 {
				h.logger.Info("rejecting proposal without the oracle payload", "height", req.Height)
				return reject, nil
			}
			commit, err := h.codec.Decode(txs[0], lastCommitVotes(ctx))
			if err != nil {
				if errors.Is(err, errNotPayload) {
					err = fmt.Errorf("the first transaction is not the oracle payload")
				}
				h.logger.Info("rejecting proposal", "height", req.Height, "err", err)
				return reject, nil
			}
			readings, err := validateCommit(ctx, h.valStore, commit, req.Height)
			if err != nil {
				h.logger.Info("rejecting proposal with an invalid extended commit", "height", req.Height, "err", err)
				return reject, nil
			}
			handOver = func() { h.verified.remember(req.Height, req.Txs[0], commit, readings) }
			txs = txs[1:]
		}
		for _, tx := range txs {
			if h.codec.IsPayload(tx) {
				h.logger.Info("rejecting proposal with a misplaced oracle payload", "height", req.Height)
				return reject, nil
			}
		}
		inner := *req
		inner.Txs = txs
		resp, err = h.defaultProcess(ctx, &inner)
		if handOver != nil && err == nil && resp != nil && resp.Status == abci.ResponseProcessProposal_ACCEPT {
			handOver()
		}
		return resp, err
	}
}

// withoutPayloads drops transactions that carry the payload's message.
// CheckTx refuses them, so none should reach the mempool: this only keeps an
// honest proposer's block valid whatever its mempool holds.
func (h *ProposalHandler) withoutPayloads(txs [][]byte) [][]byte {
	out := make([][]byte, 0, len(txs))
	for _, tx := range txs {
		if !h.codec.IsPayload(tx) {
			out = append(out, tx)
		}
	}
	return out
}

// lastCommitVotes is the number of votes in the last commit of the block
// being proposed or executed (0 when there is none).
func lastCommitVotes(ctx sdk.Context) int {
	last := ctx.CometInfo().GetLastCommit()
	if last == nil || last.Votes() == nil {
		return 0
	}
	return last.Votes().Len()
}
