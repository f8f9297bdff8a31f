package node

import (
	"context"
	"errors"
	"strings"
	"time"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/api/provider/chain"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// withdrawDue reports whether the withdrawal schedule calls for a round.
// The first round comes one interval after the node starts (or after the
// last withdrawal recorded in the state file).
func (n *Node) withdrawDue() bool {
	interval := n.cfg.Withdraw.Interval.Duration
	if interval == 0 {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.lastWithdrawn.IsZero() {
		n.lastWithdrawn = time.Now()
		return false
	}
	return time.Since(n.lastWithdrawn) >= interval
}

// withdraw withdraws the earnings of the tracked deals: running deals whose
// earnings reached withdraw.min_earnings, and whatever closed ones still
// hold. Deals are batched up to the module's limit per transaction. A
// removed deal with nothing left is forgotten.
func (n *Node) withdraw(ctx context.Context) {
	var ids []uint64
	phase := map[uint64]string{}
	n.locked(func() {
		n.lastWithdrawn = time.Now()
		for _, d := range n.st.sortedDeals() {
			ids = append(ids, d.ID)
			phase[d.ID] = d.Phase
		}
	})

	minEarnings := sdkmath.NewIntFromUint64(n.cfg.Withdraw.MinEarnings)
	var due, forget []uint64
	for _, id := range ids {
		res, err := n.chain.Deal(ctx, id)
		if chain.IsNotFound(err) {
			forget = append(forget, id)
			continue
		}
		if err != nil {
			if ctx.Err() == nil {
				n.once.errorf(n.logger, "withdraw", err.Error(), "reading deals' earnings failed; withdrawing at the next scheduled round", "err", err)
			}
			return
		}
		gross := orZero(res.Escrow.Withdrawable).Add(orZero(res.Escrow.WithdrawableFee))
		closed := res.Deal.State == orchestratortypes.DEAL_STATE_CLOSED
		switch {
		case gross.IsPositive() && (closed || gross.GTE(minEarnings)):
			due = append(due, id)
		case closed && !gross.IsPositive() && phase[id] == phaseRemoved:
			forget = append(forget, id)
		}
	}
	if len(forget) > 0 {
		n.locked(func() {
			for _, id := range forget {
				delete(n.st.Deals, id)
			}
		})
	}
	if len(due) == 0 {
		n.logger.Debug("withdrawal round: nothing due")
		return
	}
	provider := n.Provider()
	for start := 0; start < len(due); start += orchestratortypes.MaxWithdrawDeals {
		batch := due[start:min(start+orchestratortypes.MaxWithdrawDeals, len(due))]
		res, err := n.chain.Send(ctx, &orchestratortypes.MsgWithdrawEarnings{Provider: provider, DealIds: batch})
		if ctx.Err() != nil {
			return // shutting down; the next run withdraws
		}
		if err != nil {
			var txErr *chain.TxError
			if errors.As(err, &txErr) && txErr.Codespace == orchestratortypes.ModuleName && txErr.Code == orchestratortypes.ErrNothingToWithdraw.ABCICode() ||
				strings.Contains(err.Error(), orchestratortypes.ErrNothingToWithdraw.Error()) {
				n.logger.Debug("withdrawal round: nothing to withdraw", "deals", batch)
				continue
			}
			n.m.withdrawals.WithLabelValues("error").Inc()
			n.m.txErrors.WithLabelValues("withdraw").Inc()
			n.once.errorf(n.logger, "withdraw", err.Error(), "withdrawing earnings failed; retrying at the next scheduled round", "deals", batch, "err", err)
			continue
		}
		n.once.clear("withdraw")
		n.m.withdrawals.WithLabelValues("ok").Inc()
		net, fee := "unknown", "unknown"
		var out orchestratortypes.MsgWithdrawEarningsResponse
		if err := res.MsgResponse(0, &out); err != nil || out.Net.Amount.IsNil() || out.Fee.Amount.IsNil() {
			n.logger.Error("withdrawal included, but its response is unreadable", "tx", res.Hash, "err", err)
		} else {
			net, fee = out.Net.String(), out.Fee.String()
			if out.Net.Amount.IsInt64() {
				n.m.withdrawnNet.Add(float64(out.Net.Amount.Int64()))
			}
		}
		n.logger.Info("earnings withdrawn", "deals", batch, "net", net, "fee", fee, "tx", res.Hash)
		n.locked(func() {
			n.st.LastWithdrawal = &withdrawal{Time: time.Now().UTC(), Deals: batch, Net: net, Fee: fee, TxHash: res.Hash}
		})
	}
}

// orZero reads an amount of a chain answer, absent meaning zero (a nil
// math.Int would panic in arithmetic).
func orZero(i sdkmath.Int) sdkmath.Int {
	if i.IsNil() {
		return sdkmath.ZeroInt()
	}
	return i
}
