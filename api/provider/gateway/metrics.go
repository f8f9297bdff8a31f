package gateway

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/versity/versitygw/metrics"
	"github.com/versity/versitygw/s3err"
)

// gatewayMetrics are the node's Prometheus metrics. It is also versitygw's
// metrics.Manager: versitygw reports every S3 request to it (operation,
// bucket, error), which gives the per-deal request counts.
type gatewayMetrics struct {
	deals *dealTable

	stored   *prometheus.GaugeVec
	ingressB *prometheus.CounterVec
	egressB  *prometheus.CounterVec
	requests *prometheus.CounterVec

	probeRequests    *prometheus.CounterVec
	probeBytes       *prometheus.CounterVec
	probeOutstanding prometheus.Gauge
}

var _ metrics.Manager = (*gatewayMetrics)(nil)

const metricsNamespace = "flashback_provider"

func newGatewayMetrics(deals *dealTable, reg prometheus.Registerer) (*gatewayMetrics, error) {
	m := &gatewayMetrics{
		deals: deals,
		stored: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "deal_stored_bytes",
			Help: "Bytes of objects stored for a deal (completed objects; open multipart parts not included).",
		}, []string{"deal", "unit"}),
		ingressB: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "deal_ingress_bytes_total",
			Help: "Request body bytes received for a deal's uploads.",
		}, []string{"deal", "unit"}),
		egressB: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "deal_egress_bytes_total",
			Help: "Object bytes written to clients of a deal.",
		}, []string{"deal", "unit"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "deal_requests_total",
			Help: "S3 requests by deal (empty for requests naming no served deal), operation and result (ok or the S3 error code).",
		}, []string{"deal", "operation", "result"}),
		probeRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "probe_requests_total",
			Help: "Anonymous probe requests by unit, probe (ping, object, upload) and result (ok or the S3 error code).",
		}, []string{"unit", "probe", "result"}),
		probeBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "probe_bytes_total",
			Help: "Probe body bytes by unit and direction (in: uploads, out: downloads).",
		}, []string{"unit", "direction"}),
		probeOutstanding: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "probe_upload_outstanding_bytes",
			Help: "Bytes of probe uploads stored or in flight, waiting for the janitor.",
		}),
	}
	for _, c := range []prometheus.Collector{m.stored, m.ingressB, m.egressB, m.requests, m.probeRequests, m.probeBytes, m.probeOutstanding} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func dealLabels(st *dealState) prometheus.Labels {
	return prometheus.Labels{"deal": strconv.FormatUint(st.id, 10), "unit": strconv.FormatUint(st.unit.id, 10)}
}

// ingress and egress skip removed deals, whose series forgetDeal deleted
// (a transfer still running would create them again).
func (m *gatewayMetrics) ingress(st *dealState, n int) {
	if !st.revoked.Load() {
		m.ingressB.With(dealLabels(st)).Add(float64(n))
	}
}

func (m *gatewayMetrics) egress(st *dealState, n int64) {
	if !st.revoked.Load() {
		m.egressB.With(dealLabels(st)).Add(float64(n))
	}
}

// trackDeal points the deal's stored-bytes gauge at the metric.
func (m *gatewayMetrics) trackDeal(st *dealState) {
	st.usage.storedGauge = m.stored.With(dealLabels(st))
}

// forgetDeal drops a removed deal's series.
func (m *gatewayMetrics) forgetDeal(id uint64) {
	l := prometheus.Labels{"deal": strconv.FormatUint(id, 10)}
	m.stored.DeletePartialMatch(l)
	m.ingressB.DeletePartialMatch(l)
	m.egressB.DeletePartialMatch(l)
	m.requests.DeletePartialMatch(l)
}

func (m *gatewayMetrics) probe(unitID uint64, probe string, err error) {
	m.probeRequests.WithLabelValues(strconv.FormatUint(unitID, 10), probe, resultLabel(err)).Inc()
}

func (m *gatewayMetrics) probeTraffic(unitID uint64, direction string, n int64) {
	m.probeBytes.WithLabelValues(strconv.FormatUint(unitID, 10), direction).Add(float64(n))
}

// Send is called by versitygw once per S3 request.
func (m *gatewayMetrics) Send(ctx fiber.Ctx, err error, action string, _ int64, _ int) {
	deal := ""
	if id, ok := parseDealBucket(ctx.Params("bucket")); ok {
		if st := m.deals.get(id); st != nil {
			deal = strconv.FormatUint(id, 10)
			st.usage.requests.Add(1)
		}
	}
	op := strings.TrimPrefix(action, "s3_")
	if op == "" || action == metrics.ActionUndetected {
		op = "Unknown"
	}
	m.requests.WithLabelValues(deal, op, resultLabel(err)).Inc()
}

// Close is part of metrics.Manager; Prometheus needs no shutdown.
func (m *gatewayMetrics) Close() {}

func resultLabel(err error) string {
	if err == nil {
		return "ok"
	}
	var se s3err.S3Error
	if errors.As(err, &se) {
		return se.BaseError().Code
	}
	return "InternalError"
}
