package gateway

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cosmossdk.io/log"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/x/oracle/prober"
)

// validatorProber is the validators' own prober (x/oracle/prober) with
// short intervals, allowed to probe loopback addresses.
func validatorProber(t *testing.T) *prober.Prober {
	t.Helper()
	cfg := prober.DefaultConfig()
	cfg.Enabled = true
	cfg.ProbeInterval = 200 * time.Millisecond
	cfg.RequestTimeout = 2 * time.Second
	cfg.CheckTimeout = 3 * time.Second
	cfg.MaxStaleness = 10 * time.Second
	cfg.AllowPrivateEndpoints = true
	require.NoError(t, cfg.Validate())
	p := prober.New(cfg, log.NewNopLogger())
	p.Start(context.Background())
	t.Cleanup(p.Stop)
	return p
}

// probeUntil runs the prober on targets until every target has at least
// checks checks, and returns the measurements by unit.
func probeUntil(t *testing.T, p *prober.Prober, targets []prober.Target, checks uint32) map[uint64]prober.Measurement {
	t.Helper()
	p.SetAssignment(1, targets)
	var got map[uint64]prober.Measurement
	require.Eventually(t, func() bool {
		got = map[uint64]prober.Measurement{}
		for _, m := range p.Snapshot(1) {
			got[m.UnitID] = m
		}
		for _, tg := range targets {
			if got[tg.UnitID].Checks < checks {
				return false
			}
		}
		return true
	}, 20*time.Second, 50*time.Millisecond)
	return got
}

func requireHealthy(t *testing.T, m prober.Measurement) {
	t.Helper()
	require.EqualValues(t, 10000, m.UptimeBps, "%+v", m)
	require.EqualValues(t, 0, m.ErrorRateBps, "%+v", m)
	require.GreaterOrEqual(t, m.LatencyMs, uint32(1), "%+v", m)
	require.Positive(t, m.DownloadKbps, "%+v", m)
	require.Positive(t, m.UploadKbps, "%+v", m)
}

// TestProbeProtocolWithValidatorProber: the validators' prober measures
// every unit of a node as up and error-free, with its default object size,
// at the endpoint convention <public-url>/unit-<id> (with or without a
// trailing slash); a unit the node does not serve is down.
func TestProbeProtocolWithValidatorProber(t *testing.T) {
	e := newEnv(t)
	p := validatorProber(t)
	got := probeUntil(t, p, []prober.Target{
		{UnitID: 1, Endpoint: e.endpoint() + UnitPath(1)},
		{UnitID: 2, Endpoint: e.endpoint() + UnitPath(2) + "/"},
		{UnitID: 3, Endpoint: e.endpoint() + UnitPath(3)},
	}, 3)
	requireHealthy(t, got[1])
	requireHealthy(t, got[2])
	require.EqualValues(t, 0, got[3].UptimeBps, "%+v", got[3])
	require.EqualValues(t, 10000, got[3].ErrorRateBps, "%+v", got[3])

	require.GreaterOrEqual(t, testutil.ToFloat64(e.g.m.probeRequests.WithLabelValues("1", "ping", "ok")), 9.0)
	require.GreaterOrEqual(t, testutil.ToFloat64(e.g.m.probeRequests.WithLabelValues("2", "object", "ok")), 3.0)
	require.GreaterOrEqual(t, testutil.ToFloat64(e.g.m.probeRequests.WithLabelValues("2", "upload", "ok")), 3.0)
	require.GreaterOrEqual(t, testutil.ToFloat64(e.g.m.probeBytes.WithLabelValues("1", "out")), float64(3*DefaultProbeObjectSize))
	// The uploads went to the unit's storage.
	uploads, err := os.ReadDir(filepath.Join(e.root, "unit-1", "flashback-probe", "uploads"))
	require.NoError(t, err)
	require.NotEmpty(t, uploads)
}

// TestProbeEndpoints: the anonymous probe paths exactly as PROTOCOL.md says,
// the upload cap, the outstanding-bytes bound (503 SlowDown), expiry by the
// janitor, and nothing else under the prefix being writable.
func TestProbeEndpoints(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.Probe = ProbeConfig{ObjectSizes: []int64{1000, 2048}, UploadMaxBytes: 1000, UploadExpiry: time.Second, UploadMaxOutstanding: 2500}
	})
	unit := e.endpoint() + UnitPath(1) + "/flashback-probe/"
	probeReq := func(method, name string, body io.Reader) (rawResponse, []byte) {
		return rawRequest(t, method, unit+name, body, map[string]string{"User-Agent": "flashbackd-prober/1", "Accept-Encoding": "identity"})
	}

	resp, body := probeReq(http.MethodGet, "ping", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "pong", string(body))
	require.LessOrEqual(t, len(body), 4096)
	for _, size := range []int{1000, 2048} {
		resp, body = probeReq(http.MethodGet, "object-"+itoa(uint64(size)), nil)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Len(t, body, size)
		require.EqualValues(t, size, resp.ContentLength)
		require.Empty(t, resp.Header.Get("Content-Encoding"))
	}
	for _, name := range []string{"object-999", "object-01000", "upload-0123456789abcdef", "nothing"} {
		resp, body = probeReq(http.MethodGet, name, nil)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, name)
		require.Contains(t, string(body), "<Code>NoSuchKey</Code>")
	}

	upload := func(nonce string, n int) int {
		resp, _ := probeReq(http.MethodPut, "upload-"+nonce, bytes.NewReader(make([]byte, n)))
		return resp.StatusCode
	}
	require.Equal(t, http.StatusOK, upload("0123456789abcdef", 1000))
	stored, err := os.ReadDir(filepath.Join(e.root, "unit-1", "flashback-probe", "uploads"))
	require.NoError(t, err)
	require.Len(t, stored, 1)
	require.True(t, strings.HasSuffix(stored[0].Name(), "-0123456789abcdef"))

	resp, body = probeReq(http.MethodPut, "upload-fedcba9876543210", bytes.NewReader(make([]byte, 1001)))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, string(body), "<Code>EntityTooLarge</Code>")
	require.Equal(t, http.StatusOK, upload("1111111111111111", 1000))
	resp, body = probeReq(http.MethodPut, "upload-2222222222222222", bytes.NewReader(make([]byte, 1000)))
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "past the outstanding bound")
	require.Contains(t, string(body), "<Code>SlowDown</Code>")
	require.EqualValues(t, 2000, testutil.ToFloat64(e.g.m.probeOutstanding))

	// Nothing else under the prefix is writable anonymously.
	for _, name := range []string{"ping", "object-1000", "upload-", "upload-a.b", "uploads", "upload-" + strings.Repeat("f", 65)} {
		resp, body = probeReq(http.MethodPut, name, strings.NewReader("x"))
		require.Equal(t, http.StatusForbidden, resp.StatusCode, name)
		require.Contains(t, string(body), "<Code>AccessDenied</Code>")
	}
	resp, body = probeReq(http.MethodGet, "ping", nil)
	require.Equal(t, "pong", string(body))
	// A body without a length.
	req, err := http.NewRequest(http.MethodPut, unit+"upload-3333333333333333", io.MultiReader(strings.NewReader("chunked")))
	require.NoError(t, err)
	chunked, err := testHTTPClient.Do(req)
	require.NoError(t, err)
	chunked.Body.Close()
	require.Equal(t, http.StatusLengthRequired, chunked.StatusCode)

	// The janitor deletes expired uploads, which frees the bound.
	require.Eventually(t, func() bool {
		left, _ := os.ReadDir(filepath.Join(e.root, "unit-1", "flashback-probe", "uploads"))
		return len(left) == 0
	}, 5*time.Second, 50*time.Millisecond)
	require.Eventually(t, func() bool { return testutil.ToFloat64(e.g.m.probeOutstanding) == 0 }, time.Second, 10*time.Millisecond)
	require.Equal(t, http.StatusOK, upload("4444444444444444", 1000))

	// Paths that are not probes of a served unit are S3 requests.
	resp, body = rawRequest(t, http.MethodGet, e.endpoint()+UnitPath(9)+"/flashback-probe/ping", nil, nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, string(body), "<Code>NoSuchBucket</Code>")
	resp, body = rawRequest(t, http.MethodGet, e.endpoint()+UnitPath(1)+"/other", nil, nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, string(body), "<Code>NoSuchBucket</Code>")

	// A probe object lost from storage is written again when requested.
	require.NoError(t, os.Remove(filepath.Join(e.root, "unit-1", "flashback-probe", "object-1000")))
	resp, body = probeReq(http.MethodGet, "object-1000", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, body, 1000)

	// Uploads left by an earlier run are deleted at start.
	require.NoError(t, os.MkdirAll(filepath.Join(e.root, "unit-2", "flashback-probe", "uploads"), 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(e.root, "unit-2", "flashback-probe", "uploads", "1-left"), []byte("x"), 0o600))
	e.restart()
	left, _ := os.ReadDir(filepath.Join(e.root, "unit-2", "flashback-probe", "uploads"))
	require.Empty(t, left)
}
