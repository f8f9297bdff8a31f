package types

import (
	"cmp"
	"math/bits"
	"slices"
)

// Report is one validator's measurement of one unit, with its voting power.
type Report struct {
	Validator []byte
	Power     int64
	Measurement
}

// Agreed is the outcome for one unit: the agreed measurement, and the
// reporters' count and power.
type Agreed struct {
	Measurement
	Reporters      uint32
	ReportingPower int64
}

// HasQuorum reports whether reporters holding `reporting` of `total` power
// reach 2/3. Voting power in CometBFT is at most MaxInt64/8, so the products
// cannot overflow.
func HasQuorum(reporting, total int64) bool {
	return total > 0 && reporting*3 >= total*2
}

// AggregateUnit computes, per metric, the stake-weighted lower median of the
// reports on one unit: the smallest value v such that the reporters with a
// value ≤ v hold at least half of the reporting power. The result depends
// only on the set of reports, never on their order. Reports with a
// non-positive power are ignored.
func AggregateUnit(unitID uint64, reports []Report) Agreed {
	valid := make([]Report, 0, len(reports))
	var power int64
	for _, r := range reports {
		if r.Power > 0 {
			valid = append(valid, r)
			power += r.Power
		}
	}
	out := Agreed{Measurement: Measurement{UnitId: unitID}, Reporters: uint32(len(valid)), ReportingPower: power}
	if len(valid) == 0 {
		return out
	}
	points := make([]point, len(valid)) // reused by the five metrics
	out.LatencyMs = uint32(weightedLowerMedian(points, valid, power, func(r Report) uint64 { return uint64(r.LatencyMs) }))
	out.DownloadKbps = weightedLowerMedian(points, valid, power, func(r Report) uint64 { return r.DownloadKbps })
	out.UploadKbps = weightedLowerMedian(points, valid, power, func(r Report) uint64 { return r.UploadKbps })
	out.UptimeBps = uint32(weightedLowerMedian(points, valid, power, func(r Report) uint64 { return uint64(r.UptimeBps) }))
	out.ErrorRateBps = uint32(weightedLowerMedian(points, valid, power, func(r Report) uint64 { return uint64(r.ErrorRateBps) }))
	return out
}

// point is one report's value of one metric and the report's power.
type point struct {
	value uint64
	power int64
}

// weightedLowerMedian fills points (len(reports) long) with the metric's
// values and returns their stake-weighted lower median.
func weightedLowerMedian(points []point, reports []Report, total int64, metric func(Report) uint64) uint64 {
	for i, r := range reports {
		points[i] = point{metric(r), r.Power}
	}
	// Sorted by value alone. Equal values may end up in any order, but the
	// result does not depend on it: the power of all values below v, and of
	// all values up to v, is the same in every order, so the cumulative
	// power first reaches half at the same value. (A tie-break on the
	// validator's address cost a quarter of the sort and changed nothing.)
	slices.SortFunc(points, func(a, b point) int { return cmp.Compare(a.value, b.value) })
	var cumulative int64
	for _, p := range points {
		cumulative += p.power
		if cumulative*2 >= total {
			return p.value
		}
	}
	return points[len(points)-1].value
}

// IsOutlier reports whether a report deviates from the agreed values by more
// than the thresholds: relative (basis points of the agreed value) for
// latency and throughput, absolute (basis points) for uptime and error rate.
func IsOutlier(m, agreed Measurement, relativeBps, absoluteBps uint32) bool {
	rel := func(v, a uint64) bool {
		d := v - a
		if a > v {
			d = a - v
		}
		// d/a > rel/10000  ⇔  d×10000 > rel×a (in 128 bits to be safe).
		return mulGreater(d, MaxBasisPoints, uint64(relativeBps), a)
	}
	abs := func(v, a uint32) bool {
		d := int64(v) - int64(a)
		if d < 0 {
			d = -d
		}
		return d > int64(absoluteBps)
	}
	return rel(uint64(m.LatencyMs), uint64(agreed.LatencyMs)) ||
		rel(m.DownloadKbps, agreed.DownloadKbps) ||
		rel(m.UploadKbps, agreed.UploadKbps) ||
		abs(m.UptimeBps, agreed.UptimeBps) ||
		abs(m.ErrorRateBps, agreed.ErrorRateBps)
}

// mulGreater reports a×b > c×d without overflow.
func mulGreater(a, b, c, d uint64) bool {
	hi1, lo1 := bits.Mul64(a, b)
	hi2, lo2 := bits.Mul64(c, d)
	return hi1 > hi2 || (hi1 == hi2 && lo1 > lo2)
}
