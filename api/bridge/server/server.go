// Package server is the consumer bridge (`flashbackd bridge serve`): a
// local S3 endpoint whose buckets are the repositories of bridge.toml,
// served by versitygw's S3 front end (SigV4 against the bridge's own keys)
// over package repo, which writes to and reads from the consumer's deals on
// the provider nodes. See api/bridge/README.md.
package server

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"cosmossdk.io/log"
	"github.com/gofiber/fiber/v3"
	"github.com/versity/versitygw/s3api"
	"github.com/versity/versitygw/s3api/middlewares"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"

	"github.com/flashbacknetwork/flashbackd/api/bridge"
	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/repo"
	"github.com/flashbacknetwork/flashbackd/api/client"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/api/receipts"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// DBFile is the bridge's database in its data directory.
const DBFile = "bridge.db"

// dealRegion is the region the provider nodes' gateways verify signatures
// for (the provider gateway's default).
const dealRegion = "us-east-1"

// Options are what the bridge needs besides its configuration.
type Options struct {
	// Consumer is the consumer's account (the address of chain.key_name).
	Consumer string
	// Chain answers the deal queries; nil: a gRPC client of
	// chain.grpc_address.
	Chain  bridge.ChainReader
	Logger log.Logger
	// Rebuild rebuilds every repository's record from its deals at start
	// (it is also rebuilt when the database file is missing).
	Rebuild bool
	// Keyring holds the consumer's account key (chain.key_name), which
	// signs the usage receipts of egress billing; nil: no receipts.
	Keyring keyring.Keyring
	// ReceiptInterval is how often receipts are sent (default
	// DefaultReceiptInterval).
	ReceiptInterval time.Duration
	// QoS files the consumer's QoS self-reports of every deal (qos.go);
	// nil: none are filed.
	QoS QoSChain
	// Client is the consumer's chain client, which the autopilot
	// ([autopilot] enabled) reserves, tops up and closes deals with; nil:
	// no autopilot.
	Client *client.Client
}

// Bridge is a configured bridge. Run serves it.
type Bridge struct {
	cfg    config.Config
	opts   Options
	logger log.Logger
	key    *ecdh.PrivateKey

	chainID string
	q       bridge.ChainReader
	conn    io.Closer // the gRPC connection behind q, if the bridge made it
	db      *repo.DB
	repos   map[string]*repo.Repo
	meter   *receipts.Meter
	qos     *qosFiler
	started time.Time

	mu       sync.Mutex
	addr     string
	chainErr string            // the last failure to read the chain ("" once it answers)
	states   map[uint64]string // each deal's state as last read on chain

	ap autopilotState // the autopilot's replacements in progress (autopilot.go)

	reloadNow chan struct{} // Reload (reload.go)
}

// New checks the configuration and loads the consumer's access key; it
// contacts nothing.
func New(cfg config.Config, opts Options) (*Bridge, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Consumer == "" {
		return nil, errors.New("bridge: no consumer account")
	}
	if len(cfg.Keys) == 0 {
		return nil, errors.New("bridge.toml has no [[keys]]: add one with `flashbackd bridge keys add NAME`")
	}
	if opts.Logger == nil {
		opts.Logger = log.NewNopLogger()
	}
	key, err := dealauth.LoadKey(cfg.Path(cfg.Server.AccessKeyFile))
	if err != nil {
		return nil, fmt.Errorf("your access key: %w (create and publish one with `flashbackd bridge access-key`)", err)
	}
	return &Bridge{cfg: cfg, opts: opts, logger: opts.Logger.With(log.ModuleKey, "bridge"), key: key, reloadNow: make(chan struct{}, 1)}, nil
}

// Addr is the S3 endpoint's address once Run has started serving.
func (b *Bridge) Addr() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addr
}

// open resolves the deals on chain, opens the database (rebuilding records
// that are missing) and builds the repositories.
func (b *Bridge) open(ctx context.Context) (err error) {
	ctx, cancel := context.WithTimeout(ctx, chainTimeout)
	defer cancel()
	q := b.opts.Chain
	if q == nil {
		conn, err := dialChain(b.cfg.Chain)
		if err != nil {
			return err
		}
		b.conn = conn
		q = orchestratortypes.NewQueryClient(conn)
	}
	b.q = q
	dataDir := b.cfg.Path(b.cfg.Server.DataDir)
	dbPath := filepath.Join(dataDir, DBFile)
	_, statErr := os.Stat(dbPath)
	fresh := errors.Is(statErr, os.ErrNotExist)
	db, err := repo.OpenDB(dbPath)
	if err != nil {
		return err
	}
	b.db = db
	defer func() {
		if err != nil && fresh {
			// A start that failed leaves no database behind, so that the
			// next start still rebuilds the record from the deals.
			db.Close()
			b.db = nil
			_ = os.Remove(dbPath)
		}
	}()

	deals, err := b.resolve(ctx, q)
	if err != nil {
		return err
	}
	b.states = map[uint64]string{}
	for id, a := range deals {
		b.states[id] = a.State
	}
	b.repos = map[string]*repo.Repo{}
	b.meter = b.newMeter(ctx, deals)
	m := b.cfg.Mirror
	for _, rc := range b.cfg.Repositories {
		var reps []*repo.Replica
		for _, id := range rc.Deals {
			a := deals[id]
			stats := repo.NewStats(m.FailuresToDown)
			be, err := repo.MeasuredDealBackend(ctx, a.Endpoint, dealRegion, a.AccessKeyID, a.SecretAccessKey, stats.Traffic())
			if err != nil {
				return err
			}
			reps = append(reps, &repo.Replica{Deal: id, Bucket: a.Bucket, Endpoint: a.Endpoint, Backend: be, Stats: stats})
		}
		rp, err := repo.New(rc.Name, rc.Mode == config.ModeMirror, rc.Quorum(), reps, db, repo.Options{
			FailoverAfter: m.FailoverAfter.Duration, HedgeAfter: m.HedgeAfter.Duration, WriteTimeout: m.WriteTimeout.Duration,
			SpoolDir: filepath.Join(dataDir, "spool"), Logger: b.logger, Meter: b.meter,
		})
		if err != nil {
			return err
		}
		b.repos[rc.Name] = rp
	}
	if b.opts.QoS != nil {
		b.qos = b.newQoSFiler()
	}
	for _, rc := range b.cfg.Repositories {
		if !fresh && !b.opts.Rebuild {
			continue
		}
		n, err := b.repos[rc.Name].Rebuild(ctx)
		if err != nil {
			return fmt.Errorf("rebuilding the record of repository %s from its deals: %w", rc.Name, err)
		}
		b.logger.Info("rebuilt a repository's record from its deals", "repository", rc.Name, "objects", n)
	}
	return nil
}

// resolve reads the deals on chain and remembers them. While the chain
// cannot be reached, the deals as last resolved are used, if every
// configured deal is among them (a deal is never served that the chain did
// not once show ACTIVE and the consumer's).
func (b *Bridge) resolve(ctx context.Context, q bridge.ChainReader) (map[uint64]bridge.DealAccess, error) {
	id, err := chainID(ctx, b.cfg.Chain)
	var deals map[uint64]bridge.DealAccess
	if err == nil {
		deals, err = resolveDeals(ctx, q, b.key, id, b.opts.Consumer, b.cfg.Repositories)
		if err == nil {
			b.chainID = id
			return deals, b.db.PutMeta(resolvedMeta, resolved{ChainID: id, Deals: deals})
		}
		var u unreachable
		if !errors.As(err, &u) {
			return nil, err
		}
	}
	var last resolved
	found, dbErr := b.db.GetMeta(resolvedMeta, &last)
	if dbErr != nil || !found {
		return nil, fmt.Errorf("the chain cannot be reached and the bridge has not resolved its deals before: %w", err)
	}
	for _, rc := range b.cfg.Repositories {
		for _, d := range rc.Deals {
			if _, ok := last.Deals[d]; !ok {
				return nil, fmt.Errorf("the chain cannot be reached, and deal %d (repository %s) was not resolved before: %w", d, rc.Name, err)
			}
		}
	}
	b.chainID, b.chainErr = last.ChainID, "at start: "+err.Error()
	b.logger.Error("the chain cannot be reached; serving the deals as last read from it", "err", err)
	return last.Deals, nil
}

// Rebuild rebuilds every repository's record from its deals (the
// database must not be in use) and reports the objects found per
// repository.
func Rebuild(ctx context.Context, cfg config.Config, opts Options) (map[string]int, error) {
	opts.Rebuild = true
	b, err := New(cfg, opts)
	if err != nil {
		return nil, err
	}
	if err := b.open(ctx); err != nil {
		b.closeDB()
		return nil, err
	}
	defer b.closeDB()
	out := map[string]int{}
	for name := range b.repos {
		c, err := b.db.Count(name)
		if err != nil {
			return nil, err
		}
		out[name] = c.Objects
	}
	return out, nil
}

func (b *Bridge) closeDB() {
	if b.db != nil {
		b.db.Close()
	}
	if b.conn != nil {
		b.conn.Close()
	}
}

// watchChain reads every deal's state every poll_interval until ctx ends:
// shown in the status, and a deal that is no longer ACTIVE is logged (its
// provider makes it read-only, then deletes it: remove it from its
// repository).
func (b *Bridge) watchChain(ctx context.Context) {
	t := time.NewTicker(b.cfg.Chain.PollInterval.Duration)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, rc := range b.cfg.Repositories {
			reps, _, _ := b.repos[rc.Name].Members() // with the deals added while serving
			for _, rep := range reps {
				id := rep.Deal
				qctx, cancel := context.WithTimeout(ctx, chainTimeout)
				res, err := b.q.Deal(qctx, &orchestratortypes.QueryDealRequest{Id: id})
				cancel()
				if ctx.Err() != nil {
					return
				}
				b.mu.Lock()
				if err != nil {
					b.chainErr = err.Error()
					b.mu.Unlock()
					continue
				}
				state := res.Deal.State.String()
				old := b.states[id]
				b.states[id], b.chainErr = state, ""
				b.mu.Unlock()
				if state != old && res.Deal.State != orchestratortypes.DEAL_STATE_ACTIVE {
					b.logger.Error("a deal of a repository is no longer ACTIVE; the bridge serves what its provider still serves (remove the deal from the repository)",
						"repository", rc.Name, "deal", id, "state", state)
				}
			}
		}
	}
}

// Run serves the bridge until ctx ends: it resolves the deals, opens its
// database, listens on server.listen (S3) and server.status_listen
// (status), checks the deals' health and repairs missed writes. ready, if
// not nil, is closed once both endpoints listen. On return, requests in
// flight have finished (up to 10 s) and background writes have ended.
func (b *Bridge) Run(ctx context.Context, ready chan<- struct{}) error {
	if err := b.open(ctx); err != nil {
		b.closeDB()
		return err
	}
	defer b.closeDB()

	listening := make(chan struct{})
	var once sync.Once
	rootAccess, rootSecret := randomToken(20), randomToken(40)
	rt := &router{repos: b.repos, keys: b.cfg.Keys, created: time.Now().UTC()}
	srv, err := s3api.New(rt,
		middlewares.RootUserConfig{Access: rootAccess, Secret: rootSecret},
		b.cfg.Server.Region, newKeyIAM(b.cfg.Keys),
		nil, nil, nil, noMetrics{},
		s3api.WithQuiet(),
		s3api.WithKeepAlive(),
		s3api.WithConcurrencyLimiter(1024, 256),
		s3api.WithMpMaxParts(10000),
		s3api.WithOnListen(func() { once.Do(func() { close(listening) }) }),
	)
	if err != nil {
		return fmt.Errorf("s3 server: %w", err)
	}
	addr, err := concreteAddr(b.cfg.Server.Listen)
	if err != nil {
		return err
	}
	statusLn, err := net.Listen("tcp", b.cfg.Server.StatusListen)
	if err != nil {
		return fmt.Errorf("status endpoint: %w", err)
	}
	statusSrv := &http.Server{Handler: b.statusHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = statusSrv.Serve(statusLn) }()
	defer statusSrv.Close()

	served := make(chan struct{})
	var serveErr error
	go func() {
		defer close(served)
		serveErr = srv.ServeMultiPort([]string{addr})
	}()
	select {
	case <-listening:
	case <-served:
		return fmt.Errorf("listen on %s: %w", addr, serveErr)
	case <-ctx.Done():
		return shutdown(srv, served)
	}
	b.mu.Lock()
	b.addr = addr
	b.mu.Unlock()
	b.started = time.Now().UTC()

	loops, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); b.watchChain(loops) }()
	wg.Add(1)
	go func() { defer wg.Done(); b.watchConfig(loops) }()
	if b.meter != nil {
		interval := b.opts.ReceiptInterval
		if interval <= 0 {
			interval = DefaultReceiptInterval
		}
		wg.Add(1)
		go func() { defer wg.Done(); b.runReceipts(loops, b.meter, interval) }()
	}
	if b.qos != nil {
		interval := b.cfg.Chain.QoSCheckInterval.Duration // chain.qos_check_interval
		if interval <= 0 {
			interval = config.DefaultQoSCheckInterval
		}
		wg.Add(1)
		go func() { defer wg.Done(); b.qos.run(loops, interval) }()
	}
	if b.cfg.Autopilot.Enabled && b.opts.Client != nil {
		wg.Add(1)
		go func() { defer wg.Done(); b.runAutopilot(loops) }()
	}
	for _, rp := range b.repos {
		wg.Add(2)
		go func() { defer wg.Done(); rp.RunHealth(loops, b.cfg.Mirror.HealthInterval.Duration) }()
		go func() { defer wg.Done(); rp.RunRepair(loops, b.cfg.Mirror.RepairInterval.Duration) }()
		rp.TriggerRepair() // missed writes left from the last run
	}
	b.logger.Info("bridge listening", "s3", addr, "status", statusLn.Addr().String(), "repositories", len(b.repos), "consumer", b.opts.Consumer)
	if ready != nil {
		close(ready)
	}

	select {
	case <-ctx.Done():
	case <-served:
		stop()
		wg.Wait()
		return fmt.Errorf("S3 endpoint stopped: %w", serveErr)
	}
	err = shutdown(srv, served)
	stop()
	wg.Wait()
	for _, rp := range b.repos {
		rp.Wait()
	}
	return err
}

// shutdown stops versitygw's server and waits until it has (see the
// provider gateway's shutdown: a shutdown right after start can be
// ignored by fasthttp, so ask again until it stops).
func shutdown(srv *s3api.S3ApiServer, served <-chan struct{}) error {
	for {
		err := srv.ShutDown()
		select {
		case <-served:
			return err
		case <-time.After(50 * time.Millisecond):
			if err != nil {
				<-served
				return err
			}
		}
	}
}

// concreteAddr turns a port-0 listen address into a free port, because
// versitygw binds its own listener and cannot report the port it got.
func concreteAddr(addr string) (string, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if port != "0" {
		return addr, nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// randomToken returns n random upper-case letters and digits.
func randomToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// noMetrics is versitygw's metrics manager, counting nothing (the bridge
// reports per-deal measurements in its status instead).
type noMetrics struct{}

func (noMetrics) Send(fiber.Ctx, error, string, int64, int) {}
func (noMetrics) Close()                                    {}
