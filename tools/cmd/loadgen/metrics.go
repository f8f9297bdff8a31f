package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/flashbacknetwork/flashbackd/tools/bench/report"
)

// The block interval's parts, from the CometBFT Prometheus metrics each
// localnet node serves (`testnet init-files` turns them on): how long each
// consensus step lasted, how long the node's application took to execute
// and commit a block, and how many mempool transactions it rechecked.
// loadgen reads them when sending starts and when it stops, and reports the
// difference, averaged over the nodes.

// histogram is a Prometheus histogram's sum (seconds) and count.
type histogram struct {
	sum   float64
	count uint64
}

// nodeMetrics are one node's readings: histograms by name, and the mempool's
// recheck counter.
type nodeMetrics struct {
	histograms map[string]histogram
	rechecks   float64
}

// The step of a height in which a node waits for timeout_commit before the
// next height's round 0.
const stepNewHeight = "NewHeight"

// consensusSteps are the steps of a height in the order they run.
var consensusSteps = []string{stepNewHeight, "NewRound", "Propose", "Prevote", "PrevoteWait", "Precommit", "PrecommitWait", "Commit"}

// parseMetrics reads the metrics loadgen reports from a /metrics reply.
func parseMetrics(text string) (nodeMetrics, error) {
	var parser expfmt.TextParser
	families, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		return nodeMetrics{}, err
	}
	m := nodeMetrics{histograms: map[string]histogram{}}
	add := func(key string, h *dto.Histogram) {
		m.histograms[key] = histogram{sum: h.GetSampleSum(), count: h.GetSampleCount()}
	}
	for name, f := range families {
		for _, metric := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range metric.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			switch {
			case strings.HasSuffix(name, "_consensus_step_duration_seconds"):
				add("step "+labels["step"], metric.GetHistogram())
			case strings.HasSuffix(name, "_abci_connection_method_timing_seconds") && labels["type"] == "sync":
				add("abci "+labels["method"], metric.GetHistogram())
			case strings.HasSuffix(name, "_mempool_recheck_times"):
				m.rechecks = metric.GetCounter().GetValue()
			}
		}
	}
	return m, nil
}

// since is what happened between an earlier reading and m.
func (m nodeMetrics) since(earlier nodeMetrics) nodeMetrics {
	out := nodeMetrics{histograms: map[string]histogram{}, rechecks: m.rechecks - earlier.rechecks}
	for k, h := range m.histograms {
		e := earlier.histograms[k]
		out.histograms[k] = histogram{sum: h.sum - e.sum, count: h.count - e.count}
	}
	return out
}

// readMetrics reads each node's metrics, in the order of urls.
func readMetrics(ctx context.Context, client *http.Client, urls []string) ([]nodeMetrics, error) {
	out := make([]nodeMetrics, 0, len(urls))
	for _, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", u, err)
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: %s", u, resp.Status)
		}
		m, err := parseMetrics(string(body))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", u, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// metricRows are the mean duration of each consensus step per height, of
// FinalizeBlock and Commit, and the rechecks per block, averaged over the
// nodes, between two readings.
func metricRows(before, after []nodeMetrics) []report.Row {
	if len(before) == 0 || len(before) != len(after) {
		return nil
	}
	deltas := make([]nodeMetrics, len(after))
	for i := range after {
		deltas[i] = after[i].since(before[i])
	}
	mean := func(key string) (ms float64, n uint64) {
		var sum float64
		for _, d := range deltas {
			h := d.histograms[key]
			sum += h.sum
			n += h.count
		}
		if n == 0 {
			return 0, 0
		}
		return 1000 * sum / float64(n), n
	}
	var rows []report.Row
	_, blocks := mean("abci finalize_block")
	if blocks == 0 {
		return nil
	}
	for _, step := range consensusSteps {
		ms, n := mean("step " + step)
		if n == 0 {
			continue
		}
		note := fmt.Sprintf("mean of %d over %d nodes", n, len(deltas))
		switch step {
		case stepNewHeight:
			note += "; what is left of timeout_commit after the previous height's Commit step"
		case "Commit":
			note += "; FinalizeBlock, Commit, saving the block's results, mempool recheck"
		}
		rows = append(rows, report.Row{Name: "consensus step " + step, Value: ms, Unit: "ms", Note: note})
	}
	for _, call := range []struct{ key, name string }{{"abci finalize_block", "FinalizeBlock"}, {"abci commit", "Commit"}, {"abci prepare_proposal", "PrepareProposal"}, {"abci process_proposal", "ProcessProposal"}} {
		if ms, n := mean(call.key); n > 0 {
			rows = append(rows, report.Row{Name: "ABCI " + call.name, Value: ms, Unit: "ms", Note: fmt.Sprintf("mean of %d calls over %d nodes", n, len(deltas))})
		}
	}
	var rechecks float64
	for _, d := range deltas {
		rechecks += d.rechecks
	}
	rows = append(rows, report.Row{Name: "mempool rechecks per block", Value: rechecks / float64(blocks), Unit: "txs", Note: "per node: transactions left in the mempool after a block, checked again"})
	return rows
}
