package prober

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// maxPingBody is the largest ping object the protocol allows.
const maxPingBody = 4 << 10

// maxDrainBody is how much of an error or upload response body we read so
// that the connection can be reused; the rest is discarded with the
// connection.
const maxDrainBody = 4 << 10

// ping sends one latency request and returns the time from the request being
// written to the first response byte. The whole body must arrive within the
// request timeout and be at most maxPingBody bytes.
func (p *Prober) ping(ctx context.Context, url string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.RequestTimeout)
	defer cancel()

	// The trace callbacks run on the transport's goroutines; the offsets
	// from start are atomics so that reading them here is race-free. Using
	// offsets from one monotonic start keeps wall-clock jumps out.
	start := time.Now()
	var wroteAt, firstByteAt atomic.Int64
	trace := &httptrace.ClientTrace{
		WroteRequest:         func(httptrace.WroteRequestInfo) { wroteAt.Store(int64(time.Since(start))) },
		GotFirstResponseByte: func() { firstByteAt.Store(int64(time.Since(start))) },
	}
	req, err := newRequest(httptrace.WithClientTrace(ctx, trace), http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, err
	}
	headersAt := time.Since(start)
	defer resp.Body.Close()
	if err := checkStatus(resp); err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxPingBody+1))
	if err != nil {
		return 0, fmt.Errorf("reading ping body: %w", err)
	}
	if n > maxPingBody {
		return 0, fmt.Errorf("ping body larger than %d bytes", maxPingBody)
	}
	return timeToFirstByte(time.Duration(wroteAt.Load()), time.Duration(firstByteAt.Load()), headersAt), nil
}

// timeToFirstByte measures from the request being written to the first
// response byte, which excludes connection setup, so that a pooled
// connection and a fresh one measure the same thing: network round trip plus
// provider processing. Missing trace points fall back to the request start
// and to the arrival of the headers.
func timeToFirstByte(wrote, firstByte, headers time.Duration) time.Duration {
	if firstByte <= 0 {
		firstByte = headers
	}
	if wrote <= 0 || wrote > firstByte {
		wrote = 0
	}
	return firstByte - wrote
}

// download fetches the size-byte probe object and returns its throughput
// from request start to last byte. Any other body length is a failure, and
// at most size+1 bytes are ever read.
func (p *Prober) download(ctx context.Context, url string, size int64) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.RequestTimeout)
	defer cancel()

	req, err := newRequest(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if err := checkStatus(resp); err != nil {
		return 0, err
	}
	if resp.ContentLength >= 0 && resp.ContentLength != size {
		return 0, fmt.Errorf("object has Content-Length %d, want %d", resp.ContentLength, size)
	}
	n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, size+1))
	if err != nil {
		return 0, fmt.Errorf("reading object after %d bytes: %w", n, err)
	}
	if n != size {
		return 0, fmt.Errorf("object body has %s bytes, want %d", bodyLen(n, size), size)
	}
	return throughputKbps(size, time.Since(start)), nil
}

// upload PUTs size bytes to url and returns the throughput from request
// start to the response headers.
func (p *Prober) upload(ctx context.Context, url string, size int64) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.RequestTimeout)
	defer cancel()

	req, err := newRequest(ctx, http.MethodPut, url, newPatternReader(size))
	if err != nil {
		return 0, err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	start := time.Now()
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, err
	}
	elapsed := time.Since(start)
	defer resp.Body.Close()
	if err := checkStatus(resp); err != nil {
		return 0, err
	}
	// The provider has acknowledged the upload; the response body carries no
	// information, so read a little for connection reuse and ignore errors.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainBody))
	return throughputKbps(size, elapsed), nil
}

// newRequest builds a probe request with the protocol's headers.
func newRequest(ctx context.Context, method, url string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", userAgent)
	// Ask for the bytes as stored; together with DisableCompression this
	// keeps the transport from inflating a compressed response for us.
	req.Header.Set("Accept-Encoding", "identity")
	return req, nil
}

// errStatus marks a response with a non-2xx status (including 3xx, since
// redirects are not followed).
var errStatus = errors.New("unexpected HTTP status")

// checkStatus accepts any 2xx. For anything else it drains a little of the
// body so that the connection can be reused, and returns an error.
func checkStatus(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainBody))
	return fmt.Errorf("%w: %s", errStatus, resp.Status)
}

func bodyLen(n, size int64) string {
	if n > size {
		return "more than " + fmt.Sprint(size)
	}
	return fmt.Sprint(n)
}

// uploadNonce names one upload object. It only has to be unique, not
// secret, so math/rand/v2 (which never fails) is enough.
func uploadNonce() string {
	return fmt.Sprintf("%016x", rand.Uint64())
}
