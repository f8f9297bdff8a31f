package app

import (
	"bytes"
	"cmp"
	"context"
	"slices"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
)

// sequenceOrderSelector is the default proposal handler's transaction
// selector (same choice of transactions, by block bytes and gas) that hands
// back each sender's transactions in the order of their sequences.
//
// CometBFT's mempool does not guarantee that order. Its CheckTx hands a
// transaction to the application under the ABCI lock but adds it to the
// mempool's list after the lock is released, so two transactions of one
// sender arriving together (over RPC and from a peer, or from two peers) can
// be listed in the opposite order from the one the application accepted
// them in (a known race: tendermint/tendermint#6219,
// bnb-chain/greenfield-cometbft#16). Proposals take the list in order, and
// a sender's transaction executed before its predecessor fails with a
// sequence mismatch, as does every later one of that sender in the block
// (seen under load; docs/performance-history.md, part 3). Decision: sort each sender's
// transactions by sequence within the selection, because it removes those
// failures without changing which transactions a block holds.
//
// Only the order within a sender changes: its transactions keep the
// positions the selection gave them and are sorted by sequence into them.
// Transactions with several signers, or without a public key in their
// signer info, keep their place. ProcessProposal does
// not require this order: a proposer that does not sort costs its senders
// failed transactions, as before, not safety.
type sequenceOrderSelector struct {
	baseapp.TxSelector
	candidates []candidateTx // every transaction offered, in order
}

// candidateTx is a transaction offered to the selector, with its sender and
// sequence when it has a single signer.
type candidateTx struct {
	bz     []byte
	sender string
	seq    uint64
	keyed  bool
}

func newSequenceOrderSelector() *sequenceOrderSelector {
	return &sequenceOrderSelector{TxSelector: baseapp.NewDefaultTxSelector()}
}

func (s *sequenceOrderSelector) SelectTxForProposal(ctx context.Context, maxTxBytes, maxBlockGas uint64, memTx sdk.Tx, txBz []byte) bool {
	c := candidateTx{bz: txBz}
	c.sender, c.seq, c.keyed = senderSequence(memTx)
	s.candidates = append(s.candidates, c)
	return s.TxSelector.SelectTxForProposal(ctx, maxTxBytes, maxBlockGas, memTx, txBz)
}

func (s *sequenceOrderSelector) Clear() {
	s.TxSelector.Clear()
	s.candidates = nil
}

// SelectedTxs returns the selected transactions with each sender's in
// sequence order.
func (s *sequenceOrderSelector) SelectedTxs(ctx context.Context) [][]byte {
	selected := s.TxSelector.SelectedTxs(ctx)
	// The selection is a subsequence of the candidates: pair them up.
	picked := make([]candidateTx, 0, len(selected))
	next := 0
	for _, bz := range selected {
		for next < len(s.candidates) && !bytes.Equal(s.candidates[next].bz, bz) {
			next++
		}
		if next == len(s.candidates) {
			return selected // cannot happen; never reorder what is not understood
		}
		picked = append(picked, s.candidates[next])
		next++
	}
	return sortBySequence(picked)
}

// sortBySequence returns the transactions with each sender's in ascending
// sequence order, in the positions they occupied. Senders already in order
// (nearly all) are left untouched.
func sortBySequence(txs []candidateTx) [][]byte {
	bySender := map[string][]int{} // sender → positions in txs
	var senders []string           // in order of first appearance
	for i, tx := range txs {
		if !tx.keyed {
			continue
		}
		if _, seen := bySender[tx.sender]; !seen {
			senders = append(senders, tx.sender)
		}
		bySender[tx.sender] = append(bySender[tx.sender], i)
	}
	out := make([][]byte, len(txs))
	for i, tx := range txs {
		out[i] = tx.bz
	}
	bySeq := func(a, b int) int { return cmp.Compare(txs[a].seq, txs[b].seq) }
	for _, sender := range senders {
		positions := bySender[sender]
		if slices.IsSortedFunc(positions, bySeq) {
			continue
		}
		sorted := slices.Clone(positions)
		slices.SortStableFunc(sorted, bySeq)
		for i, pos := range positions {
			out[pos] = txs[sorted[i]].bz
		}
	}
	return out
}

// senderSequence is the signer and sequence of a single-signer transaction,
// read in place from the decoded transaction's AuthInfo: the signer is
// named by its public key, which every SDK client puts in the signer info.
// (GetSigners would derive the signer from the messages, and
// GetSignaturesV2 rebuild every public key; this runs for each transaction
// of every proposal.) A transaction without a public key keeps its place.
func senderSequence(tx sdk.Tx) (sender string, seq uint64, ok bool) {
	p, isProto := tx.(protoTxProvider)
	if !isProto {
		return "", 0, false
	}
	ptx := p.GetProtoTx()
	if ptx == nil || ptx.AuthInfo == nil || len(ptx.AuthInfo.SignerInfos) != 1 {
		return "", 0, false
	}
	info := ptx.AuthInfo.SignerInfos[0]
	if info.PublicKey == nil || len(info.PublicKey.Value) == 0 {
		return "", 0, false
	}
	return info.PublicKey.TypeUrl + "/" + string(info.PublicKey.Value), info.Sequence, true
}

// protoTxProvider is implemented by the transactions x/auth/tx decodes (the
// only kind this app's TxDecoder returns).
type protoTxProvider interface {
	GetProtoTx() *txtypes.Tx
}
