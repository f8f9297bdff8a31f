package prober

import (
	"context"
	"testing"
	"time"

	"cosmossdk.io/log"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
)

// requireClosed fails unless ch is closed within d.
func requireClosed(t *testing.T, ch <-chan struct{}, d time.Duration, msg string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatal(msg)
	}
}

func TestStopIsIdempotentAndGoroutinesExit(t *testing.T) {
	t.Parallel()
	_, ts := startTarget(t, probetarget.Behaviour{})
	p := New(testConfig(), log.NewNopLogger())
	p.SetAssignment(1, []Target{{UnitID: 1, Endpoint: ts.URL}})
	p.Start(context.Background())
	p.Start(context.Background()) // a second Start is a no-op
	waitForChecks(t, p, 1, 1, 1, 5*time.Second)

	stopped := make(chan struct{})
	go func() {
		p.Stop()
		p.Stop()
		close(stopped)
	}()
	requireClosed(t, stopped, 5*time.Second, "Stop did not return")
	select {
	case <-p.done:
	default:
		t.Fatal("Stop returned before the goroutines exited")
	}

	// The cache stays readable after Stop; no more checks happen.
	m := waitForChecks(t, p, 1, 1, 1, time.Second)
	time.Sleep(3 * testConfig().ProbeInterval)
	after, _ := measurementOf(p.Snapshot(1), 1)
	require.Equal(t, m.Checks, after.Checks)
}

func TestCancelledContextStopsTheProber(t *testing.T) {
	t.Parallel()
	_, ts := startTarget(t, probetarget.Behaviour{})
	p := New(testConfig(), log.NewNopLogger())
	ctx, cancel := context.WithCancel(context.Background())
	p.SetAssignment(1, []Target{{UnitID: 1, Endpoint: ts.URL}})
	p.Start(ctx)
	waitForChecks(t, p, 1, 1, 1, 5*time.Second)
	cancel()
	requireClosed(t, p.done, 5*time.Second, "goroutines did not exit after cancellation")
	p.Stop() // still fine afterwards
}

func TestStartAfterStopDoesNothing(t *testing.T) {
	t.Parallel()
	target, ts := startTarget(t, probetarget.Behaviour{})
	p := New(testConfig(), log.NewNopLogger())
	p.Stop()
	p.SetAssignment(1, []Target{{UnitID: 1, Endpoint: ts.URL}})
	p.Start(context.Background())
	time.Sleep(3 * testConfig().ProbeInterval)
	require.Zero(t, target.Stats().Requests)
	require.Nil(t, p.Snapshot(1))
	p.Stop()
}

func TestDisabledProberDoesNothing(t *testing.T) {
	t.Parallel()
	target, ts := startTarget(t, probetarget.Behaviour{})
	p := New(DefaultConfig(), log.NewNopLogger())
	require.False(t, p.Enabled())
	p.SetAssignment(1, []Target{{UnitID: 1, Endpoint: ts.URL}})
	p.Start(context.Background())
	time.Sleep(3 * testConfig().ProbeInterval)
	require.Nil(t, p.Snapshot(1))
	require.Zero(t, target.Stats().Requests)
	p.Stop()
	p.Stop()
}

func TestInvalidConfigDisablesTheProber(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Concurrency = 0
	p := New(cfg, nil) // a nil logger is tolerated too
	require.False(t, p.Enabled())
	p.Start(context.Background())
	p.SetAssignment(1, []Target{{UnitID: 1, Endpoint: "http://127.0.0.1:1"}})
	require.Nil(t, p.Snapshot(1))
	p.Stop()

	require.True(t, New(testConfig(), nil).Enabled())
}
