package prober

import (
	"net/http"
	"testing"
	"time"

	"cosmossdk.io/log"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
)

// startBlackHole starts a server that accepts connections and never
// answers; it is closed when the test ends.
func startBlackHole(t *testing.T) *probetarget.BlackHole {
	t.Helper()
	b, err := probetarget.StartBlackHole()
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// A check of an endpoint that never answers ends at check-timeout, not
// after every operation's own timeout (3 pings, a download and an upload:
// five request timeouts), with every operation failed; meanwhile it holds
// one slot only that long, so the only other target still gets checked.
func TestBlackHoledCheckEndsAtTheCheckTimeout(t *testing.T) {
	t.Parallel()
	hole := startBlackHole(t)
	_, healthy := startTarget(t, probetarget.Behaviour{})
	cfg := testConfig()
	cfg.RequestTimeout, cfg.CheckTimeout = time.Second, time.Second
	cfg.Concurrency = 1
	p := New(cfg, log.NewNopLogger())
	p.unansweredGrace = time.Hour // this test is about completed checks only
	start := time.Now()
	startProber(t, p, Target{UnitID: 1, Endpoint: hole.URL() + "/unit1"}, Target{UnitID: 2, Endpoint: healthy.URL})

	m := waitForChecks(t, p, 1, 1, 1, 3*time.Second)
	require.Less(t, time.Since(start), 3*time.Second, "one check-timeout, not five request timeouts")
	require.Equal(t, uint32(1), m.Checks)
	require.Zero(t, m.UptimeBps)
	require.Equal(t, uint32(10000), m.ErrorRateBps)
	require.Zero(t, m.LatencyMs)

	require.Equal(t, uint32(10000), waitForChecks(t, p, 1, 2, 1, 3*time.Second).UptimeBps,
		"the healthy target got the slot")
}

// A check still running at the window's end, with no answer yet, counts as
// a failed check: an assigned unit that never answers is reported down even
// when no check of it can finish within the window. A running check that
// has been answered (a ping succeeded) is not counted either way, nor is
// one that started less than the grace period ago.
func TestUnansweredRunningCheckCountsAsFailed(t *testing.T) {
	t.Parallel()
	hole := startBlackHole(t)
	pingsOnly := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/flashback-probe/ping" {
			_, _ = w.Write([]byte("pong"))
			return
		}
		<-r.Context().Done() // the download hangs
	})
	cfg := testConfig()
	cfg.RequestTimeout, cfg.CheckTimeout = 30*time.Second, 30*time.Second // no check ends during the test
	p := New(cfg, log.NewNopLogger())
	p.unansweredGrace = 300 * time.Millisecond
	startProber(t, p, Target{UnitID: 1, Endpoint: hole.URL()}, Target{UnitID: 2, Endpoint: pingsOnly.URL})

	require.Eventually(t, func() bool { return hole.Accepted() > 0 }, 2*time.Second, 5*time.Millisecond)
	require.Empty(t, p.Snapshot(1), "within the grace period nothing is reported")

	var snap []Measurement
	require.Eventually(t, func() bool {
		snap = p.Snapshot(1)
		return len(snap) > 0
	}, 3*time.Second, 10*time.Millisecond)
	require.Equal(t, []uint64{1}, unitIDs(snap), "the answering unit is not reported before its check ends")
	m := snap[0]
	require.Equal(t, uint32(1), m.Checks)
	require.Zero(t, m.UptimeBps)
	require.Equal(t, uint32(10000), m.ErrorRateBps)
	require.Zero(t, m.LatencyMs)
	require.Zero(t, m.DownloadKbps)

	// Reporting it did not change the unit's stats: the running check is
	// counted again, once, at every snapshot until it ends.
	again, ok := measurementOf(p.Snapshot(1), 1)
	require.True(t, ok)
	require.Equal(t, uint32(1), again.Checks)
}

// A replaced target's running check is cancelled: it would be dropped
// anyway, and it must not keep a slot from the new window's targets.
func TestReplacedTargetsRunningCheckGivesUpItsSlot(t *testing.T) {
	t.Parallel()
	hole := startBlackHole(t)
	_, healthy := startTarget(t, probetarget.Behaviour{})
	cfg := testConfig()
	cfg.RequestTimeout, cfg.CheckTimeout = 30*time.Second, 30*time.Second
	cfg.Concurrency = 1
	p := New(cfg, log.NewNopLogger())
	startProber(t, p, Target{UnitID: 1, Endpoint: hole.URL()})
	require.Eventually(t, func() bool { return hole.Accepted() > 0 }, 2*time.Second, 5*time.Millisecond)

	p.SetAssignment(2, []Target{{UnitID: 2, Endpoint: healthy.URL}})
	m := waitForChecks(t, p, 2, 2, 1, 3*time.Second)
	require.Equal(t, uint32(10000), m.UptimeBps)
}
