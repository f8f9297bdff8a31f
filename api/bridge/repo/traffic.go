package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Traffic is what the bridge measured of every HTTP request it made to one
// deal since the deal's last QoS self-report: requests, failures, the time
// to each answer's headers, and the bytes moved with the time they took. It
// is measured under the S3 client (measuredClient), so it covers reads,
// writes, repairs, listings and health checks alike. The server files it
// as a self-report (Cut) and gives it back if the chain refuses or cannot
// be reached (Merge), so that nothing measured is lost.
type Traffic struct {
	mu sync.Mutex
	t  TrafficTotals
}

// MaxLatencySamples bounds the latency samples kept between two reports
// (a uniform sample of the period's requests: its median is the period's,
// within sampling error).
const MaxLatencySamples = 1024

// MinThroughputBytes is the smallest transfer whose speed counts for
// throughput: smaller ones measure latency, not bandwidth.
const MinThroughputBytes = 64 << 10

// TrafficTotals are the measurements of one period (JSON: kept in the
// database across restarts).
type TrafficTotals struct {
	Since        time.Time `json:"since,omitzero"`
	Requests     uint64    `json:"requests"`
	Errors       uint64    `json:"errors"`
	BytesRead    uint64    `json:"bytes_read"`
	BytesWritten uint64    `json:"bytes_written"`
	// Transfers of at least MinThroughputBytes: their bytes and the time
	// from the request's start to the body's end.
	TransferBytes uint64 `json:"transfer_bytes"`
	TransferNanos int64  `json:"transfer_nanos"`
	// LatencyMs is a uniform sample (at most MaxLatencySamples) of the
	// times to the answer's headers; Latencies counts all of them.
	LatencyMs []uint32 `json:"latency_ms,omitempty"`
	Latencies uint64   `json:"latencies"`
	LastError string   `json:"last_error,omitempty"`
}

// Empty reports whether nothing was measured.
func (t TrafficTotals) Empty() bool { return t.Requests == 0 }

// P50Ms is the median time to the answer's headers (0 without samples).
func (t TrafficTotals) P50Ms() uint32 {
	if len(t.LatencyMs) == 0 {
		return 0
	}
	s := slices.Clone(t.LatencyMs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// ThroughputKbps is the transfers' bytes over their time, in kilobits per
// second (0 without a transfer of at least MinThroughputBytes).
func (t TrafficTotals) ThroughputKbps() uint64 {
	if t.TransferNanos <= 0 {
		return 0
	}
	// bits per millisecond = kilobits per second.
	ms := max(t.TransferNanos/int64(time.Millisecond), 1)
	return t.TransferBytes * 8 / uint64(ms)
}

// Peek copies the current period's totals.
func (tr *Traffic) Peek() TrafficTotals {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	out := tr.t
	out.LatencyMs = slices.Clone(tr.t.LatencyMs)
	return out
}

// Cut ends the period: it returns the totals and starts a new period now.
func (tr *Traffic) Cut() TrafficTotals {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	out := tr.t
	tr.t = TrafficTotals{Since: time.Now().UTC()}
	return out
}

// Merge adds a period's totals back (a report that was not filed, or the
// totals kept in the database before a restart): the period then starts at
// the earlier of the two.
func (tr *Traffic) Merge(o TrafficTotals) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	t := &tr.t
	if !o.Since.IsZero() && (t.Since.IsZero() || o.Since.Before(t.Since)) {
		t.Since = o.Since
	}
	t.Requests += o.Requests
	t.Errors += o.Errors
	t.BytesRead += o.BytesRead
	t.BytesWritten += o.BytesWritten
	t.TransferBytes += o.TransferBytes
	t.TransferNanos += o.TransferNanos
	if t.LastError == "" {
		t.LastError = o.LastError
	}
	for _, ms := range o.LatencyMs {
		t.addLatency(ms)
	}
	// addLatency counted the samples; count the ones o had dropped.
	t.Latencies += o.Latencies - uint64(len(o.LatencyMs))
}

// addLatency adds a sample (reservoir sampling: every latency of the
// period is kept with the same probability).
func (t *TrafficTotals) addLatency(ms uint32) {
	t.Latencies++
	if len(t.LatencyMs) < MaxLatencySamples {
		t.LatencyMs = append(t.LatencyMs, ms)
		return
	}
	if i := rand.Uint64N(t.Latencies); i < MaxLatencySamples { //nolint:gosec // sampling, not security
		t.LatencyMs[i] = ms
	}
}

func (tr *Traffic) start() {
	tr.mu.Lock()
	if tr.t.Since.IsZero() {
		tr.t.Since = time.Now().UTC()
	}
	tr.mu.Unlock()
}

// answered records a request answered after ttfb (headers), having sent
// sent bytes.
func (tr *Traffic) answered(ttfb time.Duration, sent int64) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.t.Requests++
	tr.t.BytesWritten += uint64(max(sent, 0))
	tr.t.addLatency(uint32(min(ttfb.Milliseconds(), int64(^uint32(0)))))
}

// failed records a request that failed (no answer, a 5xx, a broken body).
func (tr *Traffic) failed(err error, counted bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if !counted {
		tr.t.Requests++
	}
	tr.t.Errors++
	tr.t.LastError = err.Error()
}

// transferred records a finished exchange's bytes (sent and received) and
// its time from start to the end of the body.
func (tr *Traffic) transferred(sent, received int64, d time.Duration) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.t.BytesRead += uint64(max(received, 0))
	if n := max(sent, 0) + max(received, 0); n >= MinThroughputBytes {
		tr.t.TransferBytes += uint64(n)
		tr.t.TransferNanos += int64(d)
	}
}

// HTTPClient is what the S3 client sends its requests with.
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// measuredClient measures every request into a Traffic. A cancelled
// request is told apart by its context's cause: a read abandoned because
// the deal had not answered within failover_after is a failure of the deal;
// a client that went away, or an answer no longer needed, is nothing.
type measuredClient struct {
	inner   HTTPClient
	traffic *Traffic
}

func (m measuredClient) Do(req *http.Request) (*http.Response, error) {
	m.traffic.start()
	start := time.Now()
	sent := req.ContentLength
	res, err := m.inner.Do(req)
	ttfb := time.Since(start)
	if err != nil {
		abandoned := errors.Is(err, context.Canceled) || errors.Is(req.Context().Err(), context.Canceled)
		if abandoned && !errors.Is(context.Cause(req.Context()), errSlow) {
			return nil, err // the client went away, or the bridge no longer needed the answer
		}
		m.traffic.failed(err, false)
		return nil, err
	}
	if res.StatusCode >= 500 {
		m.traffic.failed(fmt.Errorf("%s %s: %s", req.Method, req.URL.Path, res.Status), false)
		return res, nil
	}
	m.traffic.answered(ttfb, sent)
	res.Body = &measuredBody{ReadCloser: res.Body, traffic: m.traffic, start: start, sent: sent, ctx: req.Context()}
	return res, nil
}

// measuredBody counts an answer's body and records the transfer when it
// ends (EOF or close).
type measuredBody struct {
	io.ReadCloser
	traffic  *Traffic
	ctx      context.Context
	start    time.Time
	sent     int64
	received int64
	done     bool
}

func (b *measuredBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.received += int64(n)
	if err != nil && !b.done {
		b.done = true
		if errors.Is(err, io.EOF) {
			b.traffic.transferred(b.sent, b.received, time.Since(b.start))
		} else if b.ctx.Err() == nil {
			b.traffic.failed(fmt.Errorf("reading an answer: %w", err), true)
		}
	}
	return n, err
}

func (b *measuredBody) Close() error {
	if !b.done {
		b.done = true
		// Closed before its end (the reader had what it wanted): what
		// moved until now, in the time it took.
		b.traffic.transferred(b.sent, b.received, time.Since(b.start))
	}
	return b.ReadCloser.Close()
}
