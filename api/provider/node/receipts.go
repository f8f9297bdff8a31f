package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flashbacknetwork/flashbackd/api/provider/chain"
	"github.com/flashbacknetwork/flashbackd/api/receipts"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// receiptKeyTimeout bounds the chain query for a consumer's public key made
// while a receipt upload waits for its answer.
const receiptKeyTimeout = 10 * time.Second

// takeReceipt checks a usage receipt uploaded to deal dealID's bucket (the
// gateway has authenticated the upload with the deal's credentials) and
// keeps it when it bills more than the receipt held. It checks what the
// chain will, so that a bridge learns at once that a receipt is worthless,
// and a provider never pays gas for a receipt the chain refuses. Receipts
// are cumulative: only the latest is kept, and a lost one costs nothing.
func (n *Node) takeReceipt(dealID uint64, body []byte) error {
	s, err := receipts.Decode(body)
	if err != nil {
		return err
	}
	r := s.Receipt
	if r.DealId != dealID {
		return fmt.Errorf("the receipt is for deal %d but was uploaded to deal %d's bucket", r.DealId, dealID)
	}
	var consumer, chainID string
	var held *heldReceipt
	var billed billedEgress
	n.locked(func() {
		if td := n.st.Deals[dealID]; td != nil && td.Phase == phaseRunning {
			consumer, held, billed = td.Consumer, td.Receipt, td.Billed
		}
		chainID = n.st.ChainID
	})
	switch {
	case consumer == "":
		return fmt.Errorf("deal %d is not running: its egress is no longer billed", dealID)
	case chainID != "" && r.ChainId != chainID:
		return fmt.Errorf("the receipt is signed for chain %q; this node serves %q", r.ChainId, chainID)
	case r.Sequence <= billed.Sequence || r.BytesServed <= billed.Bytes:
		return fmt.Errorf("the receipt (sequence %d, %d bytes) bills nothing new: the chain has billed sequence %d, %d bytes",
			r.Sequence, r.BytesServed, billed.Sequence, billed.Bytes)
	case held != nil && (r.Sequence <= held.Sequence || r.BytesServed < held.BytesServed):
		return fmt.Errorf("the receipt (sequence %d, %d bytes) is older than the one held (sequence %d, %d bytes)",
			r.Sequence, r.BytesServed, held.Sequence, held.BytesServed)
	}

	ctx, cancel := context.WithTimeout(context.Background(), receiptKeyTimeout)
	defer cancel()
	pub, err := n.chain.AccountPubKey(ctx, consumer)
	if err != nil {
		return fmt.Errorf("the consumer's public key could not be read from the chain (try again): %w", err)
	}
	if err := receipts.Verify(pub, s); err != nil {
		return err
	}
	n.locked(func() {
		td := n.st.Deals[dealID]
		if td == nil || td.Phase != phaseRunning || (td.Receipt != nil && td.Receipt.Sequence >= r.Sequence) {
			return // a newer receipt got in first
		}
		td.Receipt = &heldReceipt{BytesServed: r.BytesServed, Sequence: r.Sequence, Signature: s.Signature, ReceivedAt: time.Now().UTC()}
	})
	n.m.receipts.WithLabelValues("accepted").Inc()
	return nil
}

// dueReceipt is a held receipt to submit.
type dueReceipt struct {
	dealID uint64
	r      heldReceipt
}

// dueReceipts are the held receipts that bill new bytes and whose time has
// come: the deal's first, one that bills at least submit_min_bytes, one
// submit_interval after the deal's last, and any of a deal that ends
// within submit_interval (its last chance).
func (n *Node) dueReceipts(now time.Time) []dueReceipt {
	interval := n.cfg.Receipts.SubmitInterval.Duration
	var due []dueReceipt
	n.locked(func() {
		for _, td := range n.st.sortedDeals() {
			r := td.Receipt
			if td.Phase != phaseRunning || r == nil || r.Sequence <= td.Billed.Sequence || r.BytesServed <= td.Billed.Bytes {
				continue
			}
			last := td.Billed.SubmittedAt
			ending := td.EndTime != nil && td.EndTime.Sub(now) <= interval
			if last == nil || now.Sub(*last) >= interval || ending || r.BytesServed-td.Billed.Bytes >= n.cfg.Receipts.SubmitMinBytes {
				due = append(due, dueReceipt{dealID: td.ID, r: *r})
			}
		}
	})
	return due
}

// submitReceipts submits the receipts that are due, one transaction each
// (a receipt that fails must not hold back the others).
func (n *Node) submitReceipts(ctx context.Context) {
	if n.cfg.Receipts.SubmitInterval.Duration == 0 {
		return
	}
	provider := n.Provider()
	for _, d := range n.dueReceipts(time.Now()) {
		res, err := n.chain.Send(ctx, &orchestratortypes.MsgSubmitUsageReceipt{
			Provider: provider, DealId: d.dealID, BytesServed: d.r.BytesServed, Sequence: d.r.Sequence, ConsumerSignature: d.r.Signature,
		})
		if ctx.Err() != nil {
			return
		}
		now := time.Now().UTC()
		if err != nil {
			n.m.receipts.WithLabelValues("refused").Inc()
			n.m.txErrors.WithLabelValues("receipt").Inc()
			var txErr *chain.TxError
			if errors.As(err, &txErr) && txErr.Codespace == orchestratortypes.ModuleName &&
				(txErr.Code == orchestratortypes.ErrStaleReceipt.ABCICode() || txErr.Code == orchestratortypes.ErrInvalidReceipt.ABCICode() ||
					txErr.Code == orchestratortypes.ErrDealClosed.ABCICode()) {
				// The chain will never take it: drop it, and wait for the
				// consumer's next receipt.
				n.locked(func() {
					if td := n.st.Deals[d.dealID]; td != nil && td.Receipt != nil && td.Receipt.Sequence == d.r.Sequence {
						td.Receipt = nil
					}
				})
				n.logger.Error("usage receipt refused by the chain; dropped", "deal", d.dealID, "sequence", d.r.Sequence, "err", err)
				continue
			}
			n.once.errorf(n.logger, "receipt/"+itoa(d.dealID), err.Error(), "submitting a usage receipt failed; retrying at the next round", "deal", d.dealID, "err", err)
			continue
		}
		n.once.clear("receipt/" + itoa(d.dealID))
		charged := "unknown"
		var out orchestratortypes.MsgSubmitUsageReceiptResponse
		if err := res.MsgResponse(0, &out); err == nil && !out.Charged.IsNil() {
			charged = out.Charged.String() + "uflash"
		}
		n.m.receipts.WithLabelValues("submitted").Inc()
		n.logger.Info("usage receipt billed", "deal", d.dealID, "sequence", d.r.Sequence, "bytes_served", d.r.BytesServed, "charged", charged, "tx", res.Hash)
		n.locked(func() {
			if td := n.st.Deals[d.dealID]; td != nil {
				td.Billed = billedEgress{Bytes: d.r.BytesServed, Sequence: d.r.Sequence, SubmittedAt: &now}
			}
		})
	}
}
