package node

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

const metricsNamespace = "flashback_provider"

// nodeMetrics are the node's own Prometheus metrics; the gateway's per-deal
// metrics (stored bytes, ingress, egress, requests) are in its registry and
// served on the same /metrics.
type nodeMetrics struct {
	lastSync     prometheus.Gauge
	chainErrors  prometheus.Counter
	decisions    *prometheus.CounterVec
	withdrawals  *prometheus.CounterVec
	withdrawnNet prometheus.Counter
	txErrors     *prometheus.CounterVec
	deals        *prometheus.GaugeVec
	removed      prometheus.Counter
	receipts     *prometheus.CounterVec
}

func newNodeMetrics(reg prometheus.Registerer, lastSync func() time.Time) (*nodeMetrics, error) {
	m := &nodeMetrics{
		lastSync: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "chain_last_sync_timestamp_seconds",
			Help: "Unix time of the node's last complete read of the chain.",
		}),
		chainErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "chain_sync_errors_total",
			Help: "Reads of the chain that failed (chain node unreachable or erroring).",
		}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "deal_decisions_total",
			Help: "Deal requests decided by the policy, by decision (accept, decline) and rule (accepted, price, capacity, ...).",
		}, []string{"decision", "rule"}),
		withdrawals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "withdrawals_total",
			Help: "Withdrawal transactions by result (ok, error).",
		}, []string{"result"}),
		withdrawnNet: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "withdrawn_uflash_total",
			Help: "Earnings withdrawn to the provider's account, net of the platform fee (uflash).",
		}),
		txErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "tx_errors_total",
			Help: "Transactions of the node that failed, by message (accept, decline, withdraw, set_access_key, receipt).",
		}, []string{"msg"}),
		deals: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "deals_served",
			Help: "Deals the gateway serves, by access (read-write, read-only, locked: the consumer has no access key).",
		}, []string{"access"}),
		receipts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "usage_receipts_total",
			Help: "Usage receipts by outcome (accepted: checked and held; submitted: billed on chain; refused: the chain refused it).",
		}, []string{"outcome"}),
		removed: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "deals_removed_total",
			Help: "Closed deals whose retrieval period ended and whose bucket was deleted.",
		}),
	}
	age := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: metricsNamespace, Name: "chain_sync_age_seconds",
		Help: "Seconds since the node's last complete read of the chain (-1 before the first).",
	}, func() float64 {
		t := lastSync()
		if t.IsZero() {
			return -1
		}
		return time.Since(t).Seconds()
	})
	for _, c := range []prometheus.Collector{m.lastSync, m.chainErrors, m.decisions, m.withdrawals, m.withdrawnNet, m.txErrors, m.deals, m.removed, m.receipts, age} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
