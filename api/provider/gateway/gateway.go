package gateway

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"cosmossdk.io/log"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/versity/versitygw/s3api"
	"github.com/versity/versitygw/s3api/middlewares"
)

// Gateway is a provider node's S3 endpoint: every unit and every deal of
// the node behind one listening address (see README.md for the layout).
// All methods are safe for concurrent use.
type Gateway struct {
	cfg    Config
	logger log.Logger
	deals  *dealTable
	store  *storage
	probes *probeServer
	router *router
	m      *gatewayMetrics
	reg    *prometheus.Registry
	srv    *s3api.S3ApiServer

	rootAccess, rootSecret string
	listening              chan struct{} // closed by versitygw once bound

	// admin serializes PutDeal and RemoveDeal: each is a storage scan or
	// deletion followed by a table change, and two of them for one deal
	// must not interleave.
	admin sync.Mutex

	life    sync.Mutex
	started bool
	closed  bool
	addr    string
	served  chan struct{} // closed when the server has stopped
	stop    context.CancelFunc
	janitor chan struct{} // closed when the janitor has stopped
}

// Timeouts of the node's own storage work.
const (
	scanTimeout      = 5 * time.Minute  // listing a deal's prefix when it is first served
	removeTimeout    = 30 * time.Minute // deleting a removed deal's data
	versitygwMpParts = 10000            // S3's limit on parts per upload
)

// removeWait is how long RemoveDeal waits for uploads in flight (a variable
// for tests).
var removeWait = 30 * time.Second

// New builds a gateway from cfg: it opens every unit's storage (posix
// directories are created; upstream S3 services are not contacted) and
// prepares the S3 server. Nothing listens before Start.
//
// With posix units, the process's working directory becomes cfg.PosixRoot
// for as long as the gateway is open (versitygw's posix backend works with
// relative paths), and only one such gateway can be open per process.
func New(cfg Config, logger log.Logger) (*Gateway, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("gateway config: %w", err)
	}
	if logger == nil {
		logger = log.NewNopLogger()
	}
	logger = logger.With(log.ModuleKey, "provider/gateway")
	g := &Gateway{
		cfg:        cfg,
		logger:     logger,
		deals:      newDealTable(),
		reg:        prometheus.NewRegistry(),
		rootAccess: cfg.RootAccessKey,
		rootSecret: cfg.RootSecretKey,
		listening:  make(chan struct{}),
		served:     make(chan struct{}),
		janitor:    make(chan struct{}),
	}
	if g.rootAccess == "" {
		g.rootAccess, g.rootSecret = "FBROOT"+randomToken(14), randomToken(40)
	}
	m, err := newGatewayMetrics(g.deals, g.reg)
	if err != nil {
		return nil, err
	}
	g.m = m
	store, err := openStorage(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	g.store = store
	g.probes = newProbeServer(cfg.Probe, store.units, m, logger)
	r := &router{deals: g.deals, m: m, logger: logger, onReceipt: cfg.OnReceipt}
	g.router = r
	var once sync.Once
	srv, err := s3api.New(r,
		middlewares.RootUserConfig{Access: g.rootAccess, Secret: g.rootSecret},
		cfg.Region, dealIAM{deals: g.deals},
		nil, nil, nil, // no audit log, admin log or bucket events
		m,
		s3api.WithQuiet(),
		s3api.WithKeepAlive(),
		// Authorization is by bucket owner (the deal's key); ACL headers
		// on requests are ignored.
		s3api.WithDisableACL(),
		s3api.WithConcurrencyLimiter(cfg.MaxConnections, cfg.MaxRequests),
		s3api.WithMpMaxParts(versitygwMpParts),
		s3api.WithRoute(http.MethodGet, probeRoute, g.probes.get),
		s3api.WithRoute(http.MethodPut, probeRoute, g.probes.put),
		s3api.WithOnListen(func() { once.Do(func() { close(g.listening) }) }),
	)
	if err != nil {
		store.close()
		return nil, fmt.Errorf("s3 server: %w", err)
	}
	g.srv = srv
	return g, nil
}

// randomToken returns n random upper-case letters and digits.
func randomToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// Start writes the probe objects of every unit and starts serving. A unit
// whose storage cannot be prepared is logged and served anyway (its probe
// objects are written on first request once it is reachable). ctx bounds
// the start-up work only; the gateway serves until Close.
func (g *Gateway) Start(ctx context.Context) error {
	g.life.Lock()
	defer g.life.Unlock()
	if g.started || g.closed {
		return errors.New("gateway already started or closed")
	}
	for _, u := range g.store.units {
		if err := g.probes.prepare(ctx, u); err != nil {
			g.logger.Error("probe objects not prepared", "unit", u.id, "err", err)
		}
	}
	addr, err := concreteAddr(g.cfg.Listen)
	if err != nil {
		return err
	}
	var serveErr error
	go func() {
		defer close(g.served)
		serveErr = g.srv.ServeMultiPort([]string{addr})
	}()
	select {
	case <-g.listening:
	case <-g.served:
		return fmt.Errorf("listen on %s: %w", addr, serveErr)
	case <-ctx.Done():
		_ = g.srv.ShutDown()
		<-g.served
		return ctx.Err()
	}
	jctx, stop := context.WithCancel(context.Background())
	go func() {
		defer close(g.janitor)
		g.probes.runJanitor(jctx)
	}()
	g.addr, g.stop, g.started = addr, stop, true
	g.logger.Info("S3 gateway listening", "addr", addr, "units", len(g.store.units))
	return nil
}

// concreteAddr turns a port-0 listen address into a free port, because
// versitygw binds its own listener and cannot report the port it got.
// (The port is free when checked; a race with another process is possible
// and only ever matters to tests.)
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

// Addr is the address the gateway listens on, once started.
func (g *Gateway) Addr() string {
	g.life.Lock()
	defer g.life.Unlock()
	return g.addr
}

// RootCredentials are the root account's keys (random unless configured).
func (g *Gateway) RootCredentials() (accessKey, secret string) { return g.rootAccess, g.rootSecret }

// Registry holds the gateway's Prometheus metrics.
func (g *Gateway) Registry() *prometheus.Registry { return g.reg }

// Close stops serving (requests in flight get up to 10 s to finish) and
// releases the storage. Completed objects are never affected: posix writes
// each object to a temporary file and renames it into place only when
// complete.
func (g *Gateway) Close() error {
	g.life.Lock()
	defer g.life.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	var err error
	if g.started {
		err = g.shutdown()
		g.stop()
		<-g.janitor
	}
	g.store.close()
	return err
}

// shutdown stops the server and waits until it has stopped. versitygw
// reports "listening" from fiber's OnListen hook, just before fasthttp's
// Serve registers the listener, and fasthttp ignores a shutdown that comes
// before that (it finds no listener to close). So a gateway closed right
// after Start may still be serving after a first shutdown that returned
// nil; ask again until it stops. (A nil answer means fasthttp has no
// connection left to wait for, which makes asking again safe.)
func (g *Gateway) shutdown() error {
	for {
		err := g.srv.ShutDown()
		select {
		case <-g.served:
			return err
		case <-time.After(50 * time.Millisecond):
			if err != nil {
				<-g.served
				return err
			}
		}
	}
}

// maxAccessKeyLen bounds access key ids (AWS uses 16 to 128 characters).
const maxAccessKeyLen = 128

// PutDeal starts serving a deal, or updates a served one (credentials,
// quota, read-only after close). The first time a deal is served by this
// process, its usage is rebuilt by listing its data in storage; an error
// there (storage down) leaves the deal unserved, and PutDeal can be called
// again.
func (g *Gateway) PutDeal(d Deal) error {
	if err := g.checkDeal(d); err != nil {
		return err
	}
	g.admin.Lock()
	defer g.admin.Unlock()
	if st := g.deals.get(d.ID); st != nil {
		if st.deal().UnitID != d.UnitID {
			return fmt.Errorf("deal %d is served on unit %d, not %d", d.ID, st.deal().UnitID, d.UnitID)
		}
		return g.deals.update(st, d)
	}
	if other := g.deals.byAccessKey(d.AccessKeyID); other != nil {
		return fmt.Errorf("access key of deal %d is already used by deal %d", d.ID, other.id)
	}
	u := g.store.units[d.UnitID]
	st := &dealState{id: d.ID, unit: u, prefix: dealKeyPrefix(d.ID), created: time.Now().UTC()}
	st.cfg.Store(&d)
	ctx, cancel := context.WithTimeout(context.Background(), scanTimeout)
	defer cancel()
	stored, uploads, err := scanUsage(ctx, u, st.prefix)
	if err != nil {
		return fmt.Errorf("deal %d: reading its usage from unit %d: %w", d.ID, u.id, err)
	}
	g.m.trackDeal(st)
	st.usage.reset(stored, uploads)
	if err := g.deals.insert(st); err != nil {
		g.m.forgetDeal(d.ID)
		return err
	}
	return nil
}

func (g *Gateway) checkDeal(d Deal) error {
	if g.store.units[d.UnitID] == nil {
		return fmt.Errorf("deal %d: unit %d is not served by this node", d.ID, d.UnitID)
	}
	if d.AccessKeyID == "" || len(d.AccessKeyID) > maxAccessKeyLen || strings.ContainsFunc(d.AccessKeyID, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		return fmt.Errorf("deal %d: access key id must be 1 to %d letters and digits", d.ID, maxAccessKeyLen)
	}
	if strings.HasPrefix(d.AccessKeyID, "ASIA") {
		// versitygw treats ASIA… keys as temporary (STS) credentials.
		return fmt.Errorf("deal %d: access key id must not start with ASIA", d.ID)
	}
	if d.AccessKeyID == g.rootAccess {
		return fmt.Errorf("deal %d: access key id is the root account's", d.ID)
	}
	if d.Secret == "" {
		return fmt.Errorf("deal %d: empty secret", d.ID)
	}
	if d.Access != AccessReadWrite && d.Access != AccessReadOnly {
		return fmt.Errorf("deal %d: unknown access %d", d.ID, d.Access)
	}
	return nil
}

// RemoveDeal stops serving a deal at once (its bucket is NoSuchBucket, its
// credentials InvalidAccessKeyId) and deletes its data from every unit of
// the node, so it also cleans up after a deal that was not served since a
// restart. Uploads in flight are aborted. An error (storage down) leaves
// data behind; calling RemoveDeal again finishes the job.
func (g *Gateway) RemoveDeal(id uint64) error {
	g.admin.Lock()
	defer g.admin.Unlock()
	if st := g.deals.remove(id); st != nil {
		g.m.forgetDeal(id)
		done := make(chan struct{})
		go func() { st.leases.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(removeWait):
			// A client that stalls mid-upload holds its lease until its
			// next read; delete again once it is gone.
			g.logger.Error("uploads of a removed deal still running; deleting its data again when they end", "deal", id)
			go func() {
				<-done
				if err := g.deleteDealData(id); err != nil {
					g.logger.Error("deleting a removed deal's data failed", "deal", id, "err", err)
				}
			}()
		}
	}
	return g.deleteDealData(id)
}

// deleteDealData deletes everything under deals/<id>/ on every unit.
func (g *Gateway) deleteDealData(id uint64) error {
	ctx, cancel := context.WithTimeout(context.Background(), removeTimeout)
	defer cancel()
	var errs []error
	prefix := dealKeyPrefix(id)
	for _, u := range g.store.units {
		if err := deletePrefix(ctx, u, prefix); err != nil {
			errs = append(errs, fmt.Errorf("unit %d: %w", u.id, err))
			continue
		}
		if u.kind == storagePosix {
			// Directories that held the deal's objects are not objects
			// themselves; remove what is left of the tree.
			if err := os.RemoveAll(filepath.Join(g.cfg.PosixRoot, u.bucket, prefix)); err != nil {
				errs = append(errs, fmt.Errorf("unit %d: %w", u.id, err))
			}
		}
	}
	return errors.Join(errs...)
}

// DealUsage is one served deal's metering.
type DealUsage struct {
	DealID, UnitID uint64
	// StoredBytes is the size of the deal's objects; ReservedBytes what
	// uploads in flight and open multipart uploads hold against its quota.
	StoredBytes, ReservedBytes uint64
	// IngressBytes and EgressBytes count object bytes received and sent
	// since this process started serving the deal; Requests its S3
	// requests.
	IngressBytes, EgressBytes, Requests uint64
}

// Usage reports every served deal, by id.
func (g *Gateway) Usage() []DealUsage {
	var out []DealUsage
	for _, st := range g.deals.all() {
		stored, reserved := st.usage.snapshot()
		out = append(out, DealUsage{
			DealID:        st.id,
			UnitID:        st.unit.id,
			StoredBytes:   uint64(max(stored, 0)),
			ReservedBytes: uint64(max(reserved, 0)),
			IngressBytes:  st.usage.ingress.Load(),
			EgressBytes:   st.usage.egress.Load(),
			Requests:      st.usage.requests.Load(),
		})
	}
	return out
}
