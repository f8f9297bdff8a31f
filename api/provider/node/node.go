// Package node is the provider node: it runs the S3 gateway for the
// provider's data units and follows the chain to decide which deals the
// gateway serves and how — pending requests accepted or declined by the
// policy, running deals read-write with credentials derived from the
// parties' access keys, closed deals read-only for the retrieval period and
// then deleted — and withdraws the deals' earnings on a schedule.
//
// One goroutine does all of the chain work (sync, decisions, withdrawals),
// so the node's state has a single writer; the status endpoint reads it
// under a lock. A failing chain never stops the gateway: the node keeps
// serving what it knows and retries with a growing delay.
package node

import (
	"context"
	"crypto/ecdh"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/api/provider/chain"
	"github.com/flashbacknetwork/flashbackd/api/provider/config"
	"github.com/flashbacknetwork/flashbackd/api/provider/gateway"
	"github.com/flashbacknetwork/flashbackd/api/provider/policy"
	"github.com/flashbacknetwork/flashbackd/app"
)

// Options are what a node needs besides its configuration.
type Options struct {
	// The app's codecs (the CLI passes its app's).
	Codec             codec.Codec
	InterfaceRegistry codectypes.InterfaceRegistry
	TxConfig          client.TxConfig
	// Keyring holds the provider's key; nil opens the configured one
	// (reading a file keyring's passphrase from KeyringInput).
	Keyring keyring.Keyring
	// KeyringInput answers a file keyring's passphrase prompt.
	KeyringInput io.Reader
	Logger       log.Logger
}

// maxBackoff bounds the delay between reads of an unreachable chain, and
// so does backoffPolls poll intervals (a fast-polling node comes back fast).
const (
	maxBackoff   = time.Minute
	backoffPolls = 20
)

// shutdownTimeout bounds the status server's shutdown.
const shutdownTimeout = 5 * time.Second

// maxDecisions is how many recent decisions the status keeps.
const maxDecisions = 50

// Node is a provider node.
type Node struct {
	cfg    config.Config
	logger log.Logger
	key    *ecdh.PrivateKey
	pub    []byte
	chain  *chain.Client
	gw     *gateway.Gateway
	policy policy.Policy
	m      *nodeMetrics
	reg    *prometheus.Registry
	once   *logOnce

	statusLn  net.Listener
	statusSrv *http.Server

	// mu guards everything below: written by the worker goroutine, read
	// by the status endpoint.
	mu            sync.Mutex
	st            *nodeState
	served        map[uint64]gateway.Deal // what the gateway was last given
	units         map[uint64]*UnitStatus
	registered    bool
	keyPublished  bool
	reachable     bool
	lastErr       string
	decisions     []DecisionStatus
	lastWithdrawn time.Time // last withdrawal round (attempted), for the schedule
}

// New prepares a node from a validated configuration: it loads the access
// key, the keyring key and the state file, and builds the gateway and the
// chain client. Nothing listens and the chain is not contacted before Run.
func New(cfg config.Config, opts Options) (*Node, error) {
	app.SetConfig()
	logger := opts.Logger
	if logger == nil {
		logger = log.NewNopLogger()
	}
	logger = logger.With(log.ModuleKey, "provider")

	key, err := dealauth.LoadKey(cfg.Path(cfg.Server.AccessKeyFile))
	if err != nil {
		return nil, fmt.Errorf("the node's access key: %w (flashbackd provider init creates it)", err)
	}
	kr := opts.Keyring
	if kr == nil {
		kr, err = keyring.New(sdkKeyringService(), cfg.Chain.KeyringBackend, cfg.Path(cfg.Chain.KeyringDir), opts.KeyringInput, opts.Codec)
		if err != nil {
			return nil, fmt.Errorf("keyring (%s backend in %s): %w", cfg.Chain.KeyringBackend, cfg.Path(cfg.Chain.KeyringDir), err)
		}
	}
	cc, err := chain.New(chain.Config{
		GRPCAddress: cfg.Chain.GRPCAddress, GRPCTLS: cfg.Chain.GRPCTLS, RPCAddress: cfg.Chain.RPCAddress, ChainID: cfg.Chain.ChainID,
		Keyring: kr, KeyName: cfg.Chain.KeyName,
		GasPrices: cfg.Chain.GasPrices, GasAdjustment: cfg.Chain.GasAdjustment, TxTimeout: cfg.Chain.TxTimeout.Duration,
		Codec: opts.Codec, InterfaceRegistry: opts.InterfaceRegistry, TxConfig: opts.TxConfig,
	}, logger.With("part", "chain"))
	if err != nil {
		return nil, fmt.Errorf("provider key: %w (chain.key_name %q in the %s keyring at %s)", err,
			cfg.Chain.KeyName, cfg.Chain.KeyringBackend, cfg.Path(cfg.Chain.KeyringDir))
	}
	provider := cc.Address().String()
	st, err := loadState(cfg.Path(cfg.Server.StateFile), provider)
	if err != nil {
		cc.Close()
		return nil, err
	}
	if cfg.Chain.ChainID != "" && st.ChainID != "" && st.ChainID != cfg.Chain.ChainID {
		cc.Close()
		return nil, fmt.Errorf("state file %s is for chain %s, the configuration names %s", cfg.Path(cfg.Server.StateFile), st.ChainID, cfg.Chain.ChainID)
	}
	var n *Node
	gwCfg := cfg.Gateway()
	gwCfg.OnReceipt = func(dealID uint64, body []byte) error { return n.takeReceipt(dealID, body) }
	gw, err := gateway.New(gwCfg, logger)
	if err != nil {
		cc.Close()
		return nil, err
	}
	n = &Node{
		cfg: cfg, logger: logger, key: key, pub: key.PublicKey().Bytes(),
		chain: cc, gw: gw, policy: policyOf(cfg.Policy),
		reg: prometheus.NewRegistry(), once: newLogOnce(),
		st: st, served: map[uint64]gateway.Deal{}, units: map[uint64]*UnitStatus{},
	}
	for _, u := range cfg.Units {
		backend := "posix"
		if u.S3 != nil {
			backend = "s3"
		}
		n.units[u.ID] = &UnitStatus{ID: u.ID, Backend: backend, Endpoint: n.unitEndpoint(u.ID), Problem: "not read from the chain yet"}
	}
	if st.LastWithdrawal != nil {
		n.lastWithdrawn = st.LastWithdrawal.Time
	}
	m, err := newNodeMetrics(n.reg, n.lastSync)
	if err != nil {
		gw.Close()
		cc.Close()
		return nil, err
	}
	n.m = m
	return n, nil
}

func policyOf(p config.Policy) policy.Policy {
	out := policy.Policy{
		MinPricePerGBMonth: sdkIntFromUint64(p.MinPricePerGBMonth),
		MarginBytes:        p.FreeSpaceMarginGB * policy.GB,
		VerifiedOnly:       p.VerifiedOnly,
		Allow:              map[string]bool{},
		Deny:               map[string]bool{},
	}
	for _, a := range p.AllowConsumers {
		out.Allow[a] = true
	}
	for _, a := range p.DenyConsumers {
		out.Deny[a] = true
	}
	return out
}

// Provider is the provider's address.
func (n *Node) Provider() string { return n.chain.Address().String() }

// S3Addr is the gateway's listening address (after Run started it).
func (n *Node) S3Addr() string { return n.gw.Addr() }

// StatusAddr is the status endpoint's listening address (after Run started it).
func (n *Node) StatusAddr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.statusLn == nil {
		return ""
	}
	return n.statusLn.Addr().String()
}

// Run serves until ctx is cancelled, then shuts down gracefully: the chain
// worker stops, the gateway stops accepting requests and lets those in
// flight finish, and the state file is written. ready, if not nil, is
// closed once the node listens.
func (n *Node) Run(ctx context.Context, ready chan<- struct{}) (err error) {
	defer n.chain.Close()
	if err := n.gw.Start(ctx); err != nil {
		n.gw.Close()
		return fmt.Errorf("S3 gateway: %w", err)
	}
	ln, err := net.Listen("tcp", n.cfg.Server.StatusListen)
	if err != nil {
		n.gw.Close()
		return fmt.Errorf("status endpoint %s: %w", n.cfg.Server.StatusListen, err)
	}
	var srv *http.Server
	n.locked(func() {
		n.statusLn = ln
		n.statusSrv = &http.Server{
			Handler:           n.statusHandler(prometheus.Gatherers{n.gw.Registry(), n.reg}),
			ReadHeaderTimeout: 10 * time.Second,
		}
		srv = n.statusSrv
	})
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.logger.Error("status endpoint stopped", "err", err)
		}
	}()

	// Serve what the state file knows at once, before the chain answers.
	n.reconcile()
	var known int
	n.locked(func() { known = len(n.served) })
	n.logger.Info("provider node started", "provider", n.Provider(), "s3", n.gw.Addr(), "public_url", n.cfg.Server.PublicURL,
		"status", ln.Addr().String(), "units", len(n.cfg.Units), "deals_from_state", known,
		"access_key", hex.EncodeToString(n.pub))
	if ready != nil {
		close(ready)
	}

	n.work(ctx)

	n.logger.Info("provider node stopping: finishing requests in flight")
	gwErr := n.gw.Close()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	_ = srv.Shutdown(sctx)
	var saveErr error
	n.locked(func() { saveErr = n.st.save(n.cfg.Path(n.cfg.Server.StateFile)) })
	if saveErr != nil {
		n.logger.Error("writing the state file", "err", saveErr)
	}
	n.logger.Info("provider node stopped")
	return errors.Join(gwErr, saveErr)
}

// work is the chain worker: a sync round every poll interval (longer while
// the chain fails), withdrawals when due.
func (n *Node) work(ctx context.Context) {
	interval := n.cfg.Chain.PollInterval.Duration
	longest := min(maxBackoff, backoffPolls*interval)
	delay := time.Duration(0)
	var failingSince time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		err := n.guard("sync", func() error { return n.syncOnce(ctx) })
		if ctx.Err() != nil {
			return
		}
		_ = n.guard("serve", func() error { n.reconcile(); return nil })
		n.locked(func() {
			n.saveLocked()
		})
		if err != nil {
			n.m.chainErrors.Inc()
			if failingSince.IsZero() {
				failingSince = time.Now()
				delay = interval
			}
			delay = min(2*delay, longest)
			n.setReachable(false, err)
			// Once per distinct error: an unreachable chain must not flood the log.
			n.once.errorf(n.logger, "chain", err.Error(), "reading the chain failed; serving the deals the node knows and retrying",
				"err", err, "retry_in", delay.String())
			continue
		}
		if !failingSince.IsZero() {
			n.logger.Info("chain reachable again", "after", time.Since(failingSince).Round(time.Second).String())
			failingSince = time.Time{}
		}
		n.once.clear("chain")
		n.setReachable(true, nil)
		delay = interval
		_ = n.guard("receipts", func() error { n.submitReceipts(ctx); return nil })
		if n.withdrawDue() {
			_ = n.guard("withdraw", func() error { n.withdraw(ctx); return nil })
		}
	}
}

// guard runs one part of a round and turns a panic (a bug) into an error
// with its stack in the log: the gateway goes on serving, and the next round
// tries again, rather than the whole node going down with a provider's data
// unreachable.
func (n *Node) guard(part string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			n.logger.Error("BUG: the node's "+part+" round panicked; continuing", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("%s round panicked: %v", part, r)
		}
	}()
	return f()
}

func (n *Node) setReachable(ok bool, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.reachable = ok
	n.lastErr = ""
	if err != nil {
		n.lastErr = err.Error()
	}
}

func (n *Node) lastSync() time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.st.LastSync == nil {
		return time.Time{}
	}
	return *n.st.LastSync
}

// saveLocked writes the state file; a failure is logged (the node goes on
// serving; the next round writes it again).
func (n *Node) saveLocked() {
	if err := n.st.save(n.cfg.Path(n.cfg.Server.StateFile)); err != nil {
		n.once.errorf(n.logger, "state", err.Error(), "writing the state file failed", "err", err)
		return
	}
	n.once.clear("state")
}

// Status is the node's status now.
func (n *Node) Status() Status {
	usage := map[uint64]gateway.DealUsage{}
	for _, u := range n.gw.Usage() {
		usage[u.DealID] = u
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	s := Status{
		Provider: n.Provider(), ChainID: n.st.ChainID, PublicURL: n.cfg.Server.PublicURL,
		AccessKey: hex.EncodeToString(n.pub), AccessKeyPublished: n.keyPublished, ProviderRegistered: n.registered,
		Chain:     ChainStatus{Reachable: n.reachable, LastError: n.lastErr, SyncAgeSeconds: -1},
		Units:     []UnitStatus{},
		Deals:     []DealStatus{},
		Decisions: append([]DecisionStatus{}, n.decisions...),
	}
	if n.st.LastSync != nil {
		t := *n.st.LastSync
		s.Chain.LastSync, s.Chain.SyncAgeSeconds = &t, time.Since(t).Seconds()
	}
	for _, u := range n.cfg.Units {
		s.Units = append(s.Units, *n.units[u.ID])
	}
	for _, d := range n.st.sortedDeals() {
		ds := DealStatus{ID: d.ID, UnitID: d.UnitID, Consumer: d.Consumer, ChainState: d.ChainState, Access: "removed", ClosedAt: d.ClosedAt}
		if d.Phase == phaseClosed {
			t := d.retrievalEnds(n.cfg.Retrieval.Period.Duration)
			ds.RetrievalEnds = &t
		}
		if g, ok := n.served[d.ID]; ok {
			ds.Access, ds.QuotaBytes = accessLabel(g), g.QuotaBytes
		}
		if u, ok := usage[d.ID]; ok {
			ds.StoredBytes, ds.IngressBytes, ds.EgressBytes, ds.Requests = u.StoredBytes, u.IngressBytes, u.EgressBytes, u.Requests
		}
		s.Deals = append(s.Deals, ds)
	}
	if w := n.st.LastWithdrawal; w != nil {
		s.LastWithdrawal = &WithdrawalInfo{Time: w.Time, Deals: w.Deals, Net: w.Net, Fee: w.Fee, TxHash: w.TxHash}
	}
	return s
}

// sdkKeyringService is the keyring service name `flashbackd keys` uses
// (it matters to the os backend).
func sdkKeyringService() string { return sdk.KeyringServiceName() }

func sdkIntFromUint64(v uint64) sdkmath.Int { return sdkmath.NewIntFromUint64(v) }

// locked runs f under the node's lock, released even if f panics (see guard).
func (n *Node) locked(f func()) {
	n.mu.Lock()
	defer n.mu.Unlock()
	f()
}
