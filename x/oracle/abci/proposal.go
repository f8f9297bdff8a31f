package abci

import (
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// ProposalHandler carries the previous height's signed extended commit in
// the block, at transaction index 0, and leaves every other transaction to
// the default handlers (and the app-side mempool).
type ProposalHandler struct {
	logger         log.Logger
	valStore       baseapp.ValidatorStore
	defaultPrepare sdk.PrepareProposalHandler
	defaultProcess sdk.ProcessProposalHandler
	verified       *VerifiedPayload
}

// NewProposalHandler wraps the default proposal handlers. The payloads
// ProcessProposal accepts are handed, decoded, to the PreBlocker through
// verified (nil: no hand-over).
func NewProposalHandler(logger log.Logger, valStore baseapp.ValidatorStore, prepare sdk.PrepareProposalHandler, process sdk.ProcessProposalHandler,
	verified *VerifiedPayload,
) *ProposalHandler {
	return &ProposalHandler{
		logger: logger, valStore: newPubKeyCache(valStore), defaultPrepare: prepare, defaultProcess: process, verified: verified,
	}
}

// PrepareProposal prunes invalid extensions from the local extended commit,
// checks that the rest carry at least 2/3 of the power, reserves the bytes of
// the payload and puts it first, then lets the default handler fill the block.
func (h *ProposalHandler) PrepareProposal() sdk.PrepareProposalHandler {
	return func(ctx sdk.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
		if !extensionsEnabledFor(ctx, req.Height) {
			return h.defaultPrepare(ctx, withoutPayloads(req))
		}
		commit := pruneCommit(req.LocalLastCommit, req.Height-1)
		if err := verifyExtensionSignatures(ctx, h.valStore, commit); err != nil {
			return nil, fmt.Errorf("local extended commit is not usable: %w", err)
		}
		payload, err := EncodePayload(commit)
		if err != nil {
			return nil, err
		}
		if int64(len(payload)) > req.MaxTxBytes {
			return nil, fmt.Errorf("oracle payload of %d bytes exceeds the block's %d bytes", len(payload), req.MaxTxBytes)
		}
		inner := *withoutPayloads(req)
		inner.MaxTxBytes -= int64(len(payload))
		resp, err := h.defaultPrepare(ctx, &inner)
		if err != nil {
			return nil, err
		}
		txs := make([][]byte, 0, len(resp.Txs)+1)
		txs = append(txs, payload)
		for _, tx := range resp.Txs {
			if !IsPayload(tx) {
				txs = append(txs, tx)
			}
		}
		return &abci.ResponsePrepareProposal{Txs: txs}, nil
	}
}

// ProcessProposal requires the payload at index 0 when extensions are due,
// checks it (structure, signatures, power, flags — nothing that depends on
// application state), forbids a payload anywhere else, and hands the other
// transactions to the default handler.
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
			if len(txs) == 0 || !IsPayload(txs[0]) {
				h.logger.Info("rejecting proposal without the oracle payload", "height", req.Height)
				return reject, nil
			}
			commit, err := DecodePayload(txs[0])
			if err != nil {
				h.logger.Info("rejecting proposal", "height", req.Height, "err", err)
				return reject, nil
			}
			exts, err := validateCommit(ctx, h.valStore, commit, req.Height)
			if err != nil {
				h.logger.Info("rejecting proposal with an invalid extended commit", "height", req.Height, "err", err)
				return reject, nil
			}
			handOver = func() { h.verified.remember(req.Height, req.Txs[0], commit, exts) }
			txs = txs[1:]
		}
		for _, tx := range txs {
			if IsPayload(tx) {
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

// withoutPayloads drops any payload-looking transaction from the request
// (none can reach the mempool, as none decodes; this is defence in depth).
func withoutPayloads(req *abci.RequestPrepareProposal) *abci.RequestPrepareProposal {
	out := *req
	out.Txs = make([][]byte, 0, len(req.Txs))
	for _, tx := range req.Txs {
		if !IsPayload(tx) {
			out.Txs = append(out.Txs, tx)
		}
	}
	return &out
}
