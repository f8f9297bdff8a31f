package gateway

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"cosmossdk.io/log"
	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/api/provider/gateway/internal/s3upstream"
)

// The tests re-execute their own binary for the processes they need next
// to the gateway under test: an upstream S3 server (a plain versitygw over
// a directory) and, for the crash test, a gateway they can kill. versitygw's
// posix backend takes over the working directory of its process, so each
// posix-backed server needs a process of its own.
const (
	helperModeEnv   = "FLASHBACK_GATEWAY_TEST_HELPER"
	helperConfigEnv = "FLASHBACK_GATEWAY_TEST_CONFIG"
	helperReady     = "READY"
)

func TestMain(m *testing.M) {
	switch os.Getenv(helperModeEnv) {
	case "upstream":
		os.Exit(runUpstreamHelper())
	case "gateway":
		os.Exit(runGatewayHelper())
	}
	os.Exit(m.Run())
}

func runUpstreamHelper() int {
	var cfg s3upstream.Config
	if err := json.Unmarshal([]byte(os.Getenv(helperConfigEnv)), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	err := s3upstream.Serve(context.Background(), cfg, func() { fmt.Println(helperReady, cfg.Addr) })
	fmt.Fprintln(os.Stderr, "upstream:", err)
	return 1
}

type gatewayHelperConfig struct {
	Gateway Config
	Deals   []Deal
}

func runGatewayHelper() int {
	var cfg gatewayHelperConfig
	if err := json.Unmarshal([]byte(os.Getenv(helperConfigEnv)), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	g, err := New(cfg.Gateway, nil)
	if err == nil {
		err = g.Start(context.Background())
	}
	for _, d := range cfg.Deals {
		if err == nil {
			err = g.PutDeal(d)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		return 1
	}
	fmt.Println(helperReady, g.Addr())
	select {} // until killed
}

// helper is a helper process.
type helper struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{}
}

// startHelper runs this test binary in helper mode with cfg and waits until
// it listens.
func startHelper(t *testing.T, mode string, cfg any) *helper {
	t.Helper()
	raw, err := json.Marshal(cfg)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperModeEnv+"="+mode, helperConfigEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	h := &helper{cmd: cmd, done: make(chan struct{})}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(sc.Text(), helperReady+" "); ok {
				ready <- addr
			}
		}
	}()
	go func() { _ = cmd.Wait(); close(h.done) }()
	t.Cleanup(h.kill)
	select {
	case h.addr = <-ready:
	case <-h.done:
		t.Fatalf("%s helper exited before it was ready", mode)
	case <-time.After(30 * time.Second):
		t.Fatalf("%s helper not ready after 30s", mode)
	}
	return h
}

// kill ends the helper the hard way: SIGKILL, nothing flushed or closed.
func (h *helper) kill() {
	_ = h.cmd.Process.Signal(syscall.SIGKILL)
	<-h.done
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// upstream is a running upstream S3 server with one bucket.
type upstream struct {
	*helper
	cfg s3upstream.Config
}

const upstreamBucket = "provider-bucket"

func startUpstream(t *testing.T) *upstream {
	t.Helper()
	cfg := s3upstream.Config{Dir: t.TempDir(), Addr: freeAddr(t), Access: "UPSTREAMROOT", Secret: "upstream-secret", Buckets: []string{upstreamBucket}}
	return &upstream{helper: startHelper(t, "upstream", cfg), cfg: cfg}
}

// restart starts the upstream again on the same address and directory.
func (u *upstream) restart(t *testing.T) {
	u.helper = startHelper(t, "upstream", u.cfg)
}

func (u *upstream) storage() *S3Storage {
	return &S3Storage{Endpoint: "http://" + u.cfg.Addr, Bucket: upstreamBucket, AccessKey: u.cfg.Access, SecretKey: u.cfg.Secret, PathStyle: true}
}

// testEnv is a started gateway with posix units 1 and 2 (unless the
// config is changed) under a fresh posix root.
type testEnv struct {
	t    *testing.T
	g    *Gateway
	cfg  Config
	root string
}

func newEnv(t *testing.T, mods ...func(*Config)) *testEnv {
	t.Helper()
	root := t.TempDir()
	cfg := Config{
		Listen:    "127.0.0.1:0",
		PosixRoot: root,
		Units:     []UnitConfig{{ID: 1, Posix: &PosixStorage{}}, {ID: 2, Posix: &PosixStorage{}}},
	}
	for _, m := range mods {
		m(&cfg)
	}
	e := &testEnv{t: t, cfg: cfg, root: root}
	e.start()
	return e
}

func (e *testEnv) start() {
	e.t.Helper()
	g, err := New(e.cfg, log.NewTestLogger(e.t))
	require.NoError(e.t, err)
	require.NoError(e.t, g.Start(context.Background()))
	e.g = g
	e.t.Cleanup(func() { _ = g.Close() })
}

// restart closes the gateway and opens a new one on the same storage; the
// node would put its deals again.
func (e *testEnv) restart() {
	e.t.Helper()
	require.NoError(e.t, e.g.Close())
	e.start()
}

func (e *testEnv) endpoint() string { return "http://" + e.g.Addr() }

// deal serves a read-write deal with the given quota and returns it.
func (e *testEnv) deal(id, unitID, quota uint64) Deal {
	e.t.Helper()
	d := Deal{ID: id, UnitID: unitID, AccessKeyID: fmt.Sprintf("AKTESTDEAL%d", id), Secret: fmt.Sprintf("secret-of-deal-%d", id), QuotaBytes: quota}
	require.NoError(e.t, e.g.PutDeal(d))
	return d
}

func (e *testEnv) client(access, secret string) *s3.Client {
	return newS3Client(e.endpoint(), access, secret)
}

func (e *testEnv) dealClient(d Deal) *s3.Client { return e.client(d.AccessKeyID, d.Secret) }

func (e *testEnv) rootClient() *s3.Client { return e.client(e.g.RootCredentials()) }

// newS3Client is the AWS SDK's S3 client, path-style, without retries: the
// errors these tests provoke are answers, not transient failures.
func newS3Client(endpoint, access, secret string) *s3.Client {
	return s3.New(s3.Options{
		Region:           DefaultRegion,
		BaseEndpoint:     aws.String(endpoint),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider(access, secret, ""),
		RetryMaxAttempts: 1,
		// A gateway that stops answering fails the test instead of
		// hanging it.
		HTTPClient: awshttp.NewBuildableClient().WithTimeout(testHTTPTimeout),
	})
}

// testHTTPTimeout bounds every request of the tests.
const testHTTPTimeout = 60 * time.Second

var testHTTPClient = &http.Client{Timeout: testHTTPTimeout}

// errCode returns the S3 error code and HTTP status of an SDK error.
func errCode(err error) (string, int) {
	var ae smithy.APIError
	code := ""
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var re *awshttp.ResponseError
	status := 0
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

// requireS3Error asserts an SDK call failed with the S3 error code and status.
func requireS3Error(t *testing.T, err error, code string, status int) {
	t.Helper()
	require.Error(t, err)
	gotCode, gotStatus := errCode(err)
	require.Equal(t, code, gotCode, "error code (%v)", err)
	require.Equal(t, status, gotStatus, "HTTP status (%v)", err)
}

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16), 'g', 'w'})
	_, _ = r.Read(b)
	return b
}

func put(t *testing.T, c *s3.Client, bucket, key string, body []byte) {
	t.Helper()
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body)})
	require.NoError(t, err, "put %s/%s", bucket, key)
}

func get(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	require.NoError(t, err, "get %s/%s", bucket, key)
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	return b
}

func sum(b []byte) [32]byte { return sha256.Sum256(b) }

// rawRequest sends a request that no S3 SDK would build.
func rawRequest(t *testing.T, method, url string, body io.Reader, header map[string]string) (rawResponse, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := testHTTPClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return rawResponse{StatusCode: resp.StatusCode, ContentLength: resp.ContentLength, Header: resp.Header}, b
}

// rawResponse is what rawRequest's callers check of a response whose body
// it has read and closed: no *http.Response, so none is left open.
type rawResponse struct {
	StatusCode    int
	ContentLength int64
	Header        http.Header
}

func bucketOf(d Deal) string { return BucketName(d.ID) }

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
