package prober

import (
	"math"
	"math/bits"
	"slices"
	"time"
)

// historySize is how many samples of each kind a target keeps: enough for a
// stable median, bounded so that memory does not grow with the window.
const historySize = 64

// basisPoints is 100% in basis points.
const basisPoints = 10000

// sampleRing keeps the last historySize samples.
type sampleRing struct {
	buf  [historySize]uint64
	len  int
	next int
}

func (r *sampleRing) add(v uint64) {
	r.buf[r.next] = v
	r.next = (r.next + 1) % historySize
	if r.len < historySize {
		r.len++
	}
}

// median returns the median of the kept samples (the mean of the two middle
// ones, rounded down, for an even count) and 0 when there are none.
func (r *sampleRing) median() uint64 {
	if r.len == 0 {
		return 0
	}
	s := slices.Clone(r.buf[:r.len])
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	a, b := s[mid-1], s[mid]
	return a + (b-a)/2 // a <= b, so no overflow
}

// targetStats accumulates one target's checks within one assignment window.
type targetStats struct {
	checks, upChecks uint64
	ops, failedOps   uint64
	latencyNs        sampleRing
	downloadKbps     sampleRing
	uploadKbps       sampleRing
	lastCheck        time.Time
}

// add folds one completed check in.
func (s *targetStats) add(r checkResult) {
	s.checks++
	if r.up() {
		s.upChecks++
	}
	s.ops += uint64(r.ops())
	s.failedOps += uint64(r.failedOps())
	for _, d := range r.latencies {
		s.latencyNs.add(uint64(d))
	}
	if r.downloadOK {
		s.downloadKbps.add(r.downloadKbps)
	}
	if r.uploadOK {
		s.uploadKbps.add(r.uploadKbps)
	}
	s.lastCheck = r.finished
}

// measurement summarises the stats; it is computed once per check so that
// Snapshot only copies.
func (s *targetStats) measurement(unitID uint64) Measurement {
	return Measurement{
		UnitID:       unitID,
		LatencyMs:    latencyMs(s.latencyNs),
		DownloadKbps: s.downloadKbps.median(),
		UploadKbps:   s.uploadKbps.median(),
		UptimeBps:    ratioBps(s.upChecks, s.checks),
		ErrorRateBps: ratioBps(s.failedOps, s.ops),
		Checks:       clampUint32(s.checks),
		LastCheck:    s.lastCheck,
	}
}

// unansweredGrace is how long a running check may go without a single
// answer before Snapshot counts it as failed. A healthy endpoint answers a
// ping in a fraction of it, so a check that merely started just before the
// window's end does not count against its unit.
const unansweredGrace = time.Second

// withUnansweredCheck is m (the summary of s) with one more check in which
// every operation failed: a check still running at the window's end that
// has had no answer. Only the counters change (no sample is added), so
// nothing is sorted here: Snapshot calls it under the lock.
func (s *targetStats) withUnansweredCheck(unitID uint64, pings int, m Measurement, now time.Time) Measurement {
	failed := checkResult{pings: pings} // no answer: every operation failed
	m.UnitID = unitID
	m.UptimeBps = ratioBps(s.upChecks, s.checks+1)
	m.ErrorRateBps = ratioBps(s.failedOps+uint64(failed.failedOps()), s.ops+uint64(failed.ops()))
	m.Checks = clampUint32(s.checks + 1)
	m.LastCheck = now
	return m
}

// latencyMs is the median latency rounded to the nearest millisecond, and at
// least 1 ms when there was a successful ping, so that 0 always means "no
// successful ping" rather than "very fast".
func latencyMs(r sampleRing) uint32 {
	if r.len == 0 {
		return 0
	}
	ms := (r.median() + uint64(time.Millisecond/2)) / uint64(time.Millisecond)
	if ms == 0 {
		ms = 1
	}
	return clampUint32(ms)
}

// ratioBps is part/whole in basis points, rounded down; 0 when whole is 0.
// The 128-bit intermediate rules out overflow for any counts.
func ratioBps(part, whole uint64) uint32 {
	if whole == 0 {
		return 0
	}
	if part > whole {
		part = whole
	}
	hi, lo := bits.Mul64(part, basisPoints)
	q, _ := bits.Div64(hi, lo, whole) // hi < whole because part <= whole
	return uint32(q)
}

// throughputKbps is bytes over elapsed in kilobits (1000 bits) per second:
// bytes*8 bits / (ns/1e9 s) / 1000 = bytes*8e6/ns, in integers.
func throughputKbps(bytes int64, elapsed time.Duration) uint64 {
	if bytes <= 0 {
		return 0
	}
	if elapsed <= 0 {
		elapsed = 1
	}
	// bytes <= MaxObjectSize (2^26), so bytes*8e6 < 2^49: no overflow.
	return uint64(bytes) * 8_000_000 / uint64(elapsed)
}

func clampUint32(v uint64) uint32 {
	if v > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(v)
}
