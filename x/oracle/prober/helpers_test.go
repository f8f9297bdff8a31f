package prober

import (
	"context"
	"io"
	stdlog "log"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
)

// testConfig is an enabled config with short intervals (within Validate's
// production bounds) and a small object so that tests run fast. Test
// targets listen on 127.0.0.1, so private endpoints are allowed.
func testConfig() Config {
	return Config{
		Enabled:               true,
		ProbeInterval:         100 * time.Millisecond,
		RequestTimeout:        2 * time.Second,
		CheckTimeout:          10 * time.Second,
		ObjectSize:            16 << 10,
		LatencySamples:        3,
		Concurrency:           8,
		MaxStaleness:          10 * time.Second,
		AllowPrivateEndpoints: true,
	}
}

// startProber starts p with a context that ends with the test, assigns
// targets to window 1 and stops p on cleanup.
func startProber(t *testing.T, p *Prober, targets ...Target) {
	t.Helper()
	require.True(t, p.Enabled(), "test config must validate")
	ctx, cancel := context.WithCancel(context.Background())
	p.SetAssignment(1, targets)
	p.Start(ctx)
	t.Cleanup(func() {
		cancel()
		p.Stop()
	})
}

// startTarget starts a probe target that is closed when the test ends.
func startTarget(t *testing.T, b probetarget.Behaviour) (*probetarget.Server, *httptest.Server) {
	t.Helper()
	s, ts := probetarget.Start(b)
	t.Cleanup(ts.Close)
	return s, ts
}

// measurementOf returns unit's measurement in the snapshot, if any.
func measurementOf(snapshot []Measurement, unit uint64) (Measurement, bool) {
	for _, m := range snapshot {
		if m.UnitID == unit {
			return m, true
		}
	}
	return Measurement{}, false
}

// waitForChecks polls Snapshot(window) until unit has at least n checks.
func waitForChecks(t *testing.T, p *Prober, window, unit uint64, n uint32, timeout time.Duration) Measurement {
	t.Helper()
	var m Measurement
	require.Eventually(t, func() bool {
		var ok bool
		m, ok = measurementOf(p.Snapshot(window), unit)
		return ok && m.Checks >= n
	}, timeout, 10*time.Millisecond, "unit %d did not reach %d checks (last: %+v)", unit, n, m)
	return m
}

// fakeClock is a goroutine-safe settable wall clock for staleness tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// startUntrustedTLSTarget starts a probe target over TLS with httptest's
// self-signed certificate, which the prober's default client rejects.
func startUntrustedTLSTarget(t *testing.T) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(probetarget.New(probetarget.Behaviour{}))
	// The rejected handshakes are the point of the test; keep them out of
	// the test output.
	ts.Config.ErrorLog = stdlog.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}
