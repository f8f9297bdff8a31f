package types_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// EvaluateSla's thresholds and exceed margins, metric by metric: each
// bound at, just inside and just outside, and each margin at, just inside
// and just outside, with every other metric exceeding (so the metric under
// test decides). The SLA is the examples' (100 ms, 80,000 / 160,000 kbps,
// 99.90 % uptime = 10 bps of allowed downtime, 0.10 % errors), the margin
// the default 20 % and the critical downtime the default 1 h a day.
func TestEvaluateSlaMargins(t *testing.T) {
	sla := types.Sla{MaxLatencyMs: 100, MinUploadKbps: 80_000, MinDownloadKbps: 160_000, MinUptimeBps: 9_990, MaxErrorRateBps: 10}
	// Every metric exactly at its 20 % margin: 80 ms, 96,000 and 192,000
	// kbps, 8 bps of downtime, 8 bps of errors.
	atMargin := types.AgreedQoS{Records: 1, LatencyMs: 80, UploadKbps: 96_000, DownloadKbps: 192_000, UptimeBps: 9_992, ErrorRateBps: 8}
	const (
		exceeded = types.SLA_VERDICT_EXCEEDED
		met      = types.SLA_VERDICT_MET
		missed   = types.SLA_VERDICT_MISSED
		critical = types.SLA_VERDICT_CRITICAL
		unknown  = types.SLA_VERDICT_UNKNOWN
	)
	metrics := []struct {
		name string
		set  func(*types.AgreedQoS, uint64)
		// the values, in the order: margin just inside, at, just outside;
		// bound just inside, at, just outside.
		values [6]uint64
	}{
		{"latency", func(q *types.AgreedQoS, v uint64) { q.LatencyMs = uint32(v) }, [6]uint64{79, 80, 81, 99, 100, 101}},
		{"upload", func(q *types.AgreedQoS, v uint64) { q.UploadKbps = v }, [6]uint64{96_001, 96_000, 95_999, 80_001, 80_000, 79_999}},
		{"download", func(q *types.AgreedQoS, v uint64) { q.DownloadKbps = v }, [6]uint64{192_001, 192_000, 191_999, 160_001, 160_000, 159_999}},
		// downtime 7, 8, 9 bps against 8 (10 × 0.8); 9, 10, 11 against 10.
		{"uptime", func(q *types.AgreedQoS, v uint64) { q.UptimeBps = uint32(v) }, [6]uint64{9_993, 9_992, 9_991, 9_991, 9_990, 9_989}},
		{"error rate", func(q *types.AgreedQoS, v uint64) { q.ErrorRateBps = uint32(v) }, [6]uint64{7, 8, 9, 9, 10, 11}},
	}
	positions := [6]struct {
		name string
		want types.SlaVerdict
	}{
		{"margin just inside", exceeded}, {"margin at", exceeded}, {"margin just outside", met},
		{"bound just inside", met}, {"bound at", met}, {"bound just outside", missed},
	}
	for _, m := range metrics {
		for i, pos := range positions {
			t.Run(m.name+"/"+pos.name, func(t *testing.T) {
				q := atMargin
				m.set(&q, m.values[i])
				require.Equal(t, pos.want, types.EvaluateSla(sla, q, time.Hour, 2_000), "%s = %d", m.name, m.values[i])
			})
		}
	}

	with := func(f func(*types.AgreedQoS)) types.AgreedQoS { q := atMargin; f(&q); return q }
	for _, tc := range []struct {
		name     string
		sla      types.Sla
		qos      types.AgreedQoS
		critical time.Duration
		margin   uint32
		want     types.SlaVerdict
	}{
		// Missing data.
		{"no records: unknown, whatever the metrics", sla, with(func(q *types.AgreedQoS) { q.Records = 0 }), time.Hour, 2_000, unknown},
		{"no records and zero uptime: unknown, not critical", sla, types.AgreedQoS{}, time.Hour, 2_000, unknown},
		{"records of all zeros: zero uptime is critical", sla, types.AgreedQoS{Records: 1}, time.Hour, 2_000, critical},

		// Critical downtime (1 h a day is 416.67 bps of downtime).
		{"uptime 9,584 bps: 59 min 54 s down, missed", sla, with(func(q *types.AgreedQoS) { q.UptimeBps = 9_584 }), time.Hour, 2_000, missed},
		{"uptime 9,583 bps: 1 h 0 min 2.88 s down, critical", sla, with(func(q *types.AgreedQoS) { q.UptimeBps = 9_583 }), time.Hour, 2_000, critical},
		{"critical before any missed metric", sla, with(func(q *types.AgreedQoS) { q.UptimeBps = 9_000; q.LatencyMs = 1_000 }), time.Hour, 2_000, critical},
		{"no critical allowance: any downtime beyond the SLA's is critical", sla, with(func(q *types.AgreedQoS) { q.UptimeBps = 9_999 }), 0, 2_000, critical},
		{"no critical allowance and no downtime: exceeded", sla, with(func(q *types.AgreedQoS) { q.UptimeBps = 10_000 }), 0, 2_000, exceeded},
		{"a negative allowance reads as none", sla, with(func(q *types.AgreedQoS) { q.UptimeBps = 9_999 }), -time.Hour, 2_000, critical},
		{"uptime above 100 % reads as no downtime", sla, with(func(q *types.AgreedQoS) { q.UptimeBps = math.MaxUint32 }), time.Hour, 2_000, exceeded},

		// Margin boundaries.
		{"margin 0: meeting every bound exceeds it", sla, types.AgreedQoS{Records: 1, LatencyMs: 100, UploadKbps: 80_000, DownloadKbps: 160_000, UptimeBps: 9_990, ErrorRateBps: 10}, time.Hour, 0, exceeded},
		{"margin 100 %: a ceiling is beaten only at 0", sla, atMargin, time.Hour, 10_000, met},
		{"margin 100 %: zeros and doubled floors exceed", sla,
			types.AgreedQoS{Records: 1, UploadKbps: 160_000, DownloadKbps: 320_000, UptimeBps: 10_000}, time.Hour, 10_000, exceeded},
		{"margin above 100 %: ceilings as at 100 %", sla,
			types.AgreedQoS{Records: 1, UploadKbps: 240_000, DownloadKbps: 480_000, UptimeBps: 10_000}, time.Hour, 20_000, exceeded},
		{"margin above 100 %: floors scale without a cap", sla,
			types.AgreedQoS{Records: 1, UploadKbps: 239_999, DownloadKbps: 480_000, UptimeBps: 10_000}, time.Hour, 20_000, met},

		// SLA boundaries.
		{"zero error allowance: no errors exceed it", types.Sla{MaxLatencyMs: 100, MinUptimeBps: 9_990}, with(func(q *types.AgreedQoS) { q.ErrorRateBps = 0 }), time.Hour, 2_000, exceeded},
		{"zero error allowance: one bps misses", types.Sla{MaxLatencyMs: 100, MinUptimeBps: 9_990}, with(func(q *types.AgreedQoS) { q.ErrorRateBps = 1 }), time.Hour, 2_000, missed},
		{"100 % uptime required: 9,999 bps misses", types.Sla{MaxLatencyMs: 100, MinUptimeBps: 10_000, MaxErrorRateBps: 10}, with(func(q *types.AgreedQoS) { q.UptimeBps = 9_999 }), time.Hour, 2_000, missed},
		{"100 % uptime required and delivered: exceeded", types.Sla{MaxLatencyMs: 100, MinUptimeBps: 10_000, MaxErrorRateBps: 10}, with(func(q *types.AgreedQoS) { q.UptimeBps = 10_000 }), time.Hour, 2_000, exceeded},
		{"no throughput floor: zero throughput exceeds it", types.Sla{MaxLatencyMs: 100, MinUptimeBps: 9_990, MaxErrorRateBps: 10}, with(func(q *types.AgreedQoS) { q.UploadKbps, q.DownloadKbps = 0, 0 }), time.Hour, 2_000, exceeded},
		{"largest bounds: no overflow, met but not exceeded",
			types.Sla{MaxLatencyMs: math.MaxUint32, MinUploadKbps: math.MaxUint64, MinDownloadKbps: math.MaxUint64, MaxErrorRateBps: 10_000},
			types.AgreedQoS{Records: 1, LatencyMs: math.MaxUint32, UploadKbps: math.MaxUint64, DownloadKbps: math.MaxUint64, UptimeBps: 10_000, ErrorRateBps: 10_000},
			time.Hour, 2_000, met},
		{"largest latency bound: 80 % of it exceeds",
			types.Sla{MaxLatencyMs: math.MaxUint32, MaxErrorRateBps: 10_000},
			types.AgreedQoS{Records: 1, LatencyMs: math.MaxUint32 / 5 * 4, UptimeBps: 10_000},
			time.Hour, 2_000, exceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, types.EvaluateSla(tc.sla, tc.qos, tc.critical, tc.margin))
		})
	}
}
