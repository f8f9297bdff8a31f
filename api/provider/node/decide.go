package node

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/api/provider/chain"
	"github.com/flashbacknetwork/flashbackd/api/provider/policy"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// decidePending accepts or declines, by the policy, every pending request
// on a unit of this node that is ready for new deals. A request on a unit
// with a problem (wrong endpoint, …) is left pending: the problem is in
// the log and the status. A decision whose transaction fails is decided
// again next round.
func (n *Node) decidePending(ctx context.Context, provider string, unitsOK map[uint64]bool) error {
	pending, err := n.chain.ProviderDeals(ctx, provider, orchestratortypes.DEAL_STATE_PENDING)
	if err != nil {
		return fmt.Errorf("listing pending requests: %w", err)
	}
	for _, d := range pending {
		if !n.servesUnit(d.UnitId) {
			n.once.warnf(n.logger, "foreign/"+itoa(d.UnitId), "pending", "a request names a unit this node does not serve (not in provider.toml); left to another node", "unit", d.UnitId, "deal", d.Id)
			continue
		}
		if !unitsOK[d.UnitId] {
			n.once.warnf(n.logger, "pending/"+itoa(d.Id), "unit", "request left pending: its unit is not ready for new deals (see the unit's problem)", "deal", d.Id, "unit", d.UnitId)
			continue
		}
		req, key, err := n.requestOf(ctx, d)
		if err != nil {
			return err
		}
		n.apply(ctx, provider, d, key, n.policy.Decide(req))
	}
	return nil
}

// requestOf gathers what the policy needs about a pending deal, and the
// consumer's access key.
func (n *Node) requestOf(ctx context.Context, d orchestratortypes.Deal) (policy.Request, []byte, error) {
	req := policy.Request{
		DealID: d.Id, UnitID: d.UnitId, Consumer: d.Consumer, CapacityGB: d.CapacityGb, PricePerGBMonth: d.PricePerGbMonth,
	}
	consumer, err := n.chain.Consumer(ctx, d.Consumer)
	switch {
	case chain.IsNotFound(err):
	case err != nil:
		return req, nil, fmt.Errorf("reading consumer %s: %w", d.Consumer, err)
	default:
		req.ConsumerVerified = consumer.Verified
	}
	key, err := n.consumerKey(ctx, d.Consumer)
	if err != nil {
		return req, nil, err
	}
	req.ConsumerHasKey = len(key) > 0
	req.Room, req.RoomKnown, err = n.room(d.UnitId)
	if err != nil {
		return req, nil, fmt.Errorf("measuring unit %d's free space: %w", d.UnitId, err)
	}
	return req, key, nil
}

// apply sends the decision's transaction, and on an acceptance starts
// tracking the deal at once so that its bucket is served this round.
func (n *Node) apply(ctx context.Context, provider string, d orchestratortypes.Deal, consumerKey []byte, dec policy.Decision) {
	var msg sdk.Msg = &orchestratortypes.MsgAcceptDeal{Provider: provider, DealId: d.Id}
	kind, label := "accept", "accept"
	if !dec.Accept {
		msg = &orchestratortypes.MsgDeclineDeal{Provider: provider, DealId: d.Id, Reason: truncate(dec.Reason, orchestratortypes.MaxDeclineReason)}
		kind, label = "decline", "decline"
	}
	started := time.Now()
	res, err := n.chain.Send(ctx, msg)
	if ctx.Err() != nil {
		return // shutting down: decided again at the next start
	}
	rec := DecisionStatus{Time: time.Now().UTC(), DealID: d.Id, UnitID: d.UnitId, Consumer: d.Consumer, Accept: dec.Accept, Rule: dec.Code, Reason: dec.Reason}
	if err != nil {
		rec.Error = err.Error()
		n.m.txErrors.WithLabelValues(kind).Inc()
		n.once.errorf(n.logger, "decide/"+itoa(d.Id), err.Error(), "sending a deal decision failed; the request stays pending and is decided again",
			"deal", d.Id, "decision", kind, "err", err)
		n.recordDecision(rec)
		return
	}
	rec.TxHash = res.Hash
	n.once.clear("decide/" + itoa(d.Id))
	n.once.clear("pending/" + itoa(d.Id))
	n.m.decisions.WithLabelValues(label, dec.Code).Inc()
	if dec.Accept {
		n.logger.Info("deal request accepted", "deal", d.Id, "unit", d.UnitId, "consumer", d.Consumer, "capacity_gb", d.CapacityGb,
			"price_per_gb_month", d.PricePerGbMonth.String(), "tx", res.Hash, "took", time.Since(started).Round(time.Millisecond).String())
	} else {
		n.logger.Info("deal request declined", "deal", d.Id, "unit", d.UnitId, "consumer", d.Consumer, "rule", dec.Code, "reason", dec.Reason, "tx", res.Hash)
	}
	if dec.Accept {
		n.locked(func() {
			n.st.Deals[d.Id] = &trackedDeal{ID: d.Id, UnitID: d.UnitId, Consumer: d.Consumer, CapacityGB: d.CapacityGb,
				ConsumerKey: consumerKey, Phase: phaseRunning, ChainState: orchestratortypes.DEAL_STATE_ACTIVE.String()}
		})
	}
	n.recordDecision(rec)
}

func (n *Node) recordDecision(rec DecisionStatus) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.decisions = append(n.decisions, rec)
	if len(n.decisions) > maxDecisions {
		n.decisions = n.decisions[len(n.decisions)-maxDecisions:]
	}
}

// room is the storage unit id can still take for new deals, in bytes: the
// free space of a posix unit's file system, less what the deals it serves
// may still write; capped by the unit's capacity_gb less its deals'
// capacity. known is false for an s3 unit without capacity_gb.
func (n *Node) room(unitID uint64) (room uint64, known bool, err error) {
	u, _ := n.cfg.Unit(unitID)
	stored := map[uint64]uint64{}
	for _, us := range n.gw.Usage() {
		stored[us.DealID] = us.StoredBytes + us.ReservedBytes
	}
	unwritten, committed := sdkmath.ZeroInt(), sdkmath.ZeroInt()
	n.locked(func() {
		for _, d := range n.st.Deals {
			if d.UnitID != unitID || d.Phase == phaseRemoved {
				continue
			}
			q := sdkmath.NewIntFromUint64(quotaBytes(d.CapacityGB))
			committed = committed.Add(q)
			if left := q.Sub(sdkmath.NewIntFromUint64(stored[d.ID])); left.IsPositive() {
				unwritten = unwritten.Add(left)
			}
		}
	})

	best := sdkmath.Int{}
	if u.Posix != nil {
		var fs unix.Statfs_t
		dir := filepath.Join(n.cfg.Path(n.cfg.Server.DataDir), u.Posix.Dir)
		if err := unix.Statfs(dir, &fs); err != nil {
			return 0, false, err
		}
		free := sdkmath.NewIntFromUint64(fs.Bavail).Mul(sdkmath.NewInt(int64(fs.Bsize)))
		best = free.Sub(unwritten)
	}
	if u.CapacityGB > 0 {
		capRoom := sdkmath.NewIntFromUint64(quotaBytes(u.CapacityGB)).Sub(committed)
		if best.IsNil() || capRoom.LT(best) {
			best = capRoom
		}
	}
	if best.IsNil() {
		return 0, false, nil
	}
	if !best.IsPositive() {
		return 0, true, nil
	}
	if !best.IsUint64() {
		return ^uint64(0), true, nil
	}
	return best.Uint64(), true, nil
}

// truncate cuts s to at most max bytes on a rune boundary.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
