package prober

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// userAgent identifies probe requests in providers' access logs.
const userAgent = "flashbackd-prober/1"

// maxResponseHeaderBytes bounds the response headers we accept; a probe
// response needs a handful of headers, not megabytes.
const maxResponseHeaderBytes = 64 << 10

// newHTTPClient returns the prober's own client: default TLS verification,
// no transparent decompression (a provider must not be able to inflate its
// download throughput by serving a compressed object), bounded headers and a
// connection pool sized for Concurrency.
func newHTTPClient(cfg Config) *http.Client {
	conns := cfg.Concurrency
	if conns < 1 {
		conns = 1
	}
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   cfg.RequestTimeout,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    cfg.RequestTimeout,
		MaxIdleConns:           2 * conns,
		MaxIdleConnsPerHost:    conns,
		IdleConnTimeout:        90 * time.Second,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
	}
	return &http.Client{Transport: transport}
}

// withProbePolicy returns a copy of c that never follows redirects (the
// 3xx response is returned and counted as a failed operation) and that has
// a client-wide timeout as a second line of defence behind the per-request
// context deadline. The caller's client is not modified.
func withProbePolicy(c *http.Client, timeout time.Duration) *http.Client {
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cp.Timeout = timeout
	return &cp
}
