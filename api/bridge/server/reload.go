package server

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/repo"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// A serving bridge picks up the deals added to its repositories in
// bridge.toml — by `bridge reserve`, by hand — without a restart: it reads
// the file again when it changes (checked every chain.poll_interval) and on
// Reload (`bridge serve` calls it on SIGHUP). Each added deal is resolved
// on chain and checked as at start (ACTIVE, the bridge's consumer), joins
// its repository between requests (repo.SetReplicas; two deals or more
// make it a mirror with the file's write_quorum), and every object the
// repository holds is recorded as missed by it (DB.SeedPending), so the
// repair rounds copy them there. The rest of the file (keys, settings,
// deals removed, new repositories) applies at the next start; a reload
// that finds such changes logs that it left them.

// Reload asks the serving bridge to read bridge.toml again.
func (b *Bridge) Reload() {
	select {
	case b.reloadNow <- struct{}{}:
	default: // one is already asked for
	}
}

// watchConfig reloads bridge.toml on Reload and whenever the file changes,
// until ctx ends.
func (b *Bridge) watchConfig(ctx context.Context) {
	path := filepath.Join(b.cfg.Home(), config.FileName)
	stamp := func() (time.Time, int64) {
		fi, err := os.Stat(path)
		if err != nil {
			return time.Time{}, -1
		}
		return fi.ModTime(), fi.Size()
	}
	mod, size := stamp()
	t := time.NewTicker(b.cfg.Chain.PollInterval.Duration)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.reloadNow:
		case <-t.C:
			m, s := stamp()
			if m.Equal(mod) && s == size {
				continue
			}
		}
		mod, size = stamp()
		b.reload(ctx, path)
	}
}

// reload serves the deals bridge.toml adds to the repositories.
func (b *Bridge) reload(ctx context.Context, path string) {
	cfg, err := config.Load(path)
	if err != nil {
		b.logger.Error("bridge.toml changed but cannot be loaded; serving as before", "err", err)
		return
	}
	for _, rc := range cfg.Repositories {
		rp := b.repos[rc.Name]
		if rp == nil {
			b.logger.Error("bridge.toml has a new repository; it is served after a restart", "repository", rc.Name)
			continue
		}
		reps, _, _ := rp.Members()
		var added []uint64
		for _, id := range rc.Deals {
			if !slices.ContainsFunc(reps, func(r *repo.Replica) bool { return r.Deal == id }) {
				added = append(added, id)
			}
		}
		if len(added) > 0 {
			if err := b.addDeals(ctx, rp, rc, added); err != nil {
				b.logger.Error("could not add deals to a repository; trying again when bridge.toml changes or on SIGHUP",
					"repository", rc.Name, "deals", added, "err", err)
			}
		}
	}
}

// addDeals resolves deals and adds them to repository rp (rc: its table in
// the reloaded file).
func (b *Bridge) addDeals(ctx context.Context, rp *repo.Repo, rc config.Repository, ids []uint64) error {
	rctx, cancel := context.WithTimeout(ctx, chainTimeout)
	defer cancel()
	deals, err := resolveDeals(rctx, b.q, b.key, b.chainID, b.opts.Consumer, []config.Repository{{Name: rc.Name, Mode: rc.Mode, Deals: ids}})
	if err != nil {
		return err
	}
	reps, _, _ := rp.Members()
	reps = slices.Clone(reps)
	for _, id := range ids {
		a := deals[id]
		stats := repo.NewStats(b.cfg.Mirror.FailuresToDown)
		be, err := repo.MeasuredDealBackend(ctx, a.Endpoint, dealRegion, a.AccessKeyID, a.SecretAccessKey, stats.Traffic())
		if err != nil {
			return err
		}
		reps = append(reps, &repo.Replica{Deal: id, Bucket: a.Bucket, Endpoint: a.Endpoint, Backend: be, Stats: stats})
		b.mu.Lock()
		b.states[id] = a.State
		b.mu.Unlock()
		// Usage receipts: the deal's client, counting on from what the
		// chain has billed.
		b.ap.mu.Lock()
		if b.ap.added == nil {
			b.ap.added, b.ap.buckets = map[uint64]*s3.Client{}, map[uint64]string{}
		}
		b.ap.added[id] = s3.New(s3.Options{
			Region: dealRegion, BaseEndpoint: aws.String(a.Endpoint), UsePathStyle: true,
			Credentials: credentials.NewStaticCredentialsProvider(a.AccessKeyID, a.SecretAccessKey, ""),
		})
		b.ap.buckets[id] = a.Bucket
		b.ap.mu.Unlock()
		if b.meter != nil {
			if res, err := b.q.Deal(rctx, &orchestratortypes.QueryDealRequest{Id: id}); err == nil {
				b.meter.Seed(id, res.Deal.EgressBilledBytes, res.Deal.ReceiptSequence)
			} else {
				b.meter.Seed(id, 0, 0)
			}
		}
	}
	quorum := rc.WriteQuorum
	if quorum == 0 || quorum > len(reps) {
		quorum = len(reps)/2 + 1
	}
	if err := rp.SetReplicas(reps, len(reps) > 1, quorum); err != nil {
		return err
	}
	for _, id := range ids {
		n, err := b.db.SeedPending(rc.Name, id)
		if err != nil {
			return err
		}
		b.logger.Info("a deal added to bridge.toml joined its repository; copying its objects to it", "repository", rc.Name, "deal", id, "objects", n)
	}
	rp.TriggerRepair()
	return nil
}
