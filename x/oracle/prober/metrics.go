package prober

import (
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Prometheus metrics of this node's prober, per assigned unit. They are
// updated from the prober's own goroutines, never from the state machine.
// A unit's series are removed when it leaves the assignment, so their
// number stays bounded by max_units_per_window.
var (
	checksTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "flashback_prober_checks_total",
		Help: "Checks (pings, a download and an upload) this node's prober finished, per data unit.",
	}, []string{"unit"})
	checkFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "flashback_prober_check_failures_total",
		Help: "Checks in which the unit answered no ping (it counts as down), per data unit.",
	}, []string{"unit"})
	failedOps = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "flashback_prober_failed_operations_total",
		Help: "Failed operations (pings, downloads, uploads), per data unit.",
	}, []string{"unit"})
	latencyGauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "flashback_prober_latency_ms",
		Help: "Median time to first byte of the unit's last check, in ms.",
	}, []string{"unit"})
	registerOnce sync.Once
)

func registerMetrics() {
	registerOnce.Do(func() {
		for _, c := range []prometheus.Collector{checksTotal, checkFailures, failedOps, latencyGauge} {
			// A collector registered by another prober of this process
			// (tests) is already exported.
			_ = prometheus.Register(c)
		}
	})
}

func unitLabel(unit uint64) string { return strconv.FormatUint(unit, 10) }

// observe records a finished check.
func observe(unit uint64, res checkResult) {
	l := unitLabel(unit)
	checksTotal.WithLabelValues(l).Inc()
	failedOps.WithLabelValues(l).Add(float64(res.failedOps()))
	if !res.up() {
		checkFailures.WithLabelValues(l).Inc()
		return
	}
	latencyGauge.WithLabelValues(l).Set(float64(medianDuration(res.latencies).Milliseconds()))
}

// forget removes the series of a unit no longer assigned.
func forget(unit uint64) {
	l := unitLabel(unit)
	checksTotal.DeleteLabelValues(l)
	checkFailures.DeleteLabelValues(l)
	failedOps.DeleteLabelValues(l)
	latencyGauge.DeleteLabelValues(l)
}

func medianDuration(ds []time.Duration) time.Duration {
	sorted := append([]time.Duration(nil), ds...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	return sorted[(len(sorted)-1)/2]
}
