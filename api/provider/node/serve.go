package node

import (
	"crypto/rand"
	"strings"
	"time"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/api/layout"
	"github.com/flashbacknetwork/flashbackd/api/provider/gateway"
	"github.com/flashbacknetwork/flashbackd/api/provider/policy"
)

// lockedPrefix starts the access key id of a locked deal: one whose
// consumer has no published access key, so that no credentials can be
// derived. Its bucket is kept, under random credentials nobody knows,
// until the consumer publishes a key again.
const lockedPrefix = "LOCKED"

func accessLabel(d gateway.Deal) string {
	if strings.HasPrefix(d.AccessKeyID, lockedPrefix) {
		return "locked"
	}
	return d.Access.String()
}

// gatewayOp is one change to what the gateway serves.
type gatewayOp struct {
	deal   *trackedDeal
	put    *gateway.Deal // serve (or update) with these settings
	remove bool          // retrieval period over: delete
}

// reconcile makes the gateway serve what the tracked deals call for. The
// plan is made under the lock and carried out without it (a first PutDeal
// scans the deal's storage, a RemoveDeal deletes its data).
func (n *Node) reconcile() {
	var ops []gatewayOp
	n.locked(func() { ops = n.planLocked(time.Now()) })
	if len(ops) == 0 {
		n.countServed()
		return
	}
	type outcome struct {
		op  gatewayOp
		err error
	}
	results := make([]outcome, 0, len(ops))
	for _, op := range ops {
		var err error
		if op.remove {
			err = n.gw.RemoveDeal(op.deal.ID)
		} else {
			err = n.gw.PutDeal(*op.put)
		}
		results = append(results, outcome{op, err})
	}
	n.locked(func() {
		now := time.Now().UTC()
		for _, r := range results {
			d := r.op.deal
			topic := "deal/" + itoa(d.ID)
			if r.err != nil {
				what := "serving a deal failed; retrying next round"
				if r.op.remove {
					what = "deleting a closed deal's bucket failed; retrying next round"
				}
				n.once.errorf(n.logger, topic, r.err.Error(), what, "deal", d.ID, "unit", d.UnitID, "err", r.err)
				continue
			}
			n.once.clear(topic)
			if r.op.remove {
				delete(n.served, d.ID)
				d.Phase, d.RemovedAt = phaseRemoved, &now
				n.m.removed.Inc()
				n.logger.Info("retrieval period over: deal bucket and its data deleted", "deal", d.ID, "unit", d.UnitID, "closed_at", d.ClosedAt)
				continue
			}
			before, had := n.served[d.ID]
			n.served[d.ID] = *r.op.put
			switch {
			case !had:
				n.logger.Info("serving deal", "deal", d.ID, "unit", d.UnitID, "bucket", layout.DealBucket(d.ID), "access", accessLabel(*r.op.put), "quota_bytes", r.op.put.QuotaBytes)
			case accessLabel(before) != accessLabel(*r.op.put):
				n.logger.Info("deal access changed", "deal", d.ID, "from", accessLabel(before), "to", accessLabel(*r.op.put))
			case before.AccessKeyID != r.op.put.AccessKeyID:
				n.logger.Info("deal credentials changed (a party published a new access key)", "deal", d.ID)
			}
		}
	})
	n.countServed()
}

// planLocked lists the gateway changes the tracked deals need at now.
func (n *Node) planLocked(now time.Time) []gatewayOp {
	var ops []gatewayOp
	period := n.cfg.Retrieval.Period.Duration
	for _, d := range n.st.sortedDeals() {
		switch d.Phase {
		case phaseRemoved:
			continue
		case phaseClosed:
			if !now.Before(d.retrievalEnds(period)) {
				ops = append(ops, gatewayOp{deal: d, remove: true})
				continue
			}
		}
		want, ok := n.desiredLocked(d)
		if !ok {
			continue
		}
		if cur, served := n.served[d.ID]; served && cur == want {
			continue
		}
		ops = append(ops, gatewayOp{deal: d, put: &want})
	}
	return ops
}

// desiredLocked is how the gateway should serve a running or closed deal;
// ok is false when the node cannot tell yet (no chain id known).
func (n *Node) desiredLocked(d *trackedDeal) (gateway.Deal, bool) {
	access := gateway.AccessReadWrite
	if d.Phase == phaseClosed {
		access = gateway.AccessReadOnly
	}
	g := gateway.Deal{ID: d.ID, UnitID: d.UnitID, QuotaBytes: quotaBytes(d.CapacityGB), Access: access}
	if n.st.ChainID == "" {
		n.once.warnf(n.logger, "chain-id", "unknown", "chain id not known yet: deals are served once the chain has been read")
		return g, false
	}
	if len(d.ConsumerKey) > 0 {
		creds, err := dealauth.Derive(n.key, d.ConsumerKey, n.pub, n.st.ChainID, d.ID)
		if err == nil {
			g.AccessKeyID, g.Secret = creds.AccessKeyID, creds.SecretAccessKey
			return g, true
		}
		n.once.warnf(n.logger, "creds/"+itoa(d.ID), err.Error(), "deriving a deal's credentials failed: its bucket is locked", "deal", d.ID, "err", err)
	}
	// Locked: keep the random credentials already given, if any.
	if cur, ok := n.served[d.ID]; ok && strings.HasPrefix(cur.AccessKeyID, lockedPrefix) {
		cur.Access, cur.QuotaBytes = g.Access, g.QuotaBytes
		return cur, true
	}
	g.AccessKeyID, g.Secret = lockedPrefix+randomToken(24), randomToken(40)
	return g, true
}

// quotaBytes is a deal's quota: its capacity in GB of 10^9 bytes.
func quotaBytes(capacityGB uint64) uint64 {
	q := sdkmath.NewIntFromUint64(capacityGB).MulRaw(policy.GB)
	if !q.IsUint64() {
		return ^uint64(0)
	}
	return q.Uint64()
}

// countServed sets the served-deals gauge.
func (n *Node) countServed() {
	counts := map[string]float64{"read-write": 0, "read-only": 0, "locked": 0}
	n.locked(func() {
		for _, d := range n.served {
			counts[accessLabel(d)]++
		}
	})
	for access, c := range counts {
		n.m.deals.WithLabelValues(access).Set(c)
	}
}

func randomToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
