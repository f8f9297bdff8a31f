package prober

import (
	"crypto/tls"
	"fmt"
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
// connection pool sized for Concurrency. Its dialer is set by
// withProbePolicy.
func newHTTPClient(cfg Config) *http.Client {
	conns := cfg.Concurrency
	if conns < 1 {
		conns = 1
	}
	transport := &http.Transport{
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
// 3xx response is returned and counted as a failed operation), that has a
// client-wide timeout as a second line of defence behind the per-request
// context deadline, and whose transport dials through the prober's dialer:
// no proxy (a proxy would connect to addresses the dialer never sees, and
// would distort the measurement) and, unless cfg allows private endpoints,
// only public addresses. The caller's client is not modified. A transport
// that is not an *http.Transport cannot be given that dialer and is
// refused.
func withProbePolicy(c *http.Client, cfg Config) (*http.Client, error) {
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cp.Timeout = cfg.RequestTimeout
	var transport *http.Transport
	switch t := c.Transport.(type) {
	case nil:
		transport = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		transport = t.Clone()
	default:
		return nil, fmt.Errorf("the prober needs an *http.Transport to control its connections, got %T", c.Transport)
	}
	transport.Proxy = nil
	transport.DialContext = probeDialer(cfg).DialContext
	cp.Transport = transport
	return &cp, nil
}

// probeDialer is the dialer of every probe connection.
func probeDialer(cfg Config) *net.Dialer {
	d := &net.Dialer{Timeout: cfg.RequestTimeout, KeepAlive: 30 * time.Second}
	if !cfg.AllowPrivateEndpoints {
		d.Control = publicOnly
	}
	return d
}
