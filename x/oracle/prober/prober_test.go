package prober

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cosmossdk.io/log"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
)

func TestHealthyTarget(t *testing.T) {
	t.Parallel()
	_, ts := startTarget(t, probetarget.Behaviour{Latency: 50 * time.Millisecond})
	p := New(testConfig(), log.NewNopLogger())
	startProber(t, p, Target{UnitID: 7, Endpoint: ts.URL + "/unit7"})

	m := waitForChecks(t, p, 1, 7, 3, 10*time.Second)
	require.Equal(t, uint64(7), m.UnitID)
	require.Equal(t, uint32(10000), m.UptimeBps)
	require.Zero(t, m.ErrorRateBps)
	require.GreaterOrEqual(t, m.LatencyMs, uint32(40))
	require.LessOrEqual(t, m.LatencyMs, uint32(500))
	// 16 KiB after a 50 ms first byte: at most ~2600 kbps, and loopback is
	// far faster than 100 kbps.
	require.Greater(t, m.DownloadKbps, uint64(100))
	require.Less(t, m.DownloadKbps, uint64(2700))
	require.Greater(t, m.UploadKbps, uint64(100))
	require.Less(t, m.UploadKbps, uint64(2700))
	require.False(t, m.LastCheck.IsZero())
}

func TestFailingTargetsAreDown(t *testing.T) {
	t.Parallel()
	_, down := startTarget(t, probetarget.Behaviour{Down: true})
	_, failing := startTarget(t, probetarget.Behaviour{FailureRate: 10000})
	p := New(testConfig(), log.NewNopLogger())
	startProber(t, p, Target{UnitID: 1, Endpoint: down.URL}, Target{UnitID: 2, Endpoint: failing.URL})

	for _, unit := range []uint64{1, 2} {
		m := waitForChecks(t, p, 1, unit, 2, 10*time.Second)
		require.Zero(t, m.UptimeBps, unit)
		require.Equal(t, uint32(10000), m.ErrorRateBps, unit)
		require.Zero(t, m.LatencyMs, unit)
		require.Zero(t, m.DownloadKbps, unit)
		require.Zero(t, m.UploadKbps, unit)
	}
}

func TestHalfFailingTarget(t *testing.T) {
	t.Parallel()
	target, ts := startTarget(t, probetarget.Behaviour{FailureRate: 5000})
	p := New(testConfig(), log.NewNopLogger())
	startProber(t, p, Target{UnitID: 3, Endpoint: ts.URL})

	m := waitForChecks(t, p, 1, 3, 6, 10*time.Second)
	require.GreaterOrEqual(t, m.ErrorRateBps, uint32(2000))
	require.LessOrEqual(t, m.ErrorRateBps, uint32(8000))
	// Every other request fails, so every check has a successful ping.
	require.Equal(t, uint32(10000), m.UptimeBps)
	require.Positive(t, target.Stats().Failures)
}

func TestThrottledTargetIsSlower(t *testing.T) {
	t.Parallel()
	_, fast := startTarget(t, probetarget.Behaviour{})
	_, slow := startTarget(t, probetarget.Behaviour{ThroughputKBps: 100}) // 800 kbps
	cfg := testConfig()
	cfg.ObjectSize = 32 << 10 // about 330 ms each way at 100 KB/s
	p := New(cfg, log.NewNopLogger())
	startProber(t, p, Target{UnitID: 1, Endpoint: fast.URL}, Target{UnitID: 2, Endpoint: slow.URL})

	mSlow := waitForChecks(t, p, 1, 2, 2, 15*time.Second)
	mFast := waitForChecks(t, p, 1, 1, 2, 5*time.Second)
	require.Zero(t, mSlow.ErrorRateBps)
	require.Less(t, mSlow.DownloadKbps, mFast.DownloadKbps)
	require.Less(t, mSlow.UploadKbps, mFast.UploadKbps)
	// Pacing and scheduling noise: allow a wide band around 800 kbps.
	require.GreaterOrEqual(t, mSlow.DownloadKbps, uint64(300))
	require.LessOrEqual(t, mSlow.DownloadKbps, uint64(1600))
}

func TestRedirectingTargetIsDown(t *testing.T) {
	t.Parallel()
	_, healthy := startTarget(t, probetarget.Behaviour{})
	redirecting := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, healthy.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	p := New(testConfig(), log.NewNopLogger())
	startProber(t, p, Target{UnitID: 1, Endpoint: redirecting.URL})

	m := waitForChecks(t, p, 1, 1, 2, 10*time.Second)
	require.Zero(t, m.UptimeBps)
	require.Equal(t, uint32(10000), m.ErrorRateBps)
}

func TestUntrustedTLSTargetIsDown(t *testing.T) {
	t.Parallel()
	_, ts := startTarget(t, probetarget.Behaviour{})
	tlsTarget := startUntrustedTLSTarget(t)
	p := New(testConfig(), log.NewNopLogger())
	startProber(t, p, Target{UnitID: 1, Endpoint: tlsTarget.URL}, Target{UnitID: 2, Endpoint: ts.URL})

	m := waitForChecks(t, p, 1, 1, 2, 10*time.Second)
	require.Zero(t, m.UptimeBps)
	require.Equal(t, uint32(10000), m.ErrorRateBps)
	require.Equal(t, uint32(10000), waitForChecks(t, p, 1, 2, 1, 5*time.Second).UptimeBps)
}

func TestSlowTargetDoesNotHoldUpOthers(t *testing.T) {
	t.Parallel()
	_, slow := startTarget(t, probetarget.Behaviour{ThroughputKBps: 1}) // bodies never finish in time
	_, healthy := startTarget(t, probetarget.Behaviour{})
	cfg := testConfig()
	cfg.RequestTimeout = 300 * time.Millisecond
	cfg.Concurrency = 2
	p := New(cfg, log.NewNopLogger())
	start := time.Now()
	startProber(t, p, Target{UnitID: 1, Endpoint: slow.URL}, Target{UnitID: 2, Endpoint: healthy.URL})

	// One check of the slow target: pings fine, then the download and the
	// upload each time out (2 of 5 operations fail).
	mSlow := waitForChecks(t, p, 1, 1, 1, 5*time.Second)
	require.Less(t, time.Since(start), 3*time.Second, "the timeout cut the slow bodies")
	require.Equal(t, uint32(10000), mSlow.UptimeBps)
	require.Equal(t, uint32(4000), mSlow.ErrorRateBps)
	require.Zero(t, mSlow.DownloadKbps)
	require.Zero(t, mSlow.UploadKbps)

	// Meanwhile the healthy target has been checked at its own pace.
	mHealthy := waitForChecks(t, p, 1, 2, 3, 5*time.Second)
	require.Zero(t, mHealthy.ErrorRateBps)
}

func TestWrongSizeObjectIsAFailedDownload(t *testing.T) {
	t.Parallel()
	target := probetarget.New(probetarget.Behaviour{})
	sizes := map[uint64]int{1: testObjectSize - 1, 2: testObjectSize + 1}
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if size, ok := map[string]int{"/short/flashback-probe/object-16384": sizes[1], "/long/flashback-probe/object-16384": sizes[2]}[r.URL.Path]; ok {
			_, _ = w.Write(make([]byte, size))
			return
		}
		target.ServeHTTP(w, r)
	})
	p := New(testConfig(), log.NewNopLogger())
	startProber(t, p, Target{UnitID: 1, Endpoint: ts.URL + "/short"}, Target{UnitID: 2, Endpoint: ts.URL + "/long"})

	for _, unit := range []uint64{1, 2} {
		m := waitForChecks(t, p, 1, unit, 2, 10*time.Second)
		require.Equal(t, uint32(2000), m.ErrorRateBps, "1 of 5 operations fails")
		require.Equal(t, uint32(10000), m.UptimeBps)
		require.Zero(t, m.DownloadKbps)
		require.Positive(t, m.UploadKbps)
	}
}

func TestInvalidEndpointsCountAsDown(t *testing.T) {
	t.Parallel()
	endpoints := []string{"", "not a url", "ftp://host/unit", "http://", "http://[::1", "https://host/unit?x=1", "\x00\xff", "https://u:p@host/"}
	var targets []Target
	for i, e := range endpoints {
		targets = append(targets, Target{UnitID: uint64(i + 1), Endpoint: e})
	}
	p := New(testConfig(), log.NewNopLogger())
	startProber(t, p, targets...)

	for i := range endpoints {
		m := waitForChecks(t, p, 1, uint64(i+1), 2, 5*time.Second)
		require.Zero(t, m.UptimeBps, endpoints[i])
		require.Equal(t, uint32(10000), m.ErrorRateBps, endpoints[i])
	}
}

func TestNewWindowResetsCounters(t *testing.T) {
	t.Parallel()
	target, ts := startTarget(t, probetarget.Behaviour{Down: true})
	p := New(testConfig(), log.NewNopLogger())
	startProber(t, p, Target{UnitID: 1, Endpoint: ts.URL})
	require.Zero(t, waitForChecks(t, p, 1, 1, 2, 5*time.Second).UptimeBps)

	// Same window again: the numbers carry on.
	p.SetAssignment(1, []Target{{UnitID: 1, Endpoint: ts.URL}})
	m, ok := measurementOf(p.Snapshot(1), 1)
	require.True(t, ok)
	require.GreaterOrEqual(t, m.Checks, uint32(2))

	// A new window: nothing from the old one leaks in.
	target.SetBehaviour(probetarget.Behaviour{})
	p.SetAssignment(2, []Target{{UnitID: 1, Endpoint: ts.URL}})
	require.Nil(t, p.Snapshot(1), "the old window is gone")
	m = waitForChecks(t, p, 2, 1, 2, 5*time.Second)
	require.Equal(t, uint32(10000), m.UptimeBps)
	require.Zero(t, m.ErrorRateBps)
}

// hangingTarget answers pings only after release is closed (or the client
// gives up), and signals entered on the first stuck request.
func hangingTarget(t *testing.T) (url string, entered <-chan struct{}, release func()) {
	t.Helper()
	in := make(chan struct{})
	out := make(chan struct{})
	var enterOnce, releaseOnce sync.Once
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		enterOnce.Do(func() { close(in) })
		select {
		case <-out:
		case <-r.Context().Done():
		}
	})
	release = func() { releaseOnce.Do(func() { close(out) }) }
	t.Cleanup(release) // runs before the server's Close (cleanups are LIFO)
	return ts.URL, in, release
}

func TestNeverBlocksWhileAProbeIsStuck(t *testing.T) {
	t.Parallel()
	url, entered, release := hangingTarget(t)
	cfg := testConfig()
	cfg.RequestTimeout = 30 * time.Second // the probe stays stuck for the whole test
	cfg.CheckTimeout = 30 * time.Second
	cfg.Concurrency = 1 // and holds the only slot
	p := New(cfg, log.NewNopLogger())
	startProber(t, p, Target{UnitID: 1, Endpoint: url})

	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the probe never reached the target")
	}
	done := make(chan []Measurement)
	go func() {
		for w := uint64(2); w < 100; w++ {
			p.SetAssignment(w, []Target{{UnitID: 1, Endpoint: url}, {UnitID: w, Endpoint: url}})
			p.Snapshot(w)
		}
		done <- p.Snapshot(99)
	}()
	select {
	case snap := <-done:
		require.Nil(t, snap, "no check has completed")
	case <-time.After(time.Second):
		t.Fatal("SetAssignment or Snapshot waited for a stuck probe")
	}

	// Stop cancels the stuck request instead of waiting for it.
	stopped := make(chan struct{})
	go func() { p.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop waited for a stuck probe")
	}
	release()
}

func TestConcurrencyIsBounded(t *testing.T) {
	t.Parallel()
	var inFlight, peak atomic.Int32
	target := probetarget.New(probetarget.Behaviour{})
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		target.ServeHTTP(w, r)
	})
	cfg := testConfig()
	cfg.Concurrency = 2
	p := New(cfg, log.NewNopLogger())
	var targets []Target
	for unit := uint64(1); unit <= 6; unit++ {
		targets = append(targets, Target{UnitID: unit, Endpoint: ts.URL})
	}
	startProber(t, p, targets...)

	for unit := uint64(1); unit <= 6; unit++ {
		waitForChecks(t, p, 1, unit, 2, 10*time.Second)
	}
	require.Equal(t, int32(2), peak.Load(), "checks run two at a time, never more")
}
