package node

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/flashbacknetwork/flashbackd/api/layout"
	"github.com/flashbacknetwork/flashbackd/api/provider/chain"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// syncOnce reads the chain once and updates the node's state: identity
// checks, running deals and their consumers' keys, deals that closed, and
// the pending requests, which it decides. It returns an error only when
// the chain could not be read; a refused transaction is logged and retried
// on a later round.
func (n *Node) syncOnce(ctx context.Context) error {
	chainID, err := n.chain.ChainID(ctx)
	if err != nil {
		return err
	}
	var known string
	n.locked(func() {
		known = n.st.ChainID
		if known == "" {
			n.st.ChainID = chainID
		}
	})
	if known != "" && known != chainID {
		return fmt.Errorf("the chain node is on chain %s, but this node's state file is for chain %s", chainID, known)
	}

	provider := n.Provider()
	if _, err := n.chain.Provider(ctx, provider); err != nil {
		if !chain.IsNotFound(err) {
			return fmt.Errorf("reading the provider's record: %w", err)
		}
		n.locked(func() {
			n.registered = false
		})
		n.once.warnf(n.logger, "registered", "no", "the provider is not registered on chain: register it with `flashbackd tx orchestrator register-provider`; the node checks again every poll",
			"provider", provider)
		n.markSynced()
		return nil
	}
	n.locked(func() {
		n.registered = true
	})
	n.once.clear("registered")

	unitsOK, owned, err := n.checkUnits(ctx, provider)
	if err != nil {
		return err
	}
	// The key is published once the provider has a unit of this node on
	// chain: before, there is nothing to serve, and a provider setting up
	// (register, then create its units) is not raced for its account
	// sequence by the node's transaction.
	if owned {
		if err := n.ensureAccessKey(ctx, provider); err != nil {
			return err
		}
	} else {
		n.once.warnf(n.logger, "no-units", "none", "none of the node's units is on chain as this provider's yet: the node publishes its access key once one is (see provider status)")
	}
	var rebuilt bool
	n.locked(func() { rebuilt = n.st.Rebuilt })
	if !rebuilt {
		if err := n.rebuild(ctx, provider); err != nil {
			return err
		}
	}
	if err := n.syncDeals(ctx, provider); err != nil {
		return err
	}
	if err := n.decidePending(ctx, provider, unitsOK); err != nil {
		return err
	}
	n.markSynced()
	return nil
}

func (n *Node) markSynced() {
	now := time.Now().UTC()
	n.locked(func() {
		n.st.LastSync = &now
	})
	n.m.lastSync.Set(float64(now.Unix()))
}

// ensureAccessKey publishes the node's access key when the chain has none
// for the provider, or another one (then every deal's credentials change
// to the ones derived from this node's key).
func (n *Node) ensureAccessKey(ctx context.Context, provider string) error {
	pub, err := n.chain.AccessKey(ctx, provider)
	if err != nil && !chain.IsNotFound(err) {
		return fmt.Errorf("reading the provider's access key: %w", err)
	}
	if bytes.Equal(pub, n.pub) {
		n.locked(func() {
			n.keyPublished = true
		})
		return nil
	}
	why := "none published"
	if len(pub) > 0 {
		why = "the chain has another key (every deal's credentials change to this node's)"
	}
	n.logger.Info("publishing the node's access key", "why", why)
	res, err := n.chain.Send(ctx, &orchestratortypes.MsgSetAccessKey{Owner: provider, PublicKey: n.pub})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		n.m.txErrors.WithLabelValues("set_access_key").Inc()
		n.once.errorf(n.logger, "set-access-key", err.Error(), "publishing the node's access key failed; retrying next round", "err", err)
		return nil
	}
	n.once.clear("set-access-key")
	n.logger.Info("access key published", "tx", res.Hash, "height", res.Height)
	n.locked(func() {
		n.keyPublished = true
	})
	return nil
}

// unitEndpoint is the endpoint unit id must register on chain.
func (n *Node) unitEndpoint(id uint64) string {
	return layout.UnitEndpoint(n.cfg.Server.PublicURL, id)
}

// checkUnits reads every configured unit and reports which ones take new
// deals (the unit exists, is this provider's, and registers this node's
// endpoint), and whether any exists as this provider's. A unit that fails
// is logged once, with the fix.
func (n *Node) checkUnits(ctx context.Context, provider string) (ok map[uint64]bool, owned bool, err error) {
	ok = map[uint64]bool{}
	for _, u := range n.cfg.Units {
		du, err := n.chain.DataUnit(ctx, u.ID)
		onChain, problem := "", ""
		want := n.unitEndpoint(u.ID)
		switch {
		case chain.IsNotFound(err):
			problem = fmt.Sprintf("unit %d does not exist on chain: create it with endpoint %s (tx orchestrator create-data-unit ... %s), "+
				"or fix its id in provider.toml", u.ID, want, want)
		case err != nil:
			return nil, false, fmt.Errorf("reading unit %d: %w", u.ID, err)
		case du.Provider != provider:
			onChain = du.State.String()
			problem = fmt.Sprintf("unit %d belongs to provider %s, not to this node's provider %s: remove it from provider.toml", u.ID, du.Provider, provider)
		case du.Endpoint != want:
			owned = true
			onChain = du.State.String()
			problem = fmt.Sprintf("unit %d registers endpoint %q, but this node serves it at %q: consumers and validators would not reach it, "+
				"so new requests are left pending; fix it with tx orchestrator update-data-unit %d %d %s %s",
				u.ID, du.Endpoint, want, u.ID, du.CapacityGb, du.PricePerGbMonth, want)
		default:
			owned = true
			onChain = du.State.String()
		}
		var hadProblem bool
		n.locked(func() {
			st := n.units[u.ID]
			hadProblem = st.Problem != ""
			st.OnChain, st.Problem = onChain, problem
		})
		topic := "unit/" + itoa(u.ID)
		if problem != "" {
			n.once.warnf(n.logger, topic, problem, "unit not ready for new deals", "unit", u.ID, "problem", problem)
			continue
		}
		ok[u.ID] = true
		n.once.clear(topic)
		if hadProblem {
			n.logger.Info("unit ready: registered by this provider with this node's endpoint", "unit", u.ID, "endpoint", want, "state", onChain)
		}
	}
	if owned {
		n.once.clear("no-units")
	}
	return ok, owned, nil
}

// syncDeals follows the running deals of the node's units (and their
// consumers' access keys), and notices the tracked ones that closed.
func (n *Node) syncDeals(ctx context.Context, provider string) error {
	var running []orchestratortypes.Deal
	for _, state := range []orchestratortypes.DealState{orchestratortypes.DEAL_STATE_ACTIVE, orchestratortypes.DEAL_STATE_OVERDRAWN} {
		deals, err := n.chain.ProviderDeals(ctx, provider, state)
		if err != nil {
			return fmt.Errorf("listing %s deals: %w", state, err)
		}
		running = append(running, deals...)
	}

	// The consumers whose keys matter: those of running deals and of
	// closed deals still readable.
	consumers := map[string]bool{}
	for _, d := range running {
		if n.servesUnit(d.UnitId) {
			consumers[d.Consumer] = true
		}
	}
	n.locked(func() {
		for _, d := range n.st.Deals {
			if d.Phase == phaseClosed {
				consumers[d.Consumer] = true
			}
		}
	})
	keys := map[string][]byte{}
	for c := range consumers {
		pub, err := n.consumerKey(ctx, c)
		if err != nil {
			return err
		}
		keys[c] = pub
	}

	var gone []uint64
	n.locked(func() {
		seen := map[uint64]bool{}
		for _, d := range running {
			if !n.servesUnit(d.UnitId) {
				// Another node of the provider may serve it.
				n.once.warnf(n.logger, "foreign/"+itoa(d.UnitId), "running", "deals run on a unit this node does not serve (not in provider.toml)", "unit", d.UnitId, "deal", d.Id)
				continue
			}
			seen[d.Id] = true
			td := n.st.Deals[d.Id]
			if td == nil {
				td = &trackedDeal{ID: d.Id}
				n.st.Deals[d.Id] = td
			}
			if td.Phase != phaseRunning && td.Phase != "" {
				continue // closed deals do not run again
			}
			td.UnitID, td.Consumer, td.CapacityGB, td.Phase, td.ChainState = d.UnitId, d.Consumer, d.CapacityGb, phaseRunning, d.State.String()
			td.EndTime = d.EndTime
			if d.ReceiptSequence > td.Billed.Sequence {
				td.Billed.Bytes, td.Billed.Sequence = d.EgressBilledBytes, d.ReceiptSequence
			}
			td.ConsumerKey = keys[d.Consumer]
		}
		for _, td := range n.st.Deals {
			switch {
			case td.Phase == phaseRunning && !seen[td.ID]:
				gone = append(gone, td.ID)
			case td.Phase == phaseClosed:
				if k, ok := keys[td.Consumer]; ok {
					td.ConsumerKey = k
				}
			}
		}
	})

	for _, id := range gone {
		res, err := n.chain.Deal(ctx, id)
		if err != nil && !chain.IsNotFound(err) {
			return fmt.Errorf("reading deal %d: %w", id, err)
		}
		n.locked(func() {
			td := n.st.Deals[id]
			switch {
			case err != nil: // the chain forgot it: nothing more to serve
				now := time.Now().UTC()
				td.Phase, td.ChainState, td.ClosedAt = phaseClosed, "UNKNOWN", &now
			case res.Deal.State == orchestratortypes.DEAL_STATE_CLOSED:
				closed := time.Now().UTC()
				if res.Deal.ClosedAt != nil {
					closed = res.Deal.ClosedAt.UTC()
				}
				td.Phase, td.ChainState, td.ClosedAt = phaseClosed, res.Deal.State.String(), &closed
				n.logger.Info("deal closed: its bucket is read-only for the retrieval period, then deleted", "deal", id,
					"reason", res.Deal.CloseReason.String(), "closed_at", closed, "deleted_at", td.retrievalEnds(n.cfg.Retrieval.Period.Duration))
			}
		})
	}
	return nil
}

// consumerKey is a consumer's published access key, nil when it has none.
func (n *Node) consumerKey(ctx context.Context, consumer string) ([]byte, error) {
	pub, err := n.chain.AccessKey(ctx, consumer)
	if chain.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s's access key: %w", consumer, err)
	}
	return pub, nil
}

func (n *Node) servesUnit(id uint64) bool {
	_, ok := n.cfg.Unit(id)
	return ok
}

// rebuild reads the provider's deals from the chain when the node has no
// state file: the closed deals of its units still in their retrieval period
// are tracked again, and the data of older ones is deleted (it may have
// been left behind with the lost file). Running deals are picked up by
// every round anyway.
func (n *Node) rebuild(ctx context.Context, provider string) error {
	all, err := n.chain.ProviderDeals(ctx, provider, orchestratortypes.DEAL_STATE_UNSPECIFIED)
	if err != nil {
		return fmt.Errorf("listing the provider's deals: %w", err)
	}
	period := n.cfg.Retrieval.Period.Duration
	now := time.Now()
	var expired []uint64
	tracked := 0
	n.locked(func() {
		for _, d := range all {
			if !n.servesUnit(d.UnitId) || d.State != orchestratortypes.DEAL_STATE_CLOSED || d.StartTime == nil || d.ClosedAt == nil {
				continue // only deals that ran have data
			}
			if n.st.Deals[d.Id] != nil {
				continue
			}
			closed := d.ClosedAt.UTC()
			if now.Before(closed.Add(period)) {
				n.st.Deals[d.Id] = &trackedDeal{ID: d.Id, UnitID: d.UnitId, Consumer: d.Consumer, CapacityGB: d.CapacityGb,
					Phase: phaseClosed, ChainState: d.State.String(), ClosedAt: &closed}
				tracked++
				continue
			}
			expired = append(expired, d.Id)
		}
	})
	for _, id := range expired {
		if err := n.gw.RemoveDeal(id); err != nil {
			n.logger.Error("deleting an old closed deal's data failed", "deal", id, "err", err)
		}
	}
	n.locked(func() {
		n.st.Rebuilt = true
	})
	n.logger.Info("deals read from the chain (no state file)", "deals", len(all), "closed_in_retrieval", tracked, "closed_data_deleted", len(expired))
	return nil
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }
