package repo

import (
	"slices"
	"sync"
	"time"
)

// latencyWindow is how many recent request latencies a deal's p50 is
// computed over.
const latencyWindow = 128

// Stats are what the bridge measures of one deal: the latency of its
// recent successful requests (time to the answer's headers), its requests
// and errors, and whether it is down (failuresToDown failures in a row).
type Stats struct {
	mu             sync.Mutex
	failuresToDown int
	lat            [latencyWindow]time.Duration
	n              int // samples written (the ring holds min(n, window))
	requests       uint64
	errors         uint64
	consecutive    int
	down           bool
	lastError      string
	lastErrorAt    time.Time
	// traffic is what the deal's requests measured since its last QoS
	// self-report.
	traffic Traffic
	// cameBack is called (outside the lock) when a down deal succeeds.
	cameBack func()
}

// NewStats returns stats for a deal that is considered up.
func NewStats(failuresToDown int) *Stats {
	if failuresToDown < 1 {
		failuresToDown = 1
	}
	return &Stats{failuresToDown: failuresToDown}
}

// Traffic is the deal's measurements for its QoS self-reports (see
// MeasuredDealBackend).
func (s *Stats) Traffic() *Traffic { return &s.traffic }

// OK records a successful request that took d.
func (s *Stats) OK(d time.Duration) {
	s.mu.Lock()
	s.lat[s.n%latencyWindow] = d
	s.n++
	s.requests++
	wasDown := s.down
	s.consecutive, s.down = 0, false
	hook := s.cameBack
	s.mu.Unlock()
	if wasDown && hook != nil {
		hook()
	}
}

// Fail records a failed request.
func (s *Stats) Fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	s.errors++
	s.consecutive++
	if s.consecutive >= s.failuresToDown {
		s.down = true
	}
	s.lastError, s.lastErrorAt = err.Error(), time.Now().UTC()
}

// Up reports whether the deal is not down.
func (s *Stats) Up() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.down
}

// Failing reports whether the deal's last request failed.
func (s *Stats) Failing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.consecutive > 0
}

// P50 is the median latency of the recent successful requests (0 without
// any).
func (s *Stats) P50() time.Duration {
	s.mu.Lock()
	n := min(s.n, latencyWindow)
	window := slices.Clone(s.lat[:n])
	s.mu.Unlock()
	if n == 0 {
		return 0
	}
	slices.Sort(window)
	return window[(n-1)/2]
}

// Snapshot is a copy of the stats for the status report.
type Snapshot struct {
	Up                  bool      `json:"up"`
	LatencyP50Ms        float64   `json:"latency_p50_ms"`
	Requests            uint64    `json:"requests"`
	Errors              uint64    `json:"errors"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	LastError           string    `json:"last_error,omitempty"`
	LastErrorAt         time.Time `json:"last_error_at,omitzero"`
}

// Snapshot copies the stats.
func (s *Stats) Snapshot() Snapshot {
	p50 := s.P50()
	s.mu.Lock()
	defer s.mu.Unlock()
	return Snapshot{
		Up: !s.down, LatencyP50Ms: float64(p50.Microseconds()) / 1000, Requests: s.requests, Errors: s.errors,
		ConsecutiveFailures: s.consecutive, LastError: s.lastError, LastErrorAt: s.lastErrorAt,
	}
}
