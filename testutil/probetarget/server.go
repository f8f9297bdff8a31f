package probetarget

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// MaxObjectSize is the largest object-{n} the server generates (64 MiB, the
// prober's upper bound); larger sizes are answered with 400.
const MaxObjectSize = 64 << 20

// ProbePrefix is the path segment that starts the probe namespace. Anything
// before it is the unit's base path, so one server can host many units.
const ProbePrefix = "/flashback-probe/"

const (
	pingName     = "ping"
	objectPrefix = "object-"
	uploadPrefix = "upload-"
	pingBody     = "pong"
)

// Stats counts what the server has seen since it was created.
type Stats struct {
	Requests  uint64 // every request handled by ServeHTTP
	Failures  uint64 // requests answered with an injected 500 or 503
	Pings     uint64 // ping requests routed (whether they then failed or not)
	Downloads uint64 // object-{n} requests routed
	Uploads   uint64 // upload-{nonce} requests routed
}

// Server answers the probe protocol with a configurable Behaviour. It is an
// http.Handler; use Start for a running httptest server.
type Server struct {
	// closed ends every artificial wait (latency, pacing) at once, so that
	// closing a server does not wait for a throttled transfer whose client
	// is long gone (a server cannot see that while the upload still sits in
	// its socket buffer).
	closed    chan struct{}
	closeOnce sync.Once

	mu        sync.Mutex
	behaviour Behaviour
	failures  failurePattern

	requests, failed, pings, downloads, uploads atomic.Uint64
}

// New returns a server with behaviour b (out-of-range values are clamped,
// see Behaviour).
func New(b Behaviour) *Server {
	s := &Server{closed: make(chan struct{})}
	s.SetBehaviour(b)
	return s
}

// Close ends the artificial waits of running and future requests; requests
// still get answered, without delay or pacing. Start calls it when the
// httptest server closes. It is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
}

// Start returns a new server and a started httptest server serving it (the
// probe paths only, not /_control). The caller closes the httptest server,
// which also closes the Server so that Close does not wait for slow
// requests.
func Start(b Behaviour) (*Server, *httptest.Server) {
	s := New(b)
	ts := httptest.NewUnstartedServer(s)
	ts.Listener = closeNotifyingListener{Listener: ts.Listener, onClose: s.Close}
	ts.Start()
	return s, ts
}

// closeNotifyingListener calls onClose when the listener is closed, which is
// the first thing httptest.Server.Close does.
type closeNotifyingListener struct {
	net.Listener
	onClose func()
}

func (l closeNotifyingListener) Close() error {
	l.onClose()
	return l.Listener.Close()
}

// SetBehaviour replaces the behaviour at runtime; it is goroutine-safe and
// applies to requests that arrive afterwards. It restarts the failure
// pattern so that the new rate is exact from the next request on.
func (s *Server) SetBehaviour(b Behaviour) {
	b = b.normalized()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.behaviour = b
	s.failures = failurePattern{rate: b.FailureRate}
}

// Behaviour returns the current behaviour.
func (s *Server) Behaviour() Behaviour {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.behaviour
}

// Stats returns the request counters.
func (s *Server) Stats() Stats {
	return Stats{
		Requests:  s.requests.Load(),
		Failures:  s.failed.Load(),
		Pings:     s.pings.Load(),
		Downloads: s.downloads.Load(),
		Uploads:   s.uploads.Load(),
	}
}

// nextFailure advances the failure pattern by one probe request and
// reports whether that request must fail.
func (s *Server) nextFailure() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failures.next()
}

// ServeHTTP serves GET .../flashback-probe/ping, GET
// .../flashback-probe/object-{n} and PUT .../flashback-probe/upload-{nonce}.
// Order of effects: Latency, then Down (503), then routing errors (404, 405,
// 400), then the failure pattern (500), then the real answer.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	b := s.Behaviour()
	if err := sleepCtx(r.Context(), s.closed, b.Latency); err != nil {
		return // the client went away while we were "slow"
	}
	if b.Down {
		s.failed.Add(1)
		http.Error(w, "target is down", http.StatusServiceUnavailable)
		return
	}

	req, status, msg := route(r)
	switch req.kind {
	case kindPing:
		s.pings.Add(1)
	case kindObject:
		s.downloads.Add(1)
	case kindUpload:
		s.uploads.Add(1)
	}
	if status != 0 {
		if status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", req.kind.method())
		}
		http.Error(w, msg, status)
		return
	}
	if s.nextFailure() {
		s.failed.Add(1)
		http.Error(w, "injected failure", http.StatusInternalServerError)
		return
	}

	switch req.kind {
	case kindPing:
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", strconv.Itoa(len(pingBody)))
		_, _ = w.Write([]byte(pingBody))
	case kindObject:
		s.serveObject(w, r, b, req.size)
	case kindUpload:
		s.serveUpload(w, r, b)
	}
}

func (s *Server) serveObject(w http.ResponseWriter, r *http.Request, b Behaviour, size int64) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.WriteHeader(http.StatusOK)
	// A write error means the client is gone; there is nobody to tell.
	_ = writePaced(w, newPacer(r.Context(), s.closed, b.ThroughputKBps), size)
}

func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request, b Behaviour) {
	if _, err := readPaced(r.Body, newPacer(r.Context(), s.closed, b.ThroughputKBps)); err != nil {
		http.Error(w, "reading upload: "+err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

type requestKind int

const (
	kindNone requestKind = iota
	kindPing
	kindObject
	kindUpload
)

// method is the only HTTP method the kind accepts.
func (k requestKind) method() string {
	if k == kindUpload {
		return http.MethodPut
	}
	return http.MethodGet
}

type probeRequest struct {
	kind requestKind
	size int64 // object size for kindObject
}

// route classifies r. A non-zero status means the request must be answered
// with that status and message; kind is still set when the path was a probe
// path, so that it is counted.
func route(r *http.Request) (probeRequest, int, string) {
	name, ok := probeName(r.URL.Path)
	if !ok {
		return probeRequest{}, http.StatusNotFound, "not found"
	}
	var req probeRequest
	switch {
	case name == pingName:
		req.kind = kindPing
	case strings.HasPrefix(name, objectPrefix):
		req.kind = kindObject
	case strings.HasPrefix(name, uploadPrefix) && len(name) > len(uploadPrefix):
		req.kind = kindUpload
	default:
		return probeRequest{}, http.StatusNotFound, "not found"
	}
	if r.Method != req.kind.method() {
		return req, http.StatusMethodNotAllowed, "method not allowed"
	}
	if req.kind == kindObject {
		size, ok := parseObjectSize(strings.TrimPrefix(name, objectPrefix))
		if !ok {
			return req, http.StatusBadRequest, "object size must be a decimal number of bytes in [0, 67108864]"
		}
		req.size = size
	}
	return req, 0, ""
}

// probeName returns the object name after the last /flashback-probe/ of
// path; the name must be a single path segment.
func probeName(path string) (string, bool) {
	i := strings.LastIndex(path, ProbePrefix)
	if i < 0 {
		return "", false
	}
	name := path[i+len(ProbePrefix):]
	if name == "" || strings.Contains(name, "/") {
		return "", false
	}
	return name, true
}

// parseObjectSize accepts plain decimal digits only, up to MaxObjectSize.
func parseObjectSize(s string) (int64, bool) {
	if s == "" || len(s) > 9 { // 67108864 has 8 digits; 9 leaves room for leading zeros
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > MaxObjectSize {
		return 0, false
	}
	return n, true
}
