package prober

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	promtest "github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"

	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
)

// TestProberMetrics: checks, failures and latency per unit reach
// Prometheus's default registry (what the node exports), and a unit that
// leaves the assignment leaves the metrics. Unit ids are this test's own:
// the metrics are per process and other tests run in parallel.
func TestProberMetrics(t *testing.T) {
	t.Parallel()
	_, healthy := startTarget(t, probetarget.Behaviour{Latency: 20 * time.Millisecond})
	_, down := startTarget(t, probetarget.Behaviour{Down: true})
	p := New(testConfig(), log.NewNopLogger())
	const up, dead = 900_001, 900_002
	startProber(t, p, Target{UnitID: up, Endpoint: healthy.URL}, Target{UnitID: dead, Endpoint: down.URL})
	waitForChecks(t, p, 1, up, 2, 10*time.Second)
	waitForChecks(t, p, 1, dead, 2, 10*time.Second)

	require.GreaterOrEqual(t, promtest.ToFloat64(checksTotal.WithLabelValues("900001")), 2.0)
	require.Zero(t, promtest.ToFloat64(checkFailures.WithLabelValues("900001")))
	require.GreaterOrEqual(t, promtest.ToFloat64(latencyGauge.WithLabelValues("900001")), 15.0)
	require.GreaterOrEqual(t, promtest.ToFloat64(checksTotal.WithLabelValues("900002")), 2.0)
	require.Equal(t, promtest.ToFloat64(checksTotal.WithLabelValues("900002")), promtest.ToFloat64(checkFailures.WithLabelValues("900002")))
	require.Greater(t, promtest.ToFloat64(failedOps.WithLabelValues("900002")), 0.0)

	families, err := prometheus.DefaultGatherer.Gather()
	require.NoError(t, err)
	names := map[string]bool{}
	for _, f := range families {
		names[f.GetName()] = true
	}
	for _, n := range []string{"flashback_prober_checks_total", "flashback_prober_check_failures_total", "flashback_prober_latency_ms"} {
		require.True(t, names[n], n)
	}

	p.SetAssignment(2, []Target{{UnitID: up, Endpoint: healthy.URL}})
	require.False(t, hasSeries(checksTotal, "900002"), "a unit that left the assignment leaves the metrics")
	require.False(t, hasSeries(checkFailures, "900002"))
	require.True(t, hasSeries(checksTotal, "900001"))
}

// hasSeries reports whether c has a series labelled unit.
func hasSeries(c prometheus.Collector, unit string) bool {
	ch := make(chan prometheus.Metric, 10_000)
	c.Collect(ch)
	close(ch)
	for m := range ch {
		var pb dto.Metric
		if err := m.Write(&pb); err == nil {
			for _, l := range pb.GetLabel() {
				if l.GetName() == "unit" && l.GetValue() == unit {
					return true
				}
			}
		}
	}
	return false
}
