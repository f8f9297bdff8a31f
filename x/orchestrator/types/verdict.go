package types

import "math/bits"

// EvaluateSla compares the QoS agreed over an epoch with an SLA:
//   - no records (the validators reached no quorum): UNKNOWN;
//   - uptime below criticalUptimeBps: CRITICAL;
//   - any metric outside its bound: MISSED;
//   - every metric better than its bound by marginBps of the bound: EXCEEDED
//     (for uptime and error rate the margin applies to the allowed downtime
//     and errors: allowed 10 bps of errors, 8 or fewer exceed with 20 %);
//   - otherwise MET.
func EvaluateSla(sla Sla, q AgreedQoS, criticalUptimeBps, marginBps uint32) SlaVerdict {
	if q.Records == 0 {
		return SLA_VERDICT_UNKNOWN
	}
	if q.UptimeBps < criticalUptimeBps {
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

// mulGreater reports a×b > c×d without overflow.
func mulGreater(a, b, c, d uint64) bool {
	hi1, lo1 := bits.Mul64(a, b)
	hi2, lo2 := bits.Mul64(c, d)
	return hi1 > hi2 || (hi1 == hi2 && lo1 > lo2)
}
