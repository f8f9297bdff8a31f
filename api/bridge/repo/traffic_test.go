package repo

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestTrafficMeasuresRequests: the measured client counts answers, 5xx,
// unanswered requests and reads abandoned for slowness (failover) as
// failures, a request cancelled for any other reason as nothing,
// bytes both ways and the throughput of transfers of at least 64 KiB; Cut
// starts a new period and Merge puts a period back without losing a count.
func TestTrafficMeasuresRequests(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		switch r.URL.Path {
		case "/big":
			time.Sleep(10 * time.Millisecond)
			_, _ = w.Write(big)
		case "/fail":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/slow":
			time.Sleep(time.Second)
		default:
			w.WriteHeader(http.StatusNotFound) // an answer, not a failure
		}
	}))
	defer srv.Close()
	var tr Traffic
	c := measuredClient{inner: srv.Client(), traffic: &tr}
	do := func(ctx context.Context, method, path string, body []byte) error {
		req, err := http.NewRequestWithContext(ctx, method, srv.URL+path, bytes.NewReader(body))
		require.NoError(t, err)
		res, err := c.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		return res.Body.Close()
	}
	require.NoError(t, do(context.Background(), http.MethodGet, "/big", nil))
	require.NoError(t, do(context.Background(), http.MethodPut, "/missing", big))
	require.NoError(t, do(context.Background(), http.MethodGet, "/fail", nil))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	require.Error(t, do(ctx, http.MethodGet, "/slow", nil))
	cancel()
	ctx, cancel = context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	require.Error(t, do(ctx, http.MethodGet, "/slow", nil))
	slowCtx, abandon := context.WithCancelCause(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); abandon(errSlow) }()
	require.Error(t, do(slowCtx, http.MethodGet, "/slow", nil))

	got := tr.Peek()
	require.EqualValues(t, 5, got.Requests, "the cancelled request is not counted")
	require.EqualValues(t, 3, got.Errors, "the 503, the timeout and the read abandoned for slowness")
	require.EqualValues(t, 1<<20, got.BytesRead)
	require.EqualValues(t, 1<<20, got.BytesWritten)
	require.EqualValues(t, 2<<20, got.TransferBytes)
	require.Positive(t, got.ThroughputKbps())
	require.GreaterOrEqual(t, got.P50Ms(), uint32(0))
	require.Len(t, got.LatencyMs, 2, "latencies of the answered requests")
	require.Contains(t, got.LastError, errSlow.Error())

	cut := tr.Cut()
	require.Equal(t, got.Requests, cut.Requests)
	require.True(t, tr.Peek().Empty())
	require.NoError(t, do(context.Background(), http.MethodGet, "/missing", nil))
	tr.Merge(cut)
	after := tr.Peek()
	require.EqualValues(t, 6, after.Requests)
	require.EqualValues(t, 3, after.Errors)
	require.EqualValues(t, 3, after.Latencies)
	require.Equal(t, cut.Since, after.Since, "the period starts at the earlier one")
}

// TestTrafficLatencySample: the sample is bounded, and its median is the
// median of what it sampled.
func TestTrafficLatencySample(t *testing.T) {
	var tt TrafficTotals
	for i := 0; i < 10*MaxLatencySamples; i++ {
		tt.addLatency(uint32(i % 100))
	}
	require.Len(t, tt.LatencyMs, MaxLatencySamples)
	require.EqualValues(t, 10*MaxLatencySamples, tt.Latencies)
	require.InDelta(t, 50, float64(tt.P50Ms()), 10)
	require.Zero(t, TrafficTotals{}.ThroughputKbps())
	// 1 MB in 1 s is 8,000 kbps.
	require.EqualValues(t, 8000, TrafficTotals{TransferBytes: 1_000_000, TransferNanos: int64(time.Second)}.ThroughputKbps())
}
