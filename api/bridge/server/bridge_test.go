package server_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/api/bridge"
	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/server"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/providertest"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// TestBridgeOverProviderNodes: a live in-process chain, three provider
// nodes (each its own process and provider), a consumer with a mirror
// repository over one deal on each (write quorum 2) and a normal one. The
// AWS SDK v2 against the bridge: put (also multipart), ranged get, list,
// delete; every object lands on every deal. One node is killed: reads go on,
// writes meet the quorum; restarted, it is repaired. A read-only key cannot
// write; a wrong secret and an unknown repository are refused; deals that
// are not the consumer's, not ACTIVE or do not exist stop the bridge from
// starting, each named.
func TestBridgeOverProviderNodes(t *testing.T) {
	env := providertest.Start(t)
	ctx := context.Background()
	accts := env.NewAccounts("p1", "p2", "p3", "alice", "bob")
	nodes := startProviderNodes(t, env, accts, 3)
	// Unit 4 is served by no node: a deal on it stays PENDING.
	env.CreateUnit("p1", accts[0], 4, "http://127.0.0.1:1", providertest.PricePerGBSecond1000)
	alice := env.Consumer("alice", accts[3], t.TempDir(), true)
	bob := env.Consumer("bob", accts[4], t.TempDir(), true)
	var mirror []uint64
	for unit := uint64(1); unit <= 3; unit++ {
		mirror = append(mirror, env.RequestDeal(alice, unit, 1, 10*time.Minute))
	}
	solo := env.RequestDeal(alice, 2, 1, 10*time.Minute)
	bobs := env.RequestDeal(bob, 1, 1, 10*time.Minute)
	pending := env.RequestDeal(alice, 4, 1, 10*time.Minute)
	for _, d := range append(mirror, solo, bobs) {
		env.WaitDealState(d, types.DEAL_STATE_ACTIVE, 30*time.Second)
	}

	cfg := config.Default(env.KeyringDir())
	grpcProxy := providertest.NewProxy(t, env.Val.AppConfig.GRPC.Address)
	cfg.Chain.GRPCAddress, cfg.Chain.RPCAddress, cfg.Chain.ChainID = grpcProxy.Addr, env.Val.RPCAddress, env.ChainID
	cfg.Chain.KeyringBackend, cfg.Chain.KeyName = "test", "alice"
	cfg.Server.Listen, cfg.Server.StatusListen = providertest.FreeAddr(t), providertest.FreeAddr(t)
	cfg.Server.AccessKeyFile = alice.KeyFile
	cfg.Mirror.HealthInterval.Duration = 300 * time.Millisecond
	cfg.Mirror.FailuresToDown = 2
	cfg.Mirror.FailoverAfter.Duration = 3 * time.Second // a dead node refuses at once; a loaded one may be slow
	cfg.Mirror.WriteTimeout.Duration = 20 * time.Second
	cfg.Mirror.RepairInterval.Duration = 500 * time.Millisecond
	cfg.Chain.PollInterval.Duration = 300 * time.Millisecond
	app1, err := config.NewKey("app", false)
	require.NoError(t, err)
	reader, err := config.NewKey("reader", true)
	require.NoError(t, err)
	cfg.Keys = []config.Key{app1, reader}
	cfg.Repositories = []config.Repository{
		{Name: "media", Mode: config.ModeMirror, Deals: mirror, WriteQuorum: 2},
		{Name: "solo", Mode: config.ModeNormal, Deals: []uint64{solo}},
	}
	cfg = cfg.WithHome(t.TempDir())

	// Unhappy starts: each bad deal is named, and nothing listens.
	bad := cfg
	bad.Repositories = []config.Repository{{Name: "bad", Mode: config.ModeMirror, Deals: []uint64{bobs, pending, 999}}}
	err = runBridge(t, bad, accts[3].String())
	require.ErrorContains(t, err, fmt.Sprintf("repository bad: deal %d: its consumer is %s, not the bridge's account %s", bobs, accts[4], accts[3]))
	require.ErrorContains(t, err, fmt.Sprintf("repository bad: deal %d: it is DEAL_STATE_PENDING", pending))
	require.ErrorContains(t, err, "repository bad: deal 999: no such deal")
	_, err = os.Stat(filepath.Join(cfg.Path(cfg.Server.DataDir), server.DBFile))
	require.ErrorIs(t, err, os.ErrNotExist, "a failed first start leaves no database (the next one rebuilds)")

	b := startBridge(t, cfg, accts[3].String())
	endpoint := "http://" + b.Addr()
	c := providertest.S3(endpoint, dealauth.Credentials{AccessKeyID: app1.AccessKeyID, SecretAccessKey: app1.SecretAccessKey})
	media := aws.String("media")

	// Put, multipart, ranged get, list, delete.
	small := random(t, 100_000)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: media, Key: aws.String("docs/small"), Body: bytes.NewReader(small)})
	require.NoError(t, err)
	big := random(t, 11<<20)
	multipart(t, c, "media", "big", big, 5<<20)
	require.Equal(t, big[1<<20:1<<20+10], get(t, c, "media", "big", "bytes=1048576-1048585"))
	require.Equal(t, small, get(t, c, "media", "docs/small", ""))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: media, Key: aws.String("doomed"), Body: strings.NewReader("bye")})
	require.NoError(t, err)
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: media, Key: aws.String("doomed")})
	require.NoError(t, err)
	require.Equal(t, []string{"big", "docs/small"}, list(t, c, "media"))
	b.waitIdle(t)

	// Every deal holds every object, byte for byte.
	aliceKey, err := dealauth.LoadKey(alice.KeyFile)
	require.NoError(t, err)
	direct := map[uint64]*dealClient{}
	for _, d := range mirror {
		direct[d] = newDealClient(t, env, aliceKey, d)
		require.Equal(t, big, direct[d].get(t, "big"))
		require.Equal(t, small, direct[d].get(t, "docs/small"))
		require.False(t, direct[d].has(t, "doomed"))
	}

	// The normal repository: one deal.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("solo"), Key: aws.String("x"), Body: bytes.NewReader(small)})
	require.NoError(t, err)
	require.Equal(t, small, get(t, c, "solo", "x", ""))
	require.Equal(t, small, newDealClient(t, env, aliceKey, solo).get(t, "x"))

	// Egress billing: the bridge counts what each deal delivered and sends
	// signed usage receipts; the provider node bills them on chain (the
	// units are free to read, so bytes are recorded and nothing charged).
	require.Eventually(t, func() bool { return env.Deal(solo).Deal.EgressBilledBytes >= uint64(len(small)) }, 30*time.Second, 200*time.Millisecond,
		"the solo deal's reads through the bridge are billed from the bridge's receipts")
	require.NotZero(t, env.Deal(solo).Deal.ReceiptSequence)

	// Numbers for the report (logged, not asserted): 4 MiB through the
	// bridge (mirror over 3 deals, quorum 2; normal) and straight to a deal.
	payload := random(t, 4<<20)
	best := func(f func()) time.Duration {
		d := time.Duration(1 << 62)
		for i := 0; i < 3; i++ {
			start := time.Now()
			f()
			d = min(d, time.Since(start))
		}
		return d
	}
	putVia := func(c *s3.Client, bucket string) func() {
		return func() {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("perf"), Body: bytes.NewReader(payload)})
			require.NoError(t, err)
		}
	}
	getVia := func(c *s3.Client, bucket string) func() { return func() { get(t, c, bucket, "perf", "") } }
	dc := direct[mirror[0]]
	t.Logf("4 MiB PUT: direct to a deal %s, bridge normal %s, bridge mirror (3 deals, quorum 2) %s",
		best(putVia(dc.c, dc.bucket)), best(putVia(c, "solo")), best(putVia(c, "media")))
	t.Logf("4 MiB GET: direct to a deal %s, bridge normal %s, bridge mirror %s",
		best(getVia(dc.c, dc.bucket)), best(getVia(c, "solo")), best(getVia(c, "media")))
	for _, bucket := range []string{"media", "solo"} {
		_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("perf")})
		require.NoError(t, err)
	}
	b.waitIdle(t)

	// Keys: read-only, wrong secret, unknown key; unknown repository.
	ro := providertest.S3(endpoint, dealauth.Credentials{AccessKeyID: reader.AccessKeyID, SecretAccessKey: reader.SecretAccessKey})
	require.Equal(t, small, get(t, ro, "media", "docs/small", ""))
	_, err = ro.PutObject(ctx, &s3.PutObjectInput{Bucket: media, Key: aws.String("ro"), Body: strings.NewReader("no")})
	requireCode(t, err, "AccessDenied", 403)
	_, err = ro.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: media, Key: aws.String("big")})
	requireCode(t, err, "AccessDenied", 403)
	wrong := providertest.S3(endpoint, dealauth.Credentials{AccessKeyID: app1.AccessKeyID, SecretAccessKey: strings.Repeat("x", 40)})
	_, err = wrong.GetObject(ctx, &s3.GetObjectInput{Bucket: media, Key: aws.String("big")})
	requireCode(t, err, "SignatureDoesNotMatch", 403)
	unknown := providertest.S3(endpoint, dealauth.Credentials{AccessKeyID: "FBBNOSUCHKEY00000000", SecretAccessKey: strings.Repeat("x", 40)})
	_, err = unknown.GetObject(ctx, &s3.GetObjectInput{Bucket: media, Key: aws.String("big")})
	requireCode(t, err, "InvalidAccessKeyId", 403)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nope"), Key: aws.String("big")})
	requireCode(t, err, "NoSuchBucket", 404)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: media, Key: aws.String("missing")})
	requireCode(t, err, "NoSuchKey", 404)

	// The provider node of the deal the bridge reads from first (the
	// fastest so far) dies.
	v := 0
	for i, d := range b.Status().Repositories[0].Deals {
		if d.LatencyP50Ms < b.Status().Repositories[0].Deals[v].LatencyP50Ms {
			v = i
		}
	}
	downDeal := mirror[v]
	nodes[v].kill()
	start := time.Now()
	require.Equal(t, small, get(t, c, "media", "docs/small", ""), "reads fail over")
	t.Logf("first read after the fastest deal's node died: %s", time.Since(start).Round(time.Millisecond))
	for i := 0; i < 5; i++ {
		require.Equal(t, big, get(t, c, "media", "big", ""), "reads go on")
	}
	during := random(t, 300_000)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: media, Key: aws.String("during"), Body: bytes.NewReader(during)})
	require.NoError(t, err, "2 of 3 deals meet the quorum")
	multipart(t, c, "media", "big-during", big[:6<<20], 5<<20)
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: media, Key: aws.String("docs/small")})
	require.NoError(t, err)
	require.Equal(t, []string{"big", "big-during", "during"}, list(t, c, "media"))
	st := b.Status()
	dealSt := st.Repositories[0].Deals[v]
	require.Equal(t, downDeal, dealSt.Deal)
	require.False(t, dealSt.Up)
	require.Equal(t, 3, dealSt.Pending)
	require.Equal(t, 3, st.Repositories[0].Pending)

	// Back: the missed writes are repaired.
	back := time.Now()
	nodes[v].start()
	require.Eventually(t, func() bool { return b.Status().Repositories[0].Pending == 0 }, 30*time.Second, 100*time.Millisecond)
	t.Logf("node back → missed writes repaired in %s", time.Since(back).Round(time.Millisecond))
	require.True(t, b.Status().Repositories[0].Deals[v].Up)
	require.Equal(t, during, direct[downDeal].get(t, "during"))
	require.Equal(t, big[:6<<20], direct[downDeal].get(t, "big-during"))
	require.False(t, direct[downDeal].has(t, "docs/small"), "the missed delete is done")

	// The status endpoint tells the same.
	var viaHTTP server.Status
	res, err := http.Get("http://" + cfg.Server.StatusListen + "/status")
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(res.Body).Decode(&viaHTTP))
	res.Body.Close()
	require.Equal(t, accts[3].String(), viaHTTP.Consumer)
	require.Len(t, viaHTTP.Repositories, 2)
	require.Equal(t, 3, viaHTTP.Repositories[0].Objects)
	require.Len(t, viaHTTP.Repositories[0].Deals, 3)
	require.Positive(t, viaHTTP.Repositories[0].Deals[0].Requests)

	// The database lost: the bridge rebuilds it from the deals at start.
	b.stop(t)
	require.NoError(t, os.Remove(filepath.Join(cfg.Path(cfg.Server.DataDir), server.DBFile)))
	b = startBridge(t, cfg, accts[3].String())
	st = b.Status()
	require.Equal(t, 3, st.Repositories[0].Objects)
	require.Zero(t, st.Repositories[0].Pending)
	require.Equal(t, 1, st.Repositories[1].Objects)
	require.Equal(t, during, get(t, c, "media", "during", ""))
	require.Equal(t, "DEAL_STATE_ACTIVE", st.Repositories[1].Deals[0].ChainState)

	// The consumer closes the normal repository's deal: the status shows it.
	env.Send("alice", &types.MsgCloseDeal{Sender: accts[3].String(), DealId: solo})
	require.Eventually(t, func() bool {
		return b.Status().Repositories[1].Deals[0].ChainState == "DEAL_STATE_CLOSED"
	}, 20*time.Second, 100*time.Millisecond)

	// With the two others gone, the repaired deal serves alone.
	for i := range nodes {
		if i != v {
			nodes[i].kill()
		}
	}
	require.Equal(t, during, get(t, c, "media", "during", ""))
	require.Equal(t, big[:6<<20], get(t, c, "media", "big-during", ""))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: media, Key: aws.String("no-quorum"), Body: strings.NewReader("x")})
	requireCode(t, err, "ServiceUnavailable", 503)

	// Restarted while the chain cannot be reached, the bridge serves the
	// deals as it last read them, and says so.
	b.stop(t)
	grpcProxy.Down()
	b = startBridge(t, cfg, accts[3].String())
	require.Contains(t, b.Status().ChainError, "Unavailable")
	require.Equal(t, during, get(t, c, "media", "during", ""))
}

// runningBridge is a bridge serving in the test.
type runningBridge struct {
	*server.Bridge
	cancel context.CancelFunc
	done   chan error
}

func runBridge(t *testing.T, cfg config.Config, consumer string) error {
	t.Helper()
	b, err := server.New(cfg, server.Options{Consumer: consumer, Logger: log.NewTestLoggerInfo(t)})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return b.Run(ctx, nil)
}

func startBridge(t *testing.T, cfg config.Config, consumer string) *runningBridge {
	t.Helper()
	return startBridgeWith(t, cfg, server.Options{Consumer: consumer, Logger: log.NewTestLoggerInfo(t),
		Keyring: testKeyring(t, cfg), ReceiptInterval: 300 * time.Millisecond})
}

// testKeyring opens the consumer keyring cfg names (the bridge signs usage
// receipts and QoS reports with it).
func testKeyring(t *testing.T, cfg config.Config) keyring.Keyring {
	t.Helper()
	kr, err := keyring.New(sdk.KeyringServiceName(), cfg.Chain.KeyringBackend, cfg.Path(cfg.Chain.KeyringDir), nil, app.MakeEncodingConfig().Codec)
	require.NoError(t, err)
	return kr
}

// startBridgeWith runs a bridge with opts until the test ends, and waits
// until it serves.
func startBridgeWith(t *testing.T, cfg config.Config, opts server.Options) *runningBridge {
	t.Helper()
	b, err := server.New(cfg, opts)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	r := &runningBridge{Bridge: b, cancel: cancel, done: make(chan error, 1)}
	ready := make(chan struct{})
	go func() { r.done <- b.Run(ctx, ready) }()
	select {
	case <-ready:
	case err := <-r.done:
		t.Fatalf("bridge did not start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("bridge not ready after 30s")
	}
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop shuts the bridge down and requires a clean exit.
func (r *runningBridge) stop(t *testing.T) {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	require.NoError(t, <-r.done)
}

// waitIdle waits until no write is pending on any deal.
func (r *runningBridge) waitIdle(t *testing.T) {
	require.Eventually(t, func() bool {
		for _, rp := range r.Status().Repositories {
			if rp.Pending > 0 {
				return false
			}
		}
		return true
	}, 20*time.Second, 50*time.Millisecond)
}

// dealClient reaches a deal directly on its provider node.
type dealClient struct {
	c      *s3.Client
	bucket string
}

func newDealClient(t *testing.T, env *providertest.Env, key *ecdh.PrivateKey, deal uint64) *dealClient {
	t.Helper()
	a, err := bridge.ResolveDeal(context.Background(), env.Q, key, env.ChainID, deal)
	require.NoError(t, err)
	return &dealClient{c: providertest.S3(a.Endpoint, a.Credentials), bucket: a.Bucket}
}

func (d *dealClient) get(t *testing.T, key string) []byte {
	t.Helper()
	return get(t, d.c, d.bucket, key, "")
}

func (d *dealClient) has(t *testing.T, key string) bool {
	t.Helper()
	_, err := d.c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &d.bucket, Key: &key})
	if err == nil {
		return true
	}
	_, status := providertest.ErrCode(err)
	require.Equal(t, 404, status, "%v", err)
	return false
}

func get(t *testing.T, c *s3.Client, bucket, key, rng string) []byte {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: &bucket, Key: &key}
	if rng != "" {
		in.Range = &rng
	}
	res, err := c.GetObject(context.Background(), in)
	require.NoError(t, err, "get %s/%s", bucket, key)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return b
}

func list(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: &bucket})
	require.NoError(t, err)
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, *o.Key)
	}
	return keys
}

func multipart(t *testing.T, c *s3.Client, bucket, key string, body []byte, partSize int) {
	t.Helper()
	ctx := context.Background()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key})
	require.NoError(t, err)
	var parts []s3types.CompletedPart
	for i, off := int32(1), 0; off < len(body); i, off = i+1, off+partSize {
		end := min(off+partSize, len(body))
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: &key, UploadId: up.UploadId, PartNumber: aws.Int32(i), Body: bytes.NewReader(body[off:end])})
		require.NoError(t, err)
		parts = append(parts, s3types.CompletedPart{PartNumber: aws.Int32(i), ETag: out.ETag})
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: &key, UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}})
	require.NoError(t, err)
}

func requireCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	require.Error(t, err)
	gotCode, gotStatus := providertest.ErrCode(err)
	require.Equal(t, code, gotCode, "%v", err)
	require.Equal(t, status, gotStatus, "%v", err)
}

func random(t *testing.T, n int) []byte {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}
