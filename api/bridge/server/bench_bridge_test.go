//go:build benchbridge

package server_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"

	"github.com/flashbacknetwork/flashbackd/api/bridge"
	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/server"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/testutil/providertest"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// TestBenchBridge is `make bench-bridge` (build tag benchbridge; never in
// make test): in one run, over three provider nodes on a live chain, PUT
// and GET throughput of 1 MiB and 64 MiB objects straight to one deal on
// its provider node and through the bridge (normal mode, the same node);
// the cost of mirror-mode writes with 2 and 3 replicas (quorum: a
// majority, and all); and how long reads stop when the node serving them
// is killed (SIGKILL) or hangs (SIGSTOP). The table is logged and written
// to bench/bridge.json (BENCH_OUT).
func TestBenchBridge(t *testing.T) {
	env := providertest.Start(t)
	ctx := context.Background()
	accts := env.NewAccounts("p1", "p2", "p3", "alice")
	nodes := startProviderNodes(t, env, accts, 3)
	alice := env.Consumer("alice", accts[3], t.TempDir(), true)
	deal := func(unit uint64) uint64 { return env.RequestDeal(alice, unit, 1, 30*time.Minute) }
	direct, solo := deal(1), deal(1)
	m2 := []uint64{deal(1), deal(2)}
	m3 := []uint64{deal(1), deal(2), deal(3)}
	m3all := []uint64{deal(1), deal(2), deal(3)}
	for _, d := range append(append(append([]uint64{direct, solo}, m2...), m3...), m3all...) {
		env.WaitDealState(d, types.DEAL_STATE_ACTIVE, 30*time.Second)
	}

	cfg := config.Default(env.KeyringDir())
	cfg.Chain.GRPCAddress, cfg.Chain.RPCAddress, cfg.Chain.ChainID = env.Val.AppConfig.GRPC.Address, env.Val.RPCAddress, env.ChainID
	cfg.Chain.KeyringBackend, cfg.Chain.KeyName = "test", "alice"
	cfg.Server.Listen, cfg.Server.StatusListen = providertest.FreeAddr(t), providertest.FreeAddr(t)
	cfg.Server.AccessKeyFile = alice.KeyFile
	cfg.Mirror.HealthInterval.Duration = time.Second
	key, err := config.NewKey("app", false)
	require.NoError(t, err)
	cfg.Keys = []config.Key{key}
	cfg.Repositories = []config.Repository{
		{Name: "normal", Mode: config.ModeNormal, Deals: []uint64{solo}},
		{Name: "mirror2", Mode: config.ModeMirror, Deals: m2},                       // quorum 2 of 2
		{Name: "mirror3", Mode: config.ModeMirror, Deals: m3},                       // quorum 2 of 3
		{Name: "mirror3all", Mode: config.ModeMirror, Deals: m3all, WriteQuorum: 3}, // 3 of 3
	}
	cfg = cfg.WithHome(t.TempDir())
	b := startBridgeWith(t, cfg, server.Options{Consumer: accts[3].String(), Logger: log.NewNopLogger()})
	bc := providertest.S3("http://"+b.Addr(), dealauth.Credentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey})
	aliceKey, err := dealauth.LoadKey(alice.KeyFile)
	require.NoError(t, err)
	dc := newDealClient(t, env, aliceKey, direct)
	pc := ceilingClient(t, env, aliceKey, direct)

	type row struct {
		Case     string  `json:"case"`
		Op       string  `json:"op"`
		SizeMiB  int     `json:"size_mib"`
		Rounds   int     `json:"rounds"`
		MedianMs float64 `json:"median_ms"`
		MiBps    float64 `json:"mib_per_s"`
	}
	var rows []row
	measure := func(name, op string, size, rounds int, f func(i int)) row {
		f(-1) // warm-up
		var ds []time.Duration
		for i := 0; i < rounds; i++ {
			start := time.Now()
			f(i)
			ds = append(ds, time.Since(start))
		}
		slices.Sort(ds)
		med := ds[len(ds)/2]
		r := row{Case: name, Op: op, SizeMiB: size, Rounds: rounds, MedianMs: float64(med.Microseconds()) / 1000,
			MiBps: float64(size) / med.Seconds()}
		rows = append(rows, r)
		t.Logf("%-34s %-3s %3d MiB: median %8.1f ms  %7.1f MiB/s", name, op, size, r.MedianMs, r.MiBps)
		return r
	}
	put := func(c *s3.Client, bucket string, body []byte) func(int) {
		return func(int) {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("bench"), Body: bytes.NewReader(body)})
			require.NoError(t, err)
		}
	}
	getAll := func(c *s3.Client, bucket string, size int) func(int) {
		return func(int) {
			res, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("bench")})
			require.NoError(t, err)
			n, err := io.Copy(io.Discard, res.Body)
			res.Body.Close()
			require.NoError(t, err)
			require.EqualValues(t, size<<20, n)
		}
	}
	for _, sc := range []struct{ mib, rounds int }{{1, 30}, {64, 5}} {
		body := random(t, sc.mib<<20)
		measure("direct to the provider node", "PUT", sc.mib, sc.rounds, put(dc.c, dc.bucket, body))
		measure("reverse proxy (ceiling)", "PUT", sc.mib, sc.rounds, put(pc.c, pc.bucket, body))
		measure("bridge, normal", "PUT", sc.mib, sc.rounds, put(bc, "normal", body))
		measure("bridge, mirror 2 deals (quorum 2)", "PUT", sc.mib, sc.rounds, put(bc, "mirror2", body))
		measure("bridge, mirror 3 deals (quorum 2)", "PUT", sc.mib, sc.rounds, put(bc, "mirror3", body))
		measure("bridge, mirror 3 deals (quorum 3)", "PUT", sc.mib, sc.rounds, put(bc, "mirror3all", body))
		b.waitIdle(t)
		measure("direct to the provider node", "GET", sc.mib, sc.rounds, getAll(dc.c, dc.bucket, sc.mib))
		measure("reverse proxy (ceiling)", "GET", sc.mib, sc.rounds, getAll(pc.c, pc.bucket, sc.mib))
		measure("bridge, normal", "GET", sc.mib, sc.rounds, getAll(bc, "normal", sc.mib))
		measure("bridge, mirror 3 deals", "GET", sc.mib, sc.rounds, getAll(bc, "mirror3", sc.mib))
	}

	// Failover: a reader reads a small object of mirror3 every 20 ms; the
	// node serving the reads dies (or hangs). The gap is the time from the
	// fault to the first read completed after it.
	small := random(t, 64<<10)
	_, err = bc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mirror3"), Key: aws.String("small"), Body: bytes.NewReader(small)})
	require.NoError(t, err)
	b.waitIdle(t)
	failover := map[string]float64{}
	for _, fault := range []struct {
		name string
		sig  syscall.Signal
	}{{"SIGKILL", syscall.SIGKILL}, {"SIGSTOP", syscall.SIGSTOP}} {
		// The deal serving the reads: the one whose request count grows
		// while a reader reads (the bridge reads from the fastest).
		requests := func() []uint64 {
			var n []uint64
			for _, d := range b.Status().Repositories[2].Deals {
				n = append(n, d.Requests)
			}
			return n
		}
		var faultNs atomic.Int64 // the fault's time (0: not yet)
		var gap time.Duration
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				start := time.Now()
				res, err := bc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mirror3"), Key: aws.String("small")})
				if err == nil {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				// The first read started after the fault that succeeds.
				if f := faultNs.Load(); f != 0 && err == nil && start.UnixNano() >= f {
					gap = time.Since(time.Unix(0, f))
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
		before := requests()
		time.Sleep(time.Second)
		after := requests()
		v := 0
		for i := range after {
			if after[i]-before[i] > after[v]-before[v] {
				v = i
			}
		}
		victim, victimDeal := nodes[v], b.Status().Repositories[2].Deals[v].Deal
		faultNs.Store(time.Now().UnixNano())
		require.NoError(t, victim.cmd.Process.Signal(fault.sig))
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Fatalf("reads did not resume within 60 s after %s", fault.name)
		}
		failover[fault.name] = float64(gap.Microseconds()) / 1000
		require.Less(t, gap, 2*time.Second, "reads continue within 2 s after %s (hedge_after)", fault.name)
		t.Logf("failover after %s of the node serving reads (deal %d): reads resumed %s after the fault", fault.name, victimDeal, gap.Round(time.Millisecond))
		if fault.sig == syscall.SIGSTOP {
			_ = victim.cmd.Process.Signal(syscall.SIGCONT)
		} else {
			victim.kill()
			victim.start()
		}
		b.waitIdle(t)
		require.Eventually(t, func() bool {
			for _, d := range b.Status().Repositories[2].Deals {
				if !d.Up {
					return false
				}
			}
			return true
		}, 30*time.Second, 100*time.Millisecond)
	}

	ratios := map[string]float64{}
	for _, r := range rows {
		if r.Case != "bridge, normal" {
			continue
		}
		for _, o := range rows {
			if o.Op == r.Op && o.SizeMiB == r.SizeMiB && (o.Case == "direct to the provider node" || o.Case == "reverse proxy (ceiling)") {
				name := fmt.Sprintf("%s %d MiB bridge/%s", r.Op, r.SizeMiB, map[bool]string{true: "direct", false: "ceiling"}[o.Case == "direct to the provider node"])
				ratios[name] = r.MiBps / o.MiBps
				t.Logf("%-34s %.2fx", name, ratios[name])
			}
		}
	}

	out := os.Getenv("BENCH_OUT")
	if out == "" {
		_, file, _, _ := runtime.Caller(0)
		out = filepath.Join(filepath.Dir(file), "..", "..", "..", "bench", "bridge.json")
	}
	raw, err := json.MarshalIndent(map[string]any{"date": time.Now().UTC().Format(time.RFC3339), "throughput": rows, "normal_ratios": ratios, "failover_ms": failover}, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(out), 0o755))
	require.NoError(t, os.WriteFile(out, append(raw, '\n'), 0o644))
	t.Logf("written to %s", out)
}

// ceilingClient is an S3 client of deal through a plain reverse proxy
// (net/http/httputil) in front of its provider node: what any proxy can
// reach on this machine, the bridge's ceiling. The client signs with the
// deal's own credentials and the proxy passes the request through
// untouched, Host header included (SigV4 signs it), so the node verifies
// the client's signature and payload hash itself: the proxy adds one HTTP
// hop — every byte received and sent again, over kept-alive connections —
// and nothing else (no SigV4 check, no re-signing, no checksums, no
// record). Its transport has the same connection settings as the
// bridge's connections to provider nodes.
func ceilingClient(t *testing.T, env *providertest.Env, key *ecdh.PrivateKey, deal uint64) *dealClient {
	t.Helper()
	a, err := bridge.ResolveDeal(context.Background(), env.Q, key, env.ChainID, deal)
	require.NoError(t, err)
	target, err := url.Parse(a.Endpoint)
	require.NoError(t, err)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 128, 32
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
		},
		Transport: tr,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: proxy}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return &dealClient{c: providertest.S3("http://"+ln.Addr().String(), a.Credentials), bucket: a.Bucket}
}
