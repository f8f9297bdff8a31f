package prober

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func ringOf(vs ...uint64) sampleRing {
	var r sampleRing
	for _, v := range vs {
		r.add(v)
	}
	return r
}

func TestMedian(t *testing.T) {
	r := ringOf()
	require.Zero(t, r.median())
	r = ringOf(7)
	require.Equal(t, uint64(7), r.median())
	r = ringOf(9, 1, 5)
	require.Equal(t, uint64(5), r.median())
	r = ringOf(10, 1, 4, 100)
	require.Equal(t, uint64(7), r.median(), "mean of the middle two, rounded down")
	r = ringOf(math.MaxUint64, math.MaxUint64-2)
	require.Equal(t, uint64(math.MaxUint64-1), r.median(), "no overflow")
	r = ringOf(3, 1, 2)
	r.median()
	require.Equal(t, []uint64{3, 1, 2}, r.buf[:3], "median does not reorder the history")
}

func TestSampleRingKeepsTheLastSamples(t *testing.T) {
	var r sampleRing
	for i := uint64(1); i <= historySize; i++ {
		r.add(1000) // old, slow samples
	}
	for i := uint64(1); i <= historySize; i++ {
		r.add(i)
	}
	require.Equal(t, historySize, r.len)
	require.Equal(t, uint64(historySize/2), r.median(), "only the last %d samples count", historySize)
}

func TestRatioBps(t *testing.T) {
	require.Equal(t, uint32(0), ratioBps(0, 0))
	require.Equal(t, uint32(0), ratioBps(0, 7))
	require.Equal(t, uint32(10000), ratioBps(7, 7))
	require.Equal(t, uint32(5000), ratioBps(1, 2))
	require.Equal(t, uint32(3333), ratioBps(1, 3), "rounded down")
	require.Equal(t, uint32(10000), ratioBps(9, 3), "clamped")
	require.Equal(t, uint32(5000), ratioBps(math.MaxUint64/2, math.MaxUint64-1), "no overflow")
}

func TestThroughputKbps(t *testing.T) {
	// 125000 bytes = 1,000,000 bits in one second = 1000 kbps.
	require.Equal(t, uint64(1000), throughputKbps(125000, time.Second))
	require.Equal(t, uint64(2000), throughputKbps(125000, 500*time.Millisecond))
	require.Equal(t, uint64(2097), throughputKbps(256<<10, time.Second))
	require.Zero(t, throughputKbps(0, time.Second))
	require.Equal(t, uint64(MaxObjectSize)*8_000_000, throughputKbps(MaxObjectSize, 0), "zero elapsed does not divide by zero")
}

func TestLatencyMs(t *testing.T) {
	require.Zero(t, latencyMs(ringOf()), "0 means no successful ping")
	require.Equal(t, uint32(1), latencyMs(ringOf(uint64(200*time.Microsecond))), "sub-ms success rounds up to 1")
	require.Equal(t, uint32(50), latencyMs(ringOf(uint64(50*time.Millisecond+400*time.Microsecond))))
	require.Equal(t, uint32(51), latencyMs(ringOf(uint64(50*time.Millisecond+500*time.Microsecond))))
}

func TestTargetStatsMeasurement(t *testing.T) {
	var s targetStats
	at := time.Unix(1700000000, 0)
	s.add(checkResult{pings: 3, latencies: []time.Duration{10 * time.Millisecond, 30 * time.Millisecond},
		downloadOK: true, downloadKbps: 800, finished: at})
	s.add(checkResult{pings: 3, uploadOK: true, uploadKbps: 400, finished: at.Add(time.Second)})
	m := s.measurement(42)
	require.Equal(t, Measurement{
		UnitID:       42,
		LatencyMs:    20,
		DownloadKbps: 800,
		UploadKbps:   400,
		UptimeBps:    5000, // one of two checks had a successful ping
		ErrorRateBps: 6000, // (1+0+1) + (3+1+0) = 6 of 10 operations failed
		Checks:       2,
		LastCheck:    at.Add(time.Second),
	}, m)
}

func TestStartOffset(t *testing.T) {
	interval := 4 * time.Second
	seen := map[time.Duration]bool{}
	for unit := uint64(0); unit < 100; unit++ {
		d := startOffset(unit, interval)
		require.GreaterOrEqual(t, d, time.Duration(0))
		require.Less(t, d, interval/4)
		require.Equal(t, d, startOffset(unit, interval), "deterministic")
		seen[d] = true
	}
	require.Greater(t, len(seen), 90, "units are spread")
	require.Zero(t, startOffset(5, 3*time.Nanosecond))
}

func TestWithUnansweredCheck(t *testing.T) {
	var s targetStats
	s.add(checkResult{pings: 3, latencies: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond},
		downloadOK: true, downloadKbps: 800, uploadOK: true, uploadKbps: 400})
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	m := s.withUnansweredCheck(7, 3, s.measurement(7), now)
	require.Equal(t, uint64(7), m.UnitID)
	require.Equal(t, uint32(2), m.Checks)
	require.Equal(t, uint32(5000), m.UptimeBps, "one up check of two")
	require.Equal(t, uint32(5000), m.ErrorRateBps, "five failed operations of ten")
	require.Equal(t, uint64(800), m.DownloadKbps, "medians keep the measured samples")
	require.Equal(t, now, m.LastCheck)
	require.Equal(t, uint64(1), s.checks, "the stats themselves are unchanged")

	var none targetStats
	m = none.withUnansweredCheck(8, 3, none.measurement(8), now)
	require.Equal(t, Measurement{UnitID: 8, UptimeBps: 0, ErrorRateBps: 10000, Checks: 1, LastCheck: now}, m)
}
