package probetarget_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
)

// do sends one request and returns the status and the full body.
func do(t *testing.T, method, url string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func startTarget(t *testing.T, b probetarget.Behaviour) (*probetarget.Server, *httptest.Server) {
	t.Helper()
	s, ts := probetarget.Start(b)
	t.Cleanup(ts.Close)
	return s, ts
}

func TestServesTheProbeProtocol(t *testing.T) {
	t.Parallel()
	s, ts := startTarget(t, probetarget.Behaviour{})

	for _, base := range []string{ts.URL, ts.URL + "/unit1", ts.URL + "/bucket/deep/unit-7"} {
		status, body := do(t, http.MethodGet, base+"/flashback-probe/ping", nil)
		require.Equal(t, http.StatusOK, status, base)
		require.Equal(t, "pong", string(body))

		status, body = do(t, http.MethodGet, base+"/flashback-probe/object-262144", nil)
		require.Equal(t, http.StatusOK, status)
		require.Len(t, body, 262144)

		status, _ = do(t, http.MethodPut, base+"/flashback-probe/upload-0123abcd", bytes.NewReader(make([]byte, 4096)))
		require.Equal(t, http.StatusCreated, status)
	}

	status, body := do(t, http.MethodGet, ts.URL+"/flashback-probe/object-0", nil)
	require.Equal(t, http.StatusOK, status)
	require.Empty(t, body)

	st := s.Stats()
	require.Equal(t, uint64(3), st.Pings)
	require.Equal(t, uint64(4), st.Downloads)
	require.Equal(t, uint64(3), st.Uploads)
	require.Equal(t, uint64(10), st.Requests)
	require.Zero(t, st.Failures)
}

func TestRejectsWhatIsNotTheProtocol(t *testing.T) {
	t.Parallel()
	s, ts := startTarget(t, probetarget.Behaviour{})
	cases := []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/", http.StatusNotFound},
		{http.MethodGet, "/flashback-probe/", http.StatusNotFound},
		{http.MethodGet, "/flashback-probe/other", http.StatusNotFound},
		{http.MethodGet, "/flashback-probe/ping/extra", http.StatusNotFound},
		{http.MethodGet, "/flashback-probe/upload-", http.StatusNotFound},
		{http.MethodPut, "/flashback-probe/ping", http.StatusMethodNotAllowed},
		{http.MethodPost, "/flashback-probe/object-10", http.StatusMethodNotAllowed},
		{http.MethodGet, "/flashback-probe/upload-abc", http.StatusMethodNotAllowed},
		{http.MethodGet, "/flashback-probe/object-67108865", http.StatusBadRequest},
		{http.MethodGet, "/flashback-probe/object-1000000000000", http.StatusBadRequest},
		{http.MethodGet, "/flashback-probe/object--1", http.StatusBadRequest},
		{http.MethodGet, "/flashback-probe/object-+5", http.StatusBadRequest},
		{http.MethodGet, "/flashback-probe/object-12k", http.StatusBadRequest},
	}
	for _, tc := range cases {
		status, _ := do(t, tc.method, ts.URL+tc.path, nil)
		require.Equal(t, tc.want, status, "%s %s", tc.method, tc.path)
	}
	require.Zero(t, s.Stats().Failures, "routing errors are not injected failures")
}

func TestLatencyDelaysEveryRequest(t *testing.T) {
	t.Parallel()
	_, ts := startTarget(t, probetarget.Behaviour{Latency: 80 * time.Millisecond})
	for _, path := range []string{"/flashback-probe/ping", "/nothing-here"} {
		start := time.Now()
		do(t, http.MethodGet, ts.URL+path, nil)
		require.GreaterOrEqual(t, time.Since(start), 80*time.Millisecond, path)
	}
}

func TestThroughputPacesDownloadsAndUploads(t *testing.T) {
	t.Parallel()
	// 50 KB/s: 25000 bytes take 0.5 s each way.
	_, ts := startTarget(t, probetarget.Behaviour{ThroughputKBps: 50})

	start := time.Now()
	status, body := do(t, http.MethodGet, ts.URL+"/flashback-probe/object-25000", nil)
	elapsed := time.Since(start)
	require.Equal(t, http.StatusOK, status)
	require.Len(t, body, 25000)
	require.GreaterOrEqual(t, elapsed, 400*time.Millisecond)
	require.Less(t, elapsed, 3*time.Second)

	start = time.Now()
	status, _ = do(t, http.MethodPut, ts.URL+"/flashback-probe/upload-1", bytes.NewReader(make([]byte, 25000)))
	elapsed = time.Since(start)
	require.Equal(t, http.StatusCreated, status)
	require.GreaterOrEqual(t, elapsed, 400*time.Millisecond)
	require.Less(t, elapsed, 3*time.Second)

	// Pings are not bodies of interest and are never throttled.
	start = time.Now()
	do(t, http.MethodGet, ts.URL+"/flashback-probe/ping", nil)
	require.Less(t, time.Since(start), 200*time.Millisecond)
}

func TestFailureRateIsADeterministicPattern(t *testing.T) {
	t.Parallel()
	s, ts := startTarget(t, probetarget.Behaviour{FailureRate: 2500})
	var got []int
	for i := 0; i < 8; i++ {
		status, _ := do(t, http.MethodGet, ts.URL+"/flashback-probe/ping", nil)
		got = append(got, status)
	}
	ok, fail := http.StatusOK, http.StatusInternalServerError
	require.Equal(t, []int{ok, ok, ok, fail, ok, ok, ok, fail}, got)
	require.Equal(t, uint64(2), s.Stats().Failures)

	// A second server with the same behaviour fails the same requests.
	_, ts2 := startTarget(t, probetarget.Behaviour{FailureRate: 2500})
	var again []int
	for i := 0; i < 8; i++ {
		status, _ := do(t, http.MethodGet, ts2.URL+"/flashback-probe/ping", nil)
		again = append(again, status)
	}
	require.Equal(t, got, again)
}

func TestFailureRateAppliesToEveryProbeKind(t *testing.T) {
	t.Parallel()
	s, ts := startTarget(t, probetarget.Behaviour{FailureRate: 10000})
	status, _ := do(t, http.MethodGet, ts.URL+"/flashback-probe/ping", nil)
	require.Equal(t, http.StatusInternalServerError, status)
	status, _ = do(t, http.MethodGet, ts.URL+"/flashback-probe/object-10", nil)
	require.Equal(t, http.StatusInternalServerError, status)
	status, _ = do(t, http.MethodPut, ts.URL+"/flashback-probe/upload-1", strings.NewReader("x"))
	require.Equal(t, http.StatusInternalServerError, status)
	require.Equal(t, uint64(3), s.Stats().Failures)
}

func TestDownAnswers503ToEverything(t *testing.T) {
	t.Parallel()
	s, ts := startTarget(t, probetarget.Behaviour{Down: true})
	for _, path := range []string{"/flashback-probe/ping", "/flashback-probe/object-10", "/elsewhere"} {
		status, _ := do(t, http.MethodGet, ts.URL+path, nil)
		require.Equal(t, http.StatusServiceUnavailable, status, path)
	}
	require.Equal(t, uint64(3), s.Stats().Failures)
}

func TestSetBehaviourAtRuntime(t *testing.T) {
	t.Parallel()
	s, ts := startTarget(t, probetarget.Behaviour{})
	ping := func() int {
		status, _ := do(t, http.MethodGet, ts.URL+"/u/flashback-probe/ping", nil)
		return status
	}
	require.Equal(t, http.StatusOK, ping())

	s.SetBehaviour(probetarget.Behaviour{Down: true})
	require.True(t, s.Behaviour().Down)
	require.Equal(t, http.StatusServiceUnavailable, ping())

	s.SetBehaviour(probetarget.Behaviour{FailureRate: 5000})
	// The pattern restarts with the new rate: ok, fail, ok, fail.
	require.Equal(t, []int{200, 500, 200, 500}, []int{ping(), ping(), ping(), ping()})

	s.SetBehaviour(probetarget.Behaviour{})
	require.Equal(t, http.StatusOK, ping())
}

func TestBehaviourIsClamped(t *testing.T) {
	t.Parallel()
	s := probetarget.New(probetarget.Behaviour{Latency: -time.Second, ThroughputKBps: -5, FailureRate: 20000})
	require.Equal(t, probetarget.Behaviour{FailureRate: 10000}, s.Behaviour())
}

func TestSlowRequestsEndWhenTheClientGoesAway(t *testing.T) {
	t.Parallel()
	_, ts := probetarget.Start(probetarget.Behaviour{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/flashback-probe/ping", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err)

	// Close waits for running handlers; it must not wait for the hour.
	closed := make(chan struct{})
	go func() { ts.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("server did not close: a handler ignored its request context")
	}
}

// TestCloseDoesNotWaitForThrottledTransfers: an abandoned upload still sits
// in the server's socket buffer, so the server cannot tell that the client
// left; closing the httptest server must end the paced read anyway.
func TestCloseDoesNotWaitForThrottledTransfers(t *testing.T) {
	t.Parallel()
	s, ts := probetarget.Start(probetarget.Behaviour{ThroughputKBps: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, ts.URL+"/flashback-probe/upload-1", bytes.NewReader(make([]byte, 32<<10)))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "32 KiB at 1 KB/s cannot finish in 200ms")
	require.Equal(t, uint64(1), s.Stats().Uploads)

	closed := make(chan struct{})
	go func() { ts.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a throttled upload whose client had gone")
	}
}
