package prober

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
)

// A window that ends before one check of a healthy (slow to check) unit
// could finish reports nothing, so the chain records nothing for it (issue
// 19: 2-block windows at 200 ms blocks); the prober tells it, once a minute,
// instead of staying silent. A window long enough to hold the check reports
// the unit and is not counted.
func TestShortWindowIsToldNotSilent(t *testing.T) {
	_, slow := startTarget(t, probetarget.Behaviour{Latency: 150 * time.Millisecond})
	cfg := testConfig()
	cfg.CheckTimeout = 3 * time.Second
	p := New(cfg, nil)
	startProber(t, p, Target{UnitID: 1, Endpoint: slow.URL})

	// The last height of a 0.1 s window: the first check (pings, a
	// download and an upload at 150 ms each) is still running and answered.
	time.Sleep(100 * time.Millisecond)
	require.Empty(t, p.Snapshot(1), "nothing finished within the window")
	count, warned := shortWindows(p)
	require.Equal(t, uint64(1), count, "the short window is counted")
	require.False(t, warned.IsZero(), "and logged")

	require.Empty(t, p.Snapshot(1), "asked again (a second round)")
	count, _ = shortWindows(p)
	require.Equal(t, uint64(1), count, "a window is counted once")

	// The next short window is counted and not logged again.
	p.SetAssignment(2, []Target{{UnitID: 1, Endpoint: slow.URL}})
	time.Sleep(50 * time.Millisecond)
	require.Empty(t, p.Snapshot(2))
	count, again := shortWindows(p)
	require.Equal(t, uint64(2), count)
	require.Equal(t, warned, again, "at most one log a minute")

	// A window that lasts longer than a check (its end asked once, after
	// the check finished) reports the unit.
	p.SetAssignment(3, []Target{{UnitID: 1, Endpoint: slow.URL}})
	time.Sleep(2 * time.Second)
	m, ok := measurementOf(p.Snapshot(3), 1)
	require.True(t, ok, "the unit is reported")
	require.NotZero(t, m.Checks)
	count, _ = shortWindows(p)
	require.Equal(t, uint64(2), count, "a window with a report is not short")
}

// shortWindows reads the counter and the last warning under the lock (never
// assert while holding it: a failing test would leave the checks blocked).
func shortWindows(p *Prober) (uint64, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.shortWindows, p.lastShortWarning
}
