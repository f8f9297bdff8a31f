package prober

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cosmossdk.io/log"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
)

const testObjectSize = 16 << 10

func opsProber(timeout time.Duration) *Prober {
	cfg := testConfig()
	cfg.RequestTimeout = timeout
	cfg.CheckTimeout = max(cfg.CheckTimeout, timeout)
	cfg.ObjectSize = testObjectSize
	return New(cfg, log.NewNopLogger())
}

func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

func TestOperationsAgainstHealthyTarget(t *testing.T) {
	t.Parallel()
	target, ts := startTarget(t, probetarget.Behaviour{Latency: 30 * time.Millisecond})
	p := opsProber(2 * time.Second)
	ctx := context.Background()
	urls, err := parseEndpoint(ts.URL+"/unit1", testObjectSize)
	require.NoError(t, err)

	d, err := p.ping(ctx, urls.ping)
	require.NoError(t, err)
	require.GreaterOrEqual(t, d, 30*time.Millisecond)
	require.Less(t, d, time.Second)

	kbps, err := p.download(ctx, urls.download, testObjectSize)
	require.NoError(t, err)
	require.Positive(t, kbps)

	kbps, err = p.upload(ctx, urls.uploadURL(uploadNonce()), testObjectSize)
	require.NoError(t, err)
	require.Positive(t, kbps)

	st := target.Stats()
	require.Equal(t, uint64(1), st.Pings)
	require.Equal(t, uint64(1), st.Downloads)
	require.Equal(t, uint64(1), st.Uploads)
}

func TestRequestsFollowTheProtocol(t *testing.T) {
	t.Parallel()
	type seen struct{ method, path, ua, enc, length string }
	var mu sync.Mutex
	var reqs []seen
	var uploaded int64
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		mu.Lock()
		reqs = append(reqs, seen{r.Method, r.URL.Path, r.UserAgent(), r.Header.Get("Accept-Encoding"), r.Header.Get("Content-Length")})
		if r.Method == http.MethodPut {
			uploaded = n
		}
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/object-"+strconv.Itoa(testObjectSize)) {
			_, _ = w.Write(make([]byte, testObjectSize))
		}
	})
	p := opsProber(2 * time.Second)
	p.cfg.LatencySamples = 2
	res, aborted := p.runCheck(context.Background(), p.newTargetState(Target{UnitID: 1, Endpoint: ts.URL + "/bucket/unit-1/"}, time.Now()))
	require.False(t, aborted)
	require.Equal(t, 4, res.ops())
	require.Zero(t, res.failedOps())

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, reqs, 4)
	for i, want := range []struct{ method, path string }{
		{"GET", "/bucket/unit-1/flashback-probe/ping"},
		{"GET", "/bucket/unit-1/flashback-probe/ping"},
		{"GET", "/bucket/unit-1/flashback-probe/object-16384"},
		{"PUT", "/bucket/unit-1/flashback-probe/upload-"},
	} {
		require.Equal(t, want.method, reqs[i].method)
		require.True(t, strings.HasPrefix(reqs[i].path, want.path), reqs[i].path)
		require.Equal(t, "flashbackd-prober/1", reqs[i].ua)
		require.Equal(t, "identity", reqs[i].enc)
	}
	require.Regexp(t, `/upload-[0-9a-f]{16}$`, reqs[3].path)
	require.Equal(t, strconv.Itoa(testObjectSize), reqs[3].length, "upload sets Content-Length")
	require.Equal(t, int64(testObjectSize), uploaded)
	require.NotEqual(t, uploadNonce(), uploadNonce())
}

func TestRedirectsAreFailures(t *testing.T) {
	t.Parallel()
	healthy, healthyTS := startTarget(t, probetarget.Behaviour{})
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, healthyTS.URL+r.URL.Path, http.StatusFound)
	})
	p := opsProber(2 * time.Second)
	urls, err := parseEndpoint(ts.URL, testObjectSize)
	require.NoError(t, err)
	ctx := context.Background()

	_, err = p.ping(ctx, urls.ping)
	require.ErrorIs(t, err, errStatus)
	require.Contains(t, err.Error(), "302")
	_, err = p.download(ctx, urls.download, testObjectSize)
	require.ErrorIs(t, err, errStatus)
	_, err = p.upload(ctx, urls.uploadURL("1"), testObjectSize)
	require.ErrorIs(t, err, errStatus)
	require.Zero(t, healthy.Stats().Requests, "the redirect was not followed")
}

func TestNon2xxIsAFailureAnd2xxIsNot(t *testing.T) {
	t.Parallel()
	status := map[string]int{}
	var mu sync.Mutex
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		code := status[r.URL.Path]
		mu.Unlock()
		w.WriteHeader(code)
	})
	p := opsProber(2 * time.Second)
	for _, code := range []int{200, 202, 204, 206} {
		path := "/" + strconv.Itoa(code)
		mu.Lock()
		status[path] = code
		mu.Unlock()
		_, err := p.ping(context.Background(), ts.URL+path)
		require.NoError(t, err, code)
	}
	for _, code := range []int{301, 304, 307, 400, 403, 404, 500, 503} {
		path := "/" + strconv.Itoa(code)
		mu.Lock()
		status[path] = code
		mu.Unlock()
		_, err := p.ping(context.Background(), ts.URL+path)
		require.ErrorIs(t, err, errStatus, code)
	}
}

func TestUntrustedCertificateFails(t *testing.T) {
	t.Parallel()
	ts := startUntrustedTLSTarget(t)
	urls, err := parseEndpoint(ts.URL+"/unit", testObjectSize)
	require.NoError(t, err)

	_, err = opsProber(2*time.Second).ping(context.Background(), urls.ping)
	require.Error(t, err)
	require.Contains(t, err.Error(), "certificate")

	// The same server passes with a client that trusts its certificate, so
	// the failure above is the certificate and nothing else.
	trusting := NewWithClient(testConfig(), log.NewNopLogger(), ts.Client())
	_, err = trusting.ping(context.Background(), urls.ping)
	require.NoError(t, err)
}

func TestSlowBodiesAreCutOffByTheTimeout(t *testing.T) {
	t.Parallel()
	// 1 KB/s: the 16 KiB object would take 16 s.
	_, ts := startTarget(t, probetarget.Behaviour{ThroughputKBps: 1})
	trickle := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		for i := 0; i < 100; i++ {
			if _, err := w.Write([]byte{'x'}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(50 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	})
	const timeout = 300 * time.Millisecond
	p := opsProber(timeout)
	urls, err := parseEndpoint(ts.URL, testObjectSize)
	require.NoError(t, err)

	for name, op := range map[string]func() error{
		"download": func() error { _, err := p.download(context.Background(), urls.download, testObjectSize); return err },
		"upload": func() error {
			_, err := p.upload(context.Background(), urls.uploadURL("1"), testObjectSize)
			return err
		},
		"ping": func() error { _, err := p.ping(context.Background(), trickle.URL+"/flashback-probe/ping"); return err },
	} {
		start := time.Now()
		err := op()
		elapsed := time.Since(start)
		require.Error(t, err, name)
		require.GreaterOrEqual(t, elapsed, timeout-20*time.Millisecond, name)
		require.Less(t, elapsed, timeout+time.Second, name)
	}
}

// wrongObjectServer serves the probe object in a broken way.
func wrongObjectServer(t *testing.T, serveObject func(w http.ResponseWriter)) string {
	return serve(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/object-") {
			serveObject(w)
		}
	}).URL + "/flashback-probe/object-" + strconv.Itoa(testObjectSize)
}

func TestDownloadRequiresExactlyObjectSizeBytes(t *testing.T) {
	t.Parallel()
	p := opsProber(2 * time.Second)
	writeN := func(w http.ResponseWriter, n int) { _, _ = w.Write(make([]byte, n)) }
	cases := map[string]struct {
		serve   func(w http.ResponseWriter)
		wantErr string
	}{
		"declared and sent one byte short": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", strconv.Itoa(testObjectSize-1))
			writeN(w, testObjectSize-1)
		}, "Content-Length 16383"},
		"declared and sent one byte long": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", strconv.Itoa(testObjectSize+1))
			writeN(w, testObjectSize+1)
		}, "Content-Length 16385"},
		"streamed one byte short": {func(w http.ResponseWriter) {
			w.(http.Flusher).Flush() // no Content-Length: chunked
			writeN(w, testObjectSize-1)
		}, "has 16383 bytes"},
		"streamed one byte long": {func(w http.ResponseWriter) {
			w.(http.Flusher).Flush()
			writeN(w, testObjectSize+1)
		}, "more than 16384"},
		"declared right, cut short": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", strconv.Itoa(testObjectSize))
			writeN(w, testObjectSize/2)
		}, "reading object"},
		"compressed": {func(w http.ResponseWriter) {
			var buf bytes.Buffer
			gz := gzip.NewWriter(&buf)
			_, _ = gz.Write(make([]byte, testObjectSize))
			_ = gz.Close()
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
			_, _ = w.Write(buf.Bytes())
		}, "Content-Length"},
	}
	for name, tc := range cases {
		_, err := p.download(context.Background(), wrongObjectServer(t, tc.serve), testObjectSize)
		require.Error(t, err, name)
		require.Contains(t, err.Error(), tc.wantErr, name)
	}

	kbps, err := p.download(context.Background(), wrongObjectServer(t, func(w http.ResponseWriter) {
		w.(http.Flusher).Flush()
		writeN(w, testObjectSize)
	}), testObjectSize)
	require.NoError(t, err, "a streamed body of exactly the size is fine")
	require.Positive(t, kbps)
}

// TestEndlessBodyIsNotReadToTheEnd: the download stops after size+1 bytes
// instead of reading until the timeout.
func TestEndlessBodyIsNotReadToTheEnd(t *testing.T) {
	t.Parallel()
	url := wrongObjectServer(t, func(w http.ResponseWriter) {
		chunk := make([]byte, 32<<10)
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	p := opsProber(10 * time.Second)
	start := time.Now()
	_, err := p.download(context.Background(), url, testObjectSize)
	require.ErrorContains(t, err, "more than 16384")
	require.Less(t, time.Since(start), 5*time.Second)
}

func TestPingBodyIsAtMost4KiB(t *testing.T) {
	t.Parallel()
	size := map[string]int{"/ok": 4096, "/big": 4097}
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(make([]byte, size[r.URL.Path]))
	})
	p := opsProber(2 * time.Second)
	_, err := p.ping(context.Background(), ts.URL+"/ok")
	require.NoError(t, err)
	_, err = p.ping(context.Background(), ts.URL+"/big")
	require.ErrorContains(t, err, "larger than 4096")
}
func TestTimeToFirstByte(t *testing.T) {
	ms := time.Millisecond
	require.Equal(t, 50*ms, timeToFirstByte(10*ms, 60*ms, 61*ms))
	require.Equal(t, 61*ms, timeToFirstByte(0, 0, 61*ms), "falls back to the headers")
	require.Equal(t, 60*ms, timeToFirstByte(0, 60*ms, 61*ms), "falls back to the request start")
	require.Equal(t, 60*ms, timeToFirstByte(70*ms, 60*ms, 61*ms), "ignores an inconsistent write time")
}
