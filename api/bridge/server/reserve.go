package server

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"cosmossdk.io/log"

	"github.com/flashbacknetwork/flashbackd/api/bridge/autopilot"
	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/repo"
	"github.com/flashbacknetwork/flashbackd/api/client"
)

// Reserve is `flashbackd bridge reserve`: it reserves plan.Replicas deals
// (autopilot.Reserver: ranked candidates, escrow from the budget,
// declines → the next unit) and adds them to the repository plan.Repository
// of the bridge.toml at path: a new repository (mirror when there are
// several deals, with a majority quorum), or an existing one, whose objects
// are then recorded as missed by the new deals so that the bridge copies
// them there (by Reserve when the bridge is stopped; a serving bridge
// picks the new deals up from bridge.toml and records it itself). Every
// check that needs no transaction comes first: the configuration, the
// repository, the plan, the candidates and the budget.
func Reserve(ctx context.Context, path string, c *client.Client, plan autopilot.Plan, logger log.Logger) ([]autopilot.Reserved, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if err := config.ValidRepositoryName(plan.Repository); err != nil {
		return nil, fmt.Errorf("repository: %w", err)
	}
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	a := cfg.Autopilot.OrDefault()
	budget, err := a.Budget()
	if err != nil {
		return nil, fmt.Errorf("autopilot.budget_uflash: %w", err)
	}
	idx := -1
	for i, rc := range cfg.Repositories {
		if rc.Name == plan.Repository {
			idx = i
		}
	}
	var db *repo.DB
	if idx >= 0 {
		existing := cfg.Repositories[idx]
		if n := len(existing.Deals) + plan.Replicas; n > autopilot.MaxReplicas {
			return nil, fmt.Errorf("repository %s has %d deals; %d more would make %d, more than %d", plan.Repository, len(existing.Deals), plan.Replicas, n, autopilot.MaxReplicas)
		}
		// Its objects must be marked for the new deals: here when the
		// bridge is stopped; a bridge that is serving (it holds the
		// database) does it when it picks the deals up from bridge.toml
		// (reload.go).
		db, err = repo.OpenDB(filepath.Join(cfg.Path(cfg.Server.DataDir), DBFile))
		switch {
		case errors.Is(err, repo.ErrLocked):
			db = nil
		case err != nil:
			return nil, err
		default:
			defer db.Close()
		}
		for _, id := range existing.Deals {
			res, err := c.Deal(ctx, id)
			if err != nil {
				return nil, err
			}
			plan.ExcludeUnits = append(plan.ExcludeUnits, res.Deal.UnitId)
			u, err := c.Unit(ctx, res.Deal.UnitId)
			if err != nil {
				return nil, err
			}
			plan.Used = append(plan.Used, autopilot.Placement{Region: u.Region, Provider: u.Provider})
		}
	}
	r := &autopilot.Reserver{Market: c, Ledger: autopilot.OpenLedger(cfg.Path(cfg.Server.DataDir), a.HistorySize), Budget: budget, Logger: logger}
	got, err := r.Reserve(ctx, plan)
	if err != nil {
		return nil, err
	}
	var ids []uint64
	for _, g := range got {
		ids = append(ids, g.Deal.Id)
	}
	if idx < 0 {
		mode := config.ModeNormal
		if len(ids) > 1 {
			mode = config.ModeMirror
		}
		cfg.Repositories = append(cfg.Repositories, config.Repository{Name: plan.Repository, Mode: mode, Deals: ids})
	} else {
		rc := &cfg.Repositories[idx]
		rc.Deals = append(rc.Deals, ids...)
		if len(rc.Deals) > 1 {
			rc.Mode = config.ModeMirror
		}
		for _, id := range ids {
			if db == nil {
				break // the serving bridge marks them
			}
			if _, err := db.SeedPending(plan.Repository, id); err != nil {
				return got, fmt.Errorf("deals %v were reserved, but recording what they must receive failed: %w", ids, err)
			}
		}
	}
	if err := config.Rewrite(path, cfg); err != nil {
		return got, fmt.Errorf("deals %v were reserved, but bridge.toml could not be rewritten (add them to repository %s by hand): %w", ids, plan.Repository, err)
	}
	// A provider node serves a deal moments after accepting it: wait for
	// that, so that the bridge started next finds every deal's bucket.
	for _, id := range ids {
		if err := waitServed(ctx, c, id, servedTimeout); err != nil && logger != nil {
			logger.Error("a reserved deal's bucket does not answer yet", "deal", id, "err", err)
		}
	}
	return got, nil
}

// servedTimeout bounds the wait for a new deal's bucket.
const servedTimeout = 30 * time.Second

// waitServed waits until deal id's bucket answers a HEAD with the deal's
// credentials.
func waitServed(ctx context.Context, c *client.Client, id uint64, timeout time.Duration) error {
	a, err := c.DealAccess(ctx, id)
	if err != nil {
		return err
	}
	be, err := repo.DealBackend(ctx, a.Endpoint, dealRegion, a.AccessKeyID, a.SecretAccessKey)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	for {
		hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := be.HeadBucket(hctx, &s3.HeadBucketInput{Bucket: aws.String(a.Bucket)})
		cancel()
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}
