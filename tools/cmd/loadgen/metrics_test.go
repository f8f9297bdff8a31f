package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cometbft/cometbft/consensus"
	"github.com/cometbft/cometbft/mempool"
	"github.com/cometbft/cometbft/proxy"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/stretchr/testify/require"
)

// The metrics are CometBFT's own, registered and served the way a node
// serves them; the rows are the means between two readings.
func TestMetricRows(t *testing.T) {
	cs := consensus.PrometheusMetrics("cometbft", "chain_id", "flashback-test-1")
	abci := proxy.PrometheusMetrics("cometbft", "chain_id", "flashback-test-1")
	mp := mempool.PrometheusMetrics("cometbft", "chain_id", "flashback-test-1")
	srv := httptest.NewServer(promhttp.Handler())
	t.Cleanup(srv.Close)
	urls := []string{srv.URL + "/metrics"}

	// Before sending: what setup left, which the rows must not count.
	cs.StepDurationSeconds.With("step", "Propose").Observe(9)
	abci.MethodTimingSeconds.With("method", "finalize_block", "type", "sync").Observe(9)
	mp.RecheckTimes.Add(1000)
	before, err := readMetrics(context.Background(), srv.Client(), urls)
	require.NoError(t, err)

	for _, s := range []float64{0.2, 0.4} {
		cs.StepDurationSeconds.With("step", "Propose").Observe(s)
	}
	cs.StepDurationSeconds.With("step", "Commit").Observe(0.5)
	cs.StepDurationSeconds.With("step", "NewHeight").Observe(0.25)
	abci.MethodTimingSeconds.With("method", "finalize_block", "type", "sync").Observe(0.3)
	abci.MethodTimingSeconds.With("method", "finalize_block", "type", "sync").Observe(0.1)
	abci.MethodTimingSeconds.With("method", "check_tx", "type", "async").Observe(5) // not a sync call: ignored
	mp.RecheckTimes.Add(300)
	after, err := readMetrics(context.Background(), srv.Client(), urls)
	require.NoError(t, err)

	got := map[string]float64{}
	for _, r := range metricRows(before, after) {
		got[r.Name] = r.Value
	}
	require.InDelta(t, 300, got["consensus step Propose"], 1e-9)
	require.InDelta(t, 500, got["consensus step Commit"], 1e-9)
	require.InDelta(t, 250, got["consensus step NewHeight"], 1e-9)
	require.InDelta(t, 200, got["ABCI FinalizeBlock"], 1e-9)
	require.InDelta(t, 150, got["mempool rechecks per block"], 1e-9, "300 rechecks over 2 blocks")
	require.NotContains(t, got, "consensus step Prevote", "a step that did not run has no row")

	require.Empty(t, metricRows(nil, after), "no first reading, no rows")
	missing := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(missing.Close)
	_, err = readMetrics(context.Background(), missing.Client(), []string{missing.URL + "/metrics"})
	require.ErrorContains(t, err, "404")
}
