package server

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/api/bridge/autopilot"
	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/repo"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// The autopilot inside bridge serve ([autopilot] enabled, and a consumer
// client in Options.Client): every interval it assesses each repository's
// deals (autopilot.Assess) and tops them up or replaces them, spending from
// the budget. A replacement reserves a deal like bridge reserve (same
// capacity and term, ranked against the repository's other deals), adds it
// to the repository (repo.SetReplicas: between requests), marks every
// object as missed by it (DB.SeedPending) so that the repair mechanism
// copies them, waits until it holds them all, removes the old deal
// (SetReplicas, DB.ForgetDeal), rewrites bridge.toml with the new deal,
// and closes the old deal on chain.

// copyTimeout bounds the wait for a replacement deal to get every object.
const copyTimeout = 6 * time.Hour

func (b *Bridge) ledger() *autopilot.Ledger {
	a := b.cfg.Autopilot.OrDefault()
	return autopilot.OpenLedger(b.cfg.Path(b.cfg.Server.DataDir), a.HistorySize)
}

func (b *Bridge) reserver() (*autopilot.Reserver, error) {
	budget, err := b.cfg.Autopilot.OrDefault().Budget()
	if err != nil {
		return nil, err
	}
	return &autopilot.Reserver{Market: b.opts.Client, Ledger: b.ledger(), Budget: budget, Logger: b.logger}, nil
}

// runAutopilot runs rounds until ctx ends.
func (b *Bridge) runAutopilot(ctx context.Context) {
	a := b.cfg.Autopilot.OrDefault()
	b.logger.Info("autopilot on", "interval", a.Interval.Duration, "budget_uflash", a.BudgetUflash)
	t := time.NewTicker(a.Interval.Duration)
	defer t.Stop()
	for {
		b.autopilotRound(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (b *Bridge) autopilotRound(ctx context.Context) {
	a := b.cfg.Autopilot.OrDefault()
	m := autopilot.Margins{Renew: a.RenewMargin.Duration, TopUp: a.TopUpMargin.Duration, TopUpPeriod: a.TopUpPeriod.Duration}
	r, err := b.reserver()
	if err != nil {
		b.logger.Error("autopilot", "err", err)
		return
	}
	for _, rc := range b.cfg.Repositories {
		rp := b.repos[rc.Name]
		if rp == nil {
			continue
		}
		reps, _, _ := rp.Members()
		for _, rep := range reps {
			if ctx.Err() != nil {
				return
			}
			res, err := b.opts.Client.Deal(ctx, rep.Deal)
			if err != nil {
				continue // the chain is unreachable: next round
			}
			v, err := b.opts.Client.LastUnitVerdict(ctx, res.Deal.UnitId)
			if err != nil {
				continue
			}
			need, why, amount := autopilot.Assess(res, v, time.Now(), m)
			switch need {
			case autopilot.NeedTopUp:
				b.topUp(ctx, r, rc.Name, res.Deal, amount, why)
			case autopilot.NeedReplace:
				if err := b.replace(ctx, r, rc.Name, res.Deal, why); err != nil && !errors.Is(err, autopilot.ErrBudget) {
					// (a budget refusal is recorded as such by the reservation)
					b.record(r, autopilot.Decision{Action: autopilot.ActionFailed, Repository: rc.Name, Deal: rep.Deal,
						Reason: "replacing: " + err.Error() + " (tried again next round)"})
				}
			}
		}
	}
}

func (b *Bridge) record(r *autopilot.Reserver, d autopilot.Decision) {
	d, err := r.Ledger.Record(d)
	if err != nil {
		b.logger.Error("autopilot: recording a decision failed", "err", err)
	}
	b.logger.Info("autopilot: "+d.Action, "repository", d.Repository, "deal", d.Deal, "new_deal", d.NewDeal, "amount", d.Amount, "reason", d.Reason)
}

func (b *Bridge) topUp(ctx context.Context, r *autopilot.Reserver, repoName string, d orchestratortypes.Deal, amount sdkmath.Int, why string) {
	if err := r.Ledger.Spend(r.Budget, amount); err != nil {
		if errors.Is(err, autopilot.ErrBudget) {
			b.record(r, autopilot.Decision{Action: autopilot.ActionBudget, Repository: repoName, Deal: d.Id, Amount: amount.String(), Reason: why + "; not topped up: " + err.Error()})
		}
		return
	}
	if err := b.opts.Client.TopUp(ctx, d.Id, amount); err != nil {
		_ = r.Ledger.Refund(amount)
		b.record(r, autopilot.Decision{Action: autopilot.ActionFailed, Repository: repoName, Deal: d.Id, Amount: amount.String(), Reason: why + "; the top-up failed: " + err.Error()})
		return
	}
	b.record(r, autopilot.Decision{Action: autopilot.ActionTopUp, Repository: repoName, Deal: d.Id, Amount: amount.String(), Reason: why})
}

// replace replaces deal old of repository repoName (see the top of the file).
func (b *Bridge) replace(ctx context.Context, r *autopilot.Reserver, repoName string, old orchestratortypes.Deal, why string) error {
	rp := b.repos[repoName]
	reps, _, quorum := rp.Members()
	a := b.cfg.Autopilot.OrDefault()
	var members []uint64
	for _, rep := range reps {
		members = append(members, rep.Deal)
	}
	plan, err := r.ReplacementPlan(ctx, repoName, old, members, autopilot.Plan{
		Weights:       autopilot.Weights{Score: a.WeightScore, Price: a.WeightPrice, Diversity: a.WeightDivers},
		Prepay:        a.Prepay.Duration,
		AcceptTimeout: a.AcceptTimeout.Duration,
	})
	if err != nil {
		return err
	}
	// A replacement whose copying did not finish last round resumes with
	// the deal it already has (no second reservation).
	b.ap.mu.Lock()
	j, resuming := b.ap.joining[old.Id]
	b.ap.mu.Unlock()
	if resuming && slices.ContainsFunc(reps, func(rep *repo.Replica) bool { return rep.Deal == j.added.Deal }) {
		return b.finishReplace(ctx, r, repoName, old, j.deal, j.added, j.objects)
	}
	b.record(r, autopilot.Decision{Action: autopilot.ActionReplace, Repository: repoName, Deal: old.Id, Unit: old.UnitId, Reason: why})
	got, err := r.Reserve(ctx, plan)
	if err != nil {
		return err
	}
	nd := got[0].Deal
	access, err := b.opts.Client.DealAccess(ctx, nd.Id)
	if err != nil {
		return b.undo(ctx, r, repoName, nd.Id, err)
	}
	be, err := repo.DealBackend(ctx, access.Endpoint, dealRegion, access.AccessKeyID, access.SecretAccessKey)
	if err != nil {
		return b.undo(ctx, r, repoName, nd.Id, err)
	}
	added := &repo.Replica{Deal: nd.Id, Bucket: access.Bucket, Endpoint: access.Endpoint, Backend: be, Stats: repo.NewStats(b.cfg.Mirror.FailuresToDown)}
	b.mu.Lock()
	b.states[nd.Id] = access.State
	b.mu.Unlock()
	b.ap.mu.Lock()
	if b.ap.added == nil {
		b.ap.added, b.ap.buckets = map[uint64]*s3.Client{}, map[uint64]string{}
	}
	b.ap.added[nd.Id] = s3.New(s3.Options{
		Region: dealRegion, BaseEndpoint: aws.String(access.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(access.AccessKeyID, access.SecretAccessKey, ""),
	})
	b.ap.buckets[nd.Id] = access.Bucket
	b.ap.mu.Unlock()
	if b.meter != nil {
		b.meter.Seed(nd.Id, 0, 0) // a new deal: nothing billed yet
	}

	// 1. The new deal joins: every write from now on goes to it too, and
	// every object it lacks is recorded as missed, to be repaired.
	if err := rp.SetReplicas(append(slices.Clone(reps), added), true, quorum); err != nil {
		return b.undo(ctx, r, repoName, nd.Id, err)
	}
	n, err := b.db.SeedPending(repoName, nd.Id)
	if err != nil {
		return err
	}
	b.logger.Info("autopilot: copying the repository's objects to the new deal", "repository", repoName, "deal", nd.Id, "objects", n)
	b.ap.mu.Lock()
	if b.ap.joining == nil {
		b.ap.joining = map[uint64]joining{}
	}
	b.ap.joining[old.Id] = joining{deal: nd, added: added, objects: n}
	b.ap.mu.Unlock()
	return b.finishReplace(ctx, r, repoName, old, nd, added, n)
}

// finishReplace waits until the new deal holds every object, then removes
// the old deal (steps 2 to 4 of a replacement).
func (b *Bridge) finishReplace(ctx context.Context, r *autopilot.Reserver, repoName string, old, nd orchestratortypes.Deal, added *repo.Replica, n int) error {
	rp := b.repos[repoName]
	reps, mirror, quorum := rp.Members()
	// 2. The repair rounds copy them; wait until none is left.
	wait, cancel := context.WithTimeout(ctx, copyTimeout)
	defer cancel()
	for {
		rp.TriggerRepair()
		has, err := rp.HasPending(nd.Id)
		if err != nil {
			return err
		}
		if !has {
			break
		}
		select {
		case <-wait.Done():
			return fmt.Errorf("the new deal %d has not received every object yet (%w); it stays in the repository next to deal %d", nd.Id, wait.Err(), old.Id)
		case <-time.After(200 * time.Millisecond):
		}
	}
	// 3. The old deal leaves the repository and its record.
	var keep []*repo.Replica
	for _, rep := range reps {
		if rep.Deal != old.Id {
			keep = append(keep, rep)
		}
	}
	if len(keep) == 1 {
		mirror, quorum = false, 1
	}
	b.ap.mu.Lock()
	delete(b.ap.joining, old.Id)
	b.ap.mu.Unlock()
	if quorum > len(keep) {
		quorum = len(keep)
	}
	if err := rp.SetReplicas(keep, mirror, quorum); err != nil {
		return err
	}
	if err := b.db.ForgetDeal(repoName, old.Id); err != nil {
		return err
	}
	// 4. bridge.toml names the new deal (a restart serves it), and the old
	// deal is closed on chain (unless it already is).
	if err := b.rewriteDeals(repoName, old.Id, nd.Id); err != nil {
		b.logger.Error("autopilot: rewriting bridge.toml failed; edit the repository's deals by hand", "repository", repoName, "old", old.Id, "new", nd.Id, "err", err)
	}
	b.mu.Lock()
	b.states[old.Id] = orchestratortypes.DEAL_STATE_CLOSED.String()
	b.mu.Unlock()
	closing := "closed"
	if res, err := b.opts.Client.Deal(ctx, old.Id); err == nil && res.Deal.State != orchestratortypes.DEAL_STATE_CLOSED && res.Deal.PendingClose == orchestratortypes.CLOSE_REASON_UNSPECIFIED {
		if at, err := b.opts.Client.CloseDeal(ctx, old.Id); err != nil {
			closing = "left open (closing it failed: " + err.Error() + ")"
		} else {
			closing = "closed (effective " + at.UTC().Format(time.RFC3339) + ")"
		}
	}
	b.record(r, autopilot.Decision{Action: autopilot.ActionReplaced, Repository: repoName, Deal: old.Id, NewDeal: nd.Id, Unit: nd.UnitId,
		Reason: fmt.Sprintf("%d objects copied to deal %d (unit %d); deal %d left the repository and was %s", n, nd.Id, nd.UnitId, old.Id, closing)})
	return nil
}

// undo closes a new deal that could not join the repository.
func (b *Bridge) undo(ctx context.Context, r *autopilot.Reserver, repoName string, deal uint64, cause error) error {
	_, cerr := b.opts.Client.CloseDeal(ctx, deal)
	reason := "the new deal could not join the repository (" + cause.Error() + "); it was closed"
	if cerr != nil {
		reason += " — closing failed: " + cerr.Error()
	}
	b.record(r, autopilot.Decision{Action: autopilot.ActionRollback, Repository: repoName, Deal: deal, Reason: reason})
	return cause
}

// rewriteDeals replaces deal old with new in the repository of bridge.toml
// on disk (the running configuration is left as it started).
func (b *Bridge) rewriteDeals(repoName string, old, nd uint64) error {
	path := filepath.Join(b.cfg.Home(), config.FileName)
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	for i, rc := range cfg.Repositories {
		if rc.Name != repoName {
			continue
		}
		deals := slices.Clone(rc.Deals)
		for j, d := range deals {
			if d == old {
				deals[j] = nd
			}
		}
		if !slices.Contains(deals, nd) {
			deals = append(deals, nd)
		}
		cfg.Repositories[i].Deals = deals
	}
	return config.Rewrite(path, cfg)
}

// autopilotState is what the autopilot keeps between rounds: the
// replacements whose new deal has joined but not yet received everything
// (by the deal it replaces).
type autopilotState struct {
	mu      sync.Mutex
	joining map[uint64]joining
	// added are the deals the autopilot brought in while serving: their
	// usage receipts go out with these clients.
	added map[uint64]*s3.Client
	// buckets of the added deals.
	buckets map[uint64]string
}

// addedDealClient is the receipt client of a deal the autopilot added.
func (b *Bridge) addedDealClient(id uint64) (*s3.Client, string, bool) {
	b.ap.mu.Lock()
	defer b.ap.mu.Unlock()
	c, ok := b.ap.added[id]
	return c, b.ap.buckets[id], ok
}

type joining struct {
	deal    orchestratortypes.Deal
	added   *repo.Replica
	objects int
}

// AutopilotStatus is the autopilot's part of the status.
type AutopilotStatus struct {
	Enabled bool `json:"enabled"`
	autopilot.Summary
}

func (b *Bridge) autopilotStatus() *AutopilotStatus {
	a := b.cfg.Autopilot.OrDefault()
	budget, err := a.Budget()
	if err != nil {
		return nil
	}
	s, err := b.ledger().Read(budget, 20)
	if err != nil {
		return &AutopilotStatus{Enabled: a.Enabled && b.opts.Client != nil, Summary: autopilot.Summary{Exhausted: "reading the ledger: " + err.Error()}}
	}
	return &AutopilotStatus{Enabled: a.Enabled && b.opts.Client != nil, Summary: s}
}
