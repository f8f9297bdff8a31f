package prober

import (
	"testing"
	"time"

	"cosmossdk.io/log"
	"github.com/stretchr/testify/require"
)

// completeCheck folds a check result into unit's stats as a running check
// would, without a network: the scheduler is not started in these tests.
func completeCheck(t *testing.T, p *Prober, unit uint64, res checkResult) {
	t.Helper()
	p.mu.Lock()
	st, ok := p.targets[unit]
	if ok {
		st.inFlight = true
	}
	p.mu.Unlock()
	require.True(t, ok, "unit %d is not assigned", unit)
	p.record(st, time.Now(), res, false)
}

var healthyCheck = checkResult{
	pings: 3, latencies: []time.Duration{5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond},
	downloadOK: true, downloadKbps: 1000, uploadOK: true, uploadKbps: 500,
}

func unitIDs(ms []Measurement) []uint64 {
	var ids []uint64
	for _, m := range ms {
		ids = append(ids, m.UnitID)
	}
	return ids
}

func TestSnapshotIsSortedUniqueAndFresh(t *testing.T) {
	clock := newFakeClock()
	p := New(testConfig(), log.NewNopLogger())
	p.now = clock.Now
	p.SetAssignment(5, []Target{
		{UnitID: 30, Endpoint: "http://a.example/30"},
		{UnitID: 10, Endpoint: "http://a.example/10"},
		{UnitID: 20, Endpoint: "http://a.example/20"},
		{UnitID: 10, Endpoint: "http://b.example/duplicate"}, // ignored: the first entry wins
		{UnitID: 40, Endpoint: "http://a.example/40"},        // never checked
	})
	require.Nil(t, p.Snapshot(5), "nothing checked yet")

	completeCheck(t, p, 20, healthyCheck) // at t0
	clock.Advance(5 * time.Second)
	completeCheck(t, p, 30, healthyCheck) // at t0+5s
	completeCheck(t, p, 10, healthyCheck)
	completeCheck(t, p, 10, healthyCheck)

	snap := p.Snapshot(5)
	require.Equal(t, []uint64{10, 20, 30}, unitIDs(snap))
	require.Equal(t, uint32(2), snap[0].Checks)
	require.Equal(t, uint32(5), snap[0].LatencyMs)
	require.Equal(t, uint64(1000), snap[0].DownloadKbps)
	require.Equal(t, uint64(500), snap[0].UploadKbps)
	require.Equal(t, clock.Now(), snap[0].LastCheck)

	// MaxStaleness is 10s: at t0+10s unit 20 is exactly at the limit (still
	// reported); one nanosecond later it is stale.
	clock.Advance(5 * time.Second)
	require.Equal(t, []uint64{10, 20, 30}, unitIDs(p.Snapshot(5)))
	clock.Advance(time.Nanosecond)
	require.Equal(t, []uint64{10, 30}, unitIDs(p.Snapshot(5)))
	clock.Advance(5 * time.Second)
	require.Nil(t, p.Snapshot(5), "everything stale")

	// A fresh check makes a unit reportable again.
	completeCheck(t, p, 20, healthyCheck)
	require.Equal(t, []uint64{20}, unitIDs(p.Snapshot(5)))

	require.Nil(t, p.Snapshot(4), "another window")
	require.Nil(t, p.Snapshot(6), "another window")
}

func TestSnapshotReturnsACopy(t *testing.T) {
	p := New(testConfig(), log.NewNopLogger())
	p.SetAssignment(1, []Target{{UnitID: 1, Endpoint: "http://a.example"}})
	completeCheck(t, p, 1, healthyCheck)
	snap := p.Snapshot(1)
	snap[0].UptimeBps = 1
	require.Equal(t, uint32(10000), p.Snapshot(1)[0].UptimeBps)
}

func TestSnapshotBeforeAnyAssignment(t *testing.T) {
	p := New(testConfig(), log.NewNopLogger())
	require.Nil(t, p.Snapshot(0))
	require.Nil(t, p.Snapshot(1))
}

func TestSetAssignmentKeepsOrResetsStats(t *testing.T) {
	p := New(testConfig(), log.NewNopLogger())
	p.SetAssignment(1, []Target{{UnitID: 1, Endpoint: "http://a.example"}, {UnitID: 2, Endpoint: "http://a.example"}})
	completeCheck(t, p, 1, healthyCheck)
	completeCheck(t, p, 2, healthyCheck)

	// Same window: unchanged targets keep their numbers, a changed endpoint
	// starts over, a removed target disappears.
	p.SetAssignment(1, []Target{{UnitID: 1, Endpoint: "http://a.example"}, {UnitID: 3, Endpoint: "http://c.example"}})
	require.Equal(t, []uint64{1}, unitIDs(p.Snapshot(1)))
	p.SetAssignment(1, []Target{{UnitID: 1, Endpoint: "http://moved.example"}})
	require.Nil(t, p.Snapshot(1))

	// A new window starts every target over, even with the same endpoint.
	p.SetAssignment(1, []Target{{UnitID: 1, Endpoint: "http://a.example"}})
	completeCheck(t, p, 1, healthyCheck)
	require.NotNil(t, p.Snapshot(1))
	p.SetAssignment(2, []Target{{UnitID: 1, Endpoint: "http://a.example"}})
	require.Nil(t, p.Snapshot(2))
	require.Nil(t, p.Snapshot(1))

	// An empty assignment is valid and reports nothing.
	p.SetAssignment(3, nil)
	require.Nil(t, p.Snapshot(3))
}

// TestResultsOfReplacedTargetsAreDropped: a check that was running when the
// window changed must not land in the new window's numbers.
func TestResultsOfReplacedTargetsAreDropped(t *testing.T) {
	p := New(testConfig(), log.NewNopLogger())
	p.SetAssignment(1, []Target{{UnitID: 1, Endpoint: "http://a.example"}})
	p.mu.Lock()
	running := p.targets[1]
	running.inFlight = true
	p.mu.Unlock()

	p.SetAssignment(2, []Target{{UnitID: 1, Endpoint: "http://a.example"}})
	p.record(running, time.Now(), checkResult{pings: 3}, false) // a failed check from window 1
	require.Nil(t, p.Snapshot(2))
	require.Nil(t, p.Snapshot(1))

	// Aborted checks (the prober is stopping) are dropped as well.
	completeAborted := func() {
		p.mu.Lock()
		st := p.targets[1]
		st.inFlight = true
		p.mu.Unlock()
		p.record(st, time.Now(), checkResult{pings: 3}, true)
	}
	completeAborted()
	require.Nil(t, p.Snapshot(2))
	p.mu.Lock()
	require.False(t, p.targets[1].inFlight, "an aborted check frees its target")
	p.mu.Unlock()
}
