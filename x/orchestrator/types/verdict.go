package types

import (
	"math/bits"
	"time"
)

// secondsPerDay scales an epoch's downtime share to a day.
const secondsPerDay = 86_400

// EvaluateSla compares the QoS agreed over an epoch with an SLA:
//   - no records (the validators reached no quorum): UNKNOWN;
//   - downtime, scaled to a day, above criticalDowntimePerDay: CRITICAL;
//   - any metric outside its bound: MISSED;
//   - every metric better than its bound by marginBps of the bound: EXCEEDED
//     (for uptime and error rate the margin applies to the allowed downtime
//     and errors: allowed 10 bps of errors, 8 or fewer exceed with 20 %);
//   - otherwise MET.
func EvaluateSla(sla Sla, q AgreedQoS, criticalDowntimePerDay time.Duration, marginBps uint32) SlaVerdict {
	if q.Records == 0 {
		return SLA_VERDICT_UNKNOWN
	}
	if CriticalDowntime(q.UptimeBps, criticalDowntimePerDay) {
		return SLA_VERDICT_CRITICAL
	}
	downtime, allowedDowntime := uint64(10_000-min(q.UptimeBps, 10_000)), uint64(10_000-min(sla.MinUptimeBps, 10_000))
	met := uint64(q.LatencyMs) <= uint64(sla.MaxLatencyMs) &&
		q.UploadKbps >= sla.MinUploadKbps &&
		q.DownloadKbps >= sla.MinDownloadKbps &&
		downtime <= allowedDowntime &&
		q.ErrorRateBps <= sla.MaxErrorRateBps
	if !met {
		return SLA_VERDICT_MISSED
	}
	// Better by margin: a ceiling c is beaten when v ≤ c × (1 − m); a floor f
	// when v ≥ f × (1 + m). Integer arithmetic on basis points.
	m := uint64(marginBps)
	under := func(v, ceiling uint64) bool { return !mulGreater(v, 10_000, ceiling, 10_000-min(m, 10_000)) }
	over := func(v, floor uint64) bool { return !mulGreater(floor, 10_000+m, v, 10_000) }
	if under(uint64(q.LatencyMs), uint64(sla.MaxLatencyMs)) &&
		over(q.UploadKbps, sla.MinUploadKbps) &&
		over(q.DownloadKbps, sla.MinDownloadKbps) &&
		under(downtime, allowedDowntime) &&
		under(uint64(q.ErrorRateBps), uint64(sla.MaxErrorRateBps)) {
		return SLA_VERDICT_EXCEEDED
	}
	return SLA_VERDICT_MET
}

// CriticalDowntime reports whether an uptime of uptimeBps means more than
// allowed of downtime per day: (10000 − uptime) / 10000 × 1 day > allowed,
// compared exactly in integer nanoseconds (no rounding of the threshold to
// whole basis points: 9,583 bps is 1 h 0 min 2.88 s of downtime a day,
// critical against 1 h; 9,584 bps is 59 min 54 s, not critical).
func CriticalDowntime(uptimeBps uint32, allowed time.Duration) bool {
	if allowed < 0 {
		allowed = 0
	}
	down := uint64(10_000 - min(uptimeBps, 10_000))
	return mulGreater(down, secondsPerDay*uint64(time.Second), 10_000, uint64(allowed))
}

// TightenSla returns, metric by metric, the stricter bound of two SLAs: the
// lower maximum latency and error rate, the higher minimum throughputs and
// uptime.
func TightenSla(a, b Sla) Sla {
	return Sla{
		MaxLatencyMs:    min(a.MaxLatencyMs, b.MaxLatencyMs),
		MinUploadKbps:   max(a.MinUploadKbps, b.MinUploadKbps),
		MinDownloadKbps: max(a.MinDownloadKbps, b.MinDownloadKbps),
		MinUptimeBps:    max(a.MinUptimeBps, b.MinUptimeBps),
		MaxErrorRateBps: min(a.MaxErrorRateBps, b.MaxErrorRateBps),
	}
}

// verdictSeverity orders verdicts from best to worst for WorseVerdict:
// UNKNOWN (no data) < EXCEEDED < MET < MISSED < CRITICAL.
func verdictSeverity(v SlaVerdict) int {
	switch v {
	case SLA_VERDICT_EXCEEDED:
		return 1
	case SLA_VERDICT_MET:
		return 2
	case SLA_VERDICT_MISSED:
		return 3
	case SLA_VERDICT_CRITICAL:
		return 4
	default:
		return 0
	}
}

// WorseVerdict returns the worse of two verdicts: CRITICAL is worse than
// MISSED, MISSED than MET, MET than EXCEEDED; UNKNOWN only when both are
// UNKNOWN.
func WorseVerdict(a, b SlaVerdict) SlaVerdict {
	if verdictSeverity(b) > verdictSeverity(a) {
		return b
	}
	return a
}

// mulGreater reports a×b > c×d without overflow.
func mulGreater(a, b, c, d uint64) bool {
	hi1, lo1 := bits.Mul64(a, b)
	hi2, lo2 := bits.Mul64(c, d)
	return hi1 > hi2 || (hi1 == hi2 && lo1 > lo2)
}
